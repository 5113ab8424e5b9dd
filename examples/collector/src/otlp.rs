//! OTLP/HTTP JSON: export requests are read with the official protobuf definitions
//! (`opentelemetry-proto` and its serde mapping), so whatever the OpenTelemetry Collector would
//! refuse is refused here too; and Sightline's own log records and spans are turned into the
//! native items the dashboard shows.
use std::collections::BTreeMap;

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value::Value as Any, AnyValue, KeyValue};
use opentelemetry_proto::tonic::logs::v1::LogRecord;
use opentelemetry_proto::tonic::metrics::v1::{metric::Data, number_data_point, Metric};
use serde_json::Value;
use sightline_core::wire::{
    ActionData, AlertItem, CheckItem, ElementItem, ErrorItem, EventBody, EventItem, FormItem, HealthItem, MetricItem,
    PageViewData, SpanData, Summary, TagValue, Viewport,
};

use crate::ingest::Channel;

/// An export request, read.
pub struct Export {
    /// The body as JSON, stored as it came.
    pub raw: Value,
    /// `session.id` of its first record or span.
    pub session_id: Option<String>,
    /// Its records and spans as native items, for the dashboard (metrics stay raw).
    pub items: Vec<(Channel, Value)>,
}

/// Reads an export of `channel` (an OTLP one): a body the protobuf definitions do not read is an
/// error naming what is wrong.
pub fn parse(channel: Channel, body: &[u8]) -> Result<Export, String> {
    let raw: Value = serde_json::from_slice(body).map_err(|e| format!("malformed JSON: {e}"))?;
    if !raw.is_object() {
        return Err(format!("body must be a JSON object, found {}", crate::ingest::type_name(&raw)));
    }
    let bad = |e: serde_json::Error| format!("not an OTLP {} export request: {e}", channel.path());
    let mut items = Vec::new();
    let mut session_id = None;
    match channel {
        Channel::OtlpLogs => {
            let r: ExportLogsServiceRequest = serde_json::from_slice(body).map_err(bad)?;
            for rl in &r.resource_logs {
                let res = rl.resource.as_ref().map(|r| attrs(&r.attributes)).unwrap_or_default();
                for l in rl.scope_logs.iter().flat_map(|s| &s.log_records) {
                    let a = attrs(&l.attributes);
                    session_id = session_id.or_else(|| a.str("session.id").map(str::to_owned));
                    if let Some(item) = log_item(l, &a, &res) {
                        items.push(item);
                    }
                }
            }
        }
        Channel::OtlpMetrics => {
            let r: ExportMetricsServiceRequest = serde_json::from_slice(body).map_err(bad)?;
            for rm in &r.resource_metrics {
                let metrics: Vec<&Metric> = rm.scope_metrics.iter().flat_map(|s| &s.metrics).collect();
                items.extend(request_reports(&metrics));
            }
        }
        Channel::OtlpTraces => {
            let r: ExportTraceServiceRequest = serde_json::from_slice(body).map_err(bad)?;
            for span in r.resource_spans.iter().flat_map(|r| &r.scope_spans).flat_map(|s| &s.spans) {
                let a = attrs(&span.attributes);
                session_id = session_id.or_else(|| a.str("session.id").map(str::to_owned));
                let (start, end) = (span.start_time_unix_nano as f64 / 1e6, span.end_time_unix_nano as f64 / 1e6);
                let data = SpanData {
                    trace_id: hex(&span.trace_id),
                    span_id: hex(&span.span_id),
                    name: span.name.clone(),
                    kind: if span.kind == 3 { "client" } else { "internal" }.into(),
                    start_time: start,
                    end_time: end,
                    duration: end - start,
                    status: if span.status.as_ref().is_some_and(|s| s.code == 2) { "error" } else { "ok" }.into(),
                    attributes: a.0.iter().filter_map(|(k, v)| tag_value(v).map(|t| (k.clone(), t))).collect(),
                };
                let item = EventItem { body: EventBody::Span(Box::new(data)), timestamp: iso(span.start_time_unix_nano) };
                items.push((Channel::Events, to_value(&item)));
            }
        }
        _ => return Err(format!("{} is not an OTLP path", channel.path())),
    }
    Ok(Export { raw, session_id, items })
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// A record's attributes by key.
#[derive(Default)]
struct Attrs(BTreeMap<String, Any>);

fn attrs(kvs: &[KeyValue]) -> Attrs {
    Attrs(kvs.iter().filter_map(|kv| Some((kv.key.clone(), kv.value.as_ref()?.value.clone()?))).collect())
}

impl Attrs {
    fn str(&self, k: &str) -> Option<&str> {
        match self.0.get(k) {
            Some(Any::StringValue(s)) => Some(s),
            _ => None,
        }
    }
    fn string(&self, k: &str) -> String {
        self.str(k).unwrap_or_default().to_owned()
    }
    fn num(&self, k: &str) -> Option<f64> {
        match self.0.get(k) {
            Some(Any::DoubleValue(d)) => Some(*d),
            Some(Any::IntValue(i)) => Some(*i as f64),
            _ => None,
        }
    }
    fn bool(&self, k: &str) -> Option<bool> {
        match self.0.get(k) {
            Some(Any::BoolValue(b)) => Some(*b),
            _ => None,
        }
    }
    /// Attributes under `prefix`, the prefix taken off.
    fn under<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a Any)> + 'a {
        self.0.iter().filter_map(move |(k, v)| Some((k.strip_prefix(prefix)?, v)))
    }
}

