//! The delivery state machine against the fake platform, with a clock moved by hand.
use super::*;
use crate::event::Body;
use crate::config::{Config, Val};
use crate::testing::{config, error_event, Fake, Post};

fn urls() -> Vec<String> {
    LANES.iter().map(|c| format!("https://c.example{}", c.default_path())).collect()
}

struct H {
    d: Delivery,
    p: Fake,
    page: Page,
    hook: bool,
}

impl H {
    fn new() -> H {
        H::with(config(&[]))
    }
    fn with(cfg: Config) -> H {
        H { d: Delivery::new(&cfg, &urls(), &Page::default(), Rng::new(7)), p: Fake::default(), page: Page { user_agent: "UA".into(), ..Page::default() }, hook: false }
    }
    fn push(&mut self, ev: Event, urgent: bool) {
        let ctx = Ctx { session: "s", page: &self.page, hook: self.hook };
        self.d.push(ev, urgent, &ctx, &mut self.p);
    }
    fn error(&mut self, i: u64) {
        self.push(error_event(i, &format!("boom {i}")), false);
    }
    /// Moves the clock `ms` forward, firing the timers that fall due on the way.
    fn run(&mut self, ms: f64) {
        let end = self.p.now + ms;
        while let Some((t, due)) = self.p.next_timer(end) {
            self.p.now = due.max(self.p.now);
            self.p.clear_timer(t);
            if let Timer::Channel(ch) = t {
                let ctx = Ctx { session: "s", page: &self.page, hook: self.hook };
                self.d.timer(ch, &ctx, &mut self.p);
            }
        }
        self.p.now = end;
    }
    fn answer(&mut self, post: &Post, status: u16, retry_after: Option<&str>) {
        let ctx = Ctx { session: "s", page: &self.page, hook: self.hook };
        self.d.sent(post.req, status, retry_after, 0, &ctx, &mut self.p);
    }
    /// Answers every open request with `status`, oldest first, until none is open.
    fn answer_all(&mut self, status: u16) -> Vec<Post> {
        let mut done = Vec::new();
        while let Some(post) = self.p.take_post() {
            self.answer(&post, status, None);
            done.push(post);
        }
        done
    }
    fn hide(&mut self, unload: bool) {
        let ctx = Ctx { session: "s", page: &self.page, hook: self.hook };
        self.d.hide(unload, &ctx, &mut self.p);
    }
    fn flush(&mut self) {
        let ctx = Ctx { session: "s", page: &self.page, hook: self.hook };
        self.d.flush(&ctx, &mut self.p);
    }
    fn restore(&mut self) {
        let ctx = Ctx { session: "s", page: &self.page, hook: self.hook };
        self.d.restore(&ctx, &mut self.p);
    }
}

fn body(post: &Post) -> serde_json::Value {
    serde_json::from_str(&post.body).unwrap_or_else(|e| panic!("{e}: {}", post.body))
}

fn messages(b: &serde_json::Value) -> Vec<String> {
    b["errors"].as_array().unwrap().iter().map(|e| e["message"].as_str().unwrap().to_string()).collect()
}

#[test]
fn a_partial_batch_waits_for_the_interval_and_a_full_one_goes_at_once() {
    let mut h = H::new();
    for i in 0..30 {
        h.error(i);
    }
    assert!(h.p.posts.is_empty());
    h.run(9_999.0);
    assert!(h.p.posts.is_empty(), "errors.flushInterval is 10 s");
    h.run(1.0);
    let post = h.p.take_post().unwrap();
    assert_eq!(messages(&body(&post)).len(), 30);
    assert_eq!(post.url, "https://c.example/api/errors");
    assert!(post.keepalive);
    h.answer(&post, 200, None);
    // 100 events make a full batch: sent from inside the push, without waiting for a timer
    let mut h = H::with(config(&[("errors", Val::Obj), ("errors.maxQueueSize", Val::Num(500.0))]));
    for i in 0..100 {
        h.error(i);
    }
    assert_eq!(h.p.posts.len(), 1);
    assert_eq!(messages(&body(&h.p.posts[0])).len(), BATCH_MAX_EVENTS);
}

