//! Delivery, from queued events to the collector: a bounded queue per channel, batches cut by
//! count, bytes and interval (at once for critical errors), several batches in flight per
//! channel, keepalive while the page's keepalive budget allows, retries with backoff, jitter and
//! `Retry-After`, the page-hide path (keepalive, beacon, persistence) and the backlog a previous
//! page load left. Every event is either sent or counted as dropped in a batch that is sent.
pub mod queue;
pub mod retry;

use crate::config::{Channel, Config, LANES};
#[cfg(feature = "otlp")]
use crate::encode::otlp;
use crate::encode::{native, Page};
use crate::event::{Body, Event};
use crate::json;
use crate::platform::{Area, Hook, Platform, Rng, Timer};
use queue::Queue;

/// A batch holds at most this many events...
pub const BATCH_MAX_EVENTS: usize = 100;
/// ...and this many bytes: a batch must fit a beacon or a keepalive request (64 KiB).
pub const BATCH_MAX_BYTES: usize = 60_000;
/// Keepalive requests may have at most 64 KiB in flight per page, shared with the page's own
/// beacons; stay under it.
pub const KEEPALIVE_BUDGET: usize = 60_000;
/// Bytes of batches one channel holds made and not delivered yet (in flight, waiting for the
/// keepalive budget, or for a retry): with the queue's bound, what a channel holds at most.
pub const MAX_HELD_BYTES: usize = 1_000_000;
/// A batch waits for the keepalive budget while fewer than this many of its channel wait...
pub const MAX_WAITING: usize = 4;
/// ...then the waiting ones go without keepalive, several batches in one request up to this size
/// (a plain request costs about the same for 60 KB as for 250 KB).
pub const PLAIN_MAX_BYTES: usize = 240_000;
/// Bound of what is kept in localStorage for the next page load.
pub const PERSIST_MAX_BYTES: usize = 256 * 1024;
pub const PERSIST_KEY: &str = "sightline:pending";
/// Kept batches older than this are not sent, but counted as dropped (a day).
pub const PERSIST_MAX_AGE_MS: f64 = 86_400_000.0;
/// The OTLP exporter's backlog (its bodies are for other endpoints).
pub const PERSIST_KEY_OTLP: &str = "sightline:pending:otlp";
/// When the page hides, the browser's beacon quota goes to the lanes in this order.
const HIDE_ORDER: [Channel; 6] = [Channel::Errors, Channel::Alerts, Channel::Metrics, Channel::Health, Channel::Events, Channel::Spans];

/// A batch on its way: in flight (`req` > 0) or waiting (for the keepalive budget, or its retry).
struct Batch {
    req: u32,
    /// Until it is first sent, the encoded items (several batches may still become one request);
    /// then the whole body without `sentAt`, which is added at each attempt: a retry is the same
    /// request, batch id and all.
    body: String,
    sealed: bool,
    /// The session it was made in (the batch's `sessionId`; events keep their own).
    session: String,
    /// Occurrences its events stand for (an error counts its folded repeats).
    events: u32,
    /// Drops this batch reports; counted again if it is refused.
    dropped: u32,
    /// Keepalive bytes it holds while in flight.
    keepalive: usize,
}

impl Batch {
    /// The body's size once sealed, about.
    fn size(&self) -> usize {
        self.body.len() + if self.sealed { 40 } else { 240 }
    }
}

struct Chan {
    ch: Channel,
    url: String,
    interval: f64,
    queue: Queue,
    batches: Vec<Batch>,
    /// No request before this time (backoff or `Retry-After`).
    retry_at: f64,
    attempt: u32,
    /// A keepalive request failed before it reached the network (the page's quota): the next
    /// ones go without keepalive until one succeeds.
    plain: bool,
    /// It backs off after a network failure (no answer): coming online ends the wait.
    offline: bool,
    /// When the channel's timer is due.
    timer: Option<f64>,
}

