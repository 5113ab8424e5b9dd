//! OTLP/HTTP JSON, the JSON mapping of OpenTelemetry's protobuf definitions: one export request
//! per batch. Errors, messages, page views, user actions, health reports, alerts, web vitals,
//! navigation timing and the other performance entries are log records with an `eventName`;
//! request durations and the vitals' distributions are delta histograms; traced fetch/XHR
//! requests are client spans. Names follow the semantic conventions where they exist
//! (`exception.*`, `browser.web_vital.*`, `session.id`, `url.full`, `user.id`, `http.*`), the
//! OpenTelemetry browser SIG's event names where they do not (`browser.navigation`,
//! `browser.user_action.click`, `browser.navigation_timing`), and `sightline.*` for the rest.
//!
//! The encoding rules a backend enforces: lowerCamelCase keys, ids as hex strings, enums as
//! integers, 64-bit integers (`timeUnixNano`, `intValue`, counts) as decimal strings, and no
//! `null` or non-finite number anywhere.
use super::{Page, SDK_NAME, SDK_VERSION};
use crate::aggregate::{bucket, HTTP_BOUNDS_MS};
use crate::config::Channel;
use crate::event::{Action, Body, Element, Error, Event, Metric, Navigation, Outcome, PageLoad, Span, Tag};
use crate::json;

/// Bounds of the web vitals' histograms: milliseconds (with web-vitals' good and poor thresholds
/// among them), and CLS's unitless scores.
const VITAL_BOUNDS_MS: [f64; 13] = [50.0, 100.0, 200.0, 300.0, 500.0, 800.0, 1000.0, 1800.0, 2500.0, 3000.0, 4000.0, 6000.0, 10000.0];
const CLS_BOUNDS: [f64; 7] = [0.01, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0];

/// Which lane an event goes to with the OTLP exporter (each lane has its own queue and path):
/// spans to `/v1/traces`, request reports and the vitals' histograms to `/v1/metrics`, everything
/// else to `/v1/logs` in its own channel's lane. A web vital goes twice: as a `browser.web_vital`
/// log record (the events lane) and, its first report for the page view, into its histogram (the
/// metrics lane).
pub fn lanes(ev: &Event) -> (Channel, Option<Channel>) {
    match &ev.body {
        Body::Span(_) | Body::PageLoad(_) => (Channel::Spans, None),
        // a vital reported again for its page view (CLS, INP at a later hide) is a record, not
        // another observation of the distribution
        Body::Metric(m) if m.vital.is_some() => (Channel::Events, (!m.again).then_some(Channel::Metrics)),
        Body::Metric(m) if m.hist.is_some() => (Channel::Metrics, None),
        // other performance entries are log records
        Body::Metric(_) => (Channel::Events, None),
        _ => (ev.channel(), None),
    }
}

/// The resource every export of this page carries, `{"attributes":[…]}`: the service, this page
/// load as its instance (the one writer of its metric streams), the deployment, the SDK and the
/// browser.
pub fn resource(page: &Page, service: Option<&str>, instance: &str) -> String {
    let mut o = String::from("{\"attributes\":[");
    attr_str(&mut o, "service.name", service.unwrap_or("unknown_service:browser"));
    attr_str(&mut o, "service.instance.id", instance);
    if let Some(v) = &page.release {
        attr_str(&mut o, "service.version", v);
    }
    if let Some(e) = &page.environment {
        attr_str(&mut o, "deployment.environment.name", e);
    }
    attr_str(&mut o, "telemetry.sdk.name", SDK_NAME);
    attr_str(&mut o, "telemetry.sdk.language", "webjs");
    attr_str(&mut o, "telemetry.sdk.version", SDK_VERSION);
    attr_str(&mut o, "user_agent.original", &page.user_agent);
    let mut b = json::split_byte(&page.browser, b'\n');
    let (language, platform, mobile, brands) = (b.next(), b.next(), b.next(), b.next());
    for (k, v) in [("browser.language", language), ("browser.platform", platform)] {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            attr_str(&mut o, k, v);
        }
    }
    if let Some(m) = mobile.filter(|m| !m.is_empty()) {
        attr_bool(&mut o, "browser.mobile", m == "1");
    }
    if let Some(brands) = brands.filter(|b| !b.is_empty()) {
        key_open(&mut o, "browser.brands");
        o.push_str("{\"arrayValue\":{\"values\":[");
        for brand in json::split_byte(brands, b',') {
            json::comma(&mut o);
            any_str(&mut o, brand);
        }
        o.push_str("]}}}");
    }
    o.push_str("]}");
    o
}

