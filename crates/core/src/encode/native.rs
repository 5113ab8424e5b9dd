//! The native wire format (README, "What reaches the collector"): one JSON body per channel,
//! `{"<channel>":[items],"sdk":{…},"sessionId":…,"batchId":…,"dropped":N,"sentAt":…}`, with the
//! seed guide's camelCase field names.
use super::{Page, SDK_NAME, SDK_VERSION};
use crate::config::Channel;
use crate::event::{Action, Body, Error, Event, Metric, Outcome, Tag, MAX_CONTEXT_BYTES};
use crate::json;

/// Opens a body: `{"errors":[`.
pub fn head(out: &mut String, ch: Channel) {
    out.push_str("{\"");
    out.push_str(ch.name());
    out.push_str("\":[");
}

/// Closes the item array and adds the batch fields but `sentAt`, which [`sent_at`] writes at each
/// attempt (a retried batch keeps its id, so a collector can drop a copy it already has).
pub fn tail(out: &mut String, session: &str, batch_id: u64, dropped: u32) {
    out.push_str("],\"sdk\":{\"name\":\"");
    out.push_str(SDK_NAME);
    out.push_str("\",\"version\":\"");
    out.push_str(SDK_VERSION);
    out.push_str("\"}");
    json::field_str(out, "sessionId", session);
    json::field_hex(out, "batchId", batch_id);
    if dropped > 0 {
        json::field_u64(out, "dropped", u64::from(dropped));
    }
}

/// `,"sentAt":"…"}`: ends the body.
pub fn sent_at(out: &mut String, ms: f64) {
    time_field(out, "sentAt", ms);
    out.push('}');
}

/// Appends one event as an item of its channel's array.
pub fn item(out: &mut String, ev: &Event, page: &Page) {
    match &ev.body {
        Body::Error(e) => error(out, ev, e, page),
        Body::Metric(m) => metric(out, ev, m),
        Body::PageView(p) => {
            data_open(out, "page_view");
            json::field_str(out, "url", &ev.url);
            json::field_str(out, "title", &p.title);
            json::field_str(out, "referrer", &p.referrer);
            json::field_num(out, "loadTime", p.load_time);
            json::key(out, "viewport");
            out.push('{');
            json::field_num(out, "width", p.width);
            json::field_num(out, "height", p.height);
            out.push('}');
            let mut ua = page.user_agent.clone();
            json::truncate(&mut ua, 300);
            json::field_str(out, "userAgent", &ua);
            json::field_str(out, "navigation", p.navigation.name());
            view_and_seq(out, ev);
            data_close(out, ev.time);
        }
        Body::Action(a) => action(out, ev, a),
        Body::Span(s) => {
            data_open(out, "span");
            json::field_str(out, "traceId", &s.trace_id);
            json::field_str(out, "spanId", &s.span_id);
            // the method as the page gave it (fetch records a method it then refuses): escaped
            let mut name = String::from("HTTP ");
            name.push_str(&s.method);
            json::field_str(out, "name", &name);
            json::field_str(out, "kind", "client");
            json::field_num(out, "startTime", s.start);
            json::field_num(out, "endTime", s.start + s.duration);
            json::field_num(out, "duration", s.duration);
            let ok = s.outcome == Outcome::Load && s.status < 400;
            json::field_str(out, "status", if ok { "ok" } else { "error" });
            json::key(out, "attributes");
            out.push('{');
            json::field_str(out, "http.request.method", &s.method);
            json::field_str(out, "url.full", &s.url);
            if s.status > 0 {
                json::field_u64(out, "http.response.status_code", u64::from(s.status));
            }
            if s.size >= 0.0 {
                json::field_num(out, "http.response.body.size", s.size);
            }
            match s.outcome {
                Outcome::Load => {}
                Outcome::Abort => json::field_str(out, "error.type", "abort"),
                Outcome::Timeout => json::field_str(out, "error.type", "timeout"),
                Outcome::Error => json::field_str(out, "error.type", "network"),
            }
            out.push('}');
            data_close(out, s.start);
        }
        // made for the OTLP exporter only; natively it would be one internal span
        Body::PageLoad(l) => {
            data_open(out, "span");
            json::key(out, "traceId");
            out.push('"');
            json::hex64(out, l.trace_id.0);
            json::hex64(out, l.trace_id.1);
            out.push('"');
            json::key(out, "spanId");
            out.push('"');
            json::hex64(out, l.span_id);
            out.push('"');
            json::field_str(out, "name", "documentLoad");
            json::field_str(out, "kind", "internal");
            let end = l.phases.first().map_or(0.0, |p| p.2);
            json::field_num(out, "startTime", l.origin);
            json::field_num(out, "endTime", l.origin + end);
            json::field_num(out, "duration", end);
            json::field_str(out, "status", "ok");
            out.push_str(",\"attributes\":{}");
            data_close(out, l.origin);
        }
        Body::Health(h) => {
            out.push_str("{\"checks\":[");
            for c in &h.checks {
                json::comma(out);
                out.push('{');
                json::field_str(out, "name", &c.name);
                json::field_str(out, "status", c.status.name());
                json::field_num(out, "responseTime", c.response_time);
                if !c.message.is_empty() {
                    json::field_str(out, "message", &c.message);
                }
                out.push('}');
            }
            out.push_str("],\"summary\":{");
            for (k, v) in ["healthy", "degraded", "unhealthy", "unknown"].iter().zip(h.summary) {
                json::field_u64(out, k, u64::from(v));
            }
            json::field_u64(out, "total", h.checks.len() as u64);
            out.push('}');
            json::field_str(out, "status", h.status.name());
            time_field(out, "timestamp", ev.time);
            out.push('}');
        }
        Body::Alert(a) => {
            out.push('{');
            json::field_hex(out, "id", a.id);
            json::field_str(out, "key", &a.key);
            json::field_str(out, "severity", a.severity);
            json::field_str(out, "title", a.title);
            json::field_str(out, "status", if a.resolved { "resolved" } else { "active" });
            time_field(out, "timestamp", ev.time);
            if let Some((value, threshold)) = a.figures {
                json::field_num(out, "value", value);
                json::field_num(out, "threshold", threshold);
            }
            if !a.resolved {
                json::field_str(out, "description", &a.description);
                json::field_str(out, "url", &ev.url);
            }
            out.push('}');
        }
    }
}

