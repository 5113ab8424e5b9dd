//! `--forward-otlp URL`: what arrives on the native endpoints goes on to an OTLP/HTTP endpoint
//! (an OpenTelemetry Collector, or a backend that takes OTLP), encoded by the SDK's own encoder
//! (`sightline_core::encode::otlp`), so a team can keep the native wire format in its pages and
//! still scale through the OpenTelemetry Collector. A bounded queue and one sending thread:
//! retries on 429, 502, 503, 504 and network errors with backoff and `Retry-After`, and what
//! the queue cannot hold is dropped and counted.
use std::collections::{BTreeMap, HashSet};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;
use sightline_core::alerting::Status;
use sightline_core::config::Channel as Lane;
use sightline_core::encode::{otlp, Page};
use sightline_core::event::{self, Action, Body, Event, Navigation, Outcome, Scope, Tag};
use sightline_core::stack::Frame;
use sightline_core::wire::{self, EventBody, TagValue};

use crate::ingest::{Batch, Channel};

/// Exports waiting to be sent, at most.
const QUEUE: usize = 256;
/// Tries per export.
const ATTEMPTS: u32 = 5;

/// One export request for the upstream.
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    /// `/v1/logs`, `/v1/metrics` or `/v1/traces`.
    pub path: &'static str,
    pub body: String,
}

pub struct Forwarder {
    tx: SyncSender<Export>,
    /// Exports dropped: the queue was full, or the upstream refused them.
    pub dropped: Arc<AtomicU64>,
}

impl Forwarder {
    /// Starts the sending thread for the upstream base URL `url`.
    pub fn start(url: &str) -> Forwarder {
        let (tx, rx) = sync_channel(QUEUE);
        let dropped = Arc::new(AtomicU64::new(0));
        let base = url.trim_end_matches('/').to_owned();
        let d = dropped.clone();
        std::thread::spawn(move || send_all(&base, &rx, &d));
        Forwarder { tx, dropped }
    }

    /// Queues the OTLP exports of a native batch (never blocks the request that brought it).
    pub fn forward(&self, channel: Channel, batch: &Batch) {
        for export in exports(channel, batch) {
            match self.tx.try_send(export) {
                Ok(()) => {}
                Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                    let n = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
                    eprintln!("sightline-collector: --forward-otlp queue full, an export was dropped ({n} so far)");
                }
            }
        }
    }
}

fn send_all(base: &str, rx: &Receiver<Export>, dropped: &AtomicU64) {
    let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(10)).build();
    while let Ok(export) = rx.recv() {
        let url = format!("{base}{}", export.path);
        let mut delay = Duration::from_secs(1);
        for attempt in 1..=ATTEMPTS {
            let wait = match agent.post(&url).set("Content-Type", "application/json").send_string(&export.body) {
                Ok(_) => break,
                Err(ureq::Error::Status(code @ (429 | 502 | 503 | 504), r)) => {
                    let after = r.header("Retry-After").and_then(|v| v.trim().parse::<u64>().ok()).map(Duration::from_secs);
                    eprintln!("sightline-collector: {url} answered {code}; retrying");
                    after.unwrap_or(delay).min(Duration::from_secs(60))
                }
                Err(ureq::Error::Status(code, r)) => {
                    let why = r.into_string().unwrap_or_default();
                    eprintln!("sightline-collector: {url} refused an export ({code}): {why}");
                    dropped.fetch_add(1, Ordering::Relaxed);
                    break;
                }
                Err(e) => {
                    eprintln!("sightline-collector: {url}: {e}; retrying");
                    delay
                }
            };
            if attempt == ATTEMPTS {
                eprintln!("sightline-collector: gave up on an export to {url} after {ATTEMPTS} tries");
                dropped.fetch_add(1, Ordering::Relaxed);
                break;
            }
            std::thread::sleep(wait);
            delay = (delay * 2).min(Duration::from_secs(30));
        }
    }
}

