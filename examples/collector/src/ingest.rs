//! Parsing and validation of the SDK's batches (DESIGN.md §3).
//!
//! Everything here is pure: bytes in, a validated [`Batch`] or a message out.
//! The messages are meant for a developer reading the collector's 400 answer
//! (or the SDK's debug log), so they name the exact field that is wrong.

use serde::Deserialize;
use serde_json::{Map, Value};
use sightline_core::wire;

/// One ingest channel: a URL path on the collector and a `channel` value in the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Channel {
    Errors,
    Metrics,
    Events,
    Health,
    Alerts,
    OtlpLogs,
    OtlpMetrics,
    OtlpTraces,
}

impl Channel {
    pub const ALL: [Channel; 8] = [
        Channel::Errors,
        Channel::Metrics,
        Channel::Events,
        Channel::Health,
        Channel::Alerts,
        Channel::OtlpLogs,
        Channel::OtlpMetrics,
        Channel::OtlpTraces,
    ];

    /// The name used in the store, in query strings and in admin rules.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Errors => "errors",
            Channel::Metrics => "metrics",
            Channel::Events => "events",
            Channel::Health => "health",
            Channel::Alerts => "alerts",
            Channel::OtlpLogs => "otlp_logs",
            Channel::OtlpMetrics => "otlp_metrics",
            Channel::OtlpTraces => "otlp_traces",
        }
    }

    pub fn from_name(name: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The collector path the SDK posts this channel to (its default endpoint).
    pub fn path(self) -> &'static str {
        match self {
            Channel::Errors => "/api/errors",
            Channel::Metrics => "/api/metrics",
            Channel::Events => "/api/analytics/events",
            Channel::Health => "/api/health/status",
            Channel::Alerts => "/api/alerts",
            Channel::OtlpLogs => "/v1/logs",
            Channel::OtlpMetrics => "/v1/metrics",
            Channel::OtlpTraces => "/v1/traces",
        }
    }

    pub fn from_path(path: &str) -> Option<Channel> {
        // A trailing slash is forgiven: `/api/errors/` is the same endpoint.
        let path = match path.strip_suffix('/') {
            Some(p) if !p.is_empty() => p,
            _ => path,
        };
        Channel::ALL.into_iter().find(|c| c.path() == path)
    }

    /// Key of the event array in a native batch; `None` for OTLP, whose body is one event.
    pub fn array_key(self) -> Option<&'static str> {
        match self {
            Channel::Errors => Some("errors"),
            Channel::Metrics => Some("metrics"),
            Channel::Events => Some("events"),
            Channel::Health => Some("health"),
            Channel::Alerts => Some("alerts"),
            Channel::OtlpLogs | Channel::OtlpMetrics | Channel::OtlpTraces => None,
        }
    }

    /// For health and alerts the SDK may also post one bare object; this is the
    /// string field that identifies that form.
    fn single_object_key(self) -> Option<&'static str> {
        match self {
            Channel::Health => Some("status"),
            Channel::Alerts => Some("key"),
            _ => None,
        }
    }
}

/// The fields that describe a whole batch rather than one event.
pub const BATCH_FIELDS: [&str; 5] = ["sdk", "sessionId", "sentAt", "dropped", "batchId"];

/// A validated batch, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// `sessionId` of the batch, when it has one.
    pub session_id: Option<String>,
    /// `batchId`: a batch sent again (a retry, a copy at page unload) has the same one.
    pub batch_id: Option<String>,
    /// The batch fields (everything but the event array), stored beside each event.
    pub batch: Map<String, Value>,
    /// The events, each a JSON object.
    pub events: Vec<Value>,
}

