//! Uncaught errors, failed resource loads and unhandled promise rejections.
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, Event, PromiseRejectionEvent};

use crate::browser::{now_ms, prop_str, Listener};
use crate::client::Core;
use crate::event::ErrorRecord;

/// Installs the window listeners. `error` is captured in the capture phase, because failed loads of
/// `<script>`, `<img>` and `<link>` fire on the element and do not bubble.
pub fn install(core: &Rc<Core>) {
    let Some(window) = web_sys::window() else { return };
    for kind in ["error", "unhandledrejection"] {
        let weak = Rc::downgrade(core);
        core.add_listener(Listener::new(&window, kind, true, move |ev: Event| {
            if let Some(core) = weak.upgrade() {
                handle(&core, &ev, now_ms());
            }
        }));
    }
}

/// Turns one `error` or `unhandledrejection` event into an error record.
pub fn handle(core: &Core, ev: &Event, at_ms: f64) {
    let rec = if let Some(rej) = ev.dyn_ref::<PromiseRejectionEvent>() {
        from_value(&rej.reason(), "promise_rejection")
    } else if let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
        resource_error(&el)
    } else if let Some(e) = ev.dyn_ref::<ErrorEvent>() {
        uncaught(e)
    } else {
        return;
    };
    let mut rec = rec;
    rec.timestamp_ms = at_ms as u64;
    core.record_error(rec);
}

fn uncaught(e: &ErrorEvent) -> ErrorRecord {
    let error = e.error();
    let mut rec = if error.is_object() { from_value(&error, "javascript") } else { ErrorRecord { kind: "javascript", ..Default::default() } };
    if rec.message.is_empty() {
        rec.message = e.message();
    }
    if rec.name.is_empty() {
        rec.name = String::from("Error");
    }
    let file = e.filename();
    // Errors from cross-origin scripts without CORS are reduced by the browser to this.
    rec.cross_origin = file.is_empty() && rec.stack.is_none() && rec.message.trim_end_matches('.') == "Script error";
    if !file.is_empty() {
        rec.source = Some(file);
        rec.line = e.lineno();
        rec.column = e.colno();
    }
    rec
}

fn resource_error(el: &web_sys::Element) -> ErrorRecord {
    let tag = el.tag_name().to_ascii_lowercase();
    let url = prop_str(el, "currentSrc")
        .filter(|s| !s.is_empty())
        .or_else(|| prop_str(el, "src"))
        .filter(|s| !s.is_empty())
        .or_else(|| prop_str(el, "href"))
        .unwrap_or_default();
    let mut message = String::from("Failed to load ");
    message.push_str(&tag);
    message.push_str(": ");
    message.push_str(&url);
    ErrorRecord { kind: "resource_error", name: String::from("ResourceError"), message, source: Some(url), element: Some(tag), level: "error", ..Default::default() }
}

/// Describes any thrown or rejected value: Error-like objects keep name, message and stack; other
/// values become a message (strings as they are, objects as JSON, circular ones by their tag).
pub fn from_value(v: &JsValue, kind: &'static str) -> ErrorRecord {
    let mut rec = ErrorRecord { kind, level: "error", timestamp_ms: now_ms() as u64, ..Default::default() };
    if v.is_object() {
        if let Some(message) = prop_str(v, "message") {
            rec.message = message;
            rec.name = prop_str(v, "name").unwrap_or_else(|| String::from("Error"));
            rec.stack = prop_str(v, "stack").filter(|s| !s.is_empty());
            return rec;
        }
        rec.message = match js_sys::JSON::stringify(v).ok().and_then(|s| s.as_string()) {
            Some(s) => s,
            None => String::from("[object Object]"),
        };
        return rec;
    }
    rec.message = if let Some(s) = v.as_string() {
        s
    } else if v.is_undefined() {
        String::from("undefined")
    } else if v.is_null() {
        String::from("null")
    } else if let Some(b) = v.as_bool() {
        String::from(if b { "true" } else { "false" })
    } else if v.is_symbol() {
        String::from(v.unchecked_ref::<js_sys::Symbol>().to_string())
    } else if v.is_bigint() {
        v.unchecked_ref::<js_sys::BigInt>().to_string(10).map(String::from).unwrap_or_default()
    } else if v.as_f64().is_some() {
        v.unchecked_ref::<js_sys::Number>().to_string_with_radix(10).map(String::from).unwrap_or_default()
    } else {
        String::from("[function]")
    };
    rec
}
