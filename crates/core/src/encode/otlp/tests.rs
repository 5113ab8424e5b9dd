//! Every OTLP payload the delivery engine sends is read by the official protobuf definitions'
//! JSON mapping (the `opentelemetry-proto` crate), and written back by them without losing or
//! changing a thing: a misspelt key, a wrong type or a field the definitions do not have fails.
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value::Value as Any, KeyValue};
use opentelemetry_proto::tonic::metrics::v1::metric::Data;
use serde_json::Value;

use crate::config::{Config, Val};
use crate::delivery::{Ctx, Delivery};
use crate::encode::Page;
use crate::platform::Rng;
use crate::testing::{every_kind_sent, Fake, Post};

fn otlp_config() -> Config {
    let entries = [
        ("exporter", Val::Str("otlp".into())),
        ("service", Val::Str("shop-web".into())),
        ("release", Val::Str("2.4.1".into())),
        ("environment", Val::Str("production".into())),
        ("otlp", Val::Obj),
        ("otlp.endpoint", Val::Str("https://otel.example".into())),
    ];
    Config::from_entries(Some(&entries.map(|(k, v)| (k.to_string(), v)))).unwrap()
}

fn page() -> Page {
    Page { release: Some("2.4.1".into()), environment: Some("production".into()), user_agent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/156".into(), browser: "en-GB\nLinux\n0\nChromium 156,Not?A_Brand 24".into() }
}

/// Every kind of event, flushed through an OTLP delivery: the requests it made.
fn exports() -> Vec<Post> {
    every_kind_sent(&otlp_config(), &page())
}

/// `ours` is contained in `theirs`: every key with an equal value (numbers compared as numbers),
/// arrays item by item.
fn contained(ours: &Value, theirs: &Value, path: &str) {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                let Some(w) = b.get(k) else { panic!("{path}.{k}: not in the protobuf definitions' reading") };
                contained(v, w, &format!("{path}.{k}"));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{path}: array length");
            for (i, (v, w)) in a.iter().zip(b).enumerate() {
                contained(v, w, &format!("{path}[{i}]"));
            }
        }
        (Value::Number(a), Value::Number(b)) => assert_eq!(a.as_f64(), b.as_f64(), "{path}"),
        _ => assert_eq!(ours, theirs, "{path}"),
    }
}

/// Reads `body` as `T` and checks that writing it back keeps all of it.
fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(body: &str) -> T {
    let parsed: T = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    let ours: Value = serde_json::from_str(body).unwrap();
    contained(&ours, &serde_json::to_value(&parsed).unwrap(), "");
    parsed
}

fn attr<'a>(attrs: &'a [KeyValue], key: &str) -> Option<&'a Any> {
    attrs.iter().find(|a| a.key == key).and_then(|a| a.value.as_ref()).and_then(|v| v.value.as_ref())
}

fn s(attrs: &[KeyValue], key: &str) -> String {
    match attr(attrs, key) {
        Some(Any::StringValue(s)) => s.clone(),
        other => panic!("{key}: {other:?}"),
    }
}