#[test]
fn batches_stay_within_the_byte_limit_by_their_encoded_size() {
    let mut h = H::new();
    let big = "x".repeat(7000);
    for i in 0..30 {
        h.push(error_event(i, &format!("{i} {big}")), false);
    }
    h.run(10_000.0);
    let mut seen = 0;
    loop {
        let posts = h.answer_all(200);
        if posts.is_empty() {
            break;
        }
        for p in posts {
            assert!(p.body.len() <= BATCH_MAX_BYTES, "{} bytes", p.body.len());
            seen += messages(&body(&p)).len();
        }
        h.run(10_000.0);
    }
    assert_eq!(seen, 30);
}

#[test]
fn an_urgent_event_goes_on_the_next_tick_with_what_came_in_the_same_task() {
    let mut h = H::new();
    h.push(error_event(1, "TypeError: x"), true);
    h.error(2);
    assert!(h.p.posts.is_empty(), "not from inside the call");
    h.run(0.0);
    assert_eq!(messages(&body(&h.p.posts[0])), ["TypeError: x", "boom 2"]);
}

#[test]
fn batches_wait_for_the_keepalive_budget_then_go_together_without() {
    let mut h = H::with(config(&[("errors", Val::Obj), ("errors.maxQueueSize", Val::Num(250.0))]));
    for i in 0..400 {
        h.error(i);
    }
    // four full batches: one keepalive request in flight, three waiting for its budget
    assert_eq!(h.p.posts.len(), 1);
    assert!(h.p.posts[0].keepalive);
    assert_eq!(h.d.counts(true)[0], 400);
    // when it ends, the next one takes the budget
    let first = h.p.take_post().unwrap();
    h.answer(&first, 200, None);
    assert_eq!(h.p.posts.len(), 1);
    assert!(h.p.posts[0].keepalive);
    // once MAX_WAITING wait, they go without keepalive, several in one request
    for i in 400..1000 {
        h.error(i);
    }
    let plain: Vec<&Post> = h.p.posts.iter().filter(|p| !p.keepalive).collect();
    assert!(!plain.is_empty());
    assert!(plain.iter().all(|p| p.body.len() <= PLAIN_MAX_BYTES));
    assert!(plain.iter().any(|p| messages(&body(p)).len() > BATCH_MAX_EVENTS), "batches merged into one request");
    assert_eq!(h.d.stats.dropped_events, 0);
    let mut total = messages(&body(&first)).len();
    loop {
        let posts = h.answer_all(200);
        h.run(10_000.0);
        if posts.is_empty() && h.p.posts.is_empty() {
            break;
        }
        total += posts.iter().map(|p| messages(&body(p)).len()).sum::<usize>();
    }
    assert_eq!(total, 1000);
}

#[test]
fn a_channel_holds_at_most_max_batches_and_its_queue() {
    let mut h = H::with(config(&[("errors", Val::Obj), ("errors.maxQueueSize", Val::Num(100.0))]));
    // nothing is answered: the channel fills up
    for i in 0..5000 {
        h.error(i);
    }
    let held = h.d.counts(true)[0];
    let requests = h.p.posts.len();
    assert!(h.d.chans[0].batches.iter().map(|b| b.body.len()).sum::<usize>() <= MAX_HELD_BYTES);
    assert!(h.p.posts.iter().filter(|p| !p.keepalive).all(|p| p.body.len() <= PLAIN_MAX_BYTES));
    assert_eq!(held + h.d.counts(false)[0] + u64::from(h.d.stats.dropped_events), 5000, "held, queued or counted");
    assert!(h.d.stats.dropped_events > 0);
    // answered, everything held goes, and the next batch reports the drops
    let mut delivered = 0;
    let mut dropped = 0;
    loop {
        let posts = h.answer_all(200);
        h.run(10_000.0);
        if posts.is_empty() && h.p.posts.is_empty() {
            break;
        }
        for p in posts {
            let b = body(&p);
            delivered += messages(&b).len() as u64;
            dropped += b["dropped"].as_u64().unwrap_or(0);
        }
    }
    assert!(requests >= 1);
    assert_eq!(delivered + dropped, 5000, "every event delivered or counted in a delivered batch");
}

