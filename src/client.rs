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

/// A running client: its monitor, and the handles of everything it installed in the page.
pub struct Client {
    shared: Rc<Shared>,
    installed: Vec<Installed>,
}

impl Client {
    pub fn new(shared: Rc<Shared>) -> Client {
        Client { shared, installed: Vec::new() }
    }

    pub fn install(&mut self, remove: js_sys::Function) {
        self.installed.push(Installed::new(remove));
    }
}

// The clients JS holds by number (`start` returns it): a number crosses into JS with no wrapper
// object, finalizer or borrow checks of wasm-bindgen's (its exported classes cost about 400 B
// brotli more). A slot is used again once its client is freed; a page may run a few at once
// (a second `init` shuts the first down only once it has started).
thread_local! {
    static CLIENTS: RefCell<Vec<Option<Client>>> = const { RefCell::new(Vec::new()) };
}

/// Keeps `client`; returns its number (from 1: 0 is never a client).
pub fn register(client: Client) -> u32 {
    CLIENTS.with(|all| {
        let Ok(mut all) = all.try_borrow_mut() else { return 0 };
        let i = all.iter().position(Option::is_none).unwrap_or(all.len());
        if i == all.len() {
            all.push(None);
        }
        if let Some(slot) = all.get_mut(i) {
            *slot = Some(client);
        }
        i as u32 + 1
    })
}

/// Takes client `id` out of its slot (`free`), or only what it installed (`!free`, at shutdown).
fn take(id: u32, free: bool) -> (Option<Client>, Vec<Installed>) {
    CLIENTS.with(|all| {
        let Ok(mut all) = all.try_borrow_mut() else { return (None, Vec::new()) };
        match all.get_mut((id as usize).wrapping_sub(1)) {
            Some(slot) if free => (slot.take(), Vec::new()),
            Some(Some(c)) => (None, std::mem::take(&mut c.installed)),
            _ => (None, Vec::new()),
        }
    })
}

/// Client `id`'s shared state, held outside the table: what it runs may call back into the SDK.
fn shared(id: u32) -> Option<Rc<Shared>> {
    CLIENTS.with(|all| all.try_borrow().ok()?.get((id as usize).wrapping_sub(1))?.as_ref().map(|c| c.shared.clone()))
}

/// The one way in for the page side (js/signals.js): signal `kind` with its fields, for client `id`.
#[wasm_bindgen]
pub fn inbox(id: u32, kind: u32, fields: js_sys::Array) {
    if let Some(s) = shared(id) {
        s.run(Input::Signal(kind, fields));
    }
}

/// Timer `slot` of client `id` fired (js/io.js `setTimer`).
#[wasm_bindgen]
pub fn timer(id: u32, slot: u32) {
    if let (Some(s), Some(t)) = (shared(id), Timer::from_slot(slot as usize)) {
        s.run(Input::Timer(t));
    }
}

/// A report as JSON: `0` `stats()`, `1` `sessionSummary()`, `2` `snapshot()`, `3` the last
/// health report (`runHealthChecks()`); `"null"` while the monitor is busy.
#[wasm_bindgen]
pub fn report(id: u32, which: u32) -> String {
    shared(id).map_or_else(|| String::from("null"), |s| {
        s.read(String::from("null"), |m| match which {
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
    })
}

/// Marks an active alert resolved; `false` when it was not active (or the monitor is busy).
#[wasm_bindgen(js_name = resolveAlert)]
pub fn resolve_alert(id: u32, key: &str) -> bool {
    #[cfg(feature = "alerts")]
    {
        shared(id).is_some_and(|s| s.read(false, |m| m.resolve_alert(key)))
    }
    #[cfg(not(feature = "alerts"))]
    {
        let _ = (id, key);
        false
    }
}

/// For js/net.js, as a request starts: `0` not traced, `1` traced (its span is recorded), `2`
/// traced and it carries `traceparent`.
#[wasm_bindgen]
pub fn trace(id: u32, url: &str) -> u32 {
    shared(id).map_or(0, |s| s.read(0, |m| m.trace(url)))
}

/// Hands what is queued to the browser, then removes every listener, observer, wrapper and
/// timer client `id` installed.
#[wasm_bindgen]
pub fn shutdown(id: u32) {
    if let Some(s) = shared(id) {
        s.read((), |m| m.shutdown());
    }
    // dropped here, outside the table: removing them calls into the page
    drop(take(id, false));
}

/// Forgets client `id` (after `shutdown`, or when it failed).
#[wasm_bindgen]
pub fn free(id: u32) {
    drop(take(id, true));
}
