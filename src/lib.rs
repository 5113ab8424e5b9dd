//! Sightline: real-user monitoring for web pages. This file is the wasm entry: `start(config)`
//! validates the configuration and returns a [`client::Client`], or the error message as a string.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

mod alloc;
pub mod browser;
pub mod client;
pub mod instrument;

pub use sightline_core::{aggregate, alerting, config, event, json, perf, pipeline, privacy, session, stack, vitals};

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
    let entries = browser::flatten(config).map(|flat| read(&flat, &mut funcs, &mut regexes));
    sightline_core::host::set(sightline_core::host::Host {
        float: |out, v| out.push_str(&browser::num(v)),
        ln: js_sys::Math::log,
        exp: js_sys::Math::exp,
    });
    let cfg = Config::from_entries(entries.as_deref())?;
    let mut urls = Vec::with_capacity(5);
    for ep in &cfg.endpoints {
        match browser::absolute_url(&config::join_endpoint(&cfg.collector, ep)) {
            Some(u) => urls.push(u),
            None => return Err(String::from("sightline: config key `collector` (or an endpoint) is not a valid URL")),
        }
    }
    let core = client::Core::new(cfg, funcs, regexes, urls, sink);
    core.install_hooks();
    core.install_perf();
    core.install_net();
    core.install_ux();
    core.install_health();
    core.restore_pending();
    Ok(client::Client::new(core))
}

/// Turns the flattened config into entries, keeping functions and RegExps in side tables.
fn read(flat: &js_sys::Array, funcs: &mut Vec<js_sys::Function>, regexes: &mut Vec<js_sys::RegExp>) -> Vec<(String, Val)> {
    let mut entries = Vec::new();
    let mut i = 0;
    while i + 2 < flat.length() {
        let path = flat.get(i).as_string().unwrap_or_default();
        let kind = flat.get(i + 1).as_string().unwrap_or_default();
        let val = flat.get(i + 2);
        let v = if kind == "array" {
            let items: js_sys::Array = val.unchecked_into();
            Val::Arr(items.iter().map(|pair| {
                let pair: js_sys::Array = pair.unchecked_into();
                value(&pair.get(0).as_string().unwrap_or_default(), pair.get(1), funcs, regexes)
            }).collect())
        } else {
            value(&kind, val, funcs, regexes)
        };
        entries.push((path, v));
        i += 3;
    }
    entries
}

fn value(kind: &str, v: JsValue, funcs: &mut Vec<js_sys::Function>, regexes: &mut Vec<js_sys::RegExp>) -> Val {
    match kind {
        "string" => Val::Str(v.as_string().unwrap_or_default()),
        "number" => Val::Num(v.as_f64().unwrap_or(f64::NAN)),
        "boolean" => Val::Bool(v.is_truthy()),
        "null" => Val::Null,
        "object" => Val::Obj,
        "function" => {
            funcs.push(v.unchecked_into());
            Val::Func(funcs.len() - 1)
        }
        "regexp" => {
            regexes.push(v.unchecked_into());
            Val::Regex(regexes.len() - 1)
        }
        _ => Val::Other,
    }
}
