//! Network: every `fetch` and `XMLHttpRequest` the page makes. The wrappers live in `js/net.js`;
//! they call [`Client::net`] once a request has ended, and this side turns it into error records
//! (`http_error`, `network_error`, `slow_request`, `xhr_http_error`, `xhr_error`), per-origin
//! request counts, and a span for traced requests.
use wasm_bindgen::prelude::*;

use crate::browser::{now_ms, num_arg};
use crate::client::{Client, Core};
use crate::config::{Channel, Pattern};
use crate::event::{ErrorRecord, Http};
use crate::json;
use crate::perf;
use crate::privacy;

#[wasm_bindgen(module = "/js/net.js")]
extern "C" {
    /// Wraps `fetch` and `XMLHttpRequest` reporting to `sink.c.net(...)`; returns the function that
    /// puts the originals back.
    pub fn patch(sink: &JsValue, tracing: &JsValue, slow_ms: f64, own: &js_sys::Array) -> js_sys::Function;
}

/// At most this many origins are counted (requests to others count under the last slot's name).
pub const MAX_ORIGINS: usize = 32;

/// Requests to one origin, for the dashboard and alerts.
#[derive(Default, Clone)]
pub struct OriginStats {
    pub origin: String,
    pub count: u32,
    /// network errors, timeouts and HTTP errors
    pub failed: u32,
    pub duration_ms: f64,
    /// response bytes where `Content-Length` told
    pub bytes: f64,
    /// requests the page aborted (not counted in `count`, not errors)
    pub aborted: u32,
}

/// How a request ended, as js/net.js reports it.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Outcome {
    Load,
    Error,
    Timeout,
    Abort,
}

pub fn outcome(s: &str) -> Outcome {
    match s {
        "error" => Outcome::Error,
        "timeout" => Outcome::Timeout,
        "abort" => Outcome::Abort,
        _ => Outcome::Load,
    }
}

/// The error records one request gives: (type, name, message tail). An abort by the page is not an
/// error; a slow request is one whatever its status.
pub fn classify(xhr: bool, status: u16, outcome: Outcome, ms: f64, slow_ms: u32, ignore_status: &[u16]) -> Vec<(&'static str, &'static str, &'static str)> {
    let mut out = Vec::new();
    match outcome {
        Outcome::Error => out.push((if xhr { "xhr_error" } else { "network_error" }, "NetworkError", " failed: network error")),
        Outcome::Timeout => out.push((if xhr { "xhr_error" } else { "network_error" }, "TimeoutError", " failed: timeout")),
        Outcome::Load if status >= 400 && !ignore_status.contains(&status) => {
            out.push((if xhr { "xhr_http_error" } else { "http_error" }, "HttpError", " answered "))
        }
        _ => {}
    }
    if outcome != Outcome::Abort && ms > f64::from(slow_ms) {
        out.push(("slow_request", "SlowRequest", " took "));
    }
    out
}

/// `scheme://host[:port]` of an absolute URL.
pub fn origin(url: &str) -> &str {
    let start = json::find(url, "://").map_or(0, |i| i + 3);
    let end = url.get(start..).and_then(|rest| rest.bytes().position(|b| b == b'/' || b == b'?' || b == b'#')).map_or(url.len(), |i| start + i);
    url.get(..end).unwrap_or(url)
}

#[inline(never)]
fn str_arg(a: &js_sys::Array, i: u32) -> String {
    a.get(i).as_string().unwrap_or_default()
}

#[wasm_bindgen]
impl Client {
    /// Callback from js/net.js once a request has ended. `detail` is absent for a fast success that
    /// is not traced (only the counts change), else `[api, method, url, outcome, startEpochMs,
    /// traceId, spanId]`. `size` is the response's `Content-Length`, -1 when unknown.
    pub fn net(&self, origin: String, ms: f64, status: u16, size: f64, detail: JsValue) {
        self.core.net(origin, ms, status, size, detail);
    }
}