impl Batch {
    /// Session of one event: the batch's, else the event's own `sessionId`
    /// (error objects carry one), else none.
    pub fn session_of(&self, event: &Value) -> Option<String> {
        self.session_id.clone().or_else(|| {
            event
                .get("sessionId")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
    }
}

/// Short description of a JSON value's type, for error messages.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Parses and validates one request body for `channel`.
///
/// Nothing is partially accepted: any problem rejects the whole batch, so the
/// SDK's behaviour on a 400 (drop, report) is the same for every kind of mistake.
pub fn parse_batch(channel: Channel, body: &[u8]) -> Result<Batch, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err("request body is empty; expected a JSON object".to_owned());
    }
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("malformed JSON: {e}"))?;
    let mut obj = match value {
        Value::Object(obj) => obj,
        other => {
            return Err(format!(
                "body must be a JSON object, found {}",
                type_name(&other)
            ))
        }
    };

    let Some(key) = channel.array_key() else {
        // OTLP exports are read by the protobuf definitions (`otlp::parse`)
        return Err(format!("{} takes OTLP exports", channel.path()));
    };

    // Health and alerts: a bare status/alert object instead of a batch.
    if let Some(single_key) = channel.single_object_key() {
        if !obj.contains_key(key) {
            return match obj.get(single_key) {
                Some(Value::String(_)) => {
                    let batch = split_batch_fields(&mut obj)?;
                    let events = vec![Value::Object(obj)];
                    check_items(channel, key, &events)?;
                    Ok(Batch {
                        session_id: batch_session(&batch),
                        batch_id: batch_string(&batch, "batchId"),
                        batch,
                        events,
                    })
                }
                Some(other) => Err(format!(
                    "`{single_key}` must be a string, found {}",
                    type_name(other)
                )),
                None => {
                    Err(format!(
                    "expected a `{key}` array or a single {} object with a string `{single_key}`",
                    if channel == Channel::Health { "status" } else { "alert" }
                ))
                }
            };
        }
    }

    let events = match obj.remove(key) {
        Some(Value::Array(events)) => events,
        Some(other) => {
            return Err(format!(
                "`{key}` must be an array, found {}",
                type_name(&other)
            ))
        }
        None => return Err(format!("missing `{key}` array")),
    };
    if let Some(i) = events.iter().position(|e| !e.is_object()) {
        return Err(format!(
            "`{key}[{i}]` is not an object (found {})",
            type_name(&events[i])
        ));
    }
    // Whatever else sits beside the array (known batch fields or future ones)
    // describes the batch; the known ones are type-checked.
    check_batch_fields(&obj)?;
    check_items(channel, key, &events)?;
    Ok(Batch {
        session_id: batch_session(&obj),
        batch_id: batch_string(&obj, "batchId"),
        batch: obj,
        events,
    })
}

/// Each event read as the wire format's type of its channel (sightline-core's `wire`): a field
/// the SDK does not write, or one of the wrong type, rejects the batch, naming the item.
fn check_items(channel: Channel, key: &str, events: &[Value]) -> Result<(), String> {
    for (i, e) in events.iter().enumerate() {
        let read = match channel {
            Channel::Errors => wire::ErrorItem::deserialize(e).map(drop),
            Channel::Metrics => wire::MetricItem::deserialize(e).map(drop),
            Channel::Events => wire::EventItem::deserialize(e).map(drop),
            Channel::Health => wire::HealthItem::deserialize(e).map(drop),
            Channel::Alerts => wire::AlertItem::deserialize(e).map(drop),
            Channel::OtlpLogs | Channel::OtlpMetrics | Channel::OtlpTraces => Ok(()),
        };
        read.map_err(|err| format!("`{key}[{i}]`: {err}"))?;
    }
    Ok(())
}

/// Moves the known batch fields out of a single-object body, type-checking them.
fn split_batch_fields(obj: &mut Map<String, Value>) -> Result<Map<String, Value>, String> {
    let mut batch = Map::new();
    for field in BATCH_FIELDS {
        if let Some(v) = obj.remove(field) {
            batch.insert(field.to_owned(), v);
        }
    }
    check_batch_fields(&batch)?;
    Ok(batch)
}

