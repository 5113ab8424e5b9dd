//! The one client `init` creates: it owns the queues, the scheduler, the transport and the hooks
//! it installed in the page; `shutdown` hands the queues to the browser and removes the hooks and
//! timers, leaving the page as it was.
use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::browser::{self, now_ms, Rng};
use crate::config::{Channel, Config, Pattern, CHANNELS};
use crate::event::{self, Context, Dedupe, ErrorRecord, Seen};
use crate::instrument::{self, errors, net};
use crate::aggregate::Aggregates;
use crate::alerting::Alerts;
use crate::session::Session;
use crate::json;
use crate::perf;
use crate::pipeline::{batch, queue::Queue, retry};
use crate::privacy;
use crate::stack;
use crate::vitals::Vitals;

/// A batch is sent once it holds this many events...
pub const BATCH_MAX_EVENTS: usize = 50;
/// ...or this many bytes; also the largest body we hand to `sendBeacon`/`keepalive` (limit 64 KiB).
pub const BATCH_MAX_BYTES: usize = 60_000;
/// Keepalive requests may have at most 64 KiB in flight per page; stay under it.
pub const KEEPALIVE_BUDGET: usize = 60_000;
/// Bound of what is kept in localStorage for the next page load.
pub const PERSIST_MAX_BYTES: usize = 256 * 1024;
pub const PERSIST_KEY: &str = "sightline:pending";
/// How many of the newest queued errors a repeat looks through to fold its count in.
const FOLD_SEARCH: usize = 8;
/// A delay meaning "a full batch is waiting: send now, not on a timer".
const FULL: u32 = u32::MAX;

/// A batch on its way to the collector.
struct InFlight {
    items: Vec<String>,
    dropped: u32,
    keepalive_bytes: usize,
}

struct Chan {
    queue: Queue,
    url: String,
    in_flight: Option<InFlight>,
    /// No request before this time (backoff or `Retry-After`).
    retry_at: f64,
    attempt: u32,
    /// (due time, `setTimeout` id) of the pending send.
    timer: Option<(f64, i32)>,
    /// The last keepalive request failed before reaching the network: the next one goes without.
    plain: bool,
}

/// Counters for SDK self-diagnostics (`stats()`).
#[derive(Default)]
struct Diag {
    sent_batches: u32,
    failed_sends: u32,
    rejected_events: u32,
    dropped_events: u32,
    hook_errors: u32,
    internal_errors: u32,
    beacons: u32,
    persisted: u32,
    restored: u32,
}

pub(crate) struct State {
    pub(crate) ctx: Context,
    /// This page view's id: every metric carries it.
    pub(crate) page_view: String,
    pub(crate) vitals: Vitals,
    /// The page view the vitals belong to: the load's (or the back/forward-cache restore's), not a
    /// later SPA route's.
    pub(crate) vitals_view: String,
    /// Resource timing per type, for the dashboard.
    pub(crate) resources: perf::Breakdown,
    /// Requests per origin (fetch and XHR), for the dashboard and alerts.
    pub(crate) requests: Vec<net::OriginStats>,
    /// The tab's session (see src/instrument/session.rs), and when it was last saved.
    pub(crate) session: Session,
    pub(crate) session_saved: f64,
    /// Numbers this page's events: batches can arrive out of order (a beacon overtakes a request).
    pub(crate) seq: u32,
    /// The scrubbed URL of the last page view js/ux.js reported (empty before the first).
    pub(crate) view_url: String,
    /// For `snapshot()` and the alert rules.
    pub(crate) agg: Aggregates,
    pub(crate) alerts: Alerts,
    /// The last health run, and when the request alert rules last ran.
    pub(crate) health: Option<instrument::health::Health>,
    pub(crate) alert_checked: f64,
    /// When a batch last reached the collector (0: never).
    pub(crate) delivered_at: f64,
    /// The collector endpoints, absolute: our own requests are never recorded.
    pub(crate) urls: Vec<String>,
    pub(crate) rng: Rng,
    pub(crate) shut: bool,
    chans: Vec<Chan>,
    dedupe: Dedupe,
    diag: Diag,
    keepalive_in_flight: usize,
    /// `flush()` promises waiting for the queues to empty, and whether a send failed meanwhile.
    flush_waiters: Vec<js_sys::Function>,
    flush_failed: bool,
}

