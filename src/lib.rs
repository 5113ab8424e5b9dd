//! Sightline: real-user monitoring for web pages. This file is the wasm entry: `start(config)`
//! validates the configuration and returns a [`client::Client`], or the error message as a string.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

mod alloc;
pub mod browser;
pub mod client;
pub mod config;
pub mod event;
pub mod instrument;
pub mod json;
pub mod pipeline;
pub mod privacy;
pub mod stack;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use config::{Config, Val};

/// Validates `config` and starts monitoring. Returns a `Client`, or a `string` with the reason it
/// did not start (nothing is installed then). Never throws.
///
/// `sink` is an object the caller sets `sink.c = client` on: JS callbacks (timers, finished
/// requests, page hooks) reach the client through it.
#[wasm_bindgen]
pub fn start(config: JsValue, sink: JsValue) -> JsValue {
    match start_client(&config, sink) {
        Ok(c) => JsValue::from(c),
        Err(msg) => JsValue::from_str(&msg),
    }
}

/// [`start`] for Rust callers (and the browser tests).
pub fn start_client(config: &JsValue, sink: JsValue) -> Result<client::Client, String> {
    let mut funcs = Vec::new();
    let mut regexes = Vec::new();
    let val = read(config, &mut funcs, &mut regexes, 0).unwrap_or(Val::Null);
    let cfg = Config::from_val(&val)?;
    let mut urls = Vec::with_capacity(5);
    for ep in &cfg.endpoints {
        match browser::absolute_url(&config::join_endpoint(&cfg.collector, ep)) {
            Some(u) => urls.push(u),
            None => return Err(String::from("sightline: config key `collector` (or an endpoint) is not a valid URL")),
        }
    }
    let core = client::Core::new(cfg, funcs, regexes, urls, sink);
    core.install_hooks();
    core.restore_pending();
    Ok(client::Client::new(core))
}

/// Reads a JS config value into [`Val`], keeping functions and RegExps in side tables.
fn read(v: &JsValue, funcs: &mut Vec<js_sys::Function>, regexes: &mut Vec<js_sys::RegExp>, depth: u32) -> Option<Val> {
    if v.is_undefined() {
        return None;
    }
    if depth > 8 {
        return Some(Val::Other);
    }
    Some(if v.is_null() {
        Val::Null
    } else if let Some(b) = v.as_bool() {
        Val::Bool(b)
    } else if let Some(n) = v.as_f64() {
        Val::Num(n)
    } else if let Some(s) = v.as_string() {
        Val::Str(s)
    } else if let Some(f) = v.dyn_ref::<js_sys::Function>() {
        funcs.push(f.clone());
        Val::Func(funcs.len() - 1)
    } else if let Some(r) = v.dyn_ref::<js_sys::RegExp>() {
        regexes.push(r.clone());
        Val::Regex(regexes.len() - 1)
    } else if let Some(a) = v.dyn_ref::<js_sys::Array>() {
        Val::Arr(a.iter().map(|i| read(&i, funcs, regexes, depth + 1).unwrap_or(Val::Null)).collect())
    } else if let Some(o) = v.dyn_ref::<js_sys::Object>() {
        let mut fields = Vec::new();
        for k in js_sys::Object::keys(o).iter() {
            let Some(name) = k.as_string() else { continue };
            let Ok(item) = js_sys::Reflect::get(o, &k) else { continue };
            if let Some(val) = read(&item, funcs, regexes, depth + 1) {
                fields.push((name, val));
            }
        }
        Val::Obj(fields)
    } else {
        Val::Other
    })
}