fn check_batch_fields(obj: &Map<String, Value>) -> Result<(), String> {
    if let Some(sdk) = obj.get("sdk") {
        let Value::Object(sdk) = sdk else {
            return Err(format!("`sdk` must be an object, found {}", type_name(sdk)));
        };
        for field in ["name", "version"] {
            match sdk.get(field) {
                None | Some(Value::String(_)) => {}
                Some(other) => {
                    return Err(format!(
                        "`sdk.{field}` must be a string, found {}",
                        type_name(other)
                    ))
                }
            }
        }
    }
    for field in ["sessionId", "sentAt", "batchId"] {
        match obj.get(field) {
            None | Some(Value::String(_)) => {}
            Some(other) => {
                return Err(format!(
                    "`{field}` must be a string, found {}",
                    type_name(other)
                ))
            }
        }
    }
    match obj.get("dropped") {
        None => {}
        Some(Value::Number(n)) if n.as_f64().is_some_and(|d| d >= 0.0) => {}
        Some(Value::Number(n)) => {
            return Err(format!(
                "`dropped` must be a non-negative number, found {n}"
            ))
        }
        Some(other) => {
            return Err(format!(
                "`dropped` must be a number, found {}",
                type_name(other)
            ))
        }
    }
    Ok(())
}

fn batch_session(obj: &Map<String, Value>) -> Option<String> {
    batch_string(obj, "sessionId")
}