/// Counters for `stats()`.
#[derive(Default, Debug, Clone, PartialEq)]
pub struct Stats {
    pub sent_batches: u32,
    pub failed_sends: u32,
    pub rejected_events: u32,
    pub dropped_events: u32,
    pub hook_errors: u32,
    pub beacons: u32,
    pub persisted: u32,
    pub restored: u32,
}

/// What a batch is encoded with.
pub struct Ctx<'a> {
    /// The session the batch is sent in (events keep their own).
    pub session: &'a str,
    pub page: &'a Page,
    /// The config has a `beforeSend`.
    pub hook: bool,
}

pub struct Delivery {
    chans: Vec<Chan>,
    /// With the OTLP exporter, the resource of every export (see [`otlp::resource`]).
    otlp: Option<String>,
    /// The native batches' `service`.
    service: Option<String>,
    keepalive_bytes: usize,
    next_req: u32,
    rng: Rng,
    /// `Some(failed)` while `flush()` calls wait.
    flush: Option<bool>,
    pub stats: Stats,
    /// When a batch last reached the collector (0: never).
    pub delivered_at: f64,
    shut: bool,
    /// OTLP: the page's first export has gone (see [`Delivery::push`]).
    warmed: bool,
}

#[derive(Clone, Copy)]
enum Cut {
    /// Only full batches (count or bytes).
    Full,
    /// Everything queued (the channel's interval ended, `flush()`).
    All,
}

impl Delivery {
    /// `urls`: the absolute endpoint of each lane, in [`LANES`] order.
    pub fn new(cfg: &Config, urls: &[String], page: &Page, #[cfg_attr(not(feature = "otlp"), allow(unused_mut))] mut rng: Rng) -> Delivery {
        let mut chans = Vec::with_capacity(LANES.len());
        for (ch, url) in LANES.into_iter().zip(urls) {
            chans.push(Chan {
                ch,
                url: url.clone(),
                interval: f64::from(cfg.interval_ms(ch)),
                queue: Queue::new(cfg.queue_cap(ch)),
                batches: Vec::new(),
                retry_at: 0.0,
                offline: false,
                attempt: 0,
                plain: false,
                timer: None,
            });
        }
        // each page load is one writer of its metric streams (OTLP's delta temporality needs one)
        #[cfg(feature = "otlp")]
        let otlp = cfg.otlp.as_ref().map(|_| {
            let mut instance = String::with_capacity(16);
            json::hex64(&mut instance, rng.next_u64());
            otlp::resource(page, cfg.service.as_deref(), &instance)
        });
        #[cfg(not(feature = "otlp"))]
        let otlp: Option<String> = {
            let _ = page;
            None
        };
        Delivery { chans, otlp, service: cfg.service.clone(), keepalive_bytes: 0, next_req: 0, rng, flush: None, stats: Stats::default(), delivered_at: 0.0, shut: false, warmed: false }
    }