#[test]
fn a_503_backs_off_with_jitter_and_sends_the_same_batch_again() {
    let mut h = H::new();
    h.error(1);
    h.run(10_000.0);
    let first = h.p.take_post().unwrap();
    h.answer(&first, 503, None);
    assert_eq!(h.d.stats.failed_sends, 1);
    h.run(499.0);
    assert!(h.p.posts.is_empty(), "not before half the first backoff (1 s with equal jitter)");
    h.run(501.0);
    let again = h.p.take_post().expect("retried within a second");
    let (a, b) = (body(&first), body(&again));
    assert_eq!(a["batchId"], b["batchId"], "the same batch, so a collector can drop a copy");
    assert_eq!(a["errors"], b["errors"]);
    assert_ne!(a["sentAt"], b["sentAt"]);
    // the second failure waits about twice as long
    h.answer(&again, 503, None);
    let t = h.p.now;
    h.run(999.0);
    assert!(h.p.posts.is_empty());
    h.run(1001.0);
    assert!(h.p.posts[0].at - t >= 1000.0 && h.p.posts[0].at - t <= 2000.0);
    let third = h.p.take_post().unwrap();
    h.answer(&third, 200, None);
    assert_eq!(h.d.stats.sent_batches, 1);
    // new events are sent at the normal pace again
    h.error(2);
    h.run(10_000.0);
    assert_eq!(h.p.posts.len(), 1);
}

#[test]
fn retry_after_is_a_floor_in_seconds_or_as_a_date() {
    for retry_after in ["3", "Thu, 15 Jan 2027 08:00:03 GMT"] {
        let mut h = H::new();
        h.p.now = 1_800_000_000_000.0; // 2027-01-15T08:00:00Z
        h.error(1);
        h.run(10_000.0);
        let post = h.p.take_post().unwrap();
        h.p.now = 1_800_000_000_000.0;
        h.answer(&post, 429, Some(retry_after));
        h.run(2_999.0);
        assert!(h.p.posts.is_empty(), "{retry_after}: not before Retry-After");
        h.run(400.0);
        assert_eq!(h.p.posts.len(), 1, "{retry_after}: soon after it");
    }
}

#[test]
fn a_keepalive_request_the_browser_refuses_goes_again_at_once_without_keepalive() {
    let mut h = H::new();
    h.error(1);
    h.run(10_000.0);
    let post = h.p.take_post().unwrap();
    assert!(post.keepalive);
    h.answer(&post, 0, None);
    let again = h.p.take_post().expect("at once");
    assert!(!again.keepalive);
    assert_eq!(h.d.stats.failed_sends, 0);
    // a second network error backs off
    h.answer(&again, 0, None);
    assert!(h.p.posts.is_empty());
    assert_eq!(h.d.stats.failed_sends, 1);
}

#[test]
fn a_refused_batch_is_counted_as_dropped_in_the_next_one() {
    let mut h = H::new();
    h.error(1);
    h.error(2);
    h.run(10_000.0);
    let post = h.p.take_post().unwrap();
    h.answer(&post, 400, None);
    assert_eq!(h.d.stats.rejected_events, 2);
    assert_eq!(h.p.diagnostics, ["batch_rejected"]);
    h.error(3);
    h.run(10_000.0);
    let next = body(&h.p.take_post().unwrap());
    assert_eq!(next["dropped"], 2);
    assert_eq!(messages(&next), ["boom 3"]);
}

#[test]
fn a_full_queue_drops_the_oldest_counts_them_and_tells_once() {
    let mut h = H::with(config(&[("errors", Val::Obj), ("errors.maxQueueSize", Val::Num(5.0))]));
    for i in 0..8 {
        h.error(i);
    }
    assert_eq!(h.d.stats.dropped_events, 3);
    assert_eq!(h.p.diagnostics, ["queue_overflow"]);
    h.run(10_000.0);
    let b = body(&h.p.take_post().unwrap());
    assert_eq!(b["dropped"], 3);
    assert_eq!(messages(&b), ["boom 3", "boom 4", "boom 5", "boom 6", "boom 7"]);
}