/// The OTLP exports of a native batch: its events read back into the SDK's event model and
/// encoded as the SDK does with `exporter: 'otlp'`, one export per signal.
pub fn exports(channel: Channel, batch: &Batch) -> Vec<Export> {
    let (page, events) = events_of(channel, batch);
    let service = batch.batch.get("service").and_then(Value::as_str);
    // the page loads of a session write one after the other: the session is the instance
    let resource = otlp::resource(&page, service, batch.session_id.as_deref().unwrap_or("unknown"));
    let dropped = batch.batch.get("dropped").and_then(Value::as_u64).unwrap_or(0).min(u64::from(u32::MAX)) as u32;
    let id = batch.batch_id.as_deref().and_then(|h| u64::from_str_radix(h, 16).ok()).unwrap_or(0);
    let mut done: Vec<Export> = Vec::new();
    let mut open: Vec<(Lane, String)> = Vec::new();
    let mut dropped = Some(dropped).filter(|d| *d > 0);
    for ev in &events {
        let (lane, also) = otlp::lanes(ev);
        for lane in std::iter::once(lane).chain(also) {
            let at = match open.iter().position(|(l, _)| *l == lane) {
                Some(i) => i,
                None => {
                    let mut body = String::new();
                    // the batch's drop count, on the first log export
                    let d = if lane == Lane::Metrics { 0 } else { dropped.take().unwrap_or(0) };
                    otlp::head(&mut body, lane, &resource, id, d);
                    open.push((lane, body));
                    open.len() - 1
                }
            };
            let body = &mut open[at].1;
            if !body.ends_with('[') {
                body.push(',');
            }
            otlp::item(body, ev, lane);
            // an export stays well within a receiver's body limit (the README's is 1 MiB)
            if body.len() > MAX_EXPORT {
                let (lane, body) = open.remove(at);
                done.push(finish(lane, body));
            }
        }
    }
    done.extend(open.into_iter().map(|(lane, body)| finish(lane, body)));
    if let Some(d) = dropped {
        // no log export to carry it: one of its own, with no records
        let mut body = String::new();
        otlp::head(&mut body, Lane::Errors, &resource, id, d);
        done.push(finish(Lane::Errors, body));
    }
    done
}

/// Exports are cut after they pass this size.
const MAX_EXPORT: usize = 500_000;

fn finish(lane: Lane, mut body: String) -> Export {
    body.push_str(otlp::TAIL);
    Export { path: lane.otlp_path(), body }
}

/// The `&'static str`s the event model keeps names in, for names read from a batch: each
/// distinct one is kept once (at most 4096; past that they read as `other`).
fn intern(s: &str) -> &'static str {
    static SEEN: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut seen = SEEN.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(k) = seen.get(s) {
        return k;
    }
    if seen.len() >= 4096 {
        return "other";
    }
    let k: &'static str = Box::leak(s.to_owned().into_boxed_str());
    seen.insert(k);
    k
}

fn hex64(s: Option<&str>) -> u64 {
    s.and_then(|h| u64::from_str_radix(h, 16).ok()).unwrap_or(0)
}

/// `2026-12-07T10:00:00.123Z` in epoch ms (0 when it is not that form).
fn epoch_ms(t: &str) -> f64 {
    let n = |a: usize, b: usize| t.get(a..b).and_then(|s| s.parse::<i64>().ok());
    let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(s)) = (n(0, 4), n(5, 7), n(8, 10), n(11, 13), n(14, 16), n(17, 19)) else { return 0.0 };
    let ms = n(20, 23).unwrap_or(0);
    let days = sightline_core::json::days_from_civil(y, mo as u32, d as u32);
    (((days * 24 + h) * 60 + mi) * 60 + s) as f64 * 1000.0 + ms as f64
}

fn tag(v: &TagValue) -> Tag {
    match v {
        TagValue::Str(s) => Tag::Str(s.clone()),
        TagValue::Num(n) => Tag::Num(*n),
        TagValue::Bool(b) => Tag::Bool(*b),
    }
}