/// Opens an export request of `lane`'s signal up to its item array. The batch id and the count of
/// events dropped before this batch are attributes of the instrumentation scope of log and trace
/// exports (a metrics export's drops are reported by the next log export).
pub fn head(out: &mut String, lane: Channel, resource: &str, batch_id: u64, dropped: u32) {
    let (resources, scopes, items) = match lane {
        Channel::Metrics => ("resourceMetrics", "scopeMetrics", "metrics"),
        Channel::Spans => ("resourceSpans", "scopeSpans", "spans"),
        _ => ("resourceLogs", "scopeLogs", "logRecords"),
    };
    out.push_str("{\"");
    out.push_str(resources);
    out.push_str("\":[{\"resource\":");
    out.push_str(resource);
    out.push_str(",\"");
    out.push_str(scopes);
    out.push_str("\":[{\"scope\":{");
    json::field_str(out, "name", SDK_NAME);
    json::field_str(out, "version", SDK_VERSION);
    // not on metrics: a scope's attributes are part of each metric stream's identity
    if lane != Channel::Metrics {
        json::key(out, "attributes");
        out.push('[');
        attr_hex(out, "sightline.batch.id", batch_id);
        if dropped > 0 {
            attr_int(out, "sightline.dropped", u64::from(dropped));
        }
        out.push(']');
    }
    out.push_str("},\"");
    out.push_str(items);
    out.push_str("\":[");
}

/// Closes what [`head`] opened.
pub const TAIL: &str = "]}]}]}";

/// Appends one event as an item of `lane`'s export: a log record, a span, or a histogram (an
/// `http_requests` report is three metrics).
pub fn item(out: &mut String, ev: &Event, lane: Channel) {
    match (&ev.body, lane) {
        (Body::Span(s), _) => span(out, ev, s),
        (Body::PageLoad(l), _) => page_load(out, ev, l),
        (Body::Metric(m), Channel::Metrics) => metric(out, ev, m),
        _ => log(out, ev),
    }
}