#[test]
fn hiding_hands_everything_over_keepalive_then_beacons_then_the_backlog() {
    let mut h = H::with(config(&[("errors", Val::Obj), ("errors.maxQueueSize", Val::Num(10_000.0))]));
    let text = "y".repeat(900);
    for i in 0..300 {
        h.push(error_event(i, &format!("{i} {text}")), false);
    }
    // one keepalive request is in flight, and the rest waits for its budget or went without
    assert!(h.p.sent[0].keepalive);
    h.p.beacon_quota = 2;
    h.hide(true);
    assert_eq!(h.p.beacons.len(), 2);
    assert!(h.d.stats.persisted > 0, "what the browser refused is kept");
    let kept = h.p.storage.get(&(false, PERSIST_KEY.to_string())).unwrap().clone();
    // the next page load sends it
    let mut next = H::new();
    next.p.storage.insert((false, PERSIST_KEY.to_string()), kept);
    next.restore();
    assert!(!next.p.storage.contains_key(&(false, PERSIST_KEY.to_string())));
    assert_eq!(next.d.stats.restored, h.d.stats.persisted);
    let mut bodies: Vec<serde_json::Value> = h.p.sent.iter().map(body).collect();
    bodies.extend(h.p.beacons.iter().map(|(_, b)| serde_json::from_str(b).unwrap()));
    loop {
        let posts = next.answer_all(200);
        if posts.is_empty() {
            break;
        }
        bodies.extend(posts.iter().map(body));
    }
    // a request in flight without keepalive goes again at unload: the copy has the same batch id
    let mut by_batch = std::collections::BTreeMap::new();
    for b in &bodies {
        by_batch.insert(b["batchId"].as_str().unwrap().to_string(), messages(b));
    }
    let mut all: Vec<String> = by_batch.into_values().flatten().collect();
    assert_eq!(all.len(), 300, "every event in exactly one batch");
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 300);
}

#[test]
fn at_unload_a_batch_in_flight_without_keepalive_goes_again_by_beacon() {
    let mut h = H::new();
    h.error(1);
    h.run(10_000.0);
    // the browser refused keepalive (the page's own beacons hold the quota): again without
    let refused = h.p.take_post().unwrap();
    h.answer(&refused, 0, None);
    let plain: Vec<Post> = h.p.posts.iter().filter(|p| !p.keepalive).cloned().collect();
    assert!(!plain.is_empty());
    h.p.beacon_quota = 100;
    // a hidden page may come back: nothing is sent twice then
    h.hide(false);
    assert!(h.p.beacons.iter().all(|(_, b)| plain.iter().all(|p| body(p)["batchId"] != serde_json::from_str::<serde_json::Value>(b).unwrap()["batchId"])));
    h.hide(true);
    for p in &plain {
        let id = &body(p)["batchId"];
        assert!(h.p.beacons.iter().any(|(_, b)| &serde_json::from_str::<serde_json::Value>(b).unwrap()["batchId"] == id), "batch {id} again by beacon");
    }
}

#[test]
fn the_pages_own_keepalive_requests_take_from_the_budget() {
    // the page holds most of the browser's quota: a batch goes without keepalive at once
    let mut h = H::new();
    h.p.page_keepalive = 64_000;
    h.error(1);
    h.run(10_000.0);
    let post = h.p.take_post().unwrap();
    assert!(!post.keepalive, "the browser would refuse it");
    h.answer(&post, 200, None);
    // as the page hides, what does not fit the quota left goes by beacon (whose refusal is known
    // at once); one the browser refuses too is kept for the next page load
    h.error(2);
    h.hide(false);
    assert!(h.p.posts.is_empty());
    assert_eq!(h.p.beacons.len(), 1);
    h.error(3);
    h.p.beacon_quota = 0;
    h.hide(true);
    assert_eq!(h.d.stats.persisted, 1);
    let kept = h.p.storage.get(&(false, PERSIST_KEY.to_string())).unwrap();
    assert!(kept.contains("boom 3") && !kept.contains("boom 2"), "{kept}");
    // once the page's requests have ended, keepalive again
    h.p.page_keepalive = 0;
    h.error(4);
    h.hide(false);
    assert!(h.p.take_post().unwrap().keepalive);
}

#[test]
fn a_channel_that_backs_off_keeps_its_events_for_the_next_page_load() {
    let mut h = H::new();
    h.error(1);
    h.run(10_000.0);
    let post = h.p.take_post().unwrap();
    h.answer(&post, 503, None);
    h.error(2);
    h.hide(true);
    assert!(h.p.beacons.is_empty(), "Retry-After and backoff hold at page hide too");
    assert_eq!(h.d.stats.persisted, 2);
    let kept = h.p.storage.get(&(false, PERSIST_KEY.to_string())).unwrap();
    let lines: Vec<&str> = kept.lines().collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0], format!("T{}", h.p.now as u64), "dated");
    assert!(lines[1..].iter().all(|l| l.starts_with("01:{\"errors\":[")), "{kept}");
}

