//! Small owned handles over browser APIs: listeners that remove themselves on drop, storage, clocks.
use wasm_bindgen::prelude::*;

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Storage access that never throws (sandboxed iframes, disabled cookies and private modes do throw).
pub fn storage(session: bool) -> Option<web_sys::Storage> {
    let w = web_sys::window()?;
    let s = if session { w.session_storage() } else { w.local_storage() };
    s.ok().flatten()
}

pub fn storage_get(session: bool, key: &str) -> Option<String> {
    storage(session)?.get_item(key).ok().flatten()
}

pub fn storage_set(session: bool, key: &str, value: &str) -> bool {
    storage(session).is_some_and(|s| s.set_item(key, value).is_ok())
}

pub fn storage_remove(session: bool, key: &str) {
    if let Some(s) = storage(session) {
        let _ = s.remove_item(key);
    }
}

/// Reads a property as a string, swallowing getters that throw.
pub fn prop_str(v: &JsValue, key: &str) -> Option<String> {
    js_sys::Reflect::get(v, &JsValue::from_str(key)).ok()?.as_string()
}

pub fn prop_f64(v: &JsValue, key: &str) -> Option<f64> {
    js_sys::Reflect::get(v, &JsValue::from_str(key)).ok()?.as_f64()
}

/// Resolves `url` against the page URL (relative collectors are allowed).
pub fn absolute_url(url: &str) -> Option<String> {
    let base = web_sys::window()?.location().href().ok()?;
    web_sys::Url::new_with_base(url, &base).ok().map(|u| u.href())
}

/// xorshift64*: ids and jitter need speed and spread, not secrecy.
pub struct Rng(u64);

impl Rng {
    pub fn seeded() -> Rng {
        let seed = (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64 ^ (now_ms() as u64).rotate_left(32);
        Rng(seed | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / 9_007_199_254_740_992.0
    }
}