fn log(out: &mut String, ev: &Event) {
    let (name, severity, text) = match &ev.body {
        Body::Error(e) if e.kind == "manual" && e.name.is_empty() => ("sightline.message", level(e.level), "message"),
        Body::Error(e) => ("exception", level(e.level), "exception"),
        Body::PageView(_) => ("browser.navigation", 9, ""),
        // a route change is followed by its page view (`browser.navigation`): it is a user action
        Body::Action(a) => match &**a {
            Action::Click { .. } => ("browser.user_action.click", 9, ""),
            _ => ("sightline.user_action", 9, ""),
        },
        Body::Metric(m) if m.vital.is_some() => ("browser.web_vital", 9, ""),
        Body::Metric(m) if m.name.starts_with("navigation_") => ("browser.navigation_timing", 9, ""),
        Body::Metric(_) => ("sightline.performance", 9, ""),
        Body::Health(h) => ("sightline.health", [9, 13, 9, 17].get(h.status as usize).copied().unwrap_or(9), ""),
        Body::Alert(a) => ("sightline.alert", if a.resolved { 9 } else { alert_severity(a.severity) }, ""),
        Body::Span(_) | Body::PageLoad(_) => ("", 0, ""),
    };
    out.push('{');
    nanos_field(out, "timeUnixNano", ev.time);
    nanos_field(out, "observedTimeUnixNano", ev.time);
    json::field_u64(out, "severityNumber", u64::from(severity));
    json::field_str(out, "severityText", severity_text(severity));
    json::field_str(out, "eventName", name);
    if !text.is_empty() {
        if let Body::Error(e) = &ev.body {
            json::key(out, "body");
            any_str(out, &e.message);
        }
    }
    json::key(out, "attributes");
    out.push('[');
    session_attrs(out, ev);
    attr_int(out, "sightline.seq", u64::from(ev.seq));
    if !ev.url.is_empty() {
        attr_str(out, "url.full", &ev.url);
    }
    if let Some(u) = &ev.scope.user {
        attr_str(out, "user.id", u);
    }
    match &ev.body {
        Body::Error(e) => error_attrs(out, ev, e),
        Body::PageView(p) => {
            if let Some(t) = nav_type(p.navigation) {
                attr_str(out, "browser.navigation.type", t);
            }
            attr_bool(out, "browser.navigation.same_document", !matches!(p.navigation, Navigation::Load | Navigation::BackForwardCache));
            attr_bool(out, "browser.navigation.hash_change", p.navigation == Navigation::HashChange);
            attr_str(out, "sightline.navigation", p.navigation.name());
            attr_str(out, "sightline.page.title", &p.title);
            if !p.referrer.is_empty() {
                attr_str(out, "sightline.page.referrer", &p.referrer);
            }
            attr_f64(out, "sightline.page.load_time", p.load_time);
            attr_f64(out, "sightline.viewport.width", p.width);
            attr_f64(out, "sightline.viewport.height", p.height);
        }
        Body::Action(a) => action_attrs(out, a),
        Body::Metric(m) if m.vital.is_some() => vital_attrs(out, ev, m),
        Body::Metric(m) => {
            attr_str(out, "sightline.metric.name", m.name);
            attr_f64(out, "sightline.metric.value", m.value);
            tag_attrs(out, "sightline.metric.", &m.tags);
        }
        Body::Health(h) => {
            attr_str(out, "sightline.health.status", h.status.name());
            for (k, v) in ["sightline.health.healthy", "sightline.health.degraded", "sightline.health.unhealthy", "sightline.health.unknown"].iter().zip(h.summary) {
                attr_int(out, k, u64::from(v));
            }
            // the checks as an array of key-value lists
            key_open(out, "sightline.health.checks");
            out.push_str("{\"arrayValue\":{\"values\":[");
            for c in &h.checks {
                json::comma(out);
                out.push_str("{\"kvlistValue\":{\"values\":[");
                attr_str(out, "name", &c.name);
                attr_str(out, "status", c.status.name());
                attr_f64(out, "response_time", c.response_time);
                if !c.message.is_empty() {
                    attr_str(out, "message", &c.message);
                }
                out.push_str("]}}");
            }
            out.push_str("]}}}");
        }
        Body::Alert(a) => {
            attr_hex(out, "sightline.alert.id", a.id);
            attr_str(out, "sightline.alert.key", &a.key);
            attr_str(out, "sightline.alert.severity", a.severity);
            attr_str(out, "sightline.alert.title", a.title);
            attr_str(out, "sightline.alert.status", if a.resolved { "resolved" } else { "active" });
            if let Some((value, threshold)) = a.figures {
                attr_f64(out, "sightline.alert.value", value);
                attr_f64(out, "sightline.alert.threshold", threshold);
            }
            if !a.resolved {
                attr_str(out, "sightline.alert.description", &a.description);
            }
        }
        Body::Span(_) | Body::PageLoad(_) => {}
    }
    out.push_str("]}");
}