fn batch_string(obj: &Map<String, Value>, field: &str) -> Option<String> {
    obj.get(field).and_then(Value::as_str).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(channel: Channel, v: Value) -> Result<Batch, String> {
        parse_batch(channel, v.to_string().as_bytes())
    }

    const T: &str = "2025-01-01T00:00:00.000Z";

    fn error(message: &str) -> Value {
        json!({"type": "javascript", "message": message, "timestamp": T})
    }

    fn health(status: &str) -> Value {
        json!({"status": status, "timestamp": T, "checks": [], "summary": {"healthy": 0, "degraded": 0, "unhealthy": 0, "unknown": 0, "total": 0}})
    }

    fn alert(key: &str) -> Value {
        json!({"id": "a1", "key": key, "severity": "critical", "title": "t", "status": "active", "timestamp": T})
    }

    fn envelope(key: &str, events: Value) -> Value {
        json!({
            key: events,
            "sdk": {"name": "sightline", "version": "0.1.0"},
            "sessionId": "s-1",
            "sentAt": "2025-01-01T00:00:00.000Z",
        })
    }

    #[test]
    fn channel_names_and_paths_round_trip() {
        for c in Channel::ALL {
            assert_eq!(Channel::from_name(c.name()), Some(c));
            assert_eq!(Channel::from_path(c.path()), Some(c));
        }
        assert_eq!(Channel::from_path("/api/errors/"), Some(Channel::Errors));
        assert_eq!(Channel::from_path("/api/error"), None);
        assert_eq!(Channel::from_path("/"), None);
        assert_eq!(Channel::from_name("nope"), None);
    }

    #[test]
    fn good_errors_batch() {
        let b = parse(
            Channel::Errors,
            envelope(
                "errors",
                json!([error("boom"), {"type": "manual", "message": "hi", "timestamp": T}]),
            ),
        )
        .unwrap();
        assert_eq!(b.events.len(), 2);
        assert_eq!(b.session_id.as_deref(), Some("s-1"));
        assert!(!b.batch.contains_key("errors"));
        assert_eq!(b.batch["sdk"]["name"], "sightline");
        assert_eq!(b.batch["sentAt"], "2025-01-01T00:00:00.000Z");
        assert_eq!(b.events[0]["message"], "boom");
    }

    #[test]
    fn good_metrics_and_events_batches() {
        let m = parse(
            Channel::Metrics,
            envelope(
                "metrics",
                json!([{"name": "web_vitals_lcp", "value": 1200.5, "timestamp": T, "tags": {"pageViewId": "p"}, "rating": "good"}]),
            ),
        )
        .unwrap();
        assert_eq!(m.events.len(), 1);
        let e = parse(
            Channel::Events,
            envelope(
                "events",
                json!([{"type": "page_view", "data": {"url": "https://a/", "title": "A", "referrer": "", "loadTime": 12,
                    "viewport": {"width": 800, "height": 600}, "userAgent": "UA", "navigation": "load", "pageViewId": "p", "seq": 1}, "timestamp": T}]),
            ),
        )
        .unwrap();
        assert_eq!(e.events[0]["type"], "page_view");
        // an item the SDK would not write is refused, naming it and the field
        let bad = parse(Channel::Events, envelope("events", json!([{"type": "page_view", "data": {}, "timestamp": T}]))).unwrap_err();
        assert!(bad.starts_with("`events[0]`: missing field `url`"), "{bad}");
        let bad = parse(Channel::Errors, envelope("errors", json!([error("a"), {"type": "javascript", "message": "m", "timestamp": 1}]))).unwrap_err();
        assert!(bad.starts_with("`errors[1]`: invalid type: integer `1`, expected a string"), "{bad}");
        let bad = parse(Channel::Metrics, envelope("metrics", json!([{"name": "m", "value": 1, "timestamp": T, "tags": {}, "extra": 1}]))).unwrap_err();
        assert!(bad.starts_with("`metrics[0]`: unknown field `extra`"), "{bad}");
    }

    #[test]
    fn batch_fields_are_optional_and_extra_fields_kept() {
        let b = parse(Channel::Errors, json!({"errors": [error("e")], "extra": 5})).unwrap();
        assert_eq!(b.session_id, None);
        assert_eq!(b.batch, json!({"extra": 5}).as_object().unwrap().clone());
    }

    #[test]
    fn dropped_count_is_accepted() {
        let mut v = envelope("events", json!([]));
        v["dropped"] = json!(7);
        let b = parse(Channel::Events, v).unwrap();
        assert_eq!(b.batch["dropped"], 7);
    }

    #[test]
    fn empty_arrays_are_accepted() {
        for c in [
            Channel::Errors,
            Channel::Metrics,
            Channel::Events,
            Channel::Health,
            Channel::Alerts,
        ] {
            let b = parse(c, envelope(c.array_key().unwrap(), json!([]))).unwrap();
            assert!(b.events.is_empty(), "{c:?}");
        }
    }

    #[test]
    fn health_single_and_batch_forms() {
        let single = parse(
            Channel::Health,
            {
                let mut h = health("healthy");
                h["sessionId"] = json!("s-2");
                h["sdk"] = json!({"name": "sightline"});
                h
            },
        )
        .unwrap();
        assert_eq!(single.events.len(), 1);
        assert_eq!(single.session_id.as_deref(), Some("s-2"));
        // Batch fields move to `batch`, the status stays in the event.
        assert_eq!(single.events[0], health("healthy"));
        assert_eq!(single.batch["sdk"]["name"], "sightline");

        let batch = parse(
            Channel::Health,
            envelope(
                "health",
                json!([health("degraded"), health("healthy")]),
            ),
        )
        .unwrap();
        assert_eq!(batch.events.len(), 2);
    }

    #[test]
    fn alert_single_and_batch_forms() {
        let single = parse(
            Channel::Alerts,
            alert("errorRate"),
        )
        .unwrap();
        assert_eq!(single.events.len(), 1);
        assert_eq!(single.events[0]["key"], "errorRate");
        assert!(single.batch.is_empty());

        let batch = parse(Channel::Alerts, envelope("alerts", json!([alert("x")]))).unwrap();
        assert_eq!(batch.events.len(), 1);
    }

    #[test]
    fn health_and_alert_wrong_single_forms() {
        let e = parse(Channel::Health, json!({"timestamp": 1})).unwrap_err();
        assert!(
            e.contains("`health` array") && e.contains("`status`"),
            "{e}"
        );
        let e = parse(Channel::Health, json!({"status": 1})).unwrap_err();
        assert_eq!(e, "`status` must be a string, found a number");
        let e = parse(Channel::Alerts, json!({"key": null})).unwrap_err();
        assert_eq!(e, "`key` must be a string, found null");
        let e = parse(Channel::Alerts, json!({"title": "x"})).unwrap_err();
        assert!(e.contains("`alerts` array"), "{e}");
        // With the array key present, the batch form is validated.
        let e = parse(Channel::Health, json!({"health": {"status": "ok"}})).unwrap_err();
        assert_eq!(e, "`health` must be an array, found an object");
        // A single object's batch fields are type-checked too.
        let e = parse(Channel::Alerts, json!({"key": "k", "sessionId": 3})).unwrap_err();
        assert_eq!(e, "`sessionId` must be a string, found a number");
    }

    #[test]
    fn malformed_json_is_rejected() {
        let e = parse_batch(Channel::Errors, b"{\"errors\": [").unwrap_err();
        assert!(e.starts_with("malformed JSON:"), "{e}");
        let e = parse_batch(Channel::Errors, b"not json").unwrap_err();
        assert!(e.starts_with("malformed JSON:"), "{e}");
        let e = parse_batch(Channel::Errors, &[0xff, 0xfe, b'{']).unwrap_err();
        assert!(e.starts_with("malformed JSON:"), "{e}");
        let e = parse_batch(Channel::Errors, b"").unwrap_err();
        assert!(e.contains("empty"), "{e}");
    }

    #[test]
    fn wrong_shapes_are_rejected() {
        let e = parse(Channel::Errors, json!([{"type": "x"}])).unwrap_err();
        assert_eq!(e, "body must be a JSON object, found an array");
        let e = parse(Channel::Errors, json!({"metrics": []})).unwrap_err();
        assert_eq!(e, "missing `errors` array");
        let e = parse(Channel::Metrics, json!({"metrics": "x"})).unwrap_err();
        assert_eq!(e, "`metrics` must be an array, found a string");
        let e = parse(Channel::Errors, json!({"errors": [{}, {}, 3]})).unwrap_err();
        assert_eq!(e, "`errors[2]` is not an object (found a number)");
        let e = parse(Channel::Events, json!({"events": [null]})).unwrap_err();
        assert_eq!(e, "`events[0]` is not an object (found null)");
    }

    #[test]
    fn wrong_batch_field_types_are_rejected() {
        let cases = [
            (
                json!({"errors": [], "sdk": "sightline"}),
                "`sdk` must be an object, found a string",
            ),
            (
                json!({"errors": [], "sdk": {"name": 1}}),
                "`sdk.name` must be a string, found a number",
            ),
            (
                json!({"errors": [], "sdk": {"version": []}}),
                "`sdk.version` must be a string, found an array",
            ),
            (
                json!({"errors": [], "sessionId": 42}),
                "`sessionId` must be a string, found a number",
            ),
            (
                json!({"errors": [], "sentAt": null}),
                "`sentAt` must be a string, found null",
            ),
            (
                json!({"errors": [], "dropped": "3"}),
                "`dropped` must be a number, found a string",
            ),
            (
                json!({"errors": [], "dropped": -1}),
                "`dropped` must be a non-negative number, found -1",
            ),
        ];
        for (body, want) in cases {
            assert_eq!(parse(Channel::Errors, body).unwrap_err(), want);
        }
    }

    #[test]
    fn session_falls_back_to_the_event() {
        let mut with_session = error("e");
        with_session["sessionId"] = json!("e-1");
        let b = parse(
            Channel::Errors,
            json!({"errors": [with_session.clone(), error("f")]}),
        )
        .unwrap();
        assert_eq!(b.session_of(&b.events[0]).as_deref(), Some("e-1"));
        assert_eq!(b.session_of(&b.events[1]), None);
        let b = parse(
            Channel::Errors,
            json!({"errors": [with_session], "sessionId": "b"}),
        )
        .unwrap();
        assert_eq!(b.session_of(&b.events[0]).as_deref(), Some("b"));
    }
}
