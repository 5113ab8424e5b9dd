//! A [`Platform`] for native tests: a clock moved by hand, timers that fire when the clock passes
//! them, requests that wait until the test answers them, and storage in memory.
use std::collections::HashMap;
use std::rc::Rc;

use crate::event::*;
use crate::stack::Frame;
use crate::platform::{Area, Hook, Platform, Timer};

#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    pub req: u32,
    pub url: String,
    pub body: String,
    pub keepalive: bool,
    pub at: f64,
}

pub type HookFn = Box<dyn FnMut(&str) -> Hook>;
pub type RegexFn = Box<dyn Fn(&str) -> bool>;

pub struct Fake {
    pub now: f64,
    pub random: f64,
    /// Requests made and not answered yet, oldest first.
    pub posts: Vec<Post>,
    /// Every request made, answered or not.
    pub sent: Vec<Post>,
    pub beacons: Vec<(String, String)>,
    /// Beacons the browser still accepts.
    pub beacon_quota: usize,
    /// Keepalive bytes the page's own requests hold.
    pub page_keepalive: usize,
    pub timers: [Option<f64>; Timer::COUNT],
    pub storage: HashMap<(bool, String), String>,
    /// localStorage accepts values up to this size.
    pub storage_limit: usize,
    pub href: String,
    pub hook: Option<HookFn>,
    pub diagnostics: Vec<String>,
    pub alerts: Vec<String>,
    pub health_runs: Vec<bool>,
    pub flushed: Vec<bool>,
    pub regexes: Vec<RegexFn>,
    pub visible: bool,
}

impl Default for Fake {
    fn default() -> Fake {
        Fake {
            now: 1_800_000_000_000.0,
            random: 0.5,
            posts: Vec::new(),
            sent: Vec::new(),
            beacons: Vec::new(),
            beacon_quota: usize::MAX,
            page_keepalive: 0,
            timers: [None; Timer::COUNT],
            storage: HashMap::new(),
            storage_limit: usize::MAX,
            href: String::from("https://shop.example/cart"),
            hook: None,
            diagnostics: Vec::new(),
            alerts: Vec::new(),
            health_runs: Vec::new(),
            flushed: Vec::new(),
            regexes: Vec::new(),
            visible: true,
        }
    }
}

impl Fake {
    /// The timer that fires next, if any is due at or before `until`.
    pub fn next_timer(&self, until: f64) -> Option<(Timer, f64)> {
        let mut best: Option<(Timer, f64)> = None;
        for (slot, due) in self.timers.iter().enumerate() {
            if let (Some(due), Some(t)) = (due, Timer::from_slot(slot)) {
                if *due <= until && best.is_none_or(|b| *due < b.1) {
                    best = Some((t, *due));
                }
            }
        }
        best
    }

    /// Takes the oldest unanswered request.
    pub fn take_post(&mut self) -> Option<Post> {
        (!self.posts.is_empty()).then(|| self.posts.remove(0))
    }
}

impl Platform for Fake {
    fn now(&self) -> f64 {
        self.now
    }
    fn random(&mut self) -> f64 {
        self.random
    }
    fn post(&mut self, req: u32, url: &str, body: &str, keepalive: bool) {
        let p = Post { req, url: url.into(), body: body.into(), keepalive, at: self.now };
        self.sent.push(p.clone());
        self.posts.push(p);
    }
    fn beacon(&mut self, url: &str, body: &str) -> bool {
        if self.beacon_quota == 0 {
            return false;
        }
        self.beacon_quota -= 1;
        self.beacons.push((url.into(), body.into()));
        true
    }
    fn page_keepalive(&mut self) -> usize {
        self.page_keepalive
    }
    fn set_timer(&mut self, timer: Timer, ms: f64) {
        if let Some(t) = self.timers.get_mut(timer.slot()) {
            *t = Some(self.now + ms.max(0.0));
        }
    }
    fn clear_timer(&mut self, timer: Timer) {
        if let Some(t) = self.timers.get_mut(timer.slot()) {
            *t = None;
        }
    }
    fn load(&mut self, area: Area, key: &str) -> Option<String> {
        self.storage.get(&(area == Area::Session, key.to_string())).cloned()
    }
    fn save(&mut self, area: Area, key: &str, value: &str) -> bool {
        if value.len() > self.storage_limit {
            return false;
        }
        self.storage.insert((area == Area::Session, key.to_string()), value.to_string());
        true
    }
    fn remove(&mut self, area: Area, key: &str) {
        self.storage.remove(&(area == Area::Session, key.to_string()));
    }
    fn href(&mut self) -> String {
        self.href.clone()
    }
    fn visible(&mut self) -> bool {
        self.visible
    }
    fn before_send(&mut self, item: &str) -> Hook {
        match &mut self.hook {
            Some(h) => h(item),
            None => Hook::Keep,
        }
    }
    fn diagnostic(&mut self, code: &'static str, _message: &str) {
        self.diagnostics.push(code.into());
    }
    fn alert(&mut self, json: &str) {
        self.alerts.push(json.into());
    }
    fn matches(&mut self, regex: usize, text: &str) -> bool {
        self.regexes.get(regex).is_some_and(|r| r(text))
    }
    fn debug(&mut self, _what: &str, _detail: &str) {}
    fn run_health(&mut self, probe: bool) {
        self.health_runs.push(probe);
    }
    fn flushed(&mut self, done: bool) {
        self.flushed.push(done);
    }
}