fn error_attrs(out: &mut String, ev: &Event, e: &Error) {
    if !e.name.is_empty() {
        attr_str(out, "exception.type", &e.name);
    }
    attr_str(out, "exception.message", &e.message);
    if let Some(s) = &e.stack {
        attr_str(out, "exception.stacktrace", s);
    }
    attr_str(out, "sightline.error.type", e.kind);
    attr_hex(out, "sightline.error.id", e.id);
    attr_hex(out, "sightline.error.fingerprint", e.fingerprint);
    // the occurrences this record stands for (repeats are folded into it)
    attr_int(out, "sightline.error.count", u64::from(e.count));
    attr_bool(out, "sightline.error.handled", e.handled);
    if e.cross_origin {
        attr_bool(out, "sightline.error.cross_origin", true);
    }
    if let Some(src) = &e.source {
        attr_str(out, "code.file.path", src);
        attr_int(out, "code.line.number", u64::from(e.line));
        attr_int(out, "code.column.number", u64::from(e.column));
    }
    if let Some(el) = &e.element {
        attr_str(out, "sightline.error.element", el);
    }
    if let Some(h) = &e.http {
        attr_str(out, "http.request.method", &h.method);
        attr_str(out, "sightline.request.url", &h.url);
        attr_str(out, "sightline.request.api", if h.xhr { "xhr" } else { "fetch" });
        if h.status > 0 {
            attr_int(out, "http.response.status_code", u64::from(h.status));
        }
        attr_int(out, "sightline.request.duration", h.duration_ms);
        if h.size >= 0.0 {
            attr_int(out, "http.response.body.size", h.size as u64);
        }
    }
    for (k, v) in &ev.scope.tags {
        let mut key = String::from("sightline.tag.");
        key.push_str(k);
        attr_str(out, &key, v);
    }
    if let Some(c) = &e.context {
        attr_str(out, "sightline.context", c);
    }
}

fn action_attrs(out: &mut String, a: &Action) {
    attr_str(out, "sightline.action", a.name());
    match a {
        Action::Click { element } => element_attrs(out, element),
        Action::RageClick { element, clicks } => {
            element_attrs(out, element);
            attr_int(out, "sightline.clicks", u64::from(*clicks));
        }
        Action::FormSubmit { id, action, method, fields } => {
            attr_str(out, "sightline.form.id", id);
            attr_str(out, "sightline.form.action", action);
            attr_str(out, "sightline.form.method", method);
            attr_f64(out, "sightline.form.fields", *fields);
        }
        Action::Scroll { depth } => attr_int(out, "sightline.scroll.depth", u64::from(*depth)),
        Action::Route { from, to, trigger } => {
            attr_str(out, "sightline.route.from", from);
            attr_str(out, "sightline.route.to", to);
            attr_str(out, "sightline.route.trigger", trigger.name());
        }
        Action::Hidden | Action::Visible => {}
    }
}

fn element_attrs(out: &mut String, el: &Element) {
    attr_str(out, "browser.tag_name", &el.tag);
    for (k, v) in [("sightline.element.id", &el.id), ("browser.css_selector", &el.selector), ("sightline.element.classes", &el.classes), ("sightline.element.text", &el.text)] {
        if !v.is_empty() {
            attr_str(out, k, v);
        }
    }
    if !el.data.is_empty() {
        // the allow-listed `data-*` attributes, as the JSON object the capture made
        attr_str(out, "sightline.element.data", &el.data);
    }
}

/// `browser.web_vital.*`: the name in web-vitals' lower case, the value, delta, rating and
/// navigation type, an id unique to the page view and metric; attribution under `sightline.*`.
fn vital_attrs(out: &mut String, ev: &Event, m: &Metric) {
    let name = vital_name(m);
    attr_str(out, "browser.web_vital.name", name);
    attr_f64(out, "browser.web_vital.value", m.value);
    if let Some((rating, delta)) = m.vital {
        attr_f64(out, "browser.web_vital.delta", delta);
        attr_str(out, "browser.web_vital.rating", rating);
    }
    let mut id = String::from("v-");
    json::hex64(&mut id, ev.page_view);
    id.push('-');
    id.push_str(name);
    attr_str(out, "browser.web_vital.id", &id);
    // the navigation type first, then the attribution
    let mut rest = &m.tags[..];
    if let Some((("navigationType", Tag::Str(nav)), tail)) = m.tags.split_first() {
        attr_str(out, "browser.web_vital.navigation_type", nav);
        rest = tail;
    }
    tag_attrs(out, "sightline.web_vital.", rest);
}

/// `lcp` of `web_vitals_lcp`.
fn vital_name(m: &Metric) -> &'static str {
    m.name.get(11..).unwrap_or("")
}

