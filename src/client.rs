//! The one client `init` creates: it owns the queues, the scheduler, the transport and everything
//! it installed in the page; dropping it (via `shutdown`) removes all of that.
use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::browser::{self, now_ms, Listener, Rng};
use crate::config::{Channel, Config, Pattern, CHANNELS};
use crate::event::{self, Context, Dedupe, ErrorRecord, Seen};
use crate::json;
use crate::pipeline::{batch, queue::Queue, retry};
use crate::privacy;
use crate::stack;

/// A batch is sent once it holds this many events...
pub const BATCH_MAX_EVENTS: usize = 50;
/// ...or this many bytes; also the largest body we hand to `sendBeacon`/`keepalive` (limit 64 KiB).
pub const BATCH_MAX_BYTES: usize = 60_000;
/// Keepalive requests may have at most 64 KiB in flight per page; stay under it.
pub const KEEPALIVE_BUDGET: usize = 60_000;
/// Bound of what is kept in localStorage for the next page load.
pub const PERSIST_MAX_BYTES: usize = 256 * 1024;
pub const PERSIST_KEY: &str = "sightline:pending";
const SESSION_KEY: &str = "sightline:session";

struct Chan {
    queue: Queue,
    url: String,
    in_flight: bool,
    /// No request before this time (backoff or `Retry-After`).
    retry_at: f64,
    attempt: u32,
    timer: Option<(f64, Timeout)>,
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

struct State {
    ctx: Context,
    chans: Vec<Chan>,
    dedupe: Dedupe,
    rng: Rng,
    diag: Diag,
    keepalive_in_flight: usize,
    shut: bool,
}

pub struct Core {
    cfg: Config,
    funcs: Vec<js_sys::Function>,
    regexes: Vec<js_sys::RegExp>,
    /// `fetch` as it was when we started, so our own requests bypass any wrapper (ours included).
    fetch: Option<js_sys::Function>,
    sampled: bool,
    state: RefCell<State>,
    listeners: RefCell<Vec<Listener>>,
    me: Weak<Core>,
}

/// The JS-facing handle; the npm entry wraps each method in `try`/`catch`.
#[wasm_bindgen]
pub struct Client {
    core: Rc<Core>,
}

impl Core {
    pub fn new(cfg: Config, funcs: Vec<js_sys::Function>, regexes: Vec<js_sys::RegExp>, urls: Vec<String>) -> Rc<Core> {
        let window = web_sys::window();
        let fetch = window
            .as_ref()
            .and_then(|w| js_sys::Reflect::get(w, &JsValue::from_str("fetch")).ok())
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        let mut rng = Rng::seeded();
        let (session_id, sampled) = session(&mut rng, cfg.sample_rate);
        let user_agent = window.as_ref().and_then(|w| w.navigator().user_agent().ok()).unwrap_or_default();
        let chans = CHANNELS
            .iter()
            .zip(urls)
            .map(|(c, url)| Chan {
                queue: Queue::new(cfg.queue_cap(*c)),
                url,
                in_flight: false,
                retry_at: 0.0,
                attempt: 0,
                timer: None,
            })
            .collect();
        let ctx = Context {
            session_id,
            release: cfg.release.clone(),
            environment: cfg.environment.clone(),
            user_agent,
            ..Context::default()
        };
        Rc::new_cyclic(|me| Core {
            cfg,
            funcs,
            regexes,
            fetch,
            sampled,
            state: RefCell::new(State {
                ctx,
                chans,
                dedupe: Dedupe::default(),
                rng,
                diag: Diag::default(),
                keepalive_in_flight: 0,
                shut: false,
            }),
            listeners: RefCell::new(Vec::new()),
            me: me.clone(),
        })
    }

    pub fn add_listener(&self, l: Option<Listener>) {
        if let (Some(l), Ok(mut ls)) = (l, self.listeners.try_borrow_mut()) {
            ls.push(l);
        }
    }

