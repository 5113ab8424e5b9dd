//! The native wire format as types (the `serde` feature): what a collector reads. The SDK's own
//! encoder ([`crate::encode::native`]) is hand-written to keep `serde` out of the bundle; a test
//! parses everything it writes into these types, unknown fields refused, so the two cannot drift
//! apart. The dev collector parses incoming batches with them. Fields the loader snippet's own
//! fallback leaves out are optional.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sdk {
    pub name: String,
    pub version: String,
}

/// The fields every batch carries beside its items.
macro_rules! batch {
    ($(#[$doc:meta])* $name:ident, $key:ident, $item:ty) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        pub struct $name {
            pub $key: Vec<$item>,
            pub sdk: Option<Sdk>,
            pub session_id: Option<String>,
            /// The same batch sent again (a retry, or a copy at unload) has the same id.
            pub batch_id: Option<String>,
            /// Events lost since the channel's previous batch (queue overflow, refused batches).
            pub dropped: Option<u64>,
            /// The config's `service`.
            pub service: Option<String>,
            pub sent_at: Option<String>,
        }
    };
}

batch!(
    /// `POST /api/errors`
    ErrorsBatch, errors, ErrorItem
);
batch!(
    /// `POST /api/metrics`
    MetricsBatch, metrics, MetricItem
);
batch!(
    /// `POST /api/analytics/events`
    EventsBatch, events, EventItem
);
batch!(
    /// `POST /api/health/status`
    HealthBatch, health, HealthItem
);
batch!(
    /// `POST /api/alerts`
    AlertsBatch, alerts, AlertItem
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameItem {
    pub function: String,
    pub file: String,
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ErrorItem {
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    pub message: String,
    pub timestamp: String,
    pub stack: Option<String>,
    #[serde(default)]
    pub frames: Vec<FrameItem>,
    pub source: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub user_agent: String,
    pub user_id: Option<String>,
    pub session_id: Option<String>,
    pub build_version: Option<String>,
    pub environment: Option<String>,
    pub level: Option<String>,
    pub handled: Option<bool>,
    pub cross_origin: Option<bool>,
    /// A failed resource's element (`img`, `script`, `link`).
    pub element: Option<String>,
    /// The request of a network error.
    pub api: Option<String>,
    pub method: Option<String>,
    pub request_url: Option<String>,
    pub status: Option<u16>,
    pub duration: Option<u64>,
    pub response_size: Option<f64>,
    pub tags: Option<BTreeMap<String, String>>,
    /// `captureError`'s context: any JSON.
    pub context: Option<Value>,
    pub fingerprint: Option<String>,
    pub count: Option<u32>,
}

/// A metric tag: a string, a number or a boolean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TagValue {
    Str(String),
    Num(f64),
    Bool(bool),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricItem {
    pub name: String,
    pub value: f64,
    pub timestamp: String,
    pub tags: BTreeMap<String, TagValue>,
    /// A web vital's rating (`good`, `needs-improvement`, `poor`) and its change.
    pub rating: Option<String>,
    pub delta: Option<f64>,
}

/// An events-channel item: `{"type", "data", "timestamp"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventItem {
    #[serde(flatten)]
    pub body: EventBody,
    pub timestamp: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum EventBody {
    PageView(Box<PageViewData>),
    UserAction(Box<ActionData>),
    Span(Box<SpanData>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Viewport {
    pub width: f64,
    pub height: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PageViewData {
    pub url: String,
    pub title: String,
    pub referrer: String,
    pub load_time: f64,
    pub viewport: Viewport,
    pub user_agent: String,
    /// load, pushState, replaceState, popstate, hashchange, back-forward-cache, session
    pub navigation: String,
    pub page_view_id: String,
    pub seq: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElementItem {
    pub tag: String,
    pub id: Option<String>,
    pub selector: Option<String>,
    pub classes: Option<String>,
    pub text: Option<String>,
    pub data: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormItem {
    pub id: String,
    pub action: String,
    pub method: String,
    pub fields: f64,
}

/// A user action; which of the optional fields it has depends on `action`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ActionData {
    /// click, rage_click, form_submit, scroll, route_change, page_hidden, page_visible
    pub action: String,
    pub element: Option<ElementItem>,
    /// rage_click
    pub clicks: Option<u32>,
    pub form: Option<FormItem>,
    /// scroll: 25, 50, 75, 100
    pub depth: Option<u32>,
    /// route_change
    pub from: Option<String>,
    pub to: Option<String>,
    pub trigger: Option<String>,
    pub url: String,
    pub page_view_id: String,
    pub seq: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SpanData {
    pub trace_id: String,
    pub span_id: String,
    pub name: String,
    pub kind: String,
    pub start_time: f64,
    pub end_time: f64,
    pub duration: f64,
    /// ok, error
    pub status: String,
    pub attributes: BTreeMap<String, TagValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CheckItem {
    pub name: String,
    pub status: String,
    pub response_time: f64,
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    pub healthy: u32,
    pub degraded: u32,
    pub unhealthy: u32,
    pub unknown: u32,
    pub total: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthItem {
    pub checks: Vec<CheckItem>,
    pub summary: Summary,
    /// healthy, degraded, unhealthy, unknown
    pub status: String,
    pub timestamp: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertItem {
    pub id: String,
    pub key: String,
    pub severity: String,
    pub title: String,
    /// active, resolved
    pub status: String,
    pub timestamp: String,
    pub value: Option<f64>,
    pub threshold: Option<f64>,
    pub description: Option<String>,
    pub url: Option<String>,
}

#[cfg(test)]
mod tests {
    //! Everything the hand-written encoder writes reads back as these types.
    use super::*;
    use crate::config::{Channel, Config, Val};
    use crate::encode::Page;
    use crate::testing::{every_kind, every_kind_sent};

    #[test]
    fn the_encoder_writes_what_the_wire_types_read() {
        let cfg = Config::from_entries(Some(&[(String::from("collector"), Val::Str("https://c".into())), (String::from("service"), Val::Str("shop".into()))])).unwrap();
        let page = Page { release: Some("1.0.0".into()), environment: Some("prod".into()), user_agent: "UA".into(), ..Page::default() };
        let sent = every_kind_sent(&cfg, &page);
        let n = every_kind().len();
        let mut items = 0;
        for post in &sent {
            let channel = crate::config::CHANNELS.iter().find(|c| post.url.ends_with(c.default_path())).copied().unwrap();
            let count = match channel {
                Channel::Errors => serde_json::from_str::<ErrorsBatch>(&post.body).map(|b| b.errors.len()),
                Channel::Metrics => serde_json::from_str::<MetricsBatch>(&post.body).map(|b| b.metrics.len()),
                Channel::Events => serde_json::from_str::<EventsBatch>(&post.body).map(|b| b.events.len()),
                Channel::Health => serde_json::from_str::<HealthBatch>(&post.body).map(|b| b.health.len()),
                Channel::Alerts => serde_json::from_str::<AlertsBatch>(&post.body).map(|b| b.alerts.len()),
                Channel::Spans => unreachable!("natively, spans go with the events"),
            };
            items += count.unwrap_or_else(|e| panic!("{e}: {}", post.body));
        }
        assert_eq!(items, n);
        // and a sample reads as what was sent
        let errors: ErrorsBatch = serde_json::from_str(&sent.iter().find(|p| p.url.ends_with("/api/errors")).unwrap().body).unwrap();
        let e = &errors.errors[0];
        assert_eq!((e.kind.as_str(), e.count, e.status, e.tags.as_ref().unwrap()["plan"].as_str()), ("javascript", Some(2), Some(500), "pro"));
        assert_eq!(e.context, Some(serde_json::json!({"step": "checkout"})));
        assert_eq!(errors.session_id.as_deref(), Some("0123456789abcdef0123456789abcdef"));
        assert_eq!(errors.batch_id.as_ref().map(String::len), Some(16));
        assert_eq!(errors.service.as_deref(), Some("shop"));
    }

    #[test]
    fn the_loader_snippets_fallback_batch_reads_too() {
        let body = r#"{"errors":[{"type":"javascript","name":"Error","message":"boom","stack":null,
            "timestamp":"2026-12-04T10:00:00.000Z","url":"https://a/","userAgent":"UA","sessionId":null}],
            "sdk":{"name":"sightline-loader","version":"0.1.0"},"sessionId":"","sentAt":"2026-12-04T10:00:01.000Z"}"#;
        let b: ErrorsBatch = serde_json::from_str(body).unwrap();
        assert_eq!(b.errors[0].message, "boom");
        assert!(serde_json::from_str::<ErrorsBatch>(r#"{"errors":[{"type":"x","message":"m","timestamp":"t","bogus":1}]}"#).is_err(), "unknown fields are refused");
    }
}