    fn persist_key(&self) -> &'static str {
        if self.otlp.is_some() {
            PERSIST_KEY_OTLP
        } else {
            PERSIST_KEY
        }
    }

    /// Per native channel (OTLP's spans count with the events): events queued (`in_flight`:
    /// handed to requests and not delivered yet).
    pub fn counts(&self, in_flight: bool) -> [u64; 5] {
        let mut out = [0u64; 5];
        for (i, c) in self.chans.iter().enumerate() {
            let n = if in_flight { c.batches.iter().map(|b| u64::from(b.events)).sum() } else { c.queue.len() as u64 };
            let i = if i == Channel::Spans as usize { Channel::Events as usize } else { i };
            if let Some(o) = out.get_mut(i) {
                *o += n;
            }
        }
        out
    }

    /// Counts a repeat of a queued error into it; false when none with that fingerprint waits.
    pub fn fold(&mut self, fp: u64) -> bool {
        self.chans.get_mut(Channel::Errors as usize).is_some_and(|c| c.queue.fold(fp))
    }

    /// Queues an event. A full batch goes at once (a burst must not outrun the bounded queue while
    /// a timer waits its turn behind the page's tasks), an urgent event on the next tick (so a
    /// burst of them shares a request), anything else at the end of the channel's interval.
    pub fn push(&mut self, ev: Event, urgent: bool, ctx: &Ctx, p: &mut impl Platform) {
        if self.shut {
            return;
        }
        // OTLP: the page's first event goes at once. Cross-origin, that export's CORS preflight is
        // then cached (for the endpoint's max-age) when the page closes: a keepalive request at
        // close that still needs its preflight can be lost as the page is torn down.
        let urgent = urgent || (self.otlp.is_some() && !core::mem::replace(&mut self.warmed, true));
        #[cfg(feature = "otlp")]
        let (lane, also) = if self.otlp.is_some() { otlp::lanes(&ev) } else { (ev.channel(), None) };
        #[cfg(not(feature = "otlp"))]
        let (lane, also) = (ev.channel(), None::<Channel>);
        if let (Some(also), Body::Metric(m)) = (also, &ev.body) {
            // only a vital goes twice: its histogram needs the name, value, rating and navigation type
            let mut copy = crate::event::Metric::new(m.name, m.value);
            copy.vital = m.vital;
            if let Some(t) = m.tags.first() {
                copy.tags.push(t.clone());
            }
            let copy = Event { body: Body::Metric(Box::new(copy)), session: ev.session.clone(), url: ev.url.clone(), scope: ev.scope.clone(), previous_session: None, ..ev };
            self.push_to(also as usize, copy, urgent, ctx, p);
        }
        self.push_to(lane as usize, ev, urgent, ctx, p);
    }

    fn push_to(&mut self, i: usize, ev: Event, urgent: bool, ctx: &Ctx, p: &mut impl Platform) {
        let Some(c) = self.chans.get_mut(i) else { return };
        let first_drop = c.queue.dropped() == 0;
        let lost = c.queue.push(ev);
        if lost > 0 {
            self.stats.dropped_events = self.stats.dropped_events.saturating_add(lost);
            // once per overflow, not once per dropped event
            if first_drop {
                p.diagnostic("queue_overflow", "a queue is full: the oldest events are dropped and counted");
            }
        }
        if urgent {
            self.arm(i, 0.0, p);
        }
        self.pump(i, Cut::Full, ctx, p);
    }

    /// A channel's timer fired.
    pub fn timer(&mut self, ch: Channel, ctx: &Ctx, p: &mut impl Platform) {
        if let Some(c) = self.chans.get_mut(ch as usize) {
            c.timer = None;
        }
        self.pump(ch as usize, Cut::All, ctx, p);
    }

    /// A request ended (`status` 0: no response): done, retry later, or refused for good.
    /// `rejected`: the items an OTLP collector's `partialSuccess` answer says it refused.
    pub fn sent(&mut self, req: u32, status: u16, retry_after: Option<&str>, rejected: u32, ctx: &Ctx, p: &mut impl Platform) {
        let now = p.now();
        let found = self.chans.iter().enumerate().find_map(|(i, c)| c.batches.iter().position(|b| b.req == req && req > 0).map(|j| (i, j)));
        let Some((i, j)) = found else { return };
        let verdict = retry::classify(status, retry_after, now as u64, self.otlp.is_some());
        let jitter = self.rng.unit();
        let Some(c) = self.chans.get_mut(i) else { return };
        let Some(b) = c.batches.get_mut(j) else { return };
        self.keepalive_bytes = self.keepalive_bytes.saturating_sub(b.keepalive);
        let was_keepalive = b.keepalive > 0;
        b.keepalive = 0;
        b.req = 0;
        match verdict {
            retry::Verdict::Sent => {
                // a page load or a request report is several spans or points: at most its events
                let rejected = rejected.min(c.batches.remove(j).events);
                (c.attempt, c.retry_at, c.plain, c.offline) = (0, 0.0, false, false);
                self.stats.sent_batches += 1;
                self.delivered_at = now;
                if rejected > 0 {
                    // counted, and reported with the next batch of this lane
                    c.queue.count_dropped(rejected);
                    self.stats.rejected_events += rejected;
                    p.diagnostic("partial_success", "the collector accepted a batch but rejected some of its items; they are counted as dropped");
                }
            }
            // The page's keepalive quota refuses a request the way a network error does: once
            // more at once without keepalive before backing off.
            retry::Verdict::Retry(_) if status == 0 && was_keepalive && !c.plain => c.plain = true,
            retry::Verdict::Retry(after) => {
                c.offline = status == 0;
                c.attempt = c.attempt.saturating_add(1);
                c.retry_at = now + retry::delay_ms(c.attempt, after, jitter) as f64;
                self.stats.failed_sends += 1;
                self.flush = self.flush.map(|_| true);
            }
            retry::Verdict::Reject => {
                let b = c.batches.remove(j);
                c.queue.count_dropped(b.events.saturating_add(b.dropped));
                self.stats.rejected_events += b.events;
                self.flush = self.flush.map(|_| true);
                p.diagnostic("batch_rejected", "the collector refused a batch; its events are dropped and counted");
            }
        }
        // a request that ended frees keepalive budget and a place in flight: every channel may go on
        let cut = if self.flush.is_some() { Cut::All } else { Cut::Full };
        for k in 0..self.chans.len() {
            self.pump(k, cut, ctx, p);
        }
        self.settle(p);
    }

    /// Sends everything queued now (a session ends: what it queued goes under its id).
    pub fn send_now(&mut self, ctx: &Ctx, p: &mut impl Platform) {
        for i in 0..self.chans.len() {
            self.pump(i, Cut::All, ctx, p);
        }
    }

    /// The browser is online again: a channel that backs off after a network failure tries at
    /// once (a collector's `Retry-After` is still honoured). What earlier page loads kept follows
    /// once the page side has claimed it (the `backlog` signal).
    pub fn online(&mut self, ctx: &Ctx, p: &mut impl Platform) {
        for c in self.chans.iter_mut().filter(|c| c.offline) {
            c.retry_at = 0.0;
        }
        self.send_now(ctx, p);
    }

    /// `flush()`: sends everything queued now. Settles (through `Platform::flushed`) once nothing
    /// is in flight: `true` when everything was delivered, `false` when something failed or waits
    /// for a retry.
    pub fn flush(&mut self, ctx: &Ctx, p: &mut impl Platform) {
        if self.flush.is_none() {
            self.flush = Some(false);
        }
        self.send_now(ctx, p);
        self.settle(p);
    }

    /// The page is hidden (`unload`: or going away, `pagehide`). Everything queued is handed to
    /// the browser: keepalive requests within the budget, then beacons. What a channel that backs
    /// off holds, and what the browser refuses, is kept in localStorage for the next page load.
    /// At unload, a batch in flight without keepalive would be cancelled: it goes again by beacon
    /// (the same batch id, so a collector that has it drops the copy).
    pub fn hide(&mut self, unload: bool, ctx: &Ctx, p: &mut impl Platform) {
        let now = p.now();
        let mut keep: Vec<String> = Vec::new();
        for ch in HIDE_ORDER {
            let i = ch as usize;
            let backing_off = self.chans.get(i).is_some_and(|c| now < c.retry_at);
            let mut j = 0;
            while let Some(b) = self.chans.get(i).and_then(|c| c.batches.get(j)) {
                let in_flight = b.req > 0;
                if in_flight && (b.keepalive > 0 || !unload) {
                    j += 1;
                    continue;
                }
                let Some(mut b) = self.chans.get_mut(i).map(|c| c.batches.remove(j)) else { break };
                if backing_off && !in_flight {
                    self.keep(i, &mut b, &mut keep);
                } else {
                    self.hand_over(i, b, &mut keep, p);
                }
            }
            while let Some(mut b) = self.cut(i, ctx, p) {
                if backing_off {
                    self.keep(i, &mut b, &mut keep);
                } else {
                    self.hand_over(i, b, &mut keep, p);
                }
            }
        }
        if !keep.is_empty() {
            save_backlog(self.persist_key(), &keep, p);
        }
    }

    /// Queues what a previous page load kept, then forgets it (it is this page's now).
    pub fn restore(&mut self, ctx: &Ctx, p: &mut impl Platform) {
        let key = self.persist_key();
        let Some(saved) = p.load(Area::Local, key) else { return };
        p.remove(Area::Local, key);
        let now = p.now();
        // lines before any `T` line come from an SDK that did not date them: taken as fresh
        let mut kept_at = now;
        for line in json::split_byte(&saved, b'\n') {
            if let Some(t) = line.strip_prefix('T') {
                kept_at = json::num(t).map_or(now, |t| t as f64);
                continue;
            }
            let Some(i) = line.bytes().next().and_then(|d| d.checked_sub(b'0')).map(usize::from) else { continue };
            let Some(c) = self.chans.get_mut(i) else { continue };
            let rest = line.get(1..).unwrap_or("");
            let (events, body, sealed) = if rest.starts_with("{") {
                // one event, from an SDK before batches were kept whole
                (1, rest, false)
            } else if let Some(n) = rest.strip_prefix("d").and_then(json::num) {
                c.queue.count_dropped(u32::try_from(n).unwrap_or(u32::MAX));
                continue;
            } else if let Some((n, body)) = json::split_at_byte(rest, b':') {
                (json::num(n).and_then(|n| u32::try_from(n).ok()).unwrap_or(0), body, true)
            } else {
                continue;
            };
            // too old to matter, damaged (not an object with a field: another script wrote there), or more
            // than the channel may hold: counted as dropped
            if now - kept_at > PERSIST_MAX_AGE_MS || !body.starts_with("{\"") || c.batches.iter().map(Batch::size).sum::<usize>() + body.len() > MAX_HELD_BYTES {
                c.queue.count_dropped(events);
                continue;
            }
            c.batches.push(Batch { req: 0, body: String::from(body), sealed, session: String::from(ctx.session), events, dropped: 0, keepalive: 0 });
            self.stats.restored += events;
        }
        for i in 0..self.chans.len() {
            self.pump(i, Cut::Full, ctx, p);
        }
    }

    /// `shutdown()`: hands everything to the browser as at unload, then stops every timer.
    pub fn shutdown(&mut self, ctx: &Ctx, p: &mut impl Platform) {
        self.hide(true, ctx, p);
        self.shut = true;
        for c in &mut self.chans {
            if c.timer.take().is_some() {
                p.clear_timer(Timer::Channel(c.ch));
            }
        }
        self.settle(p);
    }

    /// Sends what channel `i` can send now (its waiting batches, oldest first) and makes new
    /// batches of what is queued (full ones only, or everything with [`Cut::All`]).
    ///
    /// A keepalive request costs the page's main thread about a third of a plain one (0.5 ms
    /// against 1.6 ms for 60 KB in headless Chromium, `bench/`): a batch the keepalive budget cannot
    /// take yet waits for the keepalive requests in flight to end, while fewer than
    /// [`MAX_WAITING`] wait; then the waiting ones go without keepalive, merged into requests of
    /// up to [`PLAIN_MAX_BYTES`].
    fn pump(&mut self, i: usize, cut: Cut, ctx: &Ctx, p: &mut impl Platform) {
        loop {
            if self.shut {
                return;
            }
            let now = p.now();
            let Some(c) = self.chans.get(i) else { return };
            if now < c.retry_at {
                let wait = c.retry_at - now;
                self.arm(i, wait, p);
                return;
            }
            let waiting = c.batches.iter().filter(|b| b.req == 0).count();
            if let Some(j) = c.batches.iter().position(|b| b.req == 0) {
                let len = c.batches.get(j).map_or(0, Batch::size);
                let held = self.keepalive_bytes + p.page_keepalive();
                let fits = !c.plain && held + len <= KEEPALIVE_BUDGET;
                let wait = !fits && !c.plain && self.keepalive_bytes > 0 && len <= KEEPALIVE_BUDGET && waiting < MAX_WAITING;
                if !wait {
                    if !fits {
                        self.merge(i, j);
                    }
                    self.send(i, j, fits, p);
                    continue;
                }
                // it waits; newer events may still be made into batches below
            }
            let Some(c) = self.chans.get(i) else { return };
            if c.queue.is_empty() || c.batches.iter().map(Batch::size).sum::<usize>() + BATCH_MAX_BYTES > MAX_HELD_BYTES {
                return;
            }
            let full = c.queue.len() >= BATCH_MAX_EVENTS || c.queue.bytes() >= BATCH_MAX_BYTES;
            if matches!(cut, Cut::Full) && !full {
                let wait = c.interval;
                self.arm(i, wait, p);
                return;
            }
            // a new batch goes behind any that waits: its turn comes in order
            let Some(b) = self.cut(i, ctx, p) else { continue };
            if let Some(c) = self.chans.get_mut(i) {
                c.batches.push(b);
            }
        }
    }

    /// Appends to the waiting batch `j` the waiting batches after it, while the request stays
    /// within [`PLAIN_MAX_BYTES`] (only batches never sent, of one session).
    fn merge(&mut self, i: usize, j: usize) {
        let Some(c) = self.chans.get_mut(i) else { return };
        while c.batches.get(j).is_some_and(|b| !b.sealed) {
            let Some(next) = c.batches.get(j + 1) else { return };
            let Some(b) = c.batches.get(j) else { return };
            if next.req > 0 || next.sealed || next.session != b.session || b.body.len() + next.body.len() + 300 > PLAIN_MAX_BYTES {
                return;
            }
            let next = c.batches.remove(j + 1);
            if let Some(b) = c.batches.get_mut(j) {
                b.body.push(',');
                b.body.push_str(&next.body);
                b.events = b.events.saturating_add(next.events);
                b.dropped = b.dropped.saturating_add(next.dropped);
            }
        }
    }

    /// Encodes the next batch of channel `i` from its queue (`None` when it is empty), running
    /// `beforeSend` on each item. An event that no longer fits goes back to the queue before the
    /// hook sees it, so the hook sees every event once (an edit that makes an item bigger may take
    /// a batch a little over the limit; the transport goes by the real size).
    fn cut(&mut self, i: usize, ctx: &Ctx, p: &mut impl Platform) -> Option<Batch> {
        let c = self.chans.get_mut(i)?;
        let mut body = String::with_capacity(c.queue.bytes().min(BATCH_MAX_BYTES) + 512);
        let mut item = String::with_capacity(1024);
        let (mut n, mut occurrences) = (0u32, 0u32);
        while (n as usize) < BATCH_MAX_EVENTS {
            let Some(ev) = c.queue.pop() else { break };
            item.clear();
            #[cfg(feature = "otlp")]
            if self.otlp.is_some() {
                otlp::item(&mut item, &ev, c.ch);
            } else {
                native::item(&mut item, &ev, ctx.page);
            }
            #[cfg(not(feature = "otlp"))]
            native::item(&mut item, &ev, ctx.page);
            // room for the batch fields
            if n > 0 && body.len() + item.len() + 240 + self.otlp.as_ref().map_or(0, String::len) > BATCH_MAX_BYTES {
                c.queue.unpop(ev);
                break;
            }
            // OTLP: the hook sees each log record and request span; aggregated metrics and the
            // page load's spans (one item of several spans) are not passed to it
            let hook = ctx.hook && !(self.otlp.is_some() && (c.ch == Channel::Metrics || matches!(ev.body, Body::PageLoad(_))));
            let hooked = if hook { p.before_send(&item) } else { Hook::Keep };
            let final_item = match hooked {
                Hook::Drop => continue,
                Hook::Replace(s) => s,
                Hook::Threw => {
                    self.stats.hook_errors += 1;
                    p.diagnostic("hook_failed", "beforeSend threw; the event was kept unchanged");
                    core::mem::take(&mut item)
                }
                Hook::Keep => core::mem::take(&mut item),
            };
            if n > 0 {
                body.push(',');
            }
            body.push_str(&final_item);
            item = final_item;
            n += 1;
            occurrences = occurrences.saturating_add(ev.occurrences());
        }
        if n == 0 {
            // empty, or `beforeSend` dropped everything: the drop count waits for a real batch
            return None;
        }
        let mut dropped = c.queue.take_dropped();
        if self.otlp.is_some() && c.ch == Channel::Metrics && dropped > 0 {
            // a metrics export has no place for it (its scope is part of every stream's
            // identity): the next log export reports it
            if let Some(e) = self.chans.get_mut(Channel::Events as usize) {
                e.queue.count_dropped(dropped);
            }
            dropped = 0;
        }
        Some(Batch { req: 0, body, sealed: false, session: String::from(ctx.session), events: occurrences, dropped, keepalive: 0 })
    }

    /// Sends batch `j` of channel `i`.
    fn send(&mut self, i: usize, j: usize, keepalive: bool, p: &mut impl Platform) {
        let now = p.now();
        self.next_req = self.next_req.wrapping_add(1).max(1);
        let req = self.next_req;
        let id = self.rng.next_u64();
        let Some(c) = self.chans.get_mut(i) else { return };
        let Some(b) = c.batches.get_mut(j) else { return };
        seal(b, c.ch, id, self.otlp.as_deref(), self.service.as_deref());
        let len = b.body.len();
        if self.otlp.is_none() {
            native::sent_at(&mut b.body, now);
        }
        p.debug("sightline: sending batch", c.ch.name());
        p.post(req, &c.url, &b.body, keepalive);
        b.body.truncate(len);
        b.req = req;
        if keepalive {
            b.keepalive = b.body.len() + 40;
            self.keepalive_bytes += b.keepalive;
        }
    }

    /// Page hide: a batch goes by keepalive within the budget (its answer still counts if the page
    /// lives on), else by beacon, else into the backlog.
    fn hand_over(&mut self, i: usize, mut b: Batch, keep: &mut Vec<String>, p: &mut impl Platform) {
        let id = self.rng.next_u64();
        let Some(c) = self.chans.get_mut(i) else { return };
        seal(&mut b, c.ch, id, self.otlp.as_deref(), self.service.as_deref());
        let len = b.body.len();
        // the browser refuses a keepalive request over its quota only after this task, when a
        // closing page is gone: what the page's own requests hold is left to them, and a batch that
        // does not fit goes by beacon, which says at once whether the browser took it
        if !c.plain && self.keepalive_bytes + p.page_keepalive() + len + 40 <= KEEPALIVE_BUDGET {
            c.batches.push(b);
            let j = c.batches.len() - 1;
            self.send(i, j, true, p);
            return;
        }
        // no beacon for OTLP: its JSON body would go with credentials (a CORS preflight the
        // collector must allow with credentials); the next page load sends it instead
        if self.otlp.is_none() {
            native::sent_at(&mut b.body, p.now());
            if p.beacon(&c.url, &b.body) {
                self.stats.beacons += 1;
                return;
            }
            b.body.truncate(len);
        }
        self.keep(i, &mut b, keep);
    }

    /// A backlog line: channel digit, event count, `:`, the body without `sentAt`.
    fn keep(&mut self, i: usize, b: &mut Batch, keep: &mut Vec<String>) {
        if let Some(c) = self.chans.get(i) {
            seal(b, c.ch, self.rng.next_u64(), self.otlp.as_deref(), self.service.as_deref());
        }
        let mut line = String::with_capacity(b.body.len() + 12);
        json::ascii(&mut line, json::hex_digit(i as u8));
        json::uint(&mut line, u64::from(b.events));
        line.push(':');
        line.push_str(&b.body);
        keep.push(line);
        self.stats.persisted += b.events;
    }

    /// Arms channel `i`'s timer for `ms` from now, unless it is due sooner already.
    fn arm(&mut self, i: usize, ms: f64, p: &mut impl Platform) {
        let due = p.now() + ms;
        let Some(c) = self.chans.get_mut(i) else { return };
        if c.timer.is_some_and(|d| d <= due) {
            return;
        }
        c.timer = Some(due);
        p.set_timer(Timer::Channel(c.ch), ms);
    }

    /// Settles waiting `flush()` calls once nothing is in flight.
    fn settle(&mut self, p: &mut impl Platform) {
        let Some(failed) = self.flush else { return };
        if !self.shut && self.chans.iter().any(|c| c.batches.iter().any(|b| b.req > 0)) {
            return;
        }
        let done = !failed && self.chans.iter().all(|c| c.queue.is_empty() && c.batches.is_empty());
        self.flush = None;
        p.flushed(done);
    }
}

