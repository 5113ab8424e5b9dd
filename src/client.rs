//! The client `init` creates, as JavaScript sees it: one inbox for the page side's signals, the
//! public API's methods, and the handles of everything installed in the page. It owns the
//! [`Monitor`]; a call that arrives while the monitor is busy (a `beforeSend` or `onAlert`
//! callback calling the SDK) waits in a short queue and runs right after, in order.
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use sightline_core::monitor::Monitor;
use sightline_core::platform::Timer;
use sightline_core::signal::{Args, Signal};
use wasm_bindgen::prelude::*;

use crate::browser::{arg_bool, arg_num, arg_str, Browser};

/// Calls that may wait while the monitor is busy.
enum Input {
    Signal(Signal),
    Timer(Timer),
    User(Option<String>),
    Tag(String, String),
    Flush,
    Resolve(String),
    Health,
}

/// Inputs waiting for a busy monitor, at most.
const MAX_PENDING: usize = 256;

pub struct Shared {
    pub monitor: RefCell<Monitor<Browser>>,
    pending: RefCell<VecDeque<Input>>,
    /// Resolvers of the `flush()` promises still waiting.
    flush_waiters: RefCell<Vec<js_sys::Function>>,
}

impl Shared {
    pub fn new(monitor: Monitor<Browser>) -> Shared {
        Shared { monitor: RefCell::new(monitor), pending: RefCell::new(VecDeque::new()), flush_waiters: RefCell::new(Vec::new()) }
    }

    fn run(&self, input: Input) {
        let Ok(mut m) = self.monitor.try_borrow_mut() else {
            if let Ok(mut q) = self.pending.try_borrow_mut() {
                if q.len() < MAX_PENDING {
                    q.push_back(input);
                }
            }
            return;
        };
        apply(&mut m, input);
        // what arrived meanwhile, in order (it may queue more)
        loop {
            let next = self.pending.try_borrow_mut().ok().and_then(|mut q| q.pop_front());
            let Some(next) = next else { break };
            apply(&mut m, next);
        }
    }

    pub fn timer(&self, t: Timer) {
        self.run(Input::Timer(t));
    }

    /// The monitor's `flush()` settled: resolve every waiting promise.
    pub fn flushed(&self, done: bool) {
        let waiters = self.flush_waiters.try_borrow_mut().map(|mut w| core::mem::take(&mut *w)).unwrap_or_default();
        for w in waiters {
            let _ = w.call1(&JsValue::UNDEFINED, &JsValue::from_bool(done));
        }
    }

    /// A read-only call; `fallback` when the monitor is busy.
    fn read<T>(&self, fallback: T, f: impl FnOnce(&mut Monitor<Browser>) -> T) -> T {
        self.monitor.try_borrow_mut().map_or(fallback, |mut m| f(&mut m))
    }
}

fn apply(m: &mut Monitor<Browser>, input: Input) {
    match input {
        Input::Signal(s) => m.signal(s),
        Input::Timer(t) => m.timer(t),
        Input::User(id) => m.set_user(id),
        Input::Tag(k, v) => m.set_tag(k, v),
        Input::Flush => m.flush(),
        Input::Resolve(key) => {
            m.resolve_alert(&key);
        }
        Input::Health => m.run_health(),
    }
}

/// A JS array of signal fields, read through js/io.js: one call per field, no value handle.
struct JsArgs(js_sys::Array);

impl Args for JsArgs {
    fn count(&self) -> usize {
        self.0.length() as usize
    }
    fn str(&self, i: usize) -> String {
        arg_str(&self.0, i as u32).unwrap_or_default()
    }
    fn opt(&self, i: usize) -> Option<String> {
        arg_str(&self.0, i as u32)
    }
    fn num(&self, i: usize) -> f64 {
        arg_num(&self.0, i as u32)
    }
    fn bool(&self, i: usize) -> bool {
        arg_bool(&self.0, i as u32)
    }
}