#[test]
fn kept_batches_older_than_a_day_are_counted_not_sent() {
    let mut h = H::new();
    h.error(1);
    h.run(10_000.0);
    let post = h.p.take_post().unwrap();
    h.answer(&post, 503, None);
    h.hide(true);
    assert_eq!(h.d.stats.persisted, 1);
    // the next page load, more than a day later
    let storage = std::mem::take(&mut h.p.storage);
    let mut next = H::new();
    next.p.storage = storage;
    next.p.now = h.p.now + PERSIST_MAX_AGE_MS + 1.0;
    next.restore();
    assert_eq!(next.d.stats.restored, 0);
    next.error(2);
    next.flush();
    let sent = next.p.take_post().unwrap();
    assert_eq!(messages(&body(&sent)), ["boom 2"]);
    assert_eq!(body(&sent)["dropped"], 1, "the old one is counted");
}

#[test]
fn online_again_ends_the_wait_after_a_network_failure_not_a_retry_after() {
    let mut h = H::new();
    h.error(1);
    h.run(10_000.0);
    let post = h.p.take_post().unwrap();
    h.answer(&post, 0, None); // no answer: the network is down
    if let Some(plain) = h.p.take_post() {
        // a keepalive request that failed goes once more at once without keepalive (the quota)
        h.answer(&plain, 0, None);
    }
    h.run(100.0);
    assert!(h.p.posts.is_empty(), "backing off");
    let ctx = Ctx { session: "s", page: &h.page, hook: false };
    h.d.online(&ctx, &mut h.p);
    let again = h.p.take_post().expect("sent at once when the browser is online again");
    assert_eq!(body(&again)["batchId"], body(&post)["batchId"]);
    // a collector's Retry-After holds, online or not
    h.answer(&again, 429, Some("60"));
    let ctx = Ctx { session: "s", page: &h.page, hook: false };
    h.d.online(&ctx, &mut h.p);
    assert!(h.p.posts.is_empty());
}

#[test]
fn the_backlog_keeps_the_newest_within_its_bound_and_counts_the_rest() {
    let mut h = H::new();
    h.p.beacon_quota = 0;
    let big = "z".repeat(50_000);
    for round in 0..8 {
        h.push(error_event(round, &format!("{round} {big}")), false);
        // a keepalive request in flight leaves no budget: everything goes to the backlog
        h.d.keepalive_bytes = KEEPALIVE_BUDGET;
        h.hide(true);
    }
    let kept = h.p.storage.get(&(false, PERSIST_KEY.to_string())).unwrap().clone();
    assert!(kept.len() <= PERSIST_MAX_BYTES + 16);
    assert!(kept.lines().last().unwrap().starts_with("0d"), "{}", &kept[kept.len() - 20..]);
    let mut next = H::new();
    next.p.storage.insert((false, PERSIST_KEY.to_string()), kept);
    next.restore();
    let mut posts = next.answer_all(200);
    next.error(99);
    next.run(10_000.0);
    posts.extend(next.answer_all(200));
    let dropped: u64 = posts.iter().map(|p| body(p)["dropped"].as_u64().unwrap_or(0)).sum();
    let delivered: usize = posts.iter().map(|p| messages(&body(p)).len()).sum();
    assert_eq!(delivered as u64 - 1 + dropped, 8, "each of the 8 either delivered or counted");
}

#[test]
fn a_backlog_line_of_an_earlier_sdk_is_sent_as_it_was() {
    let mut h = H::new();
    h.p.storage.insert((false, PERSIST_KEY.to_string()), "0{\"message\":\"old\"}\n2{\"type\":\"page_view\"}".into());
    h.restore();
    assert_eq!(h.d.stats.restored, 2);
    h.run(10_000.0);
    let posts = h.answer_all(200);
    assert!(posts.iter().any(|p| p.body.starts_with("{\"errors\":[{\"message\":\"old\"}]")));
    assert!(posts.iter().any(|p| p.body.starts_with("{\"events\":[{\"type\":\"page_view\"}]")));
}

#[test]
fn flush_settles_true_when_all_was_delivered_and_false_otherwise() {
    let mut h = H::new();
    h.error(1);
    h.flush();
    assert!(h.p.flushed.is_empty(), "settles once the request has ended");
    h.answer_all(200);
    assert_eq!(h.p.flushed, [true]);
    h.error(2);
    h.flush();
    h.answer_all(503);
    assert_eq!(h.p.flushed, [true, false]);
    h.flush();
    assert_eq!(h.p.flushed, [true, false, false], "still backing off: nothing to wait for");
}