/// The metrics lane: a vital as one observation of its histogram, an `http_requests` report as
/// the `http.client.request.duration` histogram (seconds) and the failed and unavailable
/// request counts, each a delta over the report's interval.
fn metric(out: &mut String, ev: &Event, m: &Metric) {
    if let Some(h) = &m.hist {
        out.push('{');
        // not the semantic conventions' `http.client.request.duration`: that one is per method and
        // server, and this is every request of the page together
        json::field_str(out, "name", "sightline.http.client.request.duration");
        json::field_str(out, "unit", "s");
        histogram_open(out);
        point_times(out, h.start, ev.time);
        key_u64_str(out, "count", m.value.max(0.0) as u64);
        let sum = m.tags.iter().find(|t| t.0 == "durationSum").and_then(|t| if let Tag::Num(n) = t.1 { Some(n) } else { None }).unwrap_or(0.0);
        json::field_num(out, "sum", sum / 1000.0);
        counts(out, &h.counts);
        bounds(out, &HTTP_BOUNDS_MS, 1000.0);
        json::field_num(out, "min", h.min / 1000.0);
        json::field_num(out, "max", h.max / 1000.0);
        out.push_str("}]}}");
        for (name, tag) in [("sightline.http.client.request.failed", "failed"), ("sightline.http.client.request.unavailable", "unavailable")] {
            let n = m.tags.iter().find(|t| t.0 == tag).and_then(|t| if let Tag::Num(n) = t.1 { Some(n) } else { None }).unwrap_or(0.0);
            out.push_str(",{");
            json::field_str(out, "name", name);
            json::field_str(out, "unit", "{request}");
            out.push_str(",\"sum\":{\"aggregationTemporality\":1,\"isMonotonic\":true,\"dataPoints\":[{");
            point_times(out, h.start, ev.time);
            key_u64_str(out, "asInt", n.max(0.0) as u64);
            out.push_str("}]}}");
        }
        return;
    }
    let name = vital_name(m);
    let cls = name == "cls";
    out.push('{');
    let mut full = String::from("sightline.web_vital.");
    full.push_str(name);
    json::field_str(out, "name", &full);
    json::field_str(out, "unit", if cls { "1" } else { "ms" });
    histogram_open(out);
    point_times(out, ev.time, ev.time);
    key_u64_str(out, "count", 1);
    json::field_num(out, "sum", m.value);
    let b: &[f64] = if cls { &CLS_BOUNDS } else { &VITAL_BOUNDS_MS };
    let mut c = [0u32; 14];
    if let Some(x) = c.get_mut(bucket(b, m.value)) {
        *x = 1;
    }
    counts(out, c.get(..=b.len()).unwrap_or(&c));
    bounds(out, b, 1.0);
    json::field_num(out, "min", m.value);
    json::field_num(out, "max", m.value);
    json::key(out, "attributes");
    out.push('[');
    if let Some((rating, _)) = m.vital {
        attr_str(out, "browser.web_vital.rating", rating);
    }
    if let Some(("navigationType", Tag::Str(nav))) = m.tags.first() {
        attr_str(out, "browser.web_vital.navigation_type", nav);
    }
    out.push_str("]}]}}");
}

/// `,"histogram":{"aggregationTemporality":1,"dataPoints":[{`: delta temporality.
fn histogram_open(out: &mut String) {
    out.push_str(",\"histogram\":{\"aggregationTemporality\":1,\"dataPoints\":[{");
}

/// `,"key":"n"`: 64-bit integers are strings in OTLP/JSON.
#[inline(never)]
fn key_u64_str(out: &mut String, k: &str, n: u64) {
    json::key(out, k);
    out.push('"');
    json::uint(out, n);
    out.push('"');
}

fn point_times(out: &mut String, start: f64, end: f64) {
    nanos_field(out, "startTimeUnixNano", start.min(end));
    nanos_field(out, "timeUnixNano", end);
}

fn counts(out: &mut String, c: &[u32]) {
    json::key(out, "bucketCounts");
    out.push('[');
    for n in c {
        json::comma(out);
        out.push('"');
        json::uint(out, u64::from(*n));
        out.push('"');
    }
    out.push(']');
}