/// Something installed in the page (listeners, observers, wrappers): dropping it removes it.
pub struct Installed(js_sys::Function);

impl Installed {
    pub fn new(remove: js_sys::Function) -> Installed {
        Installed(remove)
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        let _ = self.0.call0(&JsValue::UNDEFINED);
    }
}

/// The JS-facing handle; the npm entry wraps each method in `try`/`catch` as well.
#[wasm_bindgen]
pub struct Client {
    shared: Rc<Shared>,
    installed: RefCell<Vec<Installed>>,
}

impl Client {
    pub fn new(shared: Rc<Shared>) -> Client {
        Client { shared, installed: RefCell::new(Vec::new()) }
    }

    pub fn install(&self, remove: js_sys::Function) {
        if let Ok(mut i) = self.installed.try_borrow_mut() {
            i.push(Installed::new(remove));
        }
    }
}

#[wasm_bindgen]
impl Client {
    /// The one way in for the page side (js/signals.js): signal `kind` with its fields.
    pub fn inbox(&self, kind: u32, fields: js_sys::Array) {
        match Signal::read(kind, &JsArgs(fields)) {
            Some(s) => self.shared.run(Input::Signal(s)),
            None => self.shared.read((), |m| m.count_internal_error()),
        }
    }

    #[wasm_bindgen(js_name = setUser)]
    pub fn set_user(&self, id: Option<String>) {
        self.shared.run(Input::User(id));
    }

    #[wasm_bindgen(js_name = setTag)]
    pub fn set_tag(&self, key: String, value: String) {
        self.shared.run(Input::Tag(key, value));
    }

    /// Sends everything now; resolves `true` when all was delivered, `false` when something stays
    /// queued for a retry.
    pub fn flush(&self) -> js_sys::Promise {
        let mut resolver = None;
        let p = js_sys::Promise::new(&mut |resolve, _| resolver = Some(resolve));
        if let (Some(r), Ok(mut w)) = (resolver, self.shared.flush_waiters.try_borrow_mut()) {
            w.push(r);
        }
        self.shared.run(Input::Flush);
        p
    }

    pub fn stats(&self) -> String {
        self.shared.read(String::from("{}"), |m| m.stats_json())
    }

    pub fn snapshot(&self) -> String {
        self.shared.read(String::from("{}"), |m| m.snapshot_json())
    }

    #[wasm_bindgen(js_name = sessionSummary)]
    pub fn session_summary(&self) -> String {
        self.shared.read(String::from("{}"), |m| m.session_json())
    }

    /// Runs the health checks now; their report is then `healthReport()`.
    #[wasm_bindgen(js_name = runHealth)]
    pub fn run_health(&self) {
        self.shared.run(Input::Health);
    }

    #[wasm_bindgen(js_name = healthReport)]
    pub fn health_report(&self) -> String {
        self.shared.read(String::from("null"), |m| m.health_json())
    }

    #[wasm_bindgen(js_name = resolveAlert)]
    pub fn resolve_alert(&self, key: String) -> bool {
        // answered at once when the monitor is free; from inside a callback it is queued
        match self.shared.monitor.try_borrow_mut() {
            Ok(mut m) => m.resolve_alert(&key),
            Err(_) => {
                self.shared.run(Input::Resolve(key));
                false
            }
        }
    }

    /// For js/net.js, as a request starts: its `traceparent` when it is traced, prefixed `p` when
    /// it may carry the header, `n` when only its span is recorded.
    pub fn trace(&self, url: &str) -> Option<String> {
        self.shared.read(None, |m| m.trace(url))
    }

    /// Hands what is queued to the browser, then removes every listener, observer, wrapper and
    /// timer this client installed.
    pub fn shutdown(&self) {
        self.shared.read((), |m| m.shutdown());
        if let Ok(mut i) = self.installed.try_borrow_mut() {
            i.clear();
        }
    }
}