pub struct Core {
    pub(crate) cfg: Config,
    funcs: Vec<js_sys::Function>,
    pub(crate) regexes: Vec<js_sys::RegExp>,
    /// `fetch` as it was when we started, so our own requests bypass any wrapper (ours included).
    pub(crate) fetch: JsValue,
    pub(crate) state: RefCell<State>,
    /// Each removes page hooks (js/hooks.js, js/perf.js) when called.
    uninstall: RefCell<Vec<js_sys::Function>>,
    /// `{c: client}`: how JS callbacks (timers, finished requests, page hooks) reach this client.
    /// There are no Rust closures: each callback is an exported method of [`Client`].
    pub(crate) sink: JsValue,
}

/// The JS-facing handle; the npm entry wraps each method in `try`/`catch`.
#[wasm_bindgen]
pub struct Client {
    pub(crate) core: Core,
}

impl Core {
    pub fn new(cfg: Config, funcs: Vec<js_sys::Function>, regexes: Vec<js_sys::RegExp>, urls: Vec<String>, sink: JsValue) -> Core {
        let fetch = browser::native_fetch();
        let mut rng = Rng::seeded();
        let session = instrument::session::load(&mut rng, &cfg);
        let user_agent = browser::agent();
        let mut page_view = String::with_capacity(16);
        json::hex64(&mut page_view, rng.next_u64());
        let chans = CHANNELS
            .iter()
            .zip(urls.iter().cloned())
            .map(|(c, url)| Chan {
                queue: Queue::new(cfg.queue_cap(*c)),
                url,
                in_flight: None,
                retry_at: 0.0,
                attempt: 0,
                timer: None,
                plain: false,
            })
            .collect();
        let ctx = Context {
            session_id: session.id.clone(),
            release: cfg.release.clone(),
            environment: cfg.environment.clone(),
            user_agent,
            ..Context::default()
        };
        Core {
            cfg,
            funcs,
            regexes,
            fetch,
            state: RefCell::new(State {
                ctx,
                page_view: page_view.clone(),
                vitals: Vitals::new("navigate", 0.0, f64::INFINITY),
                vitals_view: page_view,
                resources: perf::breakdown(),
                requests: Vec::new(),
                session_saved: session.start,
                session,
                seq: 0,
                view_url: String::new(),
                agg: Aggregates::default(),
                alerts: Alerts::default(),
                health: None,
                alert_checked: 0.0,
                delivered_at: 0.0,
                urls,
                chans,
                dedupe: Dedupe::default(),
                rng,
                diag: Diag::default(),
                keepalive_in_flight: 0,
                shut: false,
                flush_waiters: Vec::new(),
                flush_failed: false,
            }),
            uninstall: RefCell::new(Vec::new()),
            sink,
        }
    }

    /// Installs the page hooks; they report into this client until [`Core::shutdown`].
    pub fn install_hooks(&self) {
        self.keep_uninstall(errors::install(&self.sink));
    }

    /// Keeps a function that removes something we installed, for [`Core::shutdown`].
    pub fn keep_uninstall(&self, remove: js_sys::Function) {
        if let Ok(mut u) = self.uninstall.try_borrow_mut() {
            u.push(remove);
        }
    }

    pub fn count_internal_error(&self) {
        if let Ok(mut s) = self.state.try_borrow_mut() {
            s.diag.internal_errors += 1;
        }
    }

    pub fn debug(&self, what: &str, detail: &str) {
        if self.cfg.debug {
            browser::debug(what, detail);
        }
    }

