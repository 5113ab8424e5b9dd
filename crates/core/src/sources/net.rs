//! Network: every `fetch` and `XMLHttpRequest` the page makes (wrapped by js/net.js). An ended
//! request becomes counts per origin, error bodies (`http_error`, `network_error`,
//! `slow_request`, `xhr_http_error`, `xhr_error`) and, when traced, a client span. Which requests
//! are the SDK's own, and which get a `traceparent`, is decided here.
use crate::config::{Config, Pattern};
use crate::event::{Error, Http, Outcome, Span};
use crate::json;
use crate::platform::{Platform, Rng};
use crate::privacy;
use crate::signal::Request;

/// At most this many origins are counted (requests to others count under the last slot's name).
pub const MAX_ORIGINS: usize = 32;

/// Requests to one origin, for `stats()` and the dashboard.
#[derive(Default, Clone, Debug, PartialEq)]
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

/// What one ended request gives.
#[derive(Debug, Default)]
pub struct Ended {
    pub errors: Vec<Error>,
    pub span: Option<Span>,
    pub failed: bool,
    /// a network error or 5xx: the service was not there
    pub unavailable: bool,
    pub slow: bool,
    pub aborted: bool,
    pub ms: f64,
}

#[derive(Default)]
pub struct Net {
    pub origins: Vec<OriginStats>,
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

/// Whether `url` is one of `ours` (the collector endpoints), ignoring query and fragment. The
/// SDK's requests use the page's `fetch` as it was before any wrapper, so this catches what goes
/// around that: a second client's requests, resource timing entries.
pub fn is_own(url: &str, ours: &[String]) -> bool {
    ours.iter().any(|o| url.strip_prefix(o.as_str()).is_some_and(|rest| matches!(rest.as_bytes().first(), None | Some(b'?' | b'#'))))
}

impl Net {
    /// An ended request; `None` for the SDK's own.
    pub fn ended(&mut self, r: &Request, own: &[String], cfg: &Config) -> Option<Ended> {
        if is_own(&r.url, own) {
            return None;
        }
        let records = classify(r.xhr, r.status, r.outcome, r.ms, cfg.slow_request_ms, &cfg.ignore_status);
        let failed = records.iter().any(|x| x.0 != "slow_request");
        let aborted = r.outcome == Outcome::Abort;
        let o = origin(&r.url);
        let len = self.origins.len();
        let slot = match self.origins.iter().position(|s| s.origin == o) {
            Some(i) => i,
            None if len < MAX_ORIGINS => {
                self.origins.push(OriginStats { origin: String::from(o), ..OriginStats::default() });
                len
            }
            None => len - 1,
        };
        if let Some(s) = self.origins.get_mut(slot) {
            if aborted {
                s.aborted += 1;
            } else {
                s.count += 1;
                s.failed += u32::from(failed);
                s.duration_ms += r.ms;
                s.bytes += r.size.max(0.0);
            }
        }
        let mut out = Ended {
            failed,
            unavailable: failed && (r.status == 0 || r.status >= 500),
            slow: records.iter().any(|x| x.0 == "slow_request"),
            aborted,
            ms: r.ms,
            ..Ended::default()
        };
        let traced = r.traceparent.len() > 50;
        if records.is_empty() && !traced {
            return Some(out); // the common case: counted, nothing to send
        }
        let mut url = privacy::scrub_url(&r.url, &cfg.scrub_params);
        json::truncate(&mut url, 500);
        let method = if r.method.is_empty() { String::from("GET") } else { r.method.to_ascii_uppercase() };
        for (kind, name, tail) in records {
            let mut message = method.clone();
            message.push(' ');
            message.push_str(&url);
            message.push_str(tail);
            match kind {
                "slow_request" => {
                    json::uint(&mut message, r.ms as u64);
                    message.push_str(" ms");
                }
                "http_error" | "xhr_http_error" => json::uint(&mut message, u64::from(r.status)),
                _ => {}
            }
            out.errors.push(Error {
                kind,
                name: String::from(name),
                message,
                level: "error",
                http: Some(Http { xhr: r.xhr, method: method.clone(), url: url.clone(), status: r.status, duration_ms: r.ms as u64, size: r.size }),
                count: 1,
                ..Error::default()
            });
        }
        if traced {
            // `00-<32 hex trace id>-<16 hex span id>-01`
            let (trace_id, span_id) = (r.traceparent.get(3..35).unwrap_or(""), r.traceparent.get(36..52).unwrap_or(""));
            out.span = Some(Span {
                trace_id: String::from(trace_id),
                span_id: String::from(span_id),
                method,
                url,
                status: r.status,
                outcome: r.outcome,
                start: r.start,
                duration: r.ms,
                size: r.size,
            });
        }
        Some(out)
    }
}

/// Whether a traced request to `url` may carry `traceparent`: the page's own origin, and the
/// `tracing.propagateTo` matches (a string is a URL prefix that ends at a boundary, so
/// `https://api.example.com` does not match `https://api.example.com.evil`).
pub fn may_propagate(url: &str, page: &str, cfg: &Config, p: &mut impl Platform) -> bool {
    origin(url) == origin(page)
        || cfg.propagate_to.iter().any(|pat| match pat {
            Pattern::Sub(prefix) => {
                url.starts_with(prefix.as_str())
                    && (matches!(prefix.as_bytes().last(), Some(b'/' | b'?' | b'#')) || matches!(url.as_bytes().get(prefix.len()), None | Some(b'/' | b'?' | b'#' | b':')))
            }
            Pattern::Regex(i) => p.matches(*i, url),
        })
}

/// A request is about to start: whether it is traced (tracing on, this session sampled, the
/// request sampled) — `0` not, `1` its span only, `2` its span and a `traceparent` header.
pub fn trace(url: &str, page: &str, cfg: &Config, sampled: bool, rng: &mut Rng, p: &mut impl Platform) -> u32 {
    if !cfg.tracing_enabled || !sampled || rng.unit() >= cfg.tracing_sample_rate {
        return 0;
    }
    1 + u32::from(may_propagate(url, page, cfg, p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Val;
    use crate::testing::Fake;

    fn cfg(extra: &[(&str, Val)]) -> Config {
        crate::testing::config(extra)
    }

    fn req(url: &str, status: u16, outcome: Outcome, ms: f64) -> Request {
        Request { xhr: false, method: "get".into(), url: url.into(), outcome, status, ms, size: 12.0, start: 1000.0, traceparent: String::new() }
    }

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
    }

    #[test]
    fn origins_and_own_urls() {
        assert_eq!(origin("https://api.example.com:8443/v1/x?y#z"), "https://api.example.com:8443");
        assert_eq!(origin("http://a.b"), "http://a.b");
        assert_eq!(origin("http://a.b?q"), "http://a.b");
        let ours = [String::from("http://c.test/api/errors"), String::from("http://c.test/api/metrics")];
        assert!(is_own("http://c.test/api/errors", &ours));
        assert!(is_own("http://c.test/api/metrics?x=1", &ours));
        assert!(!is_own("http://c.test/api/errorsx", &ours));
        assert!(!is_own("http://c.test/api/", &ours));
        assert!(!is_own("http://other/api/errors", &ours));
    }

    #[test]
    fn ended_requests_count_per_origin_and_make_errors() {
        let c = cfg(&[]);
        let mut net = Net::default();
        let own = [String::from("https://c/api/errors")];
        assert!(net.ended(&req("https://c/api/errors", 200, Outcome::Load, 5.0), &own, &c).is_none());
        let ok = net.ended(&req("https://api.x/a", 200, Outcome::Load, 5.0), &own, &c).unwrap();
        assert!(ok.errors.is_empty() && !ok.failed);
        let bad = net.ended(&req("https://api.x/b?token=t0ps3cret", 503, Outcome::Load, 7.0), &own, &c).unwrap();
        assert!(bad.failed && bad.unavailable);
        assert_eq!(bad.errors[0].message, "GET https://api.x/b?token=[Filtered] answered 503");
        net.ended(&req("https://api.x/c", 0, Outcome::Abort, 1.0), &own, &c);
        assert_eq!(net.origins[0], OriginStats { origin: "https://api.x".into(), count: 2, failed: 1, duration_ms: 12.0, bytes: 24.0, aborted: 1 });
    }

    #[test]
    fn traces_only_when_sampled_and_propagates_only_where_allowed() {
        let c = cfg(&[("tracing", Val::Obj), ("tracing.enabled", Val::Bool(true)), ("tracing.sampleRate", Val::Num(1.0)), ("tracing.propagateTo", Val::Arr(vec![Val::Str("https://api.example.com".into())]))]);
        let mut p = Fake::default();
        let mut rng = Rng::new(3);
        let page = "https://shop.example/cart";
        assert_eq!(trace("https://shop.example/x", page, &c, false, &mut rng, &mut p), 0, "unsampled session");
        assert_eq!(trace("https://shop.example/x", page, &c, true, &mut rng, &mut p), 2, "the page's own origin");
        assert_eq!(trace("https://api.example.com/v1", page, &c, true, &mut rng, &mut p), 2);
        assert_eq!(trace("https://api.example.com.evil/v1", page, &c, true, &mut rng, &mut p), 1, "not a boundary");
        assert_eq!(trace("https://api.example.com:8443/v1", page, &c, true, &mut rng, &mut p), 2);
        assert_eq!(trace("https://other.example/v1", page, &c, true, &mut rng, &mut p), 1);
        let mut net = Net::default();
        let t = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        let mut r = req("https://shop.example/x", 200, Outcome::Load, 3.0);
        r.traceparent = String::from(t);
        let span = net.ended(&r, &[], &c).unwrap().span.unwrap();
        assert_eq!(span.trace_id, "0af7651916cd43dd8448eb211c80319c");
        assert_eq!(span.span_id, "b7ad6b7169203331");
        assert_eq!(trace("https://shop.example/x", page, &cfg(&[]), true, &mut rng, &mut p), 0, "tracing off");
    }
}
