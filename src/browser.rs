//! The core's [`Platform`] over the browser: the functions of js/io.js (each one never throws),
//! the page's hooks from the config, and the timers (kept on the JS side, see js/io.js `setTimer`).
use sightline_core::platform::{Area, Hook, Platform, Timer};
use wasm_bindgen::prelude::*;


#[wasm_bindgen(module = "/js/net.js")]
extern "C" {
    /// Bytes of the page's keepalive requests in flight (0 without the network source).
    #[wasm_bindgen(js_name = pageKeepalive)]
    fn page_keepalive() -> u32;
}

#[wasm_bindgen(module = "/js/io.js")]
extern "C" {
    /// POSTs `body` with `fetch` (as OTLP JSON with `otlp`'s headers, when it is set); later
    /// hands `sent(req, status, retryAfter, rejected)` to `sink.c`.
    pub fn post(fetch: &JsValue, url: &str, body: &str, keepalive: bool, req: u32, sink: &JsValue, otlp: &JsValue);
    /// The OTLP request options from the config's headers (`name\nvalue\n…`) and compression.
    #[wasm_bindgen(js_name = otlpOptions)]
    pub fn otlp_options(headers: &str, gzip: bool) -> JsValue;
    /// `navigator.sendBeacon`; false when the browser refuses (quota, size) or throws.
    pub fn beacon(url: &str, body: &str) -> bool;
    /// sessionStorage (`session`) or localStorage.
    #[wasm_bindgen(js_name = load)]
    fn storage_get(session: bool, key: &str) -> Option<String>;
    #[wasm_bindgen(js_name = save)]
    fn storage_set(session: bool, key: &str, value: &str) -> bool;
    #[wasm_bindgen(js_name = remove)]
    fn storage_remove(session: bool, key: &str);
    /// `location.href`
    pub fn href() -> String;
    /// `document.visibilityState === 'visible'`
    fn visible() -> bool;
    /// `navigator.userAgent`
    pub fn agent() -> String;
    /// language, platform, mobile and brands, a line each (for OTLP's resource)
    pub fn browser() -> String;
    /// `url` resolved against the page URL (relative collectors are allowed).
    #[wasm_bindgen(js_name = resolve)]
    pub fn absolute_url(url: &str) -> Option<String>;
    fn debug(what: &str, detail: &str);
    /// Timer `slot` fires in `ms` (replacing a pending one): it calls `sink.c.timer(slot)`.
    #[wasm_bindgen(js_name = setTimer)]
    fn set_timer(sink: &JsValue, slot: u32, ms: f64);
    #[wasm_bindgen(js_name = clearTimer)]
    fn clear_timer(sink: &JsValue, slot: u32);
    /// `fetch` as the page has it now.
    #[wasm_bindgen(js_name = nativeFetch)]
    pub fn native_fetch() -> JsValue;
    /// The config object as flat `[path, kind, value, ...]` triples (see js/io.js), or null.
    pub fn flatten(config: &JsValue) -> Option<js_sys::Array>;
    /// The shortest decimal text that reads back as `v` (JavaScript's `String(v)`), for JSON.
    pub fn num(v: f64) -> String;
    /// Field `i` of a signal: a string (else none), a number (`NaN` and non-numbers: 0), truthy.
    #[wasm_bindgen(js_name = argStr)]
    pub fn arg_str(a: &js_sys::Array, i: u32) -> Option<String>;
    #[wasm_bindgen(js_name = argNum)]
    pub fn arg_num(a: &js_sys::Array, i: u32) -> f64;
    #[wasm_bindgen(js_name = argBool)]
    pub fn arg_bool(a: &js_sys::Array, i: u32) -> bool;
    /// Calls `f(item)` for `beforeSend`: `null`/`false` → `0` (drop), an object → its JSON,
    /// a throw → `1`, anything else → `undefined` (keep).
    #[wasm_bindgen(js_name = hook)]
    fn call_hook(f: &js_sys::Function, item: &str) -> JsValue;
    /// Calls `f({code, message})`; false when it threw.
    #[wasm_bindgen(js_name = tell)]
    fn call_on_error(f: &js_sys::Function, code: &str, message: &str) -> bool;
    /// Settles the page's waiting `flush()` promises.
    fn flushed(sink: &JsValue, done: bool);
}