#[test]
fn every_payload_reads_as_the_protobuf_definitions_say() {
    let sent = exports();
    let paths: Vec<&str> = sent.iter().map(|p| p.url.strip_prefix("https://otel.example").unwrap()).collect();
    assert!(paths.iter().all(|p| ["/v1/logs", "/v1/metrics", "/v1/traces"].contains(p)), "{paths:?}");
    let (mut logs, mut metrics, mut spans) = (Vec::new(), Vec::new(), Vec::new());
    for post in &sent {
        if post.url.ends_with("/v1/logs") {
            let r: ExportLogsServiceRequest = round_trip(&post.body);
            for rl in r.resource_logs {
                let res = rl.resource.unwrap();
                assert_eq!(s(&res.attributes, "service.name"), "shop-web");
                assert_eq!(s(&res.attributes, "service.version"), "2.4.1");
                assert_eq!(s(&res.attributes, "deployment.environment.name"), "production");
                assert_eq!(s(&res.attributes, "service.instance.id").len(), 16);
                assert!(s(&res.attributes, "user_agent.original").contains("Chrome"));
                assert_eq!(s(&res.attributes, "browser.language"), "en-GB");
                assert_eq!(s(&res.attributes, "browser.platform"), "Linux");
                assert_eq!(attr(&res.attributes, "browser.mobile"), Some(&Any::BoolValue(false)));
                match attr(&res.attributes, "browser.brands") {
                    Some(Any::ArrayValue(a)) => assert_eq!(a.values.len(), 2),
                    other => panic!("{other:?}"),
                }
                for sl in rl.scope_logs {
                    let scope = sl.scope.unwrap();
                    assert_eq!((scope.name.as_str(), s(&scope.attributes, "sightline.batch.id").len()), ("sightline", 16));
                    logs.extend(sl.log_records);
                }
            }
        } else if post.url.ends_with("/v1/metrics") {
            let r: ExportMetricsServiceRequest = round_trip(&post.body);
            // a metric stream's identity includes its scope: nothing there changes per export
            assert!(r.resource_metrics.iter().flat_map(|r| &r.scope_metrics).all(|s| s.scope.as_ref().unwrap().attributes.is_empty()));
            metrics.extend(r.resource_metrics.into_iter().flat_map(|r| r.scope_metrics).flat_map(|s| s.metrics));
        } else {
            let r: ExportTraceServiceRequest = round_trip(&post.body);
            spans.extend(r.resource_spans.into_iter().flat_map(|r| r.scope_spans).flat_map(|s| s.spans));
        }
    }
    let names: Vec<&str> = logs.iter().map(|l| l.event_name.as_str()).collect();
    for want in ["exception", "sightline.message", "browser.web_vital", "browser.navigation_timing", "sightline.performance", "browser.navigation", "browser.user_action.click", "sightline.user_action", "sightline.health", "sightline.alert"] {
        assert!(names.contains(&want), "{want} in {names:?}");
    }
    // every log record: its time, session, page view and page
    for l in &logs {
        assert_eq!(l.time_unix_nano, 1_800_000_000_000_000_000, "{}", l.event_name);
        assert_eq!(s(&l.attributes, "session.id"), "0123456789abcdef0123456789abcdef");
        assert_eq!(s(&l.attributes, "sightline.page_view.id"), "0000000000000007");
        assert_eq!(s(&l.attributes, "url.full"), "https://shop.example/cart");
        assert_eq!(s(&l.attributes, "user.id"), "u1");
    }
    let exception = logs.iter().find(|l| l.event_name == "exception").unwrap();
    assert_eq!((exception.severity_number, exception.severity_text.as_str()), (17, "ERROR"));
    assert_eq!(s(&exception.attributes, "exception.type"), "TypeError");
    assert_eq!(s(&exception.attributes, "exception.message"), "x is undefined");
    assert!(s(&exception.attributes, "exception.stacktrace").contains("app.js:1:2"));
    assert_eq!(attr(&exception.attributes, "sightline.error.count"), Some(&Any::IntValue(2)));
    assert_eq!(attr(&exception.attributes, "http.response.status_code"), Some(&Any::IntValue(500)));
    assert_eq!(s(&exception.attributes, "sightline.tag.plan"), "pro");
    let route = logs.iter().find(|l| attr(&l.attributes, "sightline.action") == Some(&Any::StringValue("route_change".into()))).unwrap();
    assert_eq!(route.event_name, "sightline.user_action", "its page view is the navigation");
    assert_eq!(logs.iter().filter(|l| l.event_name == "browser.navigation").count(), 1);
    let message = logs.iter().find(|l| l.event_name == "sightline.message").unwrap();
    assert_eq!(message.severity_number, 9);
    let vital = logs.iter().find(|l| l.event_name == "browser.web_vital").unwrap();
    assert_eq!(s(&vital.attributes, "browser.web_vital.name"), "lcp");
    assert_eq!(attr(&vital.attributes, "browser.web_vital.value"), Some(&Any::DoubleValue(812.5)));
    assert_eq!(attr(&vital.attributes, "browser.web_vital.delta"), Some(&Any::DoubleValue(812.5)));
    assert_eq!(s(&vital.attributes, "browser.web_vital.rating"), "good");
    assert_eq!(s(&vital.attributes, "browser.web_vital.navigation_type"), "navigate");
    assert_eq!(s(&vital.attributes, "browser.web_vital.id"), "v-0000000000000007-lcp");
    let health = logs.iter().find(|l| l.event_name == "sightline.health").unwrap();
    match attr(&health.attributes, "sightline.health.checks") {
        Some(Any::ArrayValue(a)) => assert_eq!(a.values.len(), 1),
        other => panic!("{other:?}"),
    }

    // the vital's histogram and the requests' (seconds), each a delta
    let by_name = |n: &str| metrics.iter().find(|m| m.name == n).unwrap_or_else(|| panic!("{n}"));
    let Some(Data::Histogram(h)) = &by_name("sightline.http.client.request.duration").data else { panic!() };
    assert_eq!((h.aggregation_temporality, by_name("sightline.http.client.request.duration").unit.as_str()), (1, "s"));
    let dp = &h.data_points[0];
    assert_eq!((dp.count, dp.sum, dp.min, dp.max), (3, Some(1.3125), Some(0.0125), Some(1.2)));
    assert_eq!(dp.bucket_counts.len(), dp.explicit_bounds.len() + 1);
    assert_eq!(dp.bucket_counts.iter().sum::<u64>(), dp.count);
    assert_eq!(dp.explicit_bounds[0], 0.005);
    assert!(dp.start_time_unix_nano < dp.time_unix_nano);
    let Some(Data::Sum(failed)) = &by_name("sightline.http.client.request.failed").data else { panic!() };
    assert!(failed.is_monotonic && failed.aggregation_temporality == 1);
    let Some(Data::Histogram(lcp)) = &by_name("sightline.web_vital.lcp").data else { panic!() };
    let dp = &lcp.data_points[0];
    assert_eq!((dp.count, dp.sum, by_name("sightline.web_vital.lcp").unit.as_str()), (1, Some(812.5), "ms"));
    assert_eq!(dp.bucket_counts.iter().sum::<u64>(), 1);

    // the traced request: ids of its traceparent, a client span, an error (it timed out)
    assert_eq!(spans.len(), 3);
    let span = spans.iter().find(|s| s.kind == 3).unwrap();
    assert_eq!((span.trace_id.len(), span.span_id.len(), span.kind), (16, 8, 3));
    assert_eq!(span.name, "GET");
    assert_eq!(span.status.as_ref().map(|s| s.code), Some(2));
    assert_eq!(s(&span.attributes, "error.type"), "timeout");
    assert_eq!(s(&span.attributes, "url.full"), "https://api/x");
    assert_eq!(span.end_time_unix_nano - span.start_time_unix_nano, 2_000_000);
    // the page load: documentLoad and its phase, children of it, in their own trace
    let load = spans.iter().find(|s| s.name == "documentLoad").unwrap();
    let request = spans.iter().find(|s| s.name == "request").unwrap();
    assert_eq!((load.kind, load.trace_id.clone(), load.parent_span_id.len()), (1, request.trace_id.clone(), 0));
    assert_eq!(request.parent_span_id, load.span_id);
    assert_ne!(request.span_id, load.span_id);
    assert_eq!(load.end_time_unix_nano - load.start_time_unix_nano, 320_000_000);
    assert_eq!(request.start_time_unix_nano - load.start_time_unix_nano, 10_000_000);
    assert_eq!(s(&load.attributes, "sightline.navigation_type"), "navigate");
}