fn bounds(out: &mut String, b: &[f64], div: f64) {
    json::key(out, "explicitBounds");
    out.push('[');
    for x in b {
        json::comma(out);
        json::float(out, x / div);
    }
    out.push(']');
}

/// A traced fetch or XHR as an HTTP client span (kind 3), with the ids of the `traceparent` it
/// carried; its status is an error for a network error, timeout, abort or a status of 400 and
/// above, and unset otherwise, as the HTTP conventions say for clients.
fn span(out: &mut String, ev: &Event, s: &Span) {
    out.push('{');
    json::field_str(out, "traceId", &s.trace_id);
    json::field_str(out, "spanId", &s.span_id);
    json::field_str(out, "name", &s.method);
    json::field_u64(out, "kind", 3);
    nanos_field(out, "startTimeUnixNano", s.start);
    nanos_field(out, "endTimeUnixNano", s.start + s.duration.max(0.0));
    json::key(out, "attributes");
    out.push('[');
    attr_str(out, "http.request.method", &s.method);
    attr_str(out, "url.full", &s.url);
    if s.status > 0 {
        attr_int(out, "http.response.status_code", u64::from(s.status));
    }
    if s.size >= 0.0 {
        attr_int(out, "http.response.body.size", s.size as u64);
    }
    let error = match s.outcome {
        Outcome::Load if s.status >= 400 => Some(""),
        Outcome::Load => None,
        Outcome::Abort => Some("abort"),
        Outcome::Timeout => Some("timeout"),
        Outcome::Error => Some("network"),
    };
    match error {
        Some("") => {
            let mut code = String::new();
            json::uint(&mut code, u64::from(s.status));
            attr_str(out, "error.type", &code);
        }
        Some(e) => attr_str(out, "error.type", e),
        None => {}
    }
    session_attrs(out, ev);
    if !ev.url.is_empty() {
        attr_str(out, "sightline.page.url", &ev.url);
    }
    out.push(']');
    if error.is_some() {
        out.push_str(",\"status\":{\"code\":2}");
    }
    out.push('}');
}

#[inline(never)]
/// The page load: a `documentLoad` span (kind internal) over the navigation, and a child span
/// per phase (domain lookup, connect, request, response, DOM processing), in one new trace.
fn page_load(out: &mut String, ev: &Event, l: &PageLoad) {
    let mut trace = String::with_capacity(32);
    json::hex64(&mut trace, l.trace_id.0);
    json::hex64(&mut trace, l.trace_id.1);
    for (i, (name, start, end)) in l.phases.iter().enumerate() {
        // the item is its spans, one after the other (the batch puts commas between items)
        if i > 0 {
            out.push(',');
        }
        out.push('{');
        json::field_str(out, "traceId", &trace);
        json::field_hex(out, "spanId", l.span_id.wrapping_add(i as u64));
        if i > 0 {
            json::field_hex(out, "parentSpanId", l.span_id);
        }
        json::field_str(out, "name", name);
        json::field_u64(out, "kind", 1);
        nanos_field(out, "startTimeUnixNano", l.origin + start);
        nanos_field(out, "endTimeUnixNano", l.origin + end);
        json::key(out, "attributes");
        out.push('[');
        if i == 0 {
            attr_str(out, "url.full", &ev.url);
            attr_str(out, "sightline.navigation_type", &l.kind);
            session_attrs(out, ev);
        }
        out.push_str("]}");
    }
}

/// `session.id`, `session.previous_id` (on a new session's first event), the page view's id.
#[inline(never)]
fn session_attrs(out: &mut String, ev: &Event) {
    attr_str(out, "session.id", &ev.session);
    if let Some(p) = &ev.previous_session {
        attr_str(out, "session.previous_id", p);
    }
    attr_hex(out, "sightline.page_view.id", ev.page_view);
}