/// A valid config: collector `https://c.example` and the `extra` keys.
pub fn config(extra: &[(&str, crate::config::Val)]) -> crate::config::Config {
    let mut entries = vec![(String::from("collector"), crate::config::Val::Str("https://c.example".into()))];
    entries.extend(extra.iter().map(|(k, v)| (String::from(*k), v.clone())));
    crate::config::Config::from_entries(Some(&entries)).unwrap()
}

/// An error event with fingerprint `fp` and message `message`, for queue and delivery tests.
pub fn error_event(fp: u64, message: &str) -> Event {
    Event {
        time: 1_800_000_000_000.0,
        session: Rc::from("0123456789abcdef0123456789abcdef"),
        page_view: 1,
        url: Rc::from("https://shop.example/cart"),
        scope: Rc::new(Scope::default()),
        seq: 0,
        previous_session: None,
        body: Body::Error(Box::new(Error { kind: "manual", name: "Error".into(), message: message.into(), level: "error", fingerprint: fp, count: 1, ..Default::default() })),
    }
}

/// A signal field, as js/ hands it over.
#[derive(Debug, Clone, PartialEq)]
pub enum V {
    S(String),
    N(f64),
    B(bool),
    Missing,
}

pub fn s(v: &str) -> V {
    V::S(v.into())
}

pub fn n(v: f64) -> V {
    V::N(v)
}

pub fn b(v: bool) -> V {
    V::B(v)
}

/// A signal's fields, as the inbox reads them from a JS array.
pub struct Vals(pub Vec<V>);

impl crate::signal::Args for Vals {
    fn count(&self) -> usize {
        self.0.len()
    }
    fn str(&self, i: usize) -> String {
        self.opt(i).unwrap_or_default()
    }
    fn opt(&self, i: usize) -> Option<String> {
        match self.0.get(i) {
            Some(V::S(s)) => Some(s.clone()),
            _ => None,
        }
    }
    fn num(&self, i: usize) -> f64 {
        match self.0.get(i) {
            Some(V::N(n)) if !n.is_nan() => *n,
            _ => 0.0,
        }
    }
    fn bool(&self, i: usize) -> bool {
        match self.0.get(i) {
            Some(V::B(b)) => *b,
            Some(V::N(n)) => *n != 0.0 && !n.is_nan(),
            Some(V::S(s)) => !s.is_empty(),
            _ => false,
        }
    }
}

/// [`every_kind`] pushed through a delivery made with `cfg`, then flushed: the requests it made.
pub fn every_kind_sent(cfg: &crate::config::Config, page: &crate::encode::Page) -> Vec<Post> {
    let mut d = crate::delivery::Delivery::new(cfg, &cfg.urls(), page, crate::platform::Rng::new(1));
    let mut p = Fake::default();
    let ctx = crate::delivery::Ctx { session: "0123456789abcdef0123456789abcdef", page, hook: false };
    for e in every_kind() {
        d.push(e, false, &ctx, &mut p);
    }
    d.flush(&ctx, &mut p);
    p.sent
}

/// An event of this page with `body`, its context all set.
pub fn ev(body: Body) -> Event {
    Event {
        time: 1_800_000_000_000.0,
        session: Rc::from("0123456789abcdef0123456789abcdef"),
        page_view: 7,
        url: Rc::from("https://shop.example/cart"),
        scope: Rc::new(Scope { user: Some("u1".into()), tags: vec![("plan".into(), "pro".into())] }),
        seq: 3,
        previous_session: None,
        body,
    }
}