#[test]
fn before_send_sees_each_item_once_and_can_drop_or_replace_it() {
    let mut h = H::new();
    h.hook = true;
    let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
    let s = seen.clone();
    h.p.hook = Some(Box::new(move |item| {
        s.borrow_mut().push(item.to_string());
        if item.contains("secret") {
            Hook::Drop
        } else if item.contains("edit") {
            Hook::Replace("{\"message\":\"edited\"}".into())
        } else if item.contains("throw") {
            Hook::Threw
        } else {
            Hook::Keep
        }
    }));
    for m in ["keep", "secret", "edit", "throw"] {
        h.push(error_event(0, m), false);
    }
    h.run(10_000.0);
    let post = h.p.take_post().unwrap();
    assert_eq!(messages(&body(&post)), ["keep", "edited", "throw"]);
    assert_eq!(seen.borrow().len(), 4);
    assert_eq!(h.d.stats.hook_errors, 1);
    assert_eq!(h.p.diagnostics, ["hook_failed"]);
}

/// The peer benchmark's burst: 5000 distinct errors, 50 per task, the collector answering a
/// request a task or two after it was made. Every error arrives, once, within the bounds.
#[test]
fn a_burst_of_5000_errors_all_arrive() {
    let mut h = H::new(); // errors.maxQueueSize 100
    let stack = "Error: bench\n    at errorLoop (http://127.0.0.1:9/p/sightline/:40:21)\n    at async run (http://127.0.0.1:9/p/sightline/:60:3)";
    let mut delivered = Vec::new();
    let mut open: Vec<(u32, Post)> = Vec::new();
    let mut task = 0u32;
    for i in 0..5000u64 {
        let mut ev = error_event(i, &format!("bench-err-{i}"));
        if let Body::Error(e) = &mut ev.body {
            e.stack = Some(stack.into());
        }
        h.push(ev, false);
        if i % 50 == 49 {
            task += 1;
            h.p.now += 1.0;
            // requests made in this task are answered two tasks later
            open.extend(h.p.posts.drain(..).map(|p| (task + 2, p)));
            let (due, later): (Vec<_>, Vec<_>) = open.drain(..).partition(|(t, _)| *t <= task);
            open = later;
            for (_, post) in due {
                h.answer(&post, 200, None);
                delivered.extend(messages(&body(&post)));
            }
        }
    }
    for _ in 0..50 {
        h.run(10_000.0);
        open.extend(h.p.posts.drain(..).map(|p| (0, p)));
        for (_, post) in open.drain(..) {
            h.answer(&post, 200, None);
            delivered.extend(messages(&body(&post)));
        }
    }
    delivered.sort();
    delivered.dedup();
    assert_eq!(delivered.len(), 5000, "dropped {}", h.d.stats.dropped_events);
    assert_eq!(h.d.stats.dropped_events, 0);
}

/// The OTLP exporter's delivery at page close: keepalive within the budget, never a beacon (its
/// JSON would go with credentials), the rest kept under its own key for the next page load, whose
/// exports go to the OTLP paths.
#[test]
#[cfg(feature = "otlp")]
fn otlp_at_page_close_keeps_what_keepalive_cannot_take_for_the_next_load() {
    let otlp = || {
        let mut h = H::with(config(&[]));
        let cfg = Config::from_entries(Some(&[(String::from("exporter"), Val::Str("otlp".into()))])).unwrap();
        h.d = Delivery::new(&cfg, &cfg.urls(), &h.page, Rng::new(7));
        h
    };
    let mut h = otlp();
    h.error(1);
    h.hide(true);
    let first = h.p.take_post().unwrap();
    assert!(first.keepalive && first.url == "http://localhost:4318/v1/logs", "{first:?}");
    assert!(first.body.starts_with("{\"resourceLogs\":"));
    // the budget is taken: the next error cannot go by keepalive, and no beacon is tried
    h.d.keepalive_bytes = KEEPALIVE_BUDGET;
    h.error(2);
    h.hide(true);
    assert!(h.p.beacons.is_empty());
    assert!(!h.p.storage.contains_key(&(false, PERSIST_KEY.to_string())), "the native backlog is not the OTLP one");
    let kept = h.p.storage.get(&(false, PERSIST_KEY_OTLP.to_string())).unwrap().clone();
    let mut next = otlp();
    next.p.storage.insert((false, PERSIST_KEY_OTLP.to_string()), kept);
    next.restore();
    let posts = next.answer_all(200);
    assert_eq!(posts.len(), 1);
    assert!(posts[0].url.ends_with("/v1/logs") && posts[0].body.contains("boom 2"), "{:?}", posts[0]);
    assert_eq!(next.d.stats.restored, 1);
}