impl Core {
    /// Wraps `fetch` and `XMLHttpRequest`.
    pub fn install_net(&self) {
        let tracing = if self.cfg.tracing_enabled {
            let t = js_sys::Array::of1(&JsValue::from_f64(self.cfg.tracing_sample_rate));
            for p in &self.cfg.propagate_to {
                match p {
                    Pattern::Sub(s) => t.push(&JsValue::from_str(s)),
                    Pattern::Regex(i) => self.regexes.get(*i).map_or(0, |r| t.push(r)),
                };
            }
            JsValue::from(t)
        } else {
            JsValue::NULL
        };
        let own: js_sys::Array = match self.state.try_borrow() {
            Ok(st) => st.urls.iter().map(|u| JsValue::from_str(u)).collect(),
            Err(_) => js_sys::Array::new(),
        };
        self.keep_uninstall(patch(&self.sink, &tracing, f64::from(self.cfg.slow_request_ms), &own));
    }

    pub fn net(&self, origin: String, ms: f64, status: u16, size: f64, detail: JsValue) {
        let ms = ms.max(0.0);
        let detail: Option<js_sys::Array> = detail.dyn_into().ok();
        let (api, method, raw_url, outcome) = match &detail {
            Some(a) => (str_arg(a, 0), str_arg(a, 1), str_arg(a, 2), outcome(&str_arg(a, 3))),
            None => (String::new(), String::new(), String::new(), Outcome::Load),
        };
        let xhr = api == "xhr";
        let records = classify(xhr, status, outcome, ms, self.cfg.slow_request_ms, &self.cfg.ignore_status);
        let failed = records.iter().any(|r| r.0 != "slow_request");
        {
            let Ok(mut st) = self.state.try_borrow_mut() else { return self.count_internal_error() };
            // js/net.js leaves our endpoints out already; a detailed report is checked again here
            if st.shut || detail.is_some() && perf::is_own(&raw_url, &st.urls) {
                return;
            }
            {
                let len = st.requests.len();
                let slot = match st.requests.iter().position(|r| r.origin == origin) {
                    Some(i) => i,
                    None if len < MAX_ORIGINS => {
                        st.requests.push(OriginStats { origin: origin.clone(), ..OriginStats::default() });
                        len
                    }
                    None => len - 1,
                };
                if let Some(r) = st.requests.get_mut(slot).filter(|_| outcome == Outcome::Abort) {
                    r.aborted += 1;
                } else if let Some(r) = st.requests.get_mut(slot) {
                    r.count += 1;
                    r.failed += u32::from(failed);
                    r.duration_ms += ms;
                    r.bytes += size.max(0.0);
                }
            }
            // error rate, availability (a network error or 5xx: the service was not there) and
            // durations, for `snapshot()` and the alert rules; an abort by the page is neither
            if outcome != Outcome::Abort {
                let unavailable = failed && (status == 0 || status >= 500);
                st.agg.window.add(now_ms(), failed, unavailable);
                st.agg.interval.add(ms, failed, unavailable);
                st.agg.durations.add(ms);
                st.agg.slow_requests += u32::from(records.iter().any(|r| r.0 == "slow_request"));
            }
        }
        self.check_request_alerts(failed);
        let Some(a) = detail else { return };
        let (at, trace, span) = (num_arg(&a, 4), str_arg(&a, 5), str_arg(&a, 6));
        let mut url = privacy::scrub_url(&raw_url, &self.cfg.scrub_params);
        json::truncate(&mut url, 500);
        let method_up = if method.is_empty() { String::from("GET") } else { method };
        for (kind, name, tail) in records {
            let mut message = method_up.clone();
            message.push(' ');
            message.push_str(&url);
            message.push_str(tail);
            match kind {
                "slow_request" => {
                    json::uint(&mut message, ms as u64);
                    message.push_str(" ms");
                }
                "http_error" | "xhr_http_error" => json::uint(&mut message, u64::from(status)),
                _ => {}
            }
            self.record_error(ErrorRecord {
                kind,
                name: String::from(name),
                message,
                level: "error",
                http: Some(Http { api: if xhr { "xhr" } else { "fetch" }, method: method_up.clone(), url: url.clone(), status, duration_ms: ms as u64, size }),
                timestamp_ms: now_ms() as u64,
                ..ErrorRecord::default()
            });
        }
        if !trace.is_empty() {
            self.span(&trace, &span, &method_up, &url, status, outcome, at, ms, size);
        }
    }