    /// Calls `onError` with an SDK diagnostic; its failures are counted, never thrown.
    fn diagnose(&self, code: &'static str, message: &str) {
        self.debug(code, message);
        let Some(f) = self.cfg.on_error.and_then(|i| self.funcs.get(i)) else { return };
        let o = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str("code"), &JsValue::from_str(code));
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str("message"), &JsValue::from_str(message));
        if f.call1(&JsValue::UNDEFINED, &o).is_err() {
            if let Ok(mut s) = self.state.try_borrow_mut() {
                s.diag.hook_errors += 1;
            }
        }
    }

    pub(crate) fn user_agent(&self) -> String {
        self.state.try_borrow().map(|s| s.ctx.user_agent.clone()).unwrap_or_default()
    }

    #[inline(never)]
    pub(crate) fn page_url(&self) -> String {
        privacy::scrub_url(&browser::href(), &self.cfg.scrub_params)
    }

    fn ignored(&self, message: &str) -> bool {
        self.cfg.ignore.iter().any(|p| match p {
            Pattern::Sub(s) => json::contains(message, s),
            Pattern::Regex(i) => self.regexes.get(*i).is_some_and(|r| r.test(message)),
        })
    }

    /// The error processor: ignore rules, dedupe, encode with context, `beforeSend`, enqueue.
    pub fn record_error(&self, mut rec: ErrorRecord) {
        self.renew_if_expired();
        if self.ignored(&rec.message) {
            return;
        }
        rec.clamp();
        // privacy: e-mail addresses, tokens and card numbers never leave the page
        if self.cfg.mask_text {
            rec.message = privacy::masked(core::mem::take(&mut rec.message));
            rec.stack = rec.stack.take().map(privacy::masked);
        }
        if let Some(src) = &rec.source {
            rec.source = Some(privacy::scrub_url(src, &self.cfg.scrub_params));
        }
        // The fingerprint needs only the top frame; a storm of repeats stops before the full parse.
        let parse = |max| rec.stack.as_deref().map(|s| stack::parse(s, max)).unwrap_or_default();
        let fp = rec.fingerprint(&parse(1));
        let count = {
            let Ok(mut s) = self.state.try_borrow_mut() else { return self.count_internal_error() };
            if s.shut {
                return;
            }
            // every occurrence counts for `snapshot()`, in unsampled sessions too
            s.agg.error(rec.kind, fp, &rec.message);
            if !s.session.sampled {
                return;
            }
            match s.dedupe.check(fp, rec.timestamp_ms) {
                Seen::New(n) => n,
                Seen::Repeat => {
                    let mut tag = String::from("\"fingerprint\":\"");
                    json::hex64(&mut tag, fp);
                    // Only the newest few queued records are searched: a storm of one error keeps
                    // its record at the end, and the cost per repeat stays bounded.
                    let folded = s.chans.get_mut(Channel::Errors as usize).is_some_and(|c| {
                        c.queue.update_recent(FOLD_SEARCH, |i| json::contains(i, &tag), |i| event::set_count(i, event::get_count(i) + 1))
                    });
                    if !folded {
                        s.dedupe.hold(fp);
                    }
                    return;
                }
            }
        };
        let mut frames = parse(event::MAX_FRAMES);
        // script URLs in the stack carry the page's query strings too: scrub them there as well
        for f in frames.iter_mut() {
            let clean = privacy::scrub_url(&f.file, &self.cfg.scrub_params);
            if clean != f.file {
                if let Some(s) = rec.stack.as_mut() {
                    *s = json::replace_all(s, &f.file, &clean);
                }
                f.file = clean;
            }
        }
        let page_url = self.page_url();
        let encoded = {
            let Ok(mut s) = self.state.try_borrow_mut() else { return self.count_internal_error() };
            s.ctx.page_url = page_url;
            let id = s.rng.next_u64();
            rec.encode(&s.ctx, id, fp, &frames, count)
        };
        let critical = rec.is_critical();
        if let Some(item) = self.before_send(encoded) {
            self.debug("sightline: queued error", &rec.message);
            self.enqueue(Channel::Errors, item, critical);
        }
    }

    /// Runs the `beforeSend` hook on an encoded event: `null`/`false` drops it, an object replaces it,
    /// anything else (or a hook that throws) keeps it unchanged.
    #[inline(never)]
    pub(crate) fn before_send(&self, item: String) -> Option<String> {
        let Some(f) = self.cfg.before_send.and_then(|i| self.funcs.get(i)) else { return Some(item) };
        let Ok(ev) = js_sys::JSON::parse(&item) else { return Some(item) };
        match f.call1(&JsValue::UNDEFINED, &ev) {
            Ok(r) if r.is_null() || r.as_bool() == Some(false) => None,
            Ok(r) if r.is_object() => match js_sys::JSON::stringify(&r).ok().and_then(|s| s.as_string()) {
                Some(s) => Some(s),
                None => Some(item),
            },
            Ok(_) => Some(item),
            Err(_) => {
                if let Ok(mut s) = self.state.try_borrow_mut() {
                    s.diag.hook_errors += 1;
                }
                self.diagnose("hook_failed", "beforeSend threw; the event was kept unchanged");
                Some(item)
            }
        }
    }

    /// Queues an encoded event and decides when its channel flushes: a full batch goes right away
    /// (a burst must not outrun the bounded queue while a timer waits its turn behind the page's
    /// own tasks), a critical error on the next tick (so a burst of them shares one request),
    /// anything else on the channel's interval.
    #[inline(never)]
    pub fn enqueue(&self, ch: Channel, item: String, urgent: bool) {
        // an unsampled session sends nothing
        if !self.sampled() {
            return;
        }
        let (delay, overflowed) = {
            let Ok(mut s) = self.state.try_borrow_mut() else { return self.count_internal_error() };
            let Some(c) = s.chans.get_mut(ch as usize) else { return };
            let first_drop = c.queue.dropped() == 0;
            let dropped = c.queue.push(item);
            let full = c.queue.len() >= BATCH_MAX_EVENTS || c.queue.bytes() >= BATCH_MAX_BYTES;
            if dropped {
                s.diag.dropped_events += 1;
            }
            // tell `onError` once per overflow, not once per dropped event
            let overflowed = dropped && first_drop;
            (if full { FULL } else if urgent { 0 } else { self.cfg.interval_ms(ch) }, overflowed)
        };
        if overflowed {
            self.diagnose("queue_overflow", "a queue is full: the oldest events are dropped and counted");
        }
        self.send_after(ch, delay);
    }

    /// Sends now when `delay` is [`FULL`] (falling back to the next tick when a request is in
    /// flight or the channel backs off), otherwise arms the timer.
    fn send_after(&self, ch: Channel, delay: u32) {
        if delay != FULL {
            self.schedule(ch, delay);
        } else if !self.send_next(ch, false) {
            self.schedule(ch, 0);
        }
    }

    /// Arms the channel's timer for `delay_ms` from now (never earlier than a pending retry),
    /// unless it is already due sooner. One timer per channel: bursts coalesce into one send.
    fn schedule(&self, ch: Channel, delay_ms: u32) {
        let Ok(mut s) = self.state.try_borrow_mut() else { return };
        if s.shut {
            return;
        }
        let Some(c) = s.chans.get_mut(ch as usize) else { return };
        let due = (now_ms() + f64::from(delay_ms)).max(c.retry_at);
        if c.timer.is_some_and(|(d, _)| d <= due) {
            return;
        }
        if let Some((_, id)) = c.timer.take() {
            browser::cancel(id);
        }
        let wait = (due - now_ms()).max(0.0) as i32;
        c.timer = Some((due, browser::timer(wait, ch as u32, &self.sink)));
    }

    /// Starts sending one batch of `ch`; false when there is nothing to send, a request is already
    /// in flight, or the channel is backing off (unless `ignore_backoff`).
    pub(crate) fn send_next(&self, ch: Channel, ignore_backoff: bool) -> bool {
        let (url, body, keepalive) = {
            let Ok(mut s) = self.state.try_borrow_mut() else { return false };
            let session_id = s.ctx.session_id.clone();
            let ka_used = s.keepalive_in_flight;
            let Some(c) = s.chans.get_mut(ch as usize) else { return false };
            if c.in_flight.is_some() || c.queue.is_empty() || (!ignore_backoff && now_ms() < c.retry_at) {
                return false;
            }
            let (items, dropped) = c.queue.take_batch(BATCH_MAX_EVENTS, BATCH_MAX_BYTES);
            let body = batch::encode(ch.name(), &items, &session_id, now_ms() as u64, dropped);
            // keepalive lets the request outlive the page, within the browser's 64 KiB budget
            let keepalive = !c.plain && ka_used + body.len() <= KEEPALIVE_BUDGET;
            let keepalive_bytes = if keepalive { body.len() } else { 0 };
            c.in_flight = Some(InFlight { items, dropped, keepalive_bytes });
            let url = c.url.clone();
            s.keepalive_in_flight += keepalive_bytes;
            (url, body, keepalive)
        };
        self.debug("sightline: sending batch", ch.name());
        browser::post(&self.fetch, &url, &body, keepalive, ch as u32, &self.sink);
        true
    }

    /// A channel's timer fired.
    fn on_timer(&self, ch: Channel) {
        if let Ok(mut s) = self.state.try_borrow_mut() {
            if let Some(c) = s.chans.get_mut(ch as usize) {
                c.timer = None;
            }
        }
        self.send_next(ch, false);
    }

    /// A request finished: done, retry later (the batch goes back to its queue), or rejected.
    fn on_sent(&self, ch: Channel, status: u16, retry_after: Option<String>) {
        let verdict = retry::classify(status, retry_after.as_deref(), now_ms() as u64);
        let next = {
            let Ok(mut s) = self.state.try_borrow_mut() else { return self.count_internal_error() };
            let jitter = s.rng.unit();
            let interval = self.cfg.interval_ms(ch);
            let Some(c) = s.chans.get_mut(ch as usize) else { return };
            let Some(sent) = c.in_flight.take() else { return };
            let n = sent.items.len() as u32;
            let keepalive_refused = status == 0 && sent.keepalive_bytes > 0 && !c.plain;
            let next = match verdict {
                retry::Verdict::Sent => {
                    c.attempt = 0;
                    c.retry_at = 0.0;
                    c.plain = false;
                    (!c.queue.is_empty()).then_some(if c.queue.len() >= BATCH_MAX_EVENTS { FULL } else { interval })
                }
                // The page's keepalive quota (64 KiB, shared with the page's own beacons and
                // keepalive requests) refuses a request the way a network error does: try once more
                // at once without keepalive before backing off.
                retry::Verdict::Retry(_) if keepalive_refused => {
                    c.plain = true;
                    c.queue.requeue(sent.items, sent.dropped);
                    Some(0)
                }
                retry::Verdict::Retry(after) => {
                    c.attempt = c.attempt.saturating_add(1);
                    c.retry_at = now_ms() + retry::delay_ms(c.attempt, after, jitter) as f64;
                    c.queue.requeue(sent.items, sent.dropped);
                    Some(0)
                }
                retry::Verdict::Reject => {
                    c.queue.count_dropped(sent.dropped.saturating_add(n));
                    (!c.queue.is_empty()).then_some(0)
                }
            };
            s.keepalive_in_flight = s.keepalive_in_flight.saturating_sub(sent.keepalive_bytes);
            match verdict {
                retry::Verdict::Sent => {
                    s.diag.sent_batches += 1;
                    s.delivered_at = now_ms();
                }
                retry::Verdict::Retry(_) if keepalive_refused => {}
                retry::Verdict::Retry(_) => {
                    s.diag.failed_sends += 1;
                    s.flush_failed = true;
                }
                retry::Verdict::Reject => {
                    s.diag.rejected_events += n;
                    s.flush_failed = true;
                }
            }
            next
        };
        if verdict == retry::Verdict::Reject {
            self.diagnose("batch_rejected", "the collector refused a batch; its events are dropped and counted");
        }
        if let Some(d) = next {
            self.send_after(ch, d);
        }
        self.settle_flush();
    }

    /// `flush()`: sends everything now. Resolves to true when every queue was emptied, false when a
    /// send failed (those events stay queued for the scheduler's retries) or a channel is backing off.
    pub fn flush(&self) -> js_sys::Promise {
        let d = browser::deferred();
        let p: js_sys::Promise = d.get(0).unchecked_into();
        if let Ok(mut s) = self.state.try_borrow_mut() {
            let w: js_sys::Function = d.get(1).unchecked_into();
            if s.flush_waiters.is_empty() {
                s.flush_failed = false;
            }
            s.flush_waiters.push(w);
        }
        self.settle_flush();
        p
    }

    /// Drives pending `flush()` calls: once no request is in flight, either send the next batches
    /// or resolve the waiters.
    fn settle_flush(&self) {
        let (failed, busy) = match self.state.try_borrow() {
            Ok(s) => (s.flush_failed, s.flush_waiters.is_empty() || s.chans.iter().any(|c| c.in_flight.is_some())),
            Err(_) => return,
        };
        if busy {
            return;
        }
        let mut started = false;
        if !failed {
            for ch in CHANNELS {
                started |= self.send_next(ch, false);
            }
        }
        if started {
            return;
        }
        let Ok(mut s) = self.state.try_borrow_mut() else { return };
        let done = !s.flush_failed && s.chans.iter().all(|c| c.queue.is_empty());
        for w in core::mem::take(&mut s.flush_waiters) {
            let _ = w.call1(&JsValue::UNDEFINED, &JsValue::from_bool(done));
        }
    }

    /// The page is being hidden or unloaded: hand every queued event to `sendBeacon` (or a keepalive
    /// `fetch`); a channel that is backing off, and anything the browser refuses, goes to localStorage
    /// and is sent on the next page load.
    pub fn page_hidden(&self) {
        self.save_session();
        self.report_requests();
        let mut persist: Vec<(usize, Vec<String>)> = Vec::new();
        let mut batches: Vec<(String, String, usize, Vec<String>)> = Vec::new();
        {
            let Ok(mut s) = self.state.try_borrow_mut() else { return };
            let session_id = s.ctx.session_id.clone();
            let now = now_ms();
            for (i, c) in s.chans.iter_mut().enumerate() {
                let name = CHANNELS.get(i).map_or("errors", |c| c.name());
                while !c.queue.is_empty() {
                    let (items, dropped) = c.queue.take_batch(BATCH_MAX_EVENTS, BATCH_MAX_BYTES);
                    if now < c.retry_at {
                        persist.push((i, items));
                        // reported by the next batch this page sends, if it lives on
                        c.queue.count_dropped(dropped);
                        continue;
                    }
                    let body = batch::encode(name, &items, &session_id, now as u64, dropped);
                    batches.push((c.url.clone(), body, i, items));
                }
            }
        }
        let mut beacons = 0;
        for (url, body, i, items) in batches {
            let beaconed = browser::beacon(&url, &body);
            if beaconed {
                beacons += 1;
            } else if !self.keepalive_send(&url, &body) {
                persist.push((i, items));
            }
        }
        let persisted: usize = persist.iter().map(|(_, v)| v.len()).sum();
        if persisted > 0 {
            save_pending(&persist);
        }
        if let Ok(mut s) = self.state.try_borrow_mut() {
            s.diag.beacons += beacons;
            s.diag.persisted += persisted as u32;
        }
    }

    /// Fire-and-forget keepalive `fetch` within the in-flight budget.
    fn keepalive_send(&self, url: &str, body: &str) -> bool {
        if self.fetch.is_undefined() {
            return false;
        }
        {
            let Ok(mut s) = self.state.try_borrow_mut() else { return false };
            if s.keepalive_in_flight + body.len() > KEEPALIVE_BUDGET {
                return false;
            }
            // Never released: the page is going away, and the budget only needs to hold until then.
            s.keepalive_in_flight += body.len();
        }
        browser::post(&self.fetch, url, body, true, 0, &JsValue::UNDEFINED);
        true
    }

    /// Queues events a previous page persisted, then forgets them (they are ours now).
    pub fn restore_pending(&self) {
        let Some(saved) = browser::storage_get(false, PERSIST_KEY) else { return };
        browser::storage_remove(false, PERSIST_KEY);
        let mut n = 0;
        if let Ok(mut s) = self.state.try_borrow_mut() {
            for line in json::split_byte(&saved, b'\n') {
                let mut chars = line.chars();
                let idx = chars.next().and_then(|d| d.to_digit(10)).map(|d| d as usize);
                if let Some(c) = idx.and_then(|i| s.chans.get_mut(i)) {
                    let _ = c.queue.push(String::from(chars.as_str()));
                    n += 1;
                }
            }
            s.diag.restored += n;
        }
        for ch in CHANNELS {
            self.schedule(ch, 0);
        }
    }

    pub fn set_user(&self, id: Option<String>) {
        if let Ok(mut s) = self.state.try_borrow_mut() {
            s.ctx.user_id = id.map(|mut id| {
                json::truncate(&mut id, 200);
                id
            });
        }
    }

    pub fn set_tag(&self, key: String, value: String) {
        let Ok(mut s) = self.state.try_borrow_mut() else { return };
        let (mut key, mut value) = (key, value);
        json::truncate(&mut key, 32);
        json::truncate(&mut value, 200);
        if let Some(t) = s.ctx.tags.iter_mut().find(|t| t.0 == key) {
            t.1 = value;
        } else if s.ctx.tags.len() < 50 {
            s.ctx.tags.push((key, value));
        }
    }

    pub fn stats_json(&self) -> String {
        let Ok(s) = self.state.try_borrow() else { return String::from("{}") };
        let d = &s.diag;
        let mut o = String::from("{");
        for (k, v) in [
            ("sentBatches", d.sent_batches),
            ("failedSends", d.failed_sends),
            ("rejectedEvents", d.rejected_events),
            ("droppedEvents", d.dropped_events),
            ("hookErrors", d.hook_errors),
            ("internalErrors", d.internal_errors),
            ("beacons", d.beacons),
            ("persisted", d.persisted),
            ("restored", d.restored),
        ] {
            json::field_u64(&mut o, k, u64::from(v));
        }
        json::key(&mut o, "queued");
        o.push('[');
        for c in &s.chans {
            if !o.ends_with('[') {
                o.push(',');
            }
            json::uint(&mut o, c.queue.len() as u64);
        }
        o.push(']');
        // resource timing per type, for dashboards (see `snapshot()` in #6)
        json::key(&mut o, "resources");
        perf::breakdown_json(&mut o, &s.resources);
        // fetch and XHR per origin
        json::key(&mut o, "requests");
        o.push('{');
        for r in &s.requests {
            if !o.ends_with('{') {
                o.push(',');
            }
            json::str(&mut o, &r.origin);
            o.push_str(":{");
            json::field_u64(&mut o, "count", u64::from(r.count));
            json::field_u64(&mut o, "failed", u64::from(r.failed));
            json::field_u64(&mut o, "aborted", u64::from(r.aborted));
            json::field_num(&mut o, "duration", r.duration_ms);
            json::field_num(&mut o, "bytes", r.bytes);
            o.push('}');
        }
        o.push('}');
        json::field_str(&mut o, "pageViewId", &s.page_view);
        json::field_str(&mut o, "sessionId", &s.ctx.session_id);
        json::key(&mut o, "sampled");
        o.push_str(if s.session.sampled { "true" } else { "false" });
        o.push('}');
        o
    }

    /// Hands what is queued to the browser (as when the page hides), then removes every listener,
    /// timer and hook this client installed.
    pub fn shutdown(&self) {
        if self.state.try_borrow().is_ok_and(|s| s.shut) {
            return;
        }
        self.page_hidden();
        let removers = self.uninstall.try_borrow_mut().map(|mut u| core::mem::take(&mut *u)).unwrap_or_default();
        for remove in removers {
            let _ = remove.call0(&JsValue::UNDEFINED);
        }
        if let Ok(mut s) = self.state.try_borrow_mut() {
            s.shut = true;
            for c in s.chans.iter_mut() {
                if let Some((_, id)) = c.timer.take() {
                    browser::cancel(id);
                }
            }
        }
        self.settle_flush();
    }
}

