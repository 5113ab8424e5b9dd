//! The client `init` creates, as JavaScript sees it: one inbox for the page side's signals, the
//! public API's methods, and the handles of everything installed in the page. It owns the
//! [`Monitor`]; a call that arrives while the monitor is busy (a `beforeSend` or `onAlert`
//! callback calling the SDK) waits in a short queue and runs right after, in order.
use std::cell::RefCell;
use std::rc::Rc;

use sightline_core::monitor::Monitor;
use sightline_core::platform::Timer;
use sightline_core::signal::Args;
use wasm_bindgen::prelude::*;

use crate::browser::{arg_bool, arg_num, arg_str, Browser};

/// Calls that may wait while the monitor is busy: a signal (its kind and JS fields), a timer.
enum Input {
    Signal(u32, js_sys::Array),
    Timer(Timer),
}

/// Inputs waiting for a busy monitor, at most.
const MAX_PENDING: usize = 256;

pub struct Shared {
    pub monitor: RefCell<Monitor<Browser>>,
    pending: RefCell<Vec<Input>>,
}

impl Shared {
    pub fn new(monitor: Monitor<Browser>) -> Shared {
        Shared { monitor: RefCell::new(monitor), pending: RefCell::new(Vec::new()) }
    }

    fn run(&self, input: Input) {
        let Ok(mut m) = self.monitor.try_borrow_mut() else {
            if let Ok(mut q) = self.pending.try_borrow_mut() {
                if q.len() < MAX_PENDING {
                    q.push(input);
                }
            }
            return;
        };
        apply(&mut m, input);
        // what arrived meanwhile, in order (running it may queue more)
        loop {
            let waiting = self.pending.try_borrow_mut().map(|mut q| std::mem::take(&mut *q)).unwrap_or_default();
            if waiting.is_empty() {
                break;
            }
            for next in waiting {
                apply(&mut m, next);
            }
        }
    }

    /// A read-only call; `fallback` when the monitor is busy.
    fn read<T>(&self, fallback: T, f: impl FnOnce(&mut Monitor<Browser>) -> T) -> T {
        self.monitor.try_borrow_mut().map_or(fallback, |mut m| f(&mut m))
    }
}

fn apply(m: &mut Monitor<Browser>, input: Input) {
    match input {
        Input::Signal(kind, fields) => {
            m.signal(kind, &JsArgs(fields));
        }
        Input::Timer(t) => m.timer(t),
    }
}

/// A JS array of signal fields, read through js/io.js: one call per field, no value handle.
struct JsArgs(js_sys::Array);

impl Args for JsArgs {
    fn count(&self) -> usize {
        self.0.length() as usize
    }
    // not inlined: the decoder reads about 90 fields, a call each is the smallest
    #[inline(never)]
    fn str(&self, i: usize) -> String {
        arg_str(&self.0, i as u32).unwrap_or_default()
    }
    #[inline(never)]
    fn opt(&self, i: usize) -> Option<String> {
        arg_str(&self.0, i as u32)
    }
    #[inline(never)]
    fn num(&self, i: usize) -> f64 {
        arg_num(&self.0, i as u32)
    }
    #[inline(never)]
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
        self.shared.run(Input::Signal(kind, fields));
    }

    /// Timer `slot` fired (js/io.js `setTimer`).
    pub fn timer(&self, slot: u32) {
        if let Some(t) = Timer::from_slot(slot as usize) {
            self.shared.run(Input::Timer(t));
        }
    }

    /// A report as JSON: `0` `stats()`, `1` `sessionSummary()`, `2` `snapshot()`, `3` the last
    /// health report (`runHealthChecks()`); `"null"` while the monitor is busy.
    pub fn report(&self, which: u32) -> String {
        self.shared.read(String::from("null"), |m| match which {
            0 => m.stats_json(),
            1 => m.session_json(),
            // what this build leaves out answers null (js/core.js says so in the debug log)
            #[cfg(feature = "alerts")]
            2 => m.snapshot_json(),
            #[cfg(not(feature = "alerts"))]
            2 => String::from("null"),
            #[cfg(feature = "health")]
            _ => m.health_json(),
            #[cfg(not(feature = "health"))]
            _ => String::from("null"),
        })
    }

    /// Marks an active alert resolved; `false` when it was not active (or the monitor is busy).
    #[wasm_bindgen(js_name = resolveAlert)]
    pub fn resolve_alert(&self, key: &str) -> bool {
        #[cfg(feature = "alerts")]
        {
            self.shared.read(false, |m| m.resolve_alert(key))
        }
        #[cfg(not(feature = "alerts"))]
        {
            let _ = key;
            false
        }
    }

    /// For js/net.js, as a request starts: `0` not traced, `1` traced (its span is recorded), `2`
    /// traced and it carries `traceparent`.
    pub fn trace(&self, url: &str) -> u32 {
        self.shared.read(0, |m| m.trace(url))
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