    /// A client span for a traced request, on the events channel, close to OpenTelemetry's model.
    #[allow(clippy::too_many_arguments)]
    fn span(&self, trace: &str, span: &str, method: &str, url: &str, status: u16, outcome: Outcome, at: f64, ms: f64, size: f64) {
        let mut o = String::with_capacity(400);
        o.push_str("{\"type\":\"span\",\"data\":{");
        json::field_str(&mut o, "traceId", trace);
        json::field_str(&mut o, "spanId", span);
        let mut name = String::from("HTTP ");
        name.push_str(method);
        json::field_str(&mut o, "name", &name);
        json::field_str(&mut o, "kind", "client");
        json::field_num(&mut o, "startTime", at);
        json::field_num(&mut o, "endTime", at + ms);
        json::field_num(&mut o, "duration", ms);
        let ok = outcome == Outcome::Load && status < 400;
        json::field_str(&mut o, "status", if ok { "ok" } else { "error" });
        json::key(&mut o, "attributes");
        o.push('{');
        json::field_str(&mut o, "http.request.method", method);
        json::field_str(&mut o, "url.full", url);
        if status > 0 {
            json::field_u64(&mut o, "http.response.status_code", u64::from(status));
        }
        if size >= 0.0 {
            json::field_num(&mut o, "http.response.body.size", size);
        }
        if outcome != Outcome::Load {
            json::field_str(&mut o, "error.type", match outcome {
                Outcome::Abort => "abort",
                Outcome::Timeout => "timeout",
                _ => "network",
            });
        }
        o.push_str("}}");
        json::key(&mut o, "timestamp");
        o.push('"');
        json::iso_time(&mut o, at as u64);
        o.push_str("\"}");
        if let Some(item) = self.before_send(o) {
            self.enqueue(Channel::Events, item, false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_requests() {
        let kinds = |xhr, status, o, ms| classify(xhr, status, o, ms, 5000, &[404]).iter().map(|r| r.0).collect::<Vec<_>>();
        assert_eq!(kinds(false, 200, Outcome::Load, 10.0), Vec::<&str>::new());
        assert_eq!(kinds(false, 500, Outcome::Load, 10.0), vec!["http_error"]);
        assert_eq!(kinds(true, 500, Outcome::Load, 10.0), vec!["xhr_http_error"]);
        assert_eq!(kinds(false, 404, Outcome::Load, 10.0), Vec::<&str>::new(), "an ignored status");
        assert_eq!(kinds(false, 0, Outcome::Error, 10.0), vec!["network_error"]);
        assert_eq!(kinds(true, 0, Outcome::Error, 10.0), vec!["xhr_error"]);
        assert_eq!(kinds(true, 0, Outcome::Timeout, 10.0), vec!["xhr_error"]);
        assert_eq!(kinds(false, 0, Outcome::Abort, 9000.0), Vec::<&str>::new(), "an abort is not an error");
        assert_eq!(kinds(false, 200, Outcome::Load, 5001.0), vec!["slow_request"]);
        assert_eq!(kinds(false, 503, Outcome::Load, 6000.0), vec!["http_error", "slow_request"]);
        assert_eq!(outcome("timeout"), Outcome::Timeout);
        assert_eq!(outcome("load"), Outcome::Load);
    }

    #[test]
    fn origins() {
        assert_eq!(origin("https://api.example.com:8443/v1/x?y#z"), "https://api.example.com:8443");
        assert_eq!(origin("http://a.b"), "http://a.b");
        assert_eq!(origin("http://a.b?q"), "http://a.b");
    }
}