fn error(out: &mut String, ev: &Event, e: &Error, page: &Page) {
    out.push('{');
    json::field_hex(out, "id", e.id);
    json::field_str(out, "type", e.kind);
    json::field_str(out, "name", &e.name);
    json::field_str(out, "message", &e.message);
    time_field(out, "timestamp", ev.time);
    json::field_opt(out, "stack", e.stack.as_deref());
    json::key(out, "frames");
    out.push('[');
    for f in &e.frames {
        json::comma(out);
        out.push('{');
        json::field_str(out, "function", &f.function);
        json::field_str(out, "file", &f.file);
        json::field_u64(out, "line", u64::from(f.line));
        json::field_u64(out, "column", u64::from(f.column));
        out.push('}');
    }
    out.push(']');
    if let Some(src) = &e.source {
        json::field_str(out, "source", src);
        json::field_u64(out, "line", u64::from(e.line));
        json::field_u64(out, "column", u64::from(e.column));
    }
    json::field_str(out, "url", &ev.url);
    json::field_str(out, "userAgent", &page.user_agent);
    json::field_opt(out, "userId", ev.scope.user.as_deref());
    json::field_str(out, "sessionId", &ev.session);
    json::field_opt(out, "buildVersion", page.release.as_deref());
    json::field_opt(out, "environment", page.environment.as_deref());
    json::field_str(out, "level", e.level);
    bool_field(out, "handled", e.handled);
    if e.cross_origin {
        bool_field(out, "crossOrigin", true);
    }
    if let Some(el) = &e.element {
        json::field_str(out, "element", el);
    }
    if let Some(h) = &e.http {
        json::field_str(out, "api", if h.xhr { "xhr" } else { "fetch" });
        json::field_str(out, "method", &h.method);
        json::field_str(out, "requestUrl", &h.url);
        json::field_u64(out, "status", u64::from(h.status));
        json::field_u64(out, "duration", h.duration_ms);
        if h.size >= 0.0 {
            json::field_num(out, "responseSize", h.size);
        }
    }
    if !ev.scope.tags.is_empty() {
        json::key(out, "tags");
        out.push('{');
        for (k, v) in &ev.scope.tags {
            // the page's own key: escaped like any text
            json::comma(out);
            json::str(out, k);
            out.push(':');
            json::str(out, v);
        }
        out.push('}');
    }
    if let Some(c) = &e.context {
        if c.len() <= MAX_CONTEXT_BYTES && (c.starts_with("{") || c.starts_with("[")) {
            json::key(out, "context");
            out.push_str(c);
        }
    }
    json::field_hex(out, "fingerprint", e.fingerprint);
    json::field_u64(out, "count", u64::from(e.count));
    out.push('}');
}