/// OTLP: the page's first event goes on the next tick (its export caches the endpoint's CORS
/// preflight for the page's close); later ones wait for their interval as usual.
#[test]
#[cfg(feature = "otlp")]
fn otlp_sends_the_pages_first_event_at_once() {
    let mut h = H::with(config(&[]));
    let cfg = Config::from_entries(Some(&[(String::from("exporter"), Val::Str("otlp".into()))])).unwrap();
    h.d = Delivery::new(&cfg, &cfg.urls(), &h.page, Rng::new(7));
    h.error(1);
    h.run(1.0);
    assert_eq!(h.p.posts.len(), 1, "the first event, at once");
    h.answer_all(200);
    h.error(2);
    h.run(1.0);
    assert!(h.p.posts.is_empty(), "the next waits for the interval");
    h.run(10_000.0);
    assert_eq!(h.p.posts.len(), 1);
}

#[test]
fn folded_repeats_are_counted_when_their_record_is_dropped_or_refused() {
    let mut h = H::with(config(&[("errors", Val::Obj), ("errors.maxQueueSize", Val::Num(5.0))]));
    let ctx_push = |h: &mut H, fp: u64| {
        // what the monitor does: a repeat of a queued error is folded into it
        if !h.d.fold(fp) {
            h.error(fp);
        }
    };
    // a flood while nothing is answered, in a queue of 5: kinds of error thrown 7 times each, three
    // kinds at a time (records that were folded into go out of the queue with their counts)
    let mut thrown = 0u64;
    for round in 0..200u64 {
        for _ in 0..7 {
            for fp in 3 * round..3 * round + 3 {
                ctx_push(&mut h, fp);
                thrown += 1;
            }
        }
        if round == 30 {
            // and a batch the collector refuses: its events are counted as dropped, repeats too
            if let Some(post) = h.p.take_post() {
                h.answer(&post, 400, None);
            }
        }
    }
    assert!(h.d.stats.dropped_events > 0);
    let (mut counted, mut dropped) = (0u64, 0u64);
    loop {
        let posts = h.answer_all(200);
        h.run(20_000.0);
        if posts.is_empty() && h.p.posts.is_empty() {
            break;
        }
        for p in posts {
            let b = body(&p);
            counted += b["errors"].as_array().unwrap().iter().map(|e| e["count"].as_u64().unwrap_or(1)).sum::<u64>();
            dropped += b["dropped"].as_u64().unwrap_or(0);
        }
    }
    assert!(counted < thrown && dropped > 0);
    assert_eq!(counted + dropped, thrown, "every occurrence sent, or counted in a sent batch");
}

#[test]
fn a_full_backlog_gives_up_user_actions_before_errors() {
    let mut h = H::new();
    h.p.beacon_quota = 0;
    let big = "z".repeat(40_000);
    for round in 0..6 {
        // an error and a user action of 40 KB each, at every hide: 480 KB for a 256 KB backlog
        h.push(error_event(round, &format!("{round} {big}")), false);
        let mut action = crate::testing::every_kind().into_iter().find(|e| matches!(&e.body, Body::Action(a) if matches!(**a, crate::event::Action::FormSubmit { .. }))).unwrap();
        if let Body::Action(a) = &mut action.body {
            if let crate::event::Action::FormSubmit { id, .. } = &mut **a {
                *id = format!("{round} {big}");
            }
        }
        h.push(action, false);
        h.d.keepalive_bytes = KEEPALIVE_BUDGET;
        h.hide(true);
    }
    let kept = h.p.storage.get(&(false, PERSIST_KEY.to_string())).unwrap().clone();
    assert!(kept.len() <= PERSIST_MAX_BYTES + 64);
    let errors = kept.lines().filter(|l| l.starts_with("01:")).count();
    let actions = kept.lines().filter(|l| l.starts_with("21:")).count();
    assert_eq!(errors, 6, "every error kept");
    assert!(actions < 6, "user actions gave way: {actions}");
    assert!(kept.lines().any(|l| l == format!("2d{}", 6 - actions)), "and were counted: {}", kept.lines().filter(|l| l.len() < 30).collect::<Vec<_>>().join(" "));
}
