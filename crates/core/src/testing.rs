//! A [`Platform`] for native tests: a clock moved by hand, timers that fire when the clock passes
//! them, requests that wait until the test answers them, and storage in memory.
use std::collections::HashMap;
use std::rc::Rc;

use crate::event::{Body, Error, Event, Scope};
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
