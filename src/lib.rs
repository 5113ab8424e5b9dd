//! Sightline: real-user monitoring for web pages. This file is the wasm entry: `start(config)`
//! validates the configuration and returns the number of a [`client::Client`], or the error message
//! as a string.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

mod alloc;
pub mod browser;
pub mod client;

use std::rc::Rc;

use sightline_core::config::{self, Config, Val, LANES};
use sightline_core::monitor::Monitor;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use browser::Browser;
use client::{register, Client, Shared};

// The capture modules: each adds its listeners, observers or wrappers, hands what it sees to
// `sink.c` through js/signals.js, and returns the function that removes it all.
#[wasm_bindgen(module = "/js/hooks.js")]
extern "C" {
    /// error, unhandledrejection, visibilitychange and pagehide listeners
    #[wasm_bindgen(js_name = install)]
    fn install_hooks(sink: &JsValue) -> js_sys::Function;
}
#[wasm_bindgen(module = "/js/perf.js")]
extern "C" {
    /// PerformanceObservers and the listeners the web vitals need
    fn observe(sink: &JsValue) -> js_sys::Function;
}
#[wasm_bindgen(module = "/js/net.js")]
extern "C" {
    /// the fetch and XMLHttpRequest wrappers (`tracing`: ask `trace()` as each request starts)
    fn patch(sink: &JsValue, tracing: bool) -> js_sys::Function;
}
#[cfg(feature = "ux")]
#[wasm_bindgen(module = "/js/ux.js")]
extern "C" {
    /// page views and routes (history wrappers), clicks, submits, scroll and visibility
    fn track(sink: &JsValue, click_text: bool, data_attrs: &js_sys::Array) -> js_sys::Function;
}
#[cfg(feature = "health")]
#[wasm_bindgen(module = "/js/health.js")]
extern "C" {
    /// the health checks' page side (`flags`: storage, memory, collector built-ins)
    #[wasm_bindgen(js_name = start)]
    fn start_health(sink: &JsValue, timeout: f64, flags: &js_sys::Array, probe: &str, fetch: &JsValue) -> js_sys::Function;
}
#[wasm_bindgen(module = "/js/signals.js")]
extern "C" {
    /// The fingerprint of the signal table js/signals.js was generated from.
    fn table() -> String;
}

/// Validates `config` and starts monitoring. Returns the client's number (for `inbox`, `timer`,
/// `trace`, `report`, `resolveAlert`, `shutdown` and `free`: src/client.rs), or a `string` with the
/// reason it did not start (nothing is installed then). Never throws.
///
/// `sink` is an object the caller sets `sink.c` on, an object whose `inbox`, `timer` and `trace`
/// call those functions with the number: JS callbacks (finished requests, page hooks, health
/// results) reach the client through it.
#[wasm_bindgen]
pub fn start(config: JsValue, sink: JsValue) -> JsValue {
    match start_client(&config, sink) {
        Ok(c) => JsValue::from(register(c)),
        Err(msg) => JsValue::from_str(&msg),
    }
}

/// [`start`] for Rust callers (and the browser tests).
pub fn start_client(config: &JsValue, sink: JsValue) -> Result<Client, String> {
    if table() != sightline_core::signal::fingerprint() {
        return Err(String::from("sightline: js/signals.js was not generated from this build's signal table (rebuild the SDK)"));
    }
    let mut funcs = Vec::new();
    let mut regexes = Vec::new();
    let entries = browser::flatten(config).map(|flat| read(&flat, &mut funcs, &mut regexes));
    sightline_core::host::set(sightline_core::host::Host {
        float: |out, v| out.push_str(&browser::num(v)),
        ln: js_sys::Math::log,
        exp: js_sys::Math::exp,
    });
    let cfg = Config::from_entries(entries.as_deref())?;
    let mut urls = Vec::with_capacity(LANES.len());
    for u in cfg.urls() {
        match browser::absolute_url(&u) {
            Some(u) => urls.push(u),
            None if cfg.otlp.is_some() => return Err(String::from("sightline: config key `otlp.endpoint` is not a valid URL")),
            None => return Err(String::from("sightline: config key `collector` (or an endpoint) is not a valid URL")),
        }
    }
    let health_probe = urls.get(config::Channel::Health as usize).cloned().unwrap_or_default();
    let otlp = cfg.otlp.as_ref().map(|o| {
        // `name\nvalue\n…`: neither a header name nor a value can hold a line break that
        // fetch would accept
        let mut pairs = String::new();
        for (k, v) in &o.headers {
            pairs.push_str(k);
            pairs.push('\n');
            pairs.push_str(v);
            pairs.push('\n');
        }
        browser::otlp_options(&pairs, o.gzip)
    });
    let (metrics, tracing, health, click_text) = (cfg.metrics_enabled, cfg.tracing_enabled, cfg.health_enabled, cfg.click_text);
    let health_timeout = f64::from(cfg.health_timeout_ms);
    let health_flags: js_sys::Array = cfg.health_checks.iter().map(|b| JsValue::from_bool(*b)).collect();
    let attrs: js_sys::Array = cfg.data_attributes.iter().map(|a| JsValue::from_str(a)).collect();
    let shared = Rc::new({
        let mut p = Browser::new(sink.clone(), funcs, regexes);
        (p.before_send, p.on_error, p.debug) = (cfg.before_send, cfg.on_error, cfg.debug);
        if let Some(o) = otlp {
            p.otlp = o;
        }
        let about = if cfg.otlp.is_some() { browser::browser() } else { String::new() };
        Shared::new(Monitor::new(cfg, urls, browser::agent(), about, p))
    });
    let fetch = shared.monitor.try_borrow().map(|m| m.p.fetch.clone()).unwrap_or(JsValue::UNDEFINED);
    if !fetch.is_function() {
        if let Ok(mut m) = shared.monitor.try_borrow_mut() {
            sightline_core::platform::Platform::diagnostic(&mut m.p, "no_fetch", "the page has no working fetch: events go by XMLHttpRequest, and at page close by sendBeacon");
        }
    }
    let mut client = Client::new(shared);
    client.install(install_hooks(&sink));
    if metrics {
        client.install(observe(&sink));
    }
    client.install(patch(&sink, tracing));
    // user experience runs in unsampled sessions too: activity keeps the session going and counts
    // for `sessionSummary()`; only nothing is sent
    #[cfg(feature = "ux")]
    client.install(track(&sink, click_text, &attrs));
    #[cfg(feature = "health")]
    if health {
        client.install(start_health(&sink, health_timeout, &health_flags, &health_probe, &fetch));
    }
    #[cfg(not(all(feature = "ux", feature = "health")))]
    let _ = (click_text, attrs, health, health_timeout, health_flags, health_probe);
    Ok(client)
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