/// The batch's events in the SDK's event model, and what its page shares.
fn events_of(channel: Channel, batch: &Batch) -> (Page, Vec<Event>) {
    let mut page = Page::default();
    let mut out = Vec::new();
    let session: Rc<str> = Rc::from(batch.session_id.as_deref().unwrap_or(""));
    let no_scope = Rc::new(Scope::default());
    let ev = |time: f64, page_view: u64, url: &str, seq: u64, body: Body| Event {
        time,
        session: session.clone(),
        page_view,
        url: Rc::from(url),
        scope: no_scope.clone(),
        seq: seq as u32,
        previous_session: None,
        body,
    };
    for item in &batch.events {
        match channel {
            Channel::Errors => {
                let Ok(e) = wire::ErrorItem::deserialize(item) else { continue };
                page.release = page.release.or(e.build_version.clone());
                page.environment = page.environment.or(e.environment.clone());
                if page.user_agent.is_empty() {
                    page.user_agent = e.user_agent.clone();
                }
                let http = e.request_url.as_ref().map(|url| event::Http {
                    xhr: e.api.as_deref() == Some("xhr"),
                    method: e.method.clone().unwrap_or_default(),
                    url: url.clone(),
                    status: e.status.unwrap_or(0),
                    duration_ms: e.duration.unwrap_or(0),
                    size: e.response_size.unwrap_or(-1.0),
                });
                let body = event::Error {
                    id: hex64(e.id.as_deref()),
                    kind: intern(&e.kind),
                    name: e.name,
                    message: e.message,
                    stack: e.stack,
                    frames: e.frames.into_iter().map(|f| Frame { function: f.function, file: f.file, line: f.line, column: f.column }).collect(),
                    source: e.source,
                    line: e.line.unwrap_or(0),
                    column: e.column.unwrap_or(0),
                    level: intern(e.level.as_deref().unwrap_or("error")),
                    handled: e.handled.unwrap_or(false),
                    cross_origin: e.cross_origin.unwrap_or(false),
                    element: e.element,
                    context: e.context.map(|c| c.to_string()),
                    http,
                    fingerprint: hex64(e.fingerprint.as_deref()),
                    count: e.count.unwrap_or(1),
                };
                let mut x = ev(epoch_ms(&e.timestamp), 0, &e.url, 0, Body::Error(Box::new(body)));
                if let Some(s) = e.session_id.as_deref() {
                    x.session = Rc::from(s);
                }
                x.scope = Rc::new(Scope { user: e.user_id, tags: e.tags.unwrap_or_default().into_iter().collect() });
                out.push(x);
            }
            Channel::Metrics => {
                let Ok(m) = wire::MetricItem::deserialize(item) else { continue };
                let mut metric = event::Metric::new(intern(&m.name), m.value);
                // the navigation type first: the encoder reads a vital's there
                let mut tags: BTreeMap<String, TagValue> = m.tags;
                let view = match tags.remove("pageViewId") {
                    Some(TagValue::Str(h)) => hex64(Some(&h)),
                    _ => 0,
                };
                let url = match tags.remove("url") {
                    Some(TagValue::Str(u)) => u,
                    _ => String::new(),
                };
                if let Some(nav) = tags.remove("navigationType") {
                    metric.tags.push(("navigationType", tag(&nav)));
                }
                for (k, v) in &tags {
                    metric.tags.push((intern(k), tag(v)));
                }
                metric.vital = m.rating.as_deref().map(|r| (intern(r), m.delta.unwrap_or(m.value)));
                out.push(ev(epoch_ms(&m.timestamp), view, &url, 0, Body::Metric(Box::new(metric))));
            }
            Channel::Events => {
                let Ok(e) = wire::EventItem::deserialize(item) else { continue };
                let time = epoch_ms(&e.timestamp);
                match e.body {
                    EventBody::PageView(p) => {
                        if page.user_agent.is_empty() {
                            page.user_agent = p.user_agent.clone();
                        }
                        let body = event::PageView {
                            title: p.title,
                            referrer: p.referrer,
                            load_time: p.load_time,
                            width: p.viewport.width,
                            height: p.viewport.height,
                            navigation: Navigation::parse(&p.navigation).unwrap_or(Navigation::Load),
                        };
                        out.push(ev(time, hex64(Some(&p.page_view_id)), &p.url, p.seq, Body::PageView(Box::new(body))));
                    }
                    EventBody::UserAction(a) => {
                        let element = a.element.map(|el| event::Element {
                            tag: el.tag,
                            id: el.id.unwrap_or_default(),
                            selector: el.selector.unwrap_or_default(),
                            classes: el.classes.unwrap_or_default(),
                            text: el.text.unwrap_or_default(),
                            data: el.data.map(|d| serde_json::to_string(&d).unwrap_or_default()).unwrap_or_default(),
                        });
                        let action = match (a.action.as_str(), element) {
                            ("click", Some(element)) => Action::Click { element },
                            ("rage_click", Some(element)) => Action::RageClick { element, clicks: a.clicks.unwrap_or(3) },
                            ("form_submit", _) => {
                                let f = a.form.unwrap_or(wire::FormItem { id: String::new(), action: String::new(), method: String::new(), fields: 0.0 });
                                Action::FormSubmit { id: f.id, action: f.action, method: f.method, fields: f.fields }
                            }
                            ("scroll", _) => Action::Scroll { depth: a.depth.unwrap_or(0) },
                            ("route_change", _) => Action::Route {
                                from: a.from.unwrap_or_default(),
                                to: a.to.unwrap_or_default(),
                                trigger: a.trigger.as_deref().and_then(Navigation::parse).unwrap_or(Navigation::PushState),
                            },
                            ("page_hidden", _) => Action::Hidden,
                            ("page_visible", _) => Action::Visible,
                            _ => continue,
                        };
                        out.push(ev(time, hex64(Some(&a.page_view_id)), &a.url, a.seq, Body::Action(Box::new(action))));
                    }
                    EventBody::Span(s) => {
                        let attr = |k: &str| s.attributes.get(k);
                        let text = |k: &str| match attr(k) {
                            Some(TagValue::Str(v)) => v.clone(),
                            _ => String::new(),
                        };
                        let num = |k: &str| match attr(k) {
                            Some(TagValue::Num(n)) => Some(*n),
                            _ => None,
                        };
                        let outcome = match text("error.type").as_str() {
                            "abort" => Outcome::Abort,
                            "timeout" => Outcome::Timeout,
                            "network" => Outcome::Error,
                            _ => Outcome::Load,
                        };
                        let span = event::Span {
                            trace_id: s.trace_id,
                            span_id: s.span_id,
                            method: text("http.request.method"),
                            url: text("url.full"),
                            status: num("http.response.status_code").unwrap_or(0.0) as u16,
                            outcome,
                            start: s.start_time,
                            duration: s.duration,
                            size: num("http.response.body.size").unwrap_or(-1.0),
                        };
                        out.push(ev(time, 0, "", 0, Body::Span(Box::new(span))));
                    }
                }
            }
            Channel::Health => {
                let Ok(h) = wire::HealthItem::deserialize(item) else { continue };
                let checks = h
                    .checks
                    .into_iter()
                    .map(|c| event::Check { name: c.name, status: Status::parse(&c.status), response_time: c.response_time, message: c.message.unwrap_or_default() })
                    .collect();
                let s = &h.summary;
                let health = event::Health { checks, status: Status::parse(&h.status), summary: [s.healthy, s.degraded, s.unhealthy, s.unknown] };
                out.push(ev(epoch_ms(&h.timestamp), 0, "", 0, Body::Health(Rc::new(health))));
            }
            Channel::Alerts => {
                let Ok(a) = wire::AlertItem::deserialize(item) else { continue };
                let alert = event::Alert {
                    id: hex64(Some(&a.id)),
                    key: a.key,
                    severity: intern(&a.severity),
                    title: intern(&a.title),
                    resolved: a.status == "resolved",
                    figures: a.value.zip(a.threshold),
                    description: a.description.unwrap_or_default(),
                };
                out.push(ev(epoch_ms(&a.timestamp), 0, a.url.as_deref().unwrap_or(""), 0, Body::Alert(Box::new(alert))));
            }
            Channel::OtlpLogs | Channel::OtlpMetrics | Channel::OtlpTraces => {}
        }
    }
    (page, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sightline_core::config::{Config, Val};
    use sightline_core::testing::every_kind_sent;

    /// The SDK's native batches of every kind of event, as the collector reads them.
    fn native_batches() -> Vec<(Channel, Batch)> {
        let entries = [("collector", "https://c"), ("service", "shop-web")].map(|(k, v)| (k.to_owned(), Val::Str(v.into())));
        let cfg = Config::from_entries(Some(&entries)).unwrap();
        let page = Page { release: Some("2.4.1".into()), environment: Some("production".into()), user_agent: "UA".into(), ..Page::default() };
        every_kind_sent(&cfg, &page)
            .iter()
            .map(|post| {
                let channel = Channel::ALL.into_iter().find(|c| post.url.ends_with(c.path())).unwrap();
                (channel, crate::ingest::parse_batch(channel, post.body.as_bytes()).unwrap())
            })
            .collect()
    }

    #[test]
    fn native_batches_go_on_as_otlp_the_protobuf_definitions_read() {
        let mut logs = Vec::new();
        let mut paths = Vec::new();
        for (channel, batch) in native_batches() {
            for export in exports(channel, &batch) {
                let otlp_channel = Channel::from_path(export.path).unwrap();
                let read = crate::otlp::parse(otlp_channel, export.body.as_bytes()).unwrap_or_else(|e| panic!("{e}: {}", export.body));
                paths.push(export.path);
                logs.extend(read.items);
                if otlp_channel == Channel::OtlpLogs {
                    // the resource: the service from the batch, the release and browser from the items
                    let res = &read.raw["resourceLogs"][0]["resource"]["attributes"];
                    assert!(res.as_array().unwrap().iter().any(|a| a["key"] == "service.name" && a["value"]["stringValue"] == "shop-web"), "{res}");
                }
            }
        }
        for p in ["/v1/logs", "/v1/metrics", "/v1/traces"] {
            assert!(paths.contains(&p), "{p} in {paths:?}");
        }
        // and what came back is what went in: every record read again as the native item it was
        let errors: Vec<&Value> = logs.iter().filter(|(c, _)| *c == Channel::Errors).map(|(_, v)| v).collect();
        let e = errors.iter().find(|e| e["type"] == "javascript").unwrap();
        assert_eq!((e["name"].as_str(), e["message"].as_str(), e["count"].as_u64()), (Some("TypeError"), Some("x is undefined"), Some(2)));
        assert_eq!(e["status"], 500);
        assert_eq!(e["tags"]["plan"], "pro");
        assert_eq!(e["context"]["step"], "checkout");
        let vital = logs.iter().find(|(c, v)| *c == Channel::Metrics && v["name"] == "web_vitals_lcp").unwrap();
        assert_eq!((vital.1["value"].as_f64(), vital.1["rating"].as_str()), (Some(812.5), Some("good")));
        assert_eq!(vital.1["tags"]["navigationType"], "navigate");
        let kinds: Vec<&str> = logs.iter().filter_map(|(_, v)| v["type"].as_str()).collect();
        for k in ["page_view", "user_action", "span"] {
            assert!(kinds.contains(&k), "{k} in {kinds:?}");
        }
        assert!(logs.iter().any(|(c, v)| *c == Channel::Health && v["status"] == "degraded" && v["checks"][0]["name"] == "api"));
        assert!(logs.iter().any(|(c, v)| *c == Channel::Alerts && v["key"] == "high_error_rate" && v["status"] == "resolved"));
        // each native item the dashboard gets reads as the native wire types
        for (c, v) in &logs {
            let key = c.array_key().unwrap();
            let body = serde_json::json!({ key: [v] });
            crate::ingest::parse_batch(*c, body.to_string().as_bytes()).unwrap_or_else(|e| panic!("{e}: {v}"));
        }
    }

    #[test]
    fn a_big_batch_goes_in_several_exports_and_its_drop_count_once() {
        let pad = "x".repeat(20_000);
        let items: Vec<String> = (0..60).map(|i| format!(r#"{{"type":"javascript","message":"{i} {pad}","timestamp":"2026-12-07T10:00:00.000Z"}}"#)).collect();
        let body = format!(r#"{{"errors":[{}],"sessionId":"s","dropped":4}}"#, items.join(","));
        let batch = crate::ingest::parse_batch(Channel::Errors, body.as_bytes()).unwrap();
        let out = exports(Channel::Errors, &batch);
        assert!(out.len() >= 3, "{}", out.len());
        let mut messages = 0;
        let mut dropped = 0;
        for e in &out {
            assert!(e.body.len() < MAX_EXPORT + 50_000, "at most one item past the limit");
            let read = crate::otlp::parse(Channel::OtlpLogs, e.body.as_bytes()).unwrap();
            messages += read.items.len();
            let scope = &read.raw["resourceLogs"][0]["scopeLogs"][0]["scope"]["attributes"];
            dropped += scope.as_array().unwrap().iter().filter(|a| a["key"] == "sightline.dropped").map(|a| a["value"]["intValue"].as_str().unwrap().parse::<u64>().unwrap()).sum::<u64>();
        }
        assert_eq!((messages, dropped), (60, 4));
    }

    #[test]
    fn timestamps_read_back() {
        assert_eq!(epoch_ms("2026-12-07T10:00:00.123Z"), 1_796_637_600_123.0);
        assert_eq!(epoch_ms("nope"), 0.0);
    }
}
