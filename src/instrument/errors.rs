//! Uncaught errors, failed resource loads and unhandled promise rejections. The listeners live in
//! `js/hooks.js`; this side turns what they report into error records.
use wasm_bindgen::prelude::*;

use crate::event::ErrorRecord;

#[wasm_bindgen(module = "/js/hooks.js")]
extern "C" {
    /// Adds the error, rejection and page-hide listeners, reporting to `sink.c.report(...)` and
    /// `sink.c.hidden()`; returns the function removing them.
    pub fn install(sink: &JsValue) -> js_sys::Function;
}

/// The `type` values a report may carry; anything else is a manual capture.
pub fn kind(k: &str) -> &'static str {
    match k {
        "javascript" => "javascript",
        "promise_rejection" => "promise_rejection",
        "resource_error" => "resource_error",
        _ => "manual",
    }
}

/// Builds the record for one report (see `reportEvent` in js/hooks.js for the fields).
#[allow(clippy::too_many_arguments)]
pub fn record(kind_name: &str, name: String, message: String, stack: Option<String>, source: Option<String>, line: u32, column: u32, at: f64) -> ErrorRecord {
    let kind = kind(kind_name);
    let (name, element) = if kind == "resource_error" { (String::from("ResourceError"), Some(name)) } else { (name, None) };
    let cross_origin = kind == "javascript" && source.is_none() && stack.is_none() && (message == "Script error." || message == "Script error");
    ErrorRecord {
        kind,
        name,
        message,
        stack,
        source,
        line,
        column,
        level: "error",
        handled: kind == "manual",
        cross_origin,
        element,
        context: None,
        http: None,
        timestamp_ms: at as u64,
    }
}
