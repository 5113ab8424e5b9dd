//! The browser as the wasm sees it: the functions of js/io.js (each one never throws), clocks, ids.
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/io.js")]
extern "C" {
    /// POSTs `body` with `fetch`; later calls `sink.c.done(channel, status, retryAfter)` (when `sink` is set).
    pub fn post(fetch: &JsValue, url: &str, body: &str, keepalive: bool, channel: u32, sink: &JsValue);
    /// `navigator.sendBeacon`; false when the browser refuses (quota, size) or throws.
    pub fn beacon(url: &str, body: &str) -> bool;
    /// `setTimeout` calling `sink.c.tick(channel)`; returns the timer id.
    pub fn timer(ms: i32, channel: u32, sink: &JsValue) -> i32;
    pub fn cancel(id: i32);
    /// sessionStorage (`session`) or localStorage.
    #[wasm_bindgen(js_name = load)]
    pub fn storage_get(session: bool, key: &str) -> Option<String>;
    #[wasm_bindgen(js_name = save)]
    pub fn storage_set(session: bool, key: &str, value: &str) -> bool;
    #[wasm_bindgen(js_name = remove)]
    pub fn storage_remove(session: bool, key: &str);
    /// `location.href`
    pub fn href() -> String;
    /// `navigator.userAgent`
    pub fn agent() -> String;
    /// `url` resolved against the page URL (relative collectors are allowed).
    #[wasm_bindgen(js_name = resolve)]
    pub fn absolute_url(url: &str) -> Option<String>;
    pub fn debug(what: &str, detail: &str);
    /// `fetch` as the page has it now.
    #[wasm_bindgen(js_name = nativeFetch)]
    pub fn native_fetch() -> JsValue;
    /// `[promise, resolve]`
    pub fn deferred() -> js_sys::Array;
    /// The config object as flat `[path, kind, value, ...]` triples (see js/io.js), or null.
    pub fn flatten(config: &JsValue) -> Option<js_sys::Array>;
    /// The shortest decimal text that reads back as `v` (JavaScript's `String(v)`), for JSON.
    pub fn num(v: f64) -> String;
}

/// The number at `i` of an argument array from the JS side (0 when it is not one).
#[inline(never)]
pub fn num_arg(a: &js_sys::Array, i: u32) -> f64 {
    a.get(i).as_f64().unwrap_or(0.0)
}

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// xorshift64*: ids and jitter need speed and spread, not secrecy.
pub struct Rng(u64);

impl Rng {
    pub fn seeded() -> Rng {
        let seed = (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64 ^ (now_ms() as u64).rotate_left(32);
        Rng(seed | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / 9_007_199_254_740_992.0
    }
}
