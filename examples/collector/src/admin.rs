//! Test hooks: injected failures and the log of ingest requests.
//!
//! The end-to-end tests use these to check the SDK's retry, backoff,
//! `Retry-After` and persistence paths without stopping the collector.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::ingest::{type_name, Channel};

/// How many ingest requests the log keeps (oldest dropped first).
pub const REQUEST_LOG_CAP: usize = 10_000;

/// One failure rule, from `POST /__admin/fail`.
#[derive(Debug, Clone, PartialEq)]
pub struct FailRule {
    pub status: u16,
    pub retry_after: Option<String>,
    /// The answer's JSON body instead of the error message (e.g. an OTLP `partialSuccess`).
    pub body: Option<String>,
    /// Requests still to fail; `None` = no count limit.
    pub remaining: Option<u64>,
    /// End of the failure window; `None` = no time limit.
    pub until: Option<Instant>,
}

/// What a failing request is answered with.
#[derive(Debug, Clone, PartialEq)]
pub struct Injected {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: Option<String>,
}

/// A rule's target: one channel, or every channel (`"channel":"*"`).
pub type Target = Option<Channel>;

/// Parses the body of `POST /__admin/fail`:
/// `{"channel":"errors","status":503,"count":3,"retryAfter":"2","forMs":3000}`, and `"body"`: a
/// JSON value to answer with instead of the error message.
pub fn parse_fail_rule(body: &[u8], now: Instant) -> Result<(Target, FailRule), String> {
    let v: Value = serde_json::from_slice(body).map_err(|e| format!("malformed JSON: {e}"))?;
    let Value::Object(o) = v else {
        return Err(format!(
            "body must be a JSON object, found {}",
            type_name(&v)
        ));
    };
    let target = match o.get("channel") {
        Some(Value::String(s)) if s == "*" => None,
        Some(Value::String(s)) => Some(Channel::from_name(s).ok_or_else(|| {
            format!(
                "unknown channel `{s}` (expected one of {}, or `*`)",
                channel_list()
            )
        })?),
        Some(other) => {
            return Err(format!(
                "`channel` must be a string, found {}",
                type_name(other)
            ))
        }
        None => return Err("missing `channel`".to_owned()),
    };
    let status = match o.get("status") {
        Some(Value::Number(n)) => match n.as_u64() {
            Some(s @ 200..=599) => s as u16,
            _ => {
                return Err(format!(
                    "`status` must be an HTTP status from 200 to 599, found {n}"
                ))
            }
        },
        Some(other) => {
            return Err(format!(
                "`status` must be a number, found {}",
                type_name(other)
            ))
        }
        None => return Err("missing `status`".to_owned()),
    };
    let retry_after = match o.get("retryAfter") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if is_header_safe(s) => Some(s.clone()),
        Some(Value::String(_)) => return Err("`retryAfter` must be printable ASCII".to_owned()),
        // A number is what people type; it means seconds, like the header.
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(other) => {
            return Err(format!(
                "`retryAfter` must be a string, found {}",
                type_name(other)
            ))
        }
    };
    let body = o.get("body").filter(|b| !b.is_null()).map(Value::to_string);
    let remaining = match o.get("count") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => Some(
            n.as_u64()
                .ok_or_else(|| format!("`count` must be a non-negative integer, found {n}"))?,
        ),
        Some(other) => {
            return Err(format!(
                "`count` must be a number, found {}",
                type_name(other)
            ))
        }
    };
    let until = match o.get("forMs") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => {
            let ms = n
                .as_f64()
                .filter(|ms| ms.is_finite() && *ms >= 0.0)
                .ok_or_else(|| format!("`forMs` must be a non-negative number, found {n}"))?;
            // Capped at a year so the addition cannot overflow.
            Some(now + Duration::from_millis(ms.min(3.15e10) as u64))
        }
        Some(other) => {
            return Err(format!(
                "`forMs` must be a number, found {}",
                type_name(other)
            ))
        }
    };
    Ok((
        target,
        FailRule {
            status,
            retry_after,
            body,
            remaining,
            until,
        },
    ))
}

fn channel_list() -> String {
    Channel::ALL
        .iter()
        .map(|c| c.name())
        .collect::<Vec<_>>()
        .join(", ")
}

fn is_header_safe(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// One line of the request log.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestRecord {
    pub channel: Channel,
    pub at: i64,
    pub status: u16,
    pub bytes: u64,
    pub content_type: Option<String>,
    /// `Content-Encoding` (an OTLP exporter may gzip)
    pub content_encoding: Option<String>,
}

impl RequestRecord {
    pub fn to_json(&self) -> Value {
        json!({
            "channel": self.channel.name(),
            "at": self.at,
            "status": self.status,
            "bytes": self.bytes,
            "contentType": self.content_type,
            "contentEncoding": self.content_encoding,
        })
    }
}