#[test]
fn the_encoding_rules_hold_in_the_text_itself() {
    for post in exports() {
        let v: Value = serde_json::from_str(&post.body).unwrap();
        check_rules(&v, "");
    }
}

/// lowerCamelCase keys (attribute keys are values, not keys), 64-bit integers as strings, enums
/// as numbers, no nulls.
fn check_rules(v: &Value, path: &str) {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                assert!(k.bytes().next().is_some_and(|b| b.is_ascii_lowercase()) && !k.contains('_'), "{path}.{k}: not lowerCamelCase");
                if k.ends_with("UnixNano") || k == "count" || k == "asInt" || k == "intValue" {
                    assert!(x.as_str().is_some_and(|s| s.parse::<u64>().is_ok()), "{path}.{k}: {x}");
                }
                if ["severityNumber", "kind", "aggregationTemporality", "code"].contains(&k.as_str()) {
                    assert!(x.is_u64(), "{path}.{k}: {x}");
                }
                if k == "traceId" || k == "spanId" {
                    let s = x.as_str().unwrap();
                    assert!(s.len() == if k == "traceId" { 32 } else { 16 } && s.bytes().all(|b| b.is_ascii_hexdigit()), "{path}.{k}");
                }
                check_rules(x, &format!("{path}.{k}"));
            }
        }
        Value::Array(a) => a.iter().for_each(|x| check_rules(x, path)),
        Value::Null => panic!("{path}: null"),
        _ => {}
    }
}

#[test]
fn dropped_events_are_counted_on_the_scope_of_the_next_export() {
    let cfg = otlp_config();
    let page = page();
    let mut d = Delivery::new(&cfg, &cfg.urls(), &page, Rng::new(1));
    let mut p = Fake::default();
    let ctx = Ctx { session: "s", page: &page, hook: false };
    for i in 0..5 {
        d.push(crate::testing::error_event(i, "boom"), false, &ctx, &mut p);
    }
    d.flush(&ctx, &mut p);
    let first = p.posts.remove(0);
    d.sent(first.req, 200, None, 3, &ctx, &mut p);
    assert_eq!(d.stats.rejected_events, 3, "a partialSuccess answer's rejected items");
    d.push(crate::testing::error_event(9, "later"), false, &ctx, &mut p);
    d.flush(&ctx, &mut p);
    let last: ExportLogsServiceRequest = round_trip(&p.sent.last().unwrap().body);
    let scope = last.resource_logs[0].scope_logs[0].scope.clone().unwrap();
    assert_eq!(attr(&scope.attributes, "sightline.dropped"), Some(&Any::IntValue(3)));
}