/// The browser SIG's `browser.navigation.type` (push, replace, reload, traverse) of a same-page
/// or back/forward navigation; none for a load (its kind is in the navigation timing).
fn nav_type(n: Navigation) -> Option<&'static str> {
    match n {
        Navigation::PushState | Navigation::HashChange => Some("push"),
        Navigation::ReplaceState => Some("replace"),
        Navigation::PopState | Navigation::BackForwardCache => Some("traverse"),
        Navigation::Load | Navigation::Session => None,
    }
}

/// OpenTelemetry's severity numbers: DEBUG 5, INFO 9, WARN 13, ERROR 17, FATAL 21.
fn level(l: &str) -> u8 {
    match l {
        "fatal" => 21,
        "warning" => 13,
        "info" => 9,
        "debug" => 5,
        _ => 17,
    }
}

fn alert_severity(s: &str) -> u8 {
    match s {
        "critical" => 21,
        "warning" => 13,
        "info" => 9,
        _ => 17,
    }
}

fn severity_text(n: u8) -> &'static str {
    match n {
        5 => "DEBUG",
        9 => "INFO",
        13 => "WARN",
        21 => "FATAL",
        _ => "ERROR",
    }
}

/// Tags as attributes under `prefix`, camelCase keys in snake_case (`startTime` → `start_time`).
#[inline(never)]
fn tag_attrs(out: &mut String, prefix: &str, tags: &[(&'static str, Tag)]) {
    for (k, v) in tags {
        let mut key = String::from(prefix);
        for b in k.bytes() {
            if b.is_ascii_uppercase() {
                key.push('_');
            }
            json::ascii(&mut key, b.to_ascii_lowercase());
        }
        match v {
            Tag::Str(s) => attr_str(out, &key, s),
            Tag::Num(n) => attr_f64(out, &key, *n),
            Tag::Bool(b) => attr_bool(out, &key, *b),
        }
    }
}

/// `,"key":"<nanoseconds>"` from epoch milliseconds (exact to the microsecond, without going
/// through a float of 19 digits).
#[inline(never)]
fn nanos_field(out: &mut String, k: &str, ms: f64) {
    let ms = if ms.is_finite() { ms.max(0.0) } else { 0.0 };
    json::key(out, k);
    out.push('"');
    let whole = ms as u64;
    let micros = ((ms - whole as f64) * 1000.0) as u64;
    json::uint(out, whole.saturating_mul(1_000_000).saturating_add(micros.min(999) * 1000));
    out.push('"');
}

/// `{"key":"k","value":` inside an attribute array.
#[inline(never)]
fn key_open(out: &mut String, k: &str) {
    json::comma(out);
    out.push_str("{\"key\":");
    json::str(out, k);
    out.push_str(",\"value\":");
}

#[inline(never)]
fn any_str(out: &mut String, v: &str) {
    out.push_str("{\"stringValue\":");
    json::str(out, v);
    out.push('}');
}

#[inline(never)]
fn attr_str(out: &mut String, k: &str, v: &str) {
    key_open(out, k);
    any_str(out, v);
    out.push('}');
}

#[inline(never)]
/// A 64-bit id as its 16 hex digits, a string.
fn attr_hex(out: &mut String, k: &str, v: u64) {
    key_open(out, k);
    out.push_str("{\"stringValue\":\"");
    json::hex64(out, v);
    out.push_str("\"}}");
}

fn attr_int(out: &mut String, k: &str, v: u64) {
    key_open(out, k);
    out.push_str("{\"intValue\":\"");
    json::uint(out, v);
    out.push_str("\"}}");
}

/// A double; a non-finite number (which JSON cannot hold) is left out.
#[inline(never)]
fn attr_f64(out: &mut String, k: &str, v: f64) {
    if !v.is_finite() {
        return;
    }
    key_open(out, k);
    out.push_str("{\"doubleValue\":");
    json::float(out, v);
    out.push_str("}}");
}

#[inline(never)]
fn attr_bool(out: &mut String, k: &str, v: bool) {
    key_open(out, k);
    out.push_str(if v { "{\"boolValue\":true}}" } else { "{\"boolValue\":false}}" });
}

#[cfg(test)]
mod tests;