/// The channel with index `i`.
fn channel(i: u32) -> Option<Channel> {
    CHANNELS.get(i as usize).copied()
}

/// Appends events to the persisted backlog, keeping the newest within [`PERSIST_MAX_BYTES`].
/// The backlog is one event per line, each line starting with its channel's digit.
fn save_pending(batches: &[(usize, Vec<String>)]) {
    let mut all = browser::storage_get(false, PERSIST_KEY).unwrap_or_default();
    for (i, items) in batches {
        for item in items {
            if !all.is_empty() {
                all.push('\n');
            }
            all.push(json::hex_digit(*i as u8));
            all.push_str(item);
        }
    }
    // drop the oldest lines beyond the bound; on a quota error, keep the newest half
    for limit in [PERSIST_MAX_BYTES, PERSIST_MAX_BYTES / 2] {
        while all.len() > limit {
            let cut = json::pos(&all, b'\n').map_or(all.len(), |i| i + 1);
            all.replace_range(..cut, "");
        }
        if browser::storage_set(false, PERSIST_KEY, &all) {
            return;
        }
    }
}

#[wasm_bindgen]
impl Client {
    pub(crate) fn new(core: Core) -> Client {
        Client { core }
    }

    /// Callback from js/hooks.js: the page is being hidden or unloaded.
    pub fn hidden(&self) {
        self.core.page_hidden();
    }