    fn weak(&self) -> Weak<Core> {
        self.me.clone()
    }

    pub fn count_internal_error(&self) {
        if let Ok(mut s) = self.state.try_borrow_mut() {
            s.diag.internal_errors += 1;
        }
    }

    pub fn debug(&self, what: &str, detail: &str) {
        if self.cfg.debug {
            web_sys::console::debug_2(&JsValue::from_str(what), &JsValue::from_str(detail));
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

    fn page_url(&self) -> String {
        let href = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
        privacy::scrub_url(&href, &self.cfg.scrub_params)
    }

    fn ignored(&self, message: &str) -> bool {
        self.cfg.ignore.iter().any(|p| match p {
            Pattern::Sub(s) => message.contains(s.as_str()),
            Pattern::Regex(i) => self.regexes.get(*i).is_some_and(|r| r.test(message)),
        })
    }

    /// The error processor: ignore rules, dedupe, encode with context, `beforeSend`, enqueue.
    pub fn record_error(&self, mut rec: ErrorRecord) {
        if !self.sampled || self.ignored(&rec.message) {
            return;
        }
        rec.clamp();
        if let Some(src) = &rec.source {
            rec.source = Some(privacy::scrub_url(src, &self.cfg.scrub_params));
        }
        let frames = rec.stack.as_deref().map(|s| stack::parse(s, event::MAX_FRAMES)).unwrap_or_default();
        let fp = rec.fingerprint(&frames);
        let page_url = self.page_url();
        let encoded = {
            let Ok(mut s) = self.state.try_borrow_mut() else { return self.count_internal_error() };
            if s.shut {
                return;
            }
            let count = match s.dedupe.check(fp, rec.timestamp_ms) {
                Seen::New(n) => n,
                Seen::Repeat => {
                    let mut tag = String::from("\"fingerprint\":\"");
                    json::hex64(&mut tag, fp);
                    let folded = s
                        .chans
                        .get_mut(Channel::Errors as usize)
                        .is_some_and(|c| c.queue.update_last(|i| i.contains(tag.as_str()), |i| event::set_count(i, event::get_count(i) + 1)));
                    if !folded {
                        s.dedupe.hold(fp);
                    }
                    return;
                }
            };
            s.ctx.page_url = page_url;
            let id = s.rng.next();
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
    fn before_send(&self, item: String) -> Option<String> {
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

    /// Queues an encoded event and decides when its channel flushes: at once when critical or when
    /// a batch is full, otherwise on the channel's interval.
    pub fn enqueue(&self, ch: Channel, item: String, urgent: bool) {
        let (delay, overflowed) = {
            let Ok(mut s) = self.state.try_borrow_mut() else { return self.count_internal_error() };
            let Some(c) = s.chans.get_mut(ch as usize) else { return };
            let first_drop = c.queue.dropped() == 0;
            let overflowed = c.queue.push(item) && first_drop;
            let full = c.queue.len() >= BATCH_MAX_EVENTS || c.queue.bytes() >= BATCH_MAX_BYTES;
            if overflowed {
                s.diag.dropped_events += 1;
            }
            (if urgent || full { 0 } else { self.cfg.interval_ms(ch) }, overflowed)
        };
        if overflowed {
            self.diagnose("queue_overflow", "a queue is full: the oldest events are dropped and counted");
        }
        self.schedule(ch, delay);
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
        if c.timer.as_ref().is_some_and(|(d, _)| *d <= due) {
            return;
        }
        let weak = self.weak();
        let wait = (due - now_ms()).max(0.0) as u32;
        c.timer = Some((
            due,
            Timeout::new(wait, move || {
                if let Some(core) = weak.upgrade() {
                    if let Ok(mut s) = core.state.try_borrow_mut() {
                        if let Some(c) = s.chans.get_mut(ch as usize) {
                            c.timer = None;
                        }
                    }
                    wasm_bindgen_futures::spawn_local(async move {
                        let _ = core.send_one(ch, false).await;
                    });
                }
            }),
        ));
    }

    /// Sends one batch of `ch`. `None`: nothing to send (empty, busy or backing off);
    /// `Some(true)`: sent; `Some(false)`: failed (requeued for retry, or rejected).
    async fn send_one(self: Rc<Self>, ch: Channel, ignore_backoff: bool) -> Option<bool> {
        let (url, items, dropped, body, keepalive) = {
            let mut s = self.state.try_borrow_mut().ok()?;
            let session_id = s.ctx.session_id.clone();
            let ka_used = s.keepalive_in_flight;
            let c = s.chans.get_mut(ch as usize)?;
            if c.in_flight || c.queue.is_empty() || (!ignore_backoff && now_ms() < c.retry_at) {
                return None;
            }
            let (items, dropped) = c.queue.take_batch(BATCH_MAX_EVENTS, BATCH_MAX_BYTES);
            let body = batch::encode(ch.name(), &items, &session_id, now_ms() as u64, dropped);
            let keepalive = ka_used + body.len() <= KEEPALIVE_BUDGET;
            c.in_flight = true;
            let url = c.url.clone();
            if keepalive {
                s.keepalive_in_flight += body.len();
            }
            (url, items, dropped, body, keepalive)
        };
        let len = body.len();
        let (status, retry_after) = self.post(&url, body, keepalive).await;
        let verdict = retry::classify(status, retry_after.as_deref(), now_ms() as u64);
        self.debug("sightline: sent batch", ch.name());
        let (next_delay, rejected) = {
            let mut s = self.state.try_borrow_mut().ok()?;
            if keepalive {
                s.keepalive_in_flight = s.keepalive_in_flight.saturating_sub(len);
            }
            let jitter = s.rng.unit();
            let n = items.len() as u32;
            let interval = self.cfg.interval_ms(ch);
            let c = s.chans.get_mut(ch as usize)?;
            c.in_flight = false;
            let (next, rejected) = match verdict {
                retry::Verdict::Sent => {
                    c.attempt = 0;
                    c.retry_at = 0.0;
                    let next = if c.queue.len() >= BATCH_MAX_EVENTS { 0 } else { interval };
                    (if c.queue.is_empty() { None } else { Some(next) }, false)
                }
                retry::Verdict::Retry(after) => {
                    c.attempt = c.attempt.saturating_add(1);
                    let delay = retry::delay_ms(c.attempt, after, jitter);
                    c.retry_at = now_ms() + delay as f64;
                    c.queue.requeue(items, dropped);
                    (Some(0), false)
                }
                retry::Verdict::Reject => {
                    c.queue.count_dropped(dropped.saturating_add(n));
                    (if c.queue.is_empty() { None } else { Some(0) }, true)
                }
            };
            match verdict {
                retry::Verdict::Sent => s.diag.sent_batches += 1,
                retry::Verdict::Retry(_) => s.diag.failed_sends += 1,
                retry::Verdict::Reject => s.diag.rejected_events += n,
            }
            (next, rejected)
        };
        if rejected {
            self.diagnose("batch_rejected", "the collector refused a batch; its events are dropped and counted");
        }
        if let Some(d) = next_delay {
            self.schedule(ch, d);
        }
        Some(verdict == retry::Verdict::Sent)
    }

    /// POSTs through the original `fetch`; returns (status, Retry-After), status 0 for a network error.
    async fn post(&self, url: &str, body: String, keepalive: bool) -> (u16, Option<String>) {
        let Some(fetch) = &self.fetch else { return (0, None) };
        let init = post_init(&body, keepalive);
        let Ok(p) = fetch.call2(&JsValue::UNDEFINED, &JsValue::from_str(url), &init) else { return (0, None) };
        let Ok(p) = p.dyn_into::<js_sys::Promise>() else { return (0, None) };
        match JsFuture::from(p).await {
            Ok(r) => match r.dyn_into::<web_sys::Response>() {
                Ok(resp) => (resp.status(), resp.headers().get("retry-after").ok().flatten()),
                Err(_) => (0, None),
            },
            Err(_) => (0, None),
        }
    }

    /// Sends everything now; resolves to true when every queue was emptied, false when a send failed
    /// (the events stay queued for the scheduler's retries) or a channel is backing off.
    pub async fn flush_all(self: Rc<Self>) -> bool {
        let mut ok = true;
        for ch in CHANNELS {
            let mut waited = 0;
            loop {
                let (busy, empty, backing_off) = match self.state.try_borrow() {
                    Ok(s) => match s.chans.get(ch as usize) {
                        Some(c) => (c.in_flight, c.queue.is_empty(), now_ms() < c.retry_at),
                        None => break,
                    },
                    Err(_) => (true, false, false),
                };
                if busy {
                    if waited > 30_000 {
                        ok = false;
                        break;
                    }
                    browser::sleep(10).await;
                    waited += 10;
                    continue;
                }
                if empty {
                    break;
                }
                if backing_off {
                    ok = false;
                    break;
                }
                match self.clone().send_one(ch, false).await {
                    Some(true) => {}
                    Some(false) => {
                        ok = false;
                        break;
                    }
                    None => browser::sleep(10).await,
                }
            }
        }
        ok
    }

    /// The page is being hidden or unloaded: hand every queued event to `sendBeacon` (or a keepalive
    /// `fetch`); a channel that is backing off, and anything the browser refuses, goes to localStorage
    /// and is sent on the next page load.
    pub fn on_hide(&self) {
        let Some(window) = web_sys::window() else { return };
        let nav = window.navigator();
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
                        continue;
                    }
                    let body = batch::encode(name, &items, &session_id, now as u64, dropped);
                    batches.push((c.url.clone(), body, i, items));
                }
            }
        }
        let mut beacons = 0;
        for (url, body, i, items) in batches {
            let beaconed = nav.send_beacon_with_opt_str(&url, Some(&body)).unwrap_or(false);
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
        let Some(fetch) = &self.fetch else { return false };
        {
            let Ok(mut s) = self.state.try_borrow_mut() else { return false };
            if s.keepalive_in_flight + body.len() > KEEPALIVE_BUDGET {
                return false;
            }
            // Never released: the page is going away, and the budget only needs to hold until then.
            s.keepalive_in_flight += body.len();
        }
        let init = post_init(body, true);
        fetch.call2(&JsValue::UNDEFINED, &JsValue::from_str(url), &init).is_ok()
    }

    /// Queues events a previous page persisted, then forgets them (they are ours now).
    pub fn restore_pending(&self) {
        let Some(saved) = browser::storage_get(false, PERSIST_KEY) else { return };
        browser::storage_remove(false, PERSIST_KEY);
        let mut n = 0;
        if let Ok(mut s) = self.state.try_borrow_mut() {
            for line in saved.lines() {
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
        json::field_str(&mut o, "sessionId", &s.ctx.session_id);
        json::key(&mut o, "sampled");
        o.push_str(if self.sampled { "true" } else { "false" });
        o.push('}');
        o
    }

    /// Hands what is queued to the browser (as when the page hides), then removes every listener,
    /// timer and hook this client installed.
    pub fn shutdown(&self) {
        if self.state.try_borrow().is_ok_and(|s| s.shut) {
            return;
        }
        self.on_hide();
        if let Ok(mut ls) = self.listeners.try_borrow_mut() {
            ls.clear();
        }
        if let Ok(mut s) = self.state.try_borrow_mut() {
            s.shut = true;
            for c in s.chans.iter_mut() {
                c.timer = None;
            }
        }
    }
}

/// `{method: 'POST', body, keepalive}`. A string body goes out as `text/plain;charset=UTF-8`: a
/// "simple" request, so a cross-origin collector needs no CORS preflight.
fn post_init(body: &str, keepalive: bool) -> js_sys::Object {
    let o = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&o, &JsValue::from_str("method"), &JsValue::from_str("POST"));
    let _ = js_sys::Reflect::set(&o, &JsValue::from_str("body"), &JsValue::from_str(body));
    if keepalive {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str("keepalive"), &JsValue::TRUE);
    }
    o
}

/// Appends events to the persisted backlog, keeping the newest within [`PERSIST_MAX_BYTES`].
fn save_pending(batches: &[(usize, Vec<String>)]) {
    let mut lines: Vec<String> = browser::storage_get(false, PERSIST_KEY)
        .map(|s| s.lines().map(String::from).collect())
        .unwrap_or_default();
    for (i, items) in batches {
        for item in items {
            let mut l = String::with_capacity(item.len() + 1);
            l.push(json::hex_digit(*i as u8));
            l.push_str(item);
            lines.push(l);
        }
    }
    let mut total: usize = lines.iter().map(|l| l.len() + 1).sum();
    let mut start = 0;
    while total > PERSIST_MAX_BYTES && start < lines.len() {
        total -= lines.get(start).map_or(0, |l| l.len() + 1);
        start += 1;
    }
    let joined = lines.get(start..).unwrap_or(&[]).join("\n");
    if !browser::storage_set(false, PERSIST_KEY, &joined) {
        // Quota: keep the newest half rather than nothing.
        let rest = lines.get(start..).unwrap_or(&[]);
        let half = rest.get(rest.len() / 2..).unwrap_or(&[]).join("\n");
        let _ = browser::storage_set(false, PERSIST_KEY, &half);
    }
}

/// The tab's session id and sampling decision, kept in sessionStorage (in memory when it throws).
fn session(rng: &mut Rng, sample_rate: f64) -> (String, bool) {
    if let Some(saved) = browser::storage_get(true, SESSION_KEY) {
        if let Some((id, flag)) = saved.split_once('.') {
            if id.len() == 32 {
                return (String::from(id), flag == "1");
            }
        }
    }
    let mut id = String::with_capacity(34);
    json::hex64(&mut id, rng.next());
    json::hex64(&mut id, rng.next());
    let sampled = rng.unit() < sample_rate;
    let mut saved = id.clone();
    saved.push_str(if sampled { ".1" } else { ".0" });
    let _ = browser::storage_set(true, SESSION_KEY, &saved);
    (id, sampled)
}

#[wasm_bindgen]
impl Client {
    pub(crate) fn new(core: Rc<Core>) -> Client {
        Client { core }
    }

    #[wasm_bindgen(js_name = captureError)]
    pub fn capture_error(&self, error: JsValue, context_json: Option<String>) {
        let mut rec = crate::instrument::errors::from_value(&error, "manual");
        rec.handled = true;
        rec.context = context_json;
        self.core.record_error(rec);
    }

    #[wasm_bindgen(js_name = captureMessage)]
    pub fn capture_message(&self, text: String, level: Option<String>) {
        let level = match level.as_deref() {
            Some("fatal") => "fatal",
            Some("error") => "error",
            Some("warning") => "warning",
            Some("debug") => "debug",
            _ => "info",
        };
        let rec = ErrorRecord { kind: "manual", message: text, level, handled: true, timestamp_ms: now_ms() as u64, ..Default::default() };
        self.core.record_error(rec);
    }

    /// Replays an `error`/`unhandledrejection` event the loader snippet buffered before we loaded.
    #[wasm_bindgen(js_name = captureEvent)]
    pub fn capture_event(&self, ev: web_sys::Event, at_ms: f64) {
        crate::instrument::errors::handle(&self.core, &ev, at_ms);
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
        let core = self.core.clone();
        wasm_bindgen_futures::future_to_promise(async move { Ok(JsValue::from_bool(core.flush_all().await)) })
    }

    pub fn stats(&self) -> String {
        self.core.stats_json()
    }

    pub fn shutdown(&self) {
        self.core.shutdown();
    }
}