#[derive(Default)]
pub struct Admin {
    rules: Mutex<HashMap<Target, FailRule>>,
    log: Mutex<VecDeque<RequestRecord>>,
    /// What test pages post to `/__test/sink`: data that is not the SDK's (a reference library's
    /// reports), kept apart from the typed channels.
    sink: Mutex<VecDeque<serde_json::Value>>,
}

/// Items `/__test/sink` keeps at most (the oldest go first).
const SINK_CAP: usize = 10_000;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // The guarded data stay consistent even if a holder panicked.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Admin {
    /// Installs a rule, replacing any earlier rule for the same target.
    pub fn set_rule(&self, target: Target, rule: FailRule) {
        lock(&self.rules).insert(target, rule);
    }

    /// Decides whether this ingest request must fail, consuming one use of the
    /// matching rule. A channel's own rule wins over the `*` rule.
    pub fn take_failure(&self, channel: Channel, now: Instant) -> Option<Injected> {
        let mut rules = lock(&self.rules);
        for target in [Some(channel), None] {
            let Some(rule) = rules.get_mut(&target) else {
                continue;
            };
            let expired = rule.until.is_some_and(|u| now >= u) || rule.remaining == Some(0);
            if expired {
                rules.remove(&target);
                continue;
            }
            let hit = Injected {
                status: rule.status,
                retry_after: rule.retry_after.clone(),
                body: rule.body.clone(),
            };
            if let Some(n) = rule.remaining.as_mut() {
                *n -= 1;
                if *n == 0 {
                    rules.remove(&target);
                }
            }
            return Some(hit);
        }
        None
    }

    pub fn record(&self, rec: RequestRecord) {
        let mut log = lock(&self.log);
        if log.len() >= REQUEST_LOG_CAP {
            log.pop_front();
        }
        log.push_back(rec);
    }

    /// The logged requests, oldest first, optionally of one channel.
    /// Keeps what a test page posted to `/__test/sink`.
    pub fn sink_push(&self, v: serde_json::Value) {
        let mut sink = lock(&self.sink);
        if sink.len() >= SINK_CAP {
            sink.pop_front();
        }
        sink.push_back(v);
    }

    pub fn sink(&self) -> Vec<serde_json::Value> {
        lock(&self.sink).iter().cloned().collect()
    }

    pub fn requests(&self, channel: Option<Channel>) -> Vec<RequestRecord> {
        lock(&self.log)
            .iter()
            .filter(|r| channel.is_none_or(|c| r.channel == c))
            .cloned()
            .collect()
    }

    /// Clears rules and the request log (the caller clears the store).
    pub fn reset(&self) {
        lock(&self.rules).clear();
        lock(&self.log).clear();
        lock(&self.sink).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(body: &str, now: Instant) -> (Target, FailRule) {
        parse_fail_rule(body.as_bytes(), now).unwrap()
    }

    #[test]
    fn parses_count_and_time_rules() {
        let now = Instant::now();
        let (t, r) = rule(r#"{"channel":"errors","status":503,"count":3}"#, now);
        assert_eq!(t, Some(Channel::Errors));
        assert_eq!(
            r,
            FailRule {
                status: 503,
                retry_after: None,
                body: None,
                remaining: Some(3),
                until: None
            }
        );
        let (_, r) = rule(r#"{"channel":"otlp_logs","status":200,"body":{"partialSuccess":{"rejectedLogRecords":"2"}}}"#, now);
        assert_eq!(r.body.as_deref(), Some(r#"{"partialSuccess":{"rejectedLogRecords":"2"}}"#));
        let (t, r) = rule(
            r#"{"channel":"otlp_traces","status":429,"retryAfter":"2","forMs":3000}"#,
            now,
        );
        assert_eq!(t, Some(Channel::OtlpTraces));
        assert_eq!(r.retry_after.as_deref(), Some("2"));
        assert_eq!(r.until, Some(now + Duration::from_millis(3000)));
        let (t, r) = rule(r#"{"channel":"*","status":500,"retryAfter":5}"#, now);
        assert_eq!(t, None);
        assert_eq!(r.retry_after.as_deref(), Some("5"));
    }

    #[test]
    fn rejects_bad_rules() {
        let now = Instant::now();
        let bad = [
            ("[]", "body must be a JSON object"),
            ("{", "malformed JSON"),
            (r#"{"status":503}"#, "missing `channel`"),
            (
                r#"{"channel":"nope","status":503}"#,
                "unknown channel `nope`",
            ),
            (r#"{"channel":"errors"}"#, "missing `status`"),
            (
                r#"{"channel":"errors","status":"503"}"#,
                "`status` must be a number",
            ),
            (
                r#"{"channel":"errors","status":99}"#,
                "`status` must be an HTTP status",
            ),
            (
                r#"{"channel":"errors","status":503,"count":-1}"#,
                "`count` must be a non-negative integer",
            ),
            (
                r#"{"channel":"errors","status":503,"forMs":"1"}"#,
                "`forMs` must be a number",
            ),
            (
                r#"{"channel":"errors","status":503,"retryAfter":"a\nb"}"#,
                "printable ASCII",
            ),
        ];
        for (body, want) in bad {
            let e = parse_fail_rule(body.as_bytes(), now).unwrap_err();
            assert!(e.contains(want), "{body}: {e}");
        }
    }

    #[test]
    fn count_rule_fails_n_requests() {
        let a = Admin::default();
        let now = Instant::now();
        let (t, r) = rule(r#"{"channel":"errors","status":503,"count":2}"#, now);
        a.set_rule(t, r);
        assert_eq!(a.take_failure(Channel::Metrics, now), None);
        assert_eq!(
            a.take_failure(Channel::Errors, now).map(|i| i.status),
            Some(503)
        );
        assert_eq!(
            a.take_failure(Channel::Errors, now).map(|i| i.status),
            Some(503)
        );
        assert_eq!(a.take_failure(Channel::Errors, now), None);
    }

    #[test]
    fn time_rule_ends_and_both_limits_end_at_the_first() {
        let a = Admin::default();
        let now = Instant::now();
        let (t, r) = rule(
            r#"{"channel":"errors","status":429,"retryAfter":"2","forMs":1000}"#,
            now,
        );
        a.set_rule(t, r);
        let hit = a
            .take_failure(Channel::Errors, now + Duration::from_millis(999))
            .unwrap();
        assert_eq!(
            hit,
            Injected {
                status: 429,
                retry_after: Some("2".into()),
                body: None,
            }
        );
        assert_eq!(
            a.take_failure(Channel::Errors, now + Duration::from_millis(1000)),
            None
        );

        // Count ends first.
        let (t, r) = rule(
            r#"{"channel":"events","status":500,"count":1,"forMs":60000}"#,
            now,
        );
        a.set_rule(t, r);
        assert!(a.take_failure(Channel::Events, now).is_some());
        assert!(a.take_failure(Channel::Events, now).is_none());
        // Time ends first.
        let (t, r) = rule(
            r#"{"channel":"events","status":500,"count":10,"forMs":10}"#,
            now,
        );
        a.set_rule(t, r);
        assert!(a.take_failure(Channel::Events, now).is_some());
        assert!(a
            .take_failure(Channel::Events, now + Duration::from_millis(10))
            .is_none());
    }

    #[test]
    fn unlimited_rule_replacement_wildcard_and_reset() {
        let a = Admin::default();
        let now = Instant::now();
        let (t, r) = rule(r#"{"channel":"health","status":502}"#, now);
        a.set_rule(t, r);
        for _ in 0..50 {
            assert!(a.take_failure(Channel::Health, now).is_some());
        }
        // A new rule for the channel replaces the old one.
        let (t, r) = rule(r#"{"channel":"health","status":504,"count":1}"#, now);
        a.set_rule(t, r);
        assert_eq!(
            a.take_failure(Channel::Health, now).map(|i| i.status),
            Some(504)
        );
        assert_eq!(a.take_failure(Channel::Health, now), None);
        // A count of 0 is a rule that never fires.
        let (t, r) = rule(r#"{"channel":"health","status":504,"count":0}"#, now);
        a.set_rule(t, r);
        assert_eq!(a.take_failure(Channel::Health, now), None);

        let (t, r) = rule(r#"{"channel":"*","status":503}"#, now);
        a.set_rule(t, r);
        let (t, r) = rule(r#"{"channel":"alerts","status":500}"#, now);
        a.set_rule(t, r);
        assert_eq!(
            a.take_failure(Channel::Alerts, now).map(|i| i.status),
            Some(500)
        );
        assert_eq!(
            a.take_failure(Channel::OtlpLogs, now).map(|i| i.status),
            Some(503)
        );
        a.reset();
        assert_eq!(a.take_failure(Channel::OtlpLogs, now), None);
    }

    #[test]
    fn request_log_is_bounded_and_filtered() {
        let a = Admin::default();
        for i in 0..(REQUEST_LOG_CAP as i64 + 5) {
            a.record(RequestRecord {
                channel: if i % 2 == 0 {
                    Channel::Errors
                } else {
                    Channel::Metrics
                },
                at: i,
                status: 200,
                bytes: 1,
                content_type: None,
                content_encoding: None,
            });
        }
        let all = a.requests(None);
        assert_eq!(all.len(), REQUEST_LOG_CAP);
        assert_eq!(all[0].at, 5);
        assert!(a
            .requests(Some(Channel::Errors))
            .iter()
            .all(|r| r.channel == Channel::Errors));
        assert_eq!(
            all[0].to_json(),
            json!({"channel": "metrics", "at": 5, "status": 200, "bytes": 1, "contentType": null, "contentEncoding": null})
        );
        a.reset();
        assert!(a.requests(None).is_empty());
    }
}