/// Makes a batch's items its body (once): head, items, batch fields but the native `sentAt`
/// (`otlp`: the resource of an OTLP export).
fn seal(b: &mut Batch, ch: Channel, id: u64, otlp: Option<&str>, service: Option<&str>) {
    if b.sealed {
        return;
    }
    let mut body = String::with_capacity(b.body.len() + 240 + otlp.map_or(0, str::len));
    #[cfg(feature = "otlp")]
    if let Some(resource) = otlp {
        otlp::head(&mut body, ch, resource, id, b.dropped);
        body.push_str(&b.body);
        body.push_str(otlp::TAIL);
        b.body = body;
        b.sealed = true;
        return;
    }
    native::head(&mut body, ch);
    body.push_str(&b.body);
    native::tail(&mut body, &b.session, id, b.dropped);
    if let Some(s) = service {
        json::field_str(&mut body, "service", s);
    }
    b.body = body;
    b.sealed = true;
}

/// Appends lines to the backlog in localStorage, keeping the newest within
/// [`PERSIST_MAX_BYTES`]; what does not fit is counted (`<digit>d<n>` lines), so the next page
/// load reports it as dropped.
fn save_backlog(key: &str, lines: &[String], p: &mut impl Platform) {
    let mut all = p.load(Area::Local, key).unwrap_or_default();
    // when they were kept: `T<epoch ms>` before them
    if !all.is_empty() {
        all.push('\n');
    }
    all.push('T');
    json::uint(&mut all, p.now() as u64);
    for l in lines {
        if !all.is_empty() {
            all.push('\n');
        }
        all.push_str(l);
    }
    // beyond the bound (on a quota error, half of it), lines go, least important channel first
    // (spans, user actions, health, vitals and metrics, alerts, errors last), oldest first
    let mut lost = [0u64; LANES.len()];
    for limit in [PERSIST_MAX_BYTES, PERSIST_MAX_BYTES / 2] {
        for ch in HIDE_ORDER.iter().rev() {
            let digit = json::hex_digit(*ch as u8);
            while all.len() > limit {
                // the channel's oldest line: at the start, or after a line break
                let start = if all.as_bytes().first() == Some(&digit) {
                    0
                } else {
                    match all.as_bytes().windows(2).position(|w| w == [b'\n', digit]) {
                        Some(i) => i + 1,
                        None => break,
                    }
                };
                let end = json::pos(all.get(start..).unwrap_or(""), b'\n').map_or(all.len(), |i| start + i + 1);
                let line = all.get(start..end).unwrap_or("");
                // a batch line's events, or a drop count kept before
                let rest = line.get(1..).unwrap_or("").trim_ascii_end();
                let n = match rest.strip_prefix('d') {
                    Some(d) => json::num(d),
                    None => json::split_at_byte(rest, b':').and_then(|(n, _)| json::num(n)),
                };
                if let Some(l) = lost.get_mut(*ch as usize) {
                    *l += n.unwrap_or(0);
                }
                let mut rest_of = String::with_capacity(all.len() - (end - start));
                rest_of.push_str(all.get(..start).unwrap_or(""));
                rest_of.push_str(all.get(end..).unwrap_or(""));
                all = rest_of;
            }
        }
        let mut text = String::from(all.trim_end_matches('\n'));
        for (ch, n) in lost.iter().enumerate().filter(|(_, n)| **n > 0) {
            text.push('\n');
            json::ascii(&mut text, json::hex_digit(ch as u8));
            text.push('d');
            json::uint(&mut text, *n);
        }
        if p.save(Area::Local, key, &text) {
            return;
        }
    }
}

#[cfg(test)]
mod tests;