/// One event of every kind and shape, with every optional field set.
pub fn every_kind() -> Vec<Event> {
    let element = Element { tag: "button".into(), id: "buy".into(), selector: "#buy".into(), classes: "btn".into(), text: "Buy".into(), data: "{\"data-action\":\"buy\"}".into() };
    let mut vital = Metric::new("web_vitals_lcp", 812.5).tag("navigationType", "navigate".into()).tag("element", "#hero".into());
    vital.vital = Some(("good", 812.5));
    let mut requests = Metric::new("http_requests", 3.0).num("failed", 1.0).num("unavailable", 1.0).num("durationSum", 1312.5).num("p50", 100.0).num("p95", 1200.0);
    let mut counts = [0u32; 15];
    (counts[5], counts[9], counts[10]) = (1, 1, 1);
    requests.hist = Some(Box::new(crate::aggregate::Hist { start: 1_799_999_990_000.0, counts, min: 12.5, max: 1200.0 }));
    vec![
        ev(Body::Error(Box::new(Error {
            id: 1,
            kind: "javascript",
            name: "TypeError".into(),
            message: "x is undefined".into(),
            stack: Some("TypeError: x\n    at f (https://a/app.js:1:2)".into()),
            frames: vec![Frame { function: "f".into(), file: "https://a/app.js".into(), line: 1, column: 2 }],
            source: Some("https://a/app.js".into()),
            line: 1,
            column: 2,
            level: "error",
            cross_origin: true,
            element: Some("img".into()),
            context: Some("{\"step\":\"checkout\"}".into()),
            http: Some(Http { xhr: false, method: "GET".into(), url: "https://api/x".into(), status: 500, duration_ms: 12, size: 42.0 }),
            fingerprint: 9,
            count: 2,
            ..Error::default()
        }))),
        ev(Body::Metric(Box::new(vital))),
        ev(Body::Error(Box::new(Error { id: 2, kind: "manual", message: "checkout started".into(), level: "info", handled: true, fingerprint: 10, count: 1, ..Error::default() }))),
        ev(Body::Metric(Box::new(Metric::new("navigation_dns_lookup", 3.5).tag("navigation_type", "navigate".into()).tag("protocol", "h2".into())))),
        ev(Body::Metric(Box::new(requests))),
        ev(Body::Metric(Box::new(Metric::new("resource_load_time", 1500.0).num("resource_size", 10.0).flag("cache_hit", true)))),
        ev(Body::PageView(Box::new(PageView { title: "Cart".into(), referrer: "".into(), load_time: 120.0, width: 800.0, height: 600.0, navigation: Navigation::Load }))),
        ev(Body::Action(Box::new(Action::Click { element: element.clone() }))),
        ev(Body::Action(Box::new(Action::RageClick { element, clicks: 3 }))),
        ev(Body::Action(Box::new(Action::FormSubmit { id: "f".into(), action: "https://a/s".into(), method: "post".into(), fields: 3.0 }))),
        ev(Body::Action(Box::new(Action::Scroll { depth: 50 }))),
        ev(Body::Action(Box::new(Action::Route { from: "https://a/".into(), to: "https://a/b".into(), trigger: Navigation::PushState }))),
        ev(Body::Action(Box::new(Action::Hidden))),
        ev(Body::Span(Box::new(Span { trace_id: "a".repeat(32), span_id: "b".repeat(16), method: "GET".into(), url: "https://api/x".into(), status: 200, outcome: Outcome::Timeout, start: 1.0, duration: 2.0, size: 5.0 }))),
        ev(Body::PageLoad(Box::new(PageLoad {
            trace_id: (1, 2),
            span_id: 0x10,
            origin: 1_799_999_999_000.0,
            kind: "navigate".into(),
            phases: vec![("documentLoad", 0.0, 320.0), ("request", 10.0, 40.0)],
        }))),
        ev(Body::Health(std::rc::Rc::new(Health {
            checks: vec![Check { name: "api".into(), status: crate::alerting::Status::Degraded, response_time: 3.5, message: "slow".into() }],
            status: crate::alerting::Status::Degraded,
            summary: [0, 1, 0, 0],
        }))),
        ev(Body::Alert(Box::new(Alert { id: 5, key: "high_error_rate".into(), severity: "warning", title: "High error rate", resolved: false, figures: Some((0.09, 0.05)), description: "…".into() }))),
        ev(Body::Alert(Box::new(Alert { id: 6, key: "high_error_rate".into(), severity: "info", title: "Resolved", resolved: true, figures: None, description: String::new() }))),
    ]
}