fn metric(out: &mut String, ev: &Event, m: &Metric) {
    out.push('{');
    json::field_str(out, "name", m.name);
    json::field_num(out, "value", m.value);
    time_field(out, "timestamp", ev.time);
    out.push_str(",\"tags\":{");
    for (k, v) in &m.tags {
        match v {
            Tag::Str(s) => json::field_str(out, k, s),
            Tag::Num(n) => json::field_num(out, k, *n),
            Tag::Bool(b) => bool_field(out, k, *b),
        }
    }
    json::field_hex(out, "pageViewId", ev.page_view);
    if !ev.url.is_empty() {
        json::field_str(out, "url", &ev.url);
    }
    out.push('}');
    if let Some((rating, delta)) = m.vital {
        json::field_str(out, "rating", rating);
        json::field_num(out, "delta", delta);
    }
    out.push('}');
}

fn action(out: &mut String, ev: &Event, a: &Action) {
    data_open(out, "user_action");
    json::field_str(out, "action", a.name());
    match a {
        Action::Click { element } | Action::RageClick { element, .. } => {
            json::key(out, "element");
            out.push('{');
            json::field_str(out, "tag", &element.tag);
            for (k, v) in [("id", &element.id), ("selector", &element.selector), ("classes", &element.classes), ("text", &element.text)] {
                if !v.is_empty() {
                    json::field_str(out, k, v);
                }
            }
            if !element.data.is_empty() {
                json::key(out, "data");
                out.push_str(&element.data);
            }
            out.push('}');
            if let Action::RageClick { clicks, .. } = a {
                json::field_u64(out, "clicks", u64::from(*clicks));
            }
        }
        Action::FormSubmit { id, action, method, fields } => {
            json::key(out, "form");
            out.push('{');
            json::field_str(out, "id", id);
            json::field_str(out, "action", action);
            json::field_str(out, "method", method);
            json::field_num(out, "fields", *fields);
            out.push('}');
        }
        Action::Scroll { depth } => json::field_u64(out, "depth", u64::from(*depth)),
        Action::Route { from, to, trigger } => {
            json::field_str(out, "from", from);
            json::field_str(out, "to", to);
            json::field_str(out, "trigger", trigger.name());
        }
        Action::Hidden | Action::Visible => {}
    }
    json::field_str(out, "url", &ev.url);
    view_and_seq(out, ev);
    data_close(out, ev.time);
}

/// `{"type":"…","data":{`
fn data_open(out: &mut String, kind: &str) {
    out.push_str("{\"type\":\"");
    out.push_str(kind);
    out.push_str("\",\"data\":{");
}

/// `},"timestamp":"…"}`
fn data_close(out: &mut String, ms: f64) {
    out.push('}');
    time_field(out, "timestamp", ms);
    out.push('}');
}

fn view_and_seq(out: &mut String, ev: &Event) {
    json::field_hex(out, "pageViewId", ev.page_view);
    json::field_u64(out, "seq", u64::from(ev.seq));
}

fn time_field(out: &mut String, k: &str, ms: f64) {
    json::key(out, k);
    out.push('"');
    json::iso_time(out, ms.max(0.0) as u64);
    out.push('"');
}