fn tag_value(v: &Any) -> Option<TagValue> {
    match v {
        Any::StringValue(s) => Some(TagValue::Str(s.clone())),
        Any::DoubleValue(d) => Some(TagValue::Num(*d)),
        Any::IntValue(i) => Some(TagValue::Num(*i as f64)),
        Any::BoolValue(b) => Some(TagValue::Bool(*b)),
        _ => None,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn iso(nanos: u64) -> String {
    let mut s = String::new();
    sightline_core::json::iso_time(&mut s, nanos / 1_000_000);
    s
}

/// `startTime` → `start_time` undone: the native tag names are camelCase.
fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in snake.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Sightline's request reports (the request duration histogram and its failed and unavailable
/// counts over the same interval) as the native `http_requests` metric the dashboard plots.
fn request_reports(metrics: &[&Metric]) -> Vec<(Channel, Value)> {
    let count_at = |name: &str, time: u64| -> f64 {
        metrics
            .iter()
            .filter(|m| m.name == name)
            .filter_map(|m| match &m.data {
                Some(Data::Sum(s)) => s.data_points.iter().find(|p| p.time_unix_nano == time),
                _ => None,
            })
            .map(|p| match p.value {
                Some(number_data_point::Value::AsInt(i)) => i as f64,
                Some(number_data_point::Value::AsDouble(d)) => d,
                None => 0.0,
            })
            .sum()
    };
    let mut out = Vec::new();
    for m in metrics.iter().filter(|m| m.name == "sightline.http.client.request.duration") {
        let Some(Data::Histogram(h)) = &m.data else { continue };
        for p in &h.data_points {
            let mut tags = BTreeMap::new();
            tags.insert("failed".to_owned(), TagValue::Num(count_at("sightline.http.client.request.failed", p.time_unix_nano)));
            tags.insert("unavailable".to_owned(), TagValue::Num(count_at("sightline.http.client.request.unavailable", p.time_unix_nano)));
            tags.insert("durationSum".to_owned(), TagValue::Num(p.sum.unwrap_or(0.0) * 1000.0));
            let item = MetricItem { name: "http_requests".into(), value: p.count as f64, timestamp: iso(p.time_unix_nano), tags, rating: None, delta: None };
            out.push((Channel::Metrics, to_value(&item)));
        }
    }
    out
}

/// One of Sightline's log records as the native item of its channel; `None` for other records.
fn log_item(l: &LogRecord, a: &Attrs, res: &Attrs) -> Option<(Channel, Value)> {
    let timestamp = iso(if l.time_unix_nano > 0 { l.time_unix_nano } else { l.observed_time_unix_nano });
    let page_view_id = a.string("sightline.page_view.id");
    let seq = a.num("sightline.seq").unwrap_or(0.0) as u64;
    let url = a.string("url.full");
    let tags_under = |prefix: &str| -> BTreeMap<String, TagValue> {
        a.under(prefix).filter_map(|(k, v)| Some((camel(k), tag_value(v)?))).collect()
    };
    match l.event_name.as_str() {
        "exception" | "sightline.message" => {
            let body = match l.body.as_ref().and_then(|b: &AnyValue| b.value.as_ref()) {
                Some(Any::StringValue(s)) => s.clone(),
                _ => String::new(),
            };
            let level = match l.severity_number {
                21.. => "fatal",
                17.. => "error",
                13.. => "warning",
                9.. => "info",
                _ => "debug",
            };
            let tags: BTreeMap<String, String> = a.under("sightline.tag.").filter_map(|(k, v)| match v {
                Any::StringValue(s) => Some((k.to_owned(), s.clone())),
                _ => None,
            }).collect();
            let item = ErrorItem {
                id: a.str("sightline.error.id").map(str::to_owned),
                kind: a.str("sightline.error.type").unwrap_or("javascript").to_owned(),
                name: a.string("exception.type"),
                message: a.str("exception.message").map_or(body, str::to_owned),
                timestamp,
                stack: a.str("exception.stacktrace").map(str::to_owned),
                frames: Vec::new(),
                source: a.str("code.file.path").map(str::to_owned),
                line: a.num("code.line.number").map(|n| n as u32),
                column: a.num("code.column.number").map(|n| n as u32),
                url,
                user_agent: res.string("user_agent.original"),
                user_id: a.str("user.id").map(str::to_owned),
                session_id: a.str("session.id").map(str::to_owned),
                build_version: res.str("service.version").map(str::to_owned),
                environment: res.str("deployment.environment.name").map(str::to_owned),
                level: Some(level.to_owned()),
                handled: a.bool("sightline.error.handled"),
                cross_origin: a.bool("sightline.error.cross_origin"),
                element: a.str("sightline.error.element").map(str::to_owned),
                api: a.str("sightline.request.api").map(str::to_owned),
                method: a.str("http.request.method").map(str::to_owned),
                request_url: a.str("sightline.request.url").map(str::to_owned),
                status: a.num("http.response.status_code").map(|n| n as u16),
                duration: a.num("sightline.request.duration").map(|n| n as u64),
                response_size: a.num("http.response.body.size"),
                tags: (!tags.is_empty()).then_some(tags),
                context: a.str("sightline.context").and_then(|c| serde_json::from_str(c).ok()),
                fingerprint: a.str("sightline.error.fingerprint").map(str::to_owned),
                count: a.num("sightline.error.count").map(|n| n as u32),
            };
            Some((Channel::Errors, to_value(&item)))
        }
        "browser.web_vital" => {
            let mut tags = tags_under("sightline.web_vital.");
            if let Some(n) = a.str("browser.web_vital.navigation_type") {
                tags.insert("navigationType".into(), TagValue::Str(n.to_owned()));
            }
            tags.insert("pageViewId".into(), TagValue::Str(page_view_id));
            tags.insert("url".into(), TagValue::Str(url));
            let item = MetricItem {
                name: format!("web_vitals_{}", a.string("browser.web_vital.name")),
                value: a.num("browser.web_vital.value")?,
                timestamp,
                tags,
                rating: a.str("browser.web_vital.rating").map(str::to_owned),
                delta: a.num("browser.web_vital.delta"),
            };
            Some((Channel::Metrics, to_value(&item)))
        }
        "browser.navigation_timing" | "sightline.performance" => {
            let mut tags = tags_under("sightline.metric.");
            tags.remove("name");
            tags.remove("value");
            tags.insert("pageViewId".into(), TagValue::Str(page_view_id));
            tags.insert("url".into(), TagValue::Str(url));
            let item = MetricItem { name: a.string("sightline.metric.name"), value: a.num("sightline.metric.value")?, timestamp, tags, rating: None, delta: None };
            Some((Channel::Metrics, to_value(&item)))
        }
        "browser.navigation" if a.str("sightline.action").is_none() => {
            let data = PageViewData {
                url,
                title: a.string("sightline.page.title"),
                referrer: a.string("sightline.page.referrer"),
                load_time: a.num("sightline.page.load_time").unwrap_or(0.0),
                viewport: Viewport { width: a.num("sightline.viewport.width").unwrap_or(0.0), height: a.num("sightline.viewport.height").unwrap_or(0.0) },
                user_agent: res.string("user_agent.original"),
                navigation: a.string("sightline.navigation"),
                page_view_id,
                seq,
            };
            Some((Channel::Events, to_value(&EventItem { body: EventBody::PageView(Box::new(data)), timestamp })))
        }
        "browser.navigation" | "browser.user_action.click" | "sightline.user_action" => {
            let element = a.str("browser.tag_name").map(|tag| ElementItem {
                tag: tag.to_owned(),
                id: a.str("sightline.element.id").map(str::to_owned),
                selector: a.str("browser.css_selector").map(str::to_owned),
                classes: a.str("sightline.element.classes").map(str::to_owned),
                text: a.str("sightline.element.text").map(str::to_owned),
                data: a.str("sightline.element.data").and_then(|d| serde_json::from_str(d).ok()),
            });
            let form = a.str("sightline.form.method").map(|method| FormItem {
                id: a.string("sightline.form.id"),
                action: a.string("sightline.form.action"),
                method: method.to_owned(),
                fields: a.num("sightline.form.fields").unwrap_or(0.0),
            });
            let data = ActionData {
                action: a.string("sightline.action"),
                element,
                clicks: a.num("sightline.clicks").map(|n| n as u32),
                form,
                depth: a.num("sightline.scroll.depth").map(|n| n as u32),
                from: a.str("sightline.route.from").map(str::to_owned),
                to: a.str("sightline.route.to").map(str::to_owned),
                trigger: a.str("sightline.route.trigger").map(str::to_owned),
                url,
                page_view_id,
                seq,
            };
            Some((Channel::Events, to_value(&EventItem { body: EventBody::UserAction(Box::new(data)), timestamp })))
        }
        "sightline.health" => {
            let mut checks = Vec::new();
            if let Some(Any::ArrayValue(list)) = a.0.get("sightline.health.checks") {
                for v in &list.values {
                    let Some(Any::KvlistValue(kv)) = &v.value else { continue };
                    let c = attrs(&kv.values);
                    checks.push(CheckItem { name: c.string("name"), status: c.string("status"), response_time: c.num("response_time").unwrap_or(0.0), message: c.str("message").map(str::to_owned) });
                }
            }
            let n = |k: &str| a.num(k).unwrap_or(0.0) as u32;
            let summary = Summary {
                healthy: n("sightline.health.healthy"),
                degraded: n("sightline.health.degraded"),
                unhealthy: n("sightline.health.unhealthy"),
                unknown: n("sightline.health.unknown"),
                total: checks.len() as u32,
            };
            let item = HealthItem { checks, summary, status: a.string("sightline.health.status"), timestamp };
            Some((Channel::Health, to_value(&item)))
        }
        "sightline.alert" => {
            let item = AlertItem {
                id: a.string("sightline.alert.id"),
                key: a.string("sightline.alert.key"),
                severity: a.string("sightline.alert.severity"),
                title: a.string("sightline.alert.title"),
                status: a.string("sightline.alert.status"),
                timestamp,
                value: a.num("sightline.alert.value"),
                threshold: a.num("sightline.alert.threshold"),
                description: a.str("sightline.alert.description").map(str::to_owned),
                url: (!url.is_empty()).then_some(url),
            };
            Some((Channel::Alerts, to_value(&item)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sightline_core::config::{Config, Val};
    use sightline_core::encode::Page;
    use sightline_core::testing::every_kind_sent;

    /// What the SDK sends with `exporter: 'otlp'`, read here: every record and the request report
    /// become the native items the dashboard shows, and they read as the native wire types.
    #[test]
    fn the_sdks_exports_become_native_items() {
        let cfg = Config::from_entries(Some(&[("exporter".to_owned(), Val::Str("otlp".into()))])).unwrap();
        let page = Page { user_agent: "UA".into(), ..Page::default() };
        let mut items = Vec::new();
        for post in &every_kind_sent(&cfg, &page) {
            let channel = Channel::ALL.into_iter().find(|c| post.url.ends_with(c.path())).unwrap();
            items.extend(parse(channel, post.body.as_bytes()).unwrap().items);
        }
        let report = items.iter().find(|(_, v)| v["name"] == "http_requests").expect("the request report").1.clone();
        assert_eq!((report["value"].as_f64(), report["tags"]["failed"].as_f64(), report["tags"]["durationSum"].as_f64()), (Some(3.0), Some(1.0), Some(1312.5)));
        for channel in [Channel::Errors, Channel::Metrics, Channel::Events, Channel::Health, Channel::Alerts] {
            let of: Vec<&Value> = items.iter().filter(|(c, _)| *c == channel).map(|(_, v)| v).collect();
            assert!(!of.is_empty(), "{}", channel.name());
            let body = serde_json::json!({ channel.array_key().unwrap(): of });
            crate::ingest::parse_batch(channel, body.to_string().as_bytes()).unwrap_or_else(|e| panic!("{e}: {body}"));
        }
    }

    #[test]
    fn what_the_definitions_do_not_read_is_refused_with_the_reason() {
        let e = parse(Channel::OtlpLogs, br#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityNumber":"ERROR"}]}]}]}"#).err().unwrap();
        assert!(e.starts_with("not an OTLP /v1/logs export request"), "{e}");
        assert!(parse(Channel::OtlpMetrics, b"[]").is_err());
        assert!(parse(Channel::OtlpTraces, b"{\"resourceSpans\":[]}").is_ok());
    }
}