    /// Callback from js/io.js: a channel's timer fired.
    pub fn tick(&self, channel: u32) {
        if let Some(ch) = self::channel(channel) {
            self.core.on_timer(ch);
        }
    }

    /// Callback from js/io.js: a request finished (status 0 = network error).
    pub fn done(&self, channel: u32, status: u16, retry_after: Option<String>) {
        if let Some(ch) = self::channel(channel) {
            self.core.on_sent(ch, status, retry_after);
        }
    }

    /// Records one error. The JS side describes the value or event (js/hooks.js) and calls this
    /// for page errors and rejections, `captureError`, `captureMessage`, and the loader's buffer.
    /// `fields` is `[name, message, stack?, source?, level?, contextJson?]`: one array crosses the
    /// boundary instead of six strings, each of which would cost glue code on both sides.
    pub fn capture(&self, kind: &str, fields: js_sys::Array, line: u32, column: u32, at: f64) {
        let f = |i: u32| fields.get(i).as_string();
        let mut rec = errors::record(kind, f(0).unwrap_or_default(), f(1).unwrap_or_default(), f(2), f(3), line, column, at);
        if let Some(level) = f(4) {
            rec.level = match level.as_str() {
                "fatal" => "fatal",
                "warning" => "warning",
                "info" => "info",
                "debug" => "debug",
                _ => "error",
            };
        }
        rec.context = f(5);
        self.core.record_error(rec);
    }

    #[wasm_bindgen(js_name = setUser)]
    pub fn set_user(&self, id: Option<String>) {
        self.core.set_user(id);
    }

    #[wasm_bindgen(js_name = setTag)]
    pub fn set_tag(&self, key: String, value: String) {
        self.core.set_tag(key, value);
    }

    pub fn flush(&self) -> js_sys::Promise {
        self.core.flush()
    }

    pub fn stats(&self) -> String {
        self.core.stats_json()
    }

    pub fn shutdown(&self) {
        self.core.shutdown();
    }
}

impl Client {
    /// `captureMessage` as the JS layer calls it (for Rust callers and tests).
    pub fn capture_message(&self, text: String, level: Option<String>) {
        let fields: js_sys::Array = [JsValue::from_str(""), JsValue::from(text), JsValue::UNDEFINED, JsValue::UNDEFINED, JsValue::from(level.unwrap_or_else(|| String::from("info")))].iter().collect();
        self.capture("manual", fields, 0, 0, now_ms());
    }
}