#[cfg(feature = "health")]
#[wasm_bindgen(module = "/js/health.js")]
extern "C" {
    /// Runs the checks (`sink.runChecks(probe)`); the results come back as the `health` signal.
    #[wasm_bindgen(js_name = run)]
    fn run_checks(sink: &JsValue, probe: bool);
}

#[cfg(feature = "alerts")]
#[wasm_bindgen(module = "/js/health.js")]
extern "C" {
    /// Calls the `onAlert` callbacks with the alert (JSON).
    fn notify(sink: &JsValue, alert: &str);
}

pub struct Browser {
    /// `{c: client}`: how JS callbacks reach the client.
    pub sink: JsValue,
    /// `fetch` as it was when the SDK started, so that its own requests bypass every wrapper.
    pub fetch: JsValue,
    /// The OTLP exporter's request options (undefined for the native one).
    pub otlp: JsValue,
    pub funcs: Vec<js_sys::Function>,
    pub regexes: Vec<js_sys::RegExp>,
    pub before_send: Option<usize>,
    pub on_error: Option<usize>,
    pub debug: bool,
}

impl Browser {
    pub fn new(sink: JsValue, funcs: Vec<js_sys::Function>, regexes: Vec<js_sys::RegExp>) -> Browser {
        Browser {
            sink,
            fetch: native_fetch(),
            otlp: JsValue::UNDEFINED,
            funcs,
            regexes,
            before_send: None,
            on_error: None,
            debug: false,
        }
    }

    fn area(a: Area) -> bool {
        a == Area::Session
    }
}

impl Platform for Browser {
    fn now(&self) -> f64 {
        js_sys::Date::now()
    }
    fn random(&mut self) -> f64 {
        js_sys::Math::random()
    }
    fn post(&mut self, req: u32, url: &str, body: &str, keepalive: bool) {
        post(&self.fetch, url, body, keepalive, req, &self.sink, &self.otlp);
    }
    fn beacon(&mut self, url: &str, body: &str) -> bool {
        beacon(url, body)
    }
    fn page_keepalive(&mut self) -> usize {
        page_keepalive() as usize
    }
    fn set_timer(&mut self, timer: Timer, ms: f64) {
        set_timer(&self.sink, timer.slot() as u32, ms.clamp(0.0, 2_147_483_647.0));
    }
    fn clear_timer(&mut self, timer: Timer) {
        clear_timer(&self.sink, timer.slot() as u32);
    }
    fn load(&mut self, area: Area, key: &str) -> Option<String> {
        storage_get(Browser::area(area), key)
    }
    fn save(&mut self, area: Area, key: &str, value: &str) -> bool {
        storage_set(Browser::area(area), key, value)
    }
    fn remove(&mut self, area: Area, key: &str) {
        storage_remove(Browser::area(area), key);
    }
    fn href(&mut self) -> String {
        href()
    }
    fn visible(&mut self) -> bool {
        visible()
    }
    fn before_send(&mut self, item: &str) -> Hook {
        let Some(f) = self.before_send.and_then(|i| self.funcs.get(i)) else { return Hook::Keep };
        let r = call_hook(f, item);
        if let Some(json) = r.as_string() {
            Hook::Replace(json)
        } else {
            match r.as_f64() {
                Some(0.0) => Hook::Drop,
                Some(_) => Hook::Threw,
                None => Hook::Keep,
            }
        }
    }
    fn diagnostic(&mut self, code: &'static str, message: &str) {
        self.debug(code, message);
        if let Some(f) = self.on_error.and_then(|i| self.funcs.get(i)) {
            // a throwing `onError` is ignored: it cannot be told about itself
            call_on_error(f, code, message);
        }
    }
    fn alert(&mut self, json: &str) {
        #[cfg(feature = "alerts")]
        notify(&self.sink, json);
        #[cfg(not(feature = "alerts"))]
        let _ = json;
    }
    fn matches(&mut self, regex: usize, text: &str) -> bool {
        self.regexes.get(regex).is_some_and(|r| r.test(text))
    }
    fn debug(&mut self, what: &str, detail: &str) {
        if self.debug {
            debug(what, detail);
        }
    }
    fn run_health(&mut self, probe: bool) {
        #[cfg(feature = "health")]
        run_checks(&self.sink, probe);
        #[cfg(not(feature = "health"))]
        let _ = probe;
    }
    fn flushed(&mut self, done: bool) {
        flushed(&self.sink, done);
    }
}