fn bool_field(out: &mut String, k: &str, v: bool) {
    json::key(out, k);
    out.push_str(if v { "true" } else { "false" });
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::*;
    use crate::event::{Element, Http, Navigation, PageView, Scope};
    use crate::stack::Frame;

    fn page() -> Page {
        Page { release: Some("1.0.0".into()), environment: None, user_agent: "UA".into(), ..Page::default() }
    }

    fn ev(body: Body) -> Event {
        Event {
            time: 1000.0,
            session: Rc::from("sess"),
            page_view: 0xab,
            url: Rc::from("https://a.io/p"),
            scope: Rc::new(Scope { user: Some("u1".into()), tags: vec![("plan".into(), "pro".into())] }),
            seq: 7,
            previous_session: None,
            body,
        }
    }

    fn one(e: &Event) -> String {
        let mut o = String::new();
        item(&mut o, e, &page());
        serde_json::from_str::<serde_json::Value>(&o).expect("valid JSON");
        o
    }

    #[test]
    fn errors_have_the_seed_fields_in_order() {
        let e = ev(Body::Error(Box::new(Error {
            id: 0xabc,
            kind: "javascript",
            name: "TypeError".into(),
            message: "x is \"undefined\"".into(),
            stack: Some("TypeError: x\n    at f (https://a.io/app.js:1:2)".into()),
            frames: vec![Frame { function: "f".into(), file: "https://a.io/app.js".into(), line: 1, column: 2 }],
            source: Some("https://a.io/app.js".into()),
            line: 1,
            column: 2,
            level: "error",
            context: Some("{\"k\":1}".into()),
            fingerprint: 0xf,
            count: 3,
            ..Default::default()
        })));
        let o = one(&e);
        assert!(o.starts_with("{\"id\":\"0000000000000abc\",\"type\":\"javascript\",\"name\":\"TypeError\",\"message\":\"x is \\\"undefined\\\"\",\"timestamp\":\"1970-01-01T00:00:01.000Z\""), "{o}");
        assert!(o.contains("\"frames\":[{\"function\":\"f\",\"file\":\"https://a.io/app.js\",\"line\":1,\"column\":2}]"));
        assert!(o.contains("\"url\":\"https://a.io/p\",\"userAgent\":\"UA\",\"userId\":\"u1\",\"sessionId\":\"sess\",\"buildVersion\":\"1.0.0\",\"environment\":null,\"level\":\"error\",\"handled\":false"));
        assert!(o.ends_with("\"tags\":{\"plan\":\"pro\"},\"context\":{\"k\":1},\"fingerprint\":\"000000000000000f\",\"count\":3}"), "{o}");
        assert!(!o.contains("crossOrigin"));
    }

    #[test]
    fn network_errors_carry_the_request() {
        let e = ev(Body::Error(Box::new(Error {
            kind: "http_error",
            http: Some(Http { xhr: true, method: "GET".into(), url: "https://api/x".into(), status: 500, duration_ms: 12, size: -1.0 }),
            count: 1,
            ..Default::default()
        })));
        let o = one(&e);
        assert!(o.contains(",\"api\":\"xhr\",\"method\":\"GET\",\"requestUrl\":\"https://api/x\",\"status\":500,\"duration\":12,\"tags\""), "{o}");
    }

    #[test]
    fn metrics_end_their_tags_with_the_page_view() {
        let mut m = Metric::new("web_vitals_cls", 0.123).tag("element", "#a".into()).tag("empty", String::new()).num("size", 12.0).flag("hit", true);
        m.vital = Some(("needs-improvement", 0.023));
        let o = one(&ev(Body::Metric(Box::new(m))));
        assert_eq!(
            o,
            "{\"name\":\"web_vitals_cls\",\"value\":0.123,\"timestamp\":\"1970-01-01T00:00:01.000Z\",\"tags\":{\"element\":\"#a\",\"size\":12,\"hit\":true,\"pageViewId\":\"00000000000000ab\",\"url\":\"https://a.io/p\"},\"rating\":\"needs-improvement\",\"delta\":0.023}"
        );
    }

    #[test]
    fn page_views_and_actions() {
        let pv = ev(Body::PageView(Box::new(PageView { title: "T".into(), referrer: "".into(), load_time: 5.0, width: 800.0, height: 600.0, navigation: Navigation::PushState })));
        assert_eq!(
            one(&pv),
            "{\"type\":\"page_view\",\"data\":{\"url\":\"https://a.io/p\",\"title\":\"T\",\"referrer\":\"\",\"loadTime\":5,\"viewport\":{\"width\":800,\"height\":600},\"userAgent\":\"UA\",\"navigation\":\"pushState\",\"pageViewId\":\"00000000000000ab\",\"seq\":7},\"timestamp\":\"1970-01-01T00:00:01.000Z\"}"
        );
        let click = ev(Body::Action(Box::new(Action::RageClick { element: Element { tag: "button".into(), id: "buy".into(), data: "{\"data-action\":\"buy\"}".into(), ..Default::default() }, clicks: 3 })));
        assert_eq!(
            one(&click),
            "{\"type\":\"user_action\",\"data\":{\"action\":\"rage_click\",\"element\":{\"tag\":\"button\",\"id\":\"buy\",\"data\":{\"data-action\":\"buy\"}},\"clicks\":3,\"url\":\"https://a.io/p\",\"pageViewId\":\"00000000000000ab\",\"seq\":7},\"timestamp\":\"1970-01-01T00:00:01.000Z\"}"
        );
        let route = ev(Body::Action(Box::new(Action::Route { from: "a".into(), to: "b".into(), trigger: Navigation::PopState })));
        assert!(one(&route).contains("\"action\":\"route_change\",\"from\":\"a\",\"to\":\"b\",\"trigger\":\"popstate\",\"url\""));
    }

    #[test]
    fn a_body_has_the_batch_fields() {
        let mut o = String::new();
        head(&mut o, Channel::Errors);
        o.push_str("{\"a\":1}");
        tail(&mut o, "s\"2", 0x1f, 7);
        sent_at(&mut o, 1000.0);
        assert_eq!(
            o,
            format!("{{\"errors\":[{{\"a\":1}}],\"sdk\":{{\"name\":\"sightline\",\"version\":\"{SDK_VERSION}\"}},\"sessionId\":\"s\\\"2\",\"batchId\":\"000000000000001f\",\"dropped\":7,\"sentAt\":\"1970-01-01T00:00:01.000Z\"}}")
        );
    }
}
