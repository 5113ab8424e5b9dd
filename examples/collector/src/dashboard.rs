//! The server-rendered overview at `GET /`.
//!
//! Server-rendered tables, every value HTML-escaped (everything shown comes from the SDK, that is,
//! from any page that posts to us), and plots over time drawn in the page by
//! `examples/collector/dashboard.js` with uPlot from the project's `node_modules` (no CDN), from
//! `GET /api/dashboard` (src/series.rs).

use serde_json::{Map, Value};

use crate::static_files::html_escape;
use crate::store::StoredEvent;

/// How many recent errors the page lists.
pub const RECENT_ERRORS: u32 = 100;

/// Longest message shown in the table, in characters.
const MESSAGE_MAX: usize = 300;

/// How many recent metric records the page looks through for web vitals.
pub const RECENT_METRICS: u32 = 500;
/// How many web vital values it lists.
const VITALS_SHOWN: usize = 50;
/// How many recent events-channel records (page views, user actions, spans) it looks through.
pub const RECENT_ACTIVITY: u32 = 50;

pub fn render(counts: &Map<String, Value>, errors: &[StoredEvent], metrics: &[StoredEvent], events: &[StoredEvent]) -> String {
    let mut h = String::with_capacity(8 * 1024);
    h.push_str(concat!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        "<title>Sightline dev collector</title><style>",
        "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}",
        "table{border-collapse:collapse;margin:1em 0}",
        "th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}",
        "th{background:#f4f4f4}td.num{text-align:right}",
        "td.msg{max-width:40em;word-break:break-word}code{font-size:12px}",
        "#plots{display:flex;flex-wrap:wrap;gap:1em}figure.plot{margin:0;border:1px solid #ddd;padding:.5em}",
        "figcaption{font-weight:600;margin-bottom:.3em}p.empty{color:#888;margin:.3em 0}",
        "</style><link rel=\"stylesheet\" href=\"/node_modules/uplot/dist/uPlot.min.css\"></head><body>\n",
        "<h1>Sightline dev collector</h1>\n",
        "<p>Demos: <a href=\"/examples/script-tag/\">script tag</a> · ",
        "<a href=\"/examples/npm-app/\">npm app</a> · ",
        "<a href=\"/examples/spa/\">single-page app</a> · ",
        "Data: <a href=\"/api/stats\">/api/stats</a> · <a href=\"/api/events?limit=100\">/api/events</a> · ",
        "<a href=\"/api/dashboard\">/api/dashboard</a></p>\n",
        "<h2>Over time</h2>\n<p><label>Period <select id=\"plots-minutes\">",
        "<option value=\"15\">15 minutes</option><option value=\"30\" selected>30 minutes</option>",
        "<option value=\"60\">1 hour</option><option value=\"360\">6 hours</option><option value=\"1440\">24 hours</option>",
        "</select></label> <span id=\"plots-status\">loading…</span></p>\n<div id=\"plots\"></div>\n",
        "<h2>Events per channel</h2>\n<table><tr><th>channel</th><th>events</th></tr>\n",
    ));
    for (channel, n) in counts {
        h.push_str(&format!(
            "<tr><td>{}</td><td class=\"num\">{}</td></tr>\n",
            html_escape(channel),
            n.as_i64().unwrap_or(0)
        ));
    }
    h.push_str("</table>\n");

    h.push_str(&format!(
        "<h2>Recent errors (latest {RECENT_ERRORS})</h2>\n"
    ));
    if errors.is_empty() {
        h.push_str("<p>No errors received yet.</p>\n");
    } else {
        h.push_str(
            "<table><tr><th>time (UTC)</th><th>type</th><th>message</th><th>page</th><th>session</th></tr>\n",
        );
        for e in errors {
            let d = &e.data;
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td class=\"msg\">{}</td><td>{}</td><td><code>{}</code></td></tr>\n",
                html_escape(&event_time(d, e.received_at)),
                html_escape(str_field(d, "type")),
                html_escape(&truncate(&text_of(d.get("message")), MESSAGE_MAX)),
                html_escape(str_field(d, "url")),
                html_escape(e.session_id.as_deref().unwrap_or("")),
            ));
        }
        h.push_str("</table>\n");
    }

    let vitals: Vec<&StoredEvent> = metrics
        .iter()
        .filter(|e| str_field(&e.data, "name").starts_with("web_vitals_"))
        .take(VITALS_SHOWN)
        .collect();
    h.push_str(&format!("<h2>Recent web vitals (latest {VITALS_SHOWN})</h2>\n"));
    if vitals.is_empty() {
        h.push_str("<p>No web vitals received yet.</p>\n");
    } else {
        h.push_str(
            "<table><tr><th>time (UTC)</th><th>metric</th><th>value</th><th>rating</th><th>navigation</th><th>page</th></tr>\n",
        );
        for e in vitals {
            let d = &e.data;
            let tags = d.get("tags").unwrap_or(&Value::Null);
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                html_escape(&event_time(d, e.received_at)),
                html_escape(str_field(d, "name").trim_start_matches("web_vitals_")),
                html_escape(&text_of(d.get("value"))),
                html_escape(str_field(d, "rating")),
                html_escape(str_field(tags, "navigationType")),
                html_escape(str_field(tags, "url")),
            ));
        }
        h.push_str("</table>\n");
    }
    activity(&mut h, events);
    h.push_str(concat!(
        "<script src=\"/node_modules/uplot/dist/uPlot.iife.min.js\"></script>\n",
        "<script src=\"/examples/collector/dashboard.js\"></script>\n",
        "</body></html>\n"
    ));
    h
}

/// Page views and user actions, latest first, with what each one was about.
fn activity(h: &mut String, events: &[StoredEvent]) {
    let rows: Vec<&StoredEvent> = events
        .iter()
        .filter(|e| matches!(str_field(&e.data, "type"), "page_view" | "user_action"))
        .collect();
    h.push_str(&format!("<h2>Recent page views and user actions (latest {RECENT_ACTIVITY} events)</h2>\n"));
    if rows.is_empty() {
        h.push_str("<p>No page views or user actions received yet.</p>\n");
        return;
    }
    h.push_str("<table><tr><th>time (UTC)</th><th>what</th><th>detail</th><th>page</th><th>session</th></tr>\n");
    for e in rows {
        let d = e.data.get("data").unwrap_or(&Value::Null);
        let page_view = str_field(&e.data, "type") == "page_view";
        let what = if page_view { format!("page view ({})", str_field(d, "navigation")) } else { str_field(d, "action").to_owned() };
        let el = d.get("element").unwrap_or(&Value::Null);
        let form = d.get("form").unwrap_or(&Value::Null);
        let detail = match str_field(d, "action") {
            _ if page_view => str_field(d, "title").to_owned(),
            "click" | "rage_click" => format!("{} {}", str_field(el, "selector"), str_field(el, "text")),
            "route_change" => format!("{} → {}", str_field(d, "from"), str_field(d, "to")),
            "form_submit" => format!("#{} {} {} fields", str_field(form, "id"), str_field(form, "method"), text_of(form.get("fields"))),
            "scroll" => format!("{} %", text_of(d.get("depth"))),
            _ => String::new(),
        };
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td class=\"msg\">{}</td><td>{}</td><td><code>{}</code></td></tr>\n",
            html_escape(&event_time(&e.data, e.received_at)),
            html_escape(&what),
            html_escape(&truncate(detail.trim(), MESSAGE_MAX)),
            html_escape(str_field(d, "url")),
            html_escape(e.session_id.as_deref().unwrap_or("")),
        ));
    }
    h.push_str("</table>\n");
}

fn str_field<'a>(d: &'a Value, key: &str) -> &'a str {
    d.get(key).and_then(Value::as_str).unwrap_or("")
}

fn text_of(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

/// The event's own `timestamp` (ms number or ISO string), else when we got it.
fn event_time(d: &Value, received_at: i64) -> String {
    match d.get("timestamp") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n
            .as_f64()
            .map_or_else(|| fmt_ms(received_at), |ms| fmt_ms(ms as i64)),
        _ => fmt_ms(received_at),
    }
}

/// Formats milliseconds since the epoch as `YYYY-MM-DD HH:MM:SS.mmm` in UTC.
pub fn fmt_ms(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let tod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}.{millis:03}",
        tod / 3600,
        tod / 60 % 60,
        tod % 60
    )
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian
/// (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn formats_times() {
        assert_eq!(fmt_ms(0), "1970-01-01 00:00:00.000");
        assert_eq!(fmt_ms(1_700_000_000_123), "2023-11-14 22:13:20.123");
        assert_eq!(fmt_ms(951_782_400_000), "2000-02-29 00:00:00.000");
        assert_eq!(fmt_ms(-1), "1969-12-31 23:59:59.999");
    }

    #[test]
    fn renders_counts_and_escaped_errors() {
        let mut counts = Map::new();
        counts.insert("errors".into(), json!(2));
        counts.insert("metrics".into(), json!(0));
        let errors = vec![StoredEvent {
            id: 1,
            channel: "errors".into(),
            received_at: 0,
            session_id: Some("s<1>".into()),
            batch: json!({}),
            data: json!({
                "type": "javascript",
                "message": "<img src=x onerror=alert(1)>",
                "url": "http://a/?q=\"x\"",
                "timestamp": 1_700_000_000_123i64,
            }),
        }];
        let html = render(&counts, &errors, &[], &[]);
        assert!(html.contains("Sightline dev collector"));
        assert!(html.contains("<td>errors</td><td class=\"num\">2</td>"));
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(!html.contains("<img"));
        assert!(html.contains("http://a/?q=&quot;x&quot;"));
        assert!(html.contains("s&lt;1&gt;"));
        assert!(html.contains("2023-11-14 22:13:20.123"));
        assert!(html.contains("href=\"/examples/script-tag/\""));
        assert!(html.contains("href=\"/examples/npm-app/\""));
        assert!(render(&counts, &[], &[], &[]).contains("No errors received yet."));
        assert!(html.contains("No web vitals received yet."));
    }

    #[test]
    fn lists_web_vitals_only() {
        let metric = |id, name: &str, value: Value| StoredEvent {
            id,
            channel: "metrics".into(),
            received_at: 0,
            session_id: None,
            batch: Value::Null,
            data: json!({"name": name, "value": value, "rating": "needs-improvement", "timestamp": "2026-11-26T18:00:00.000Z",
                         "tags": {"navigationType": "back-forward-cache", "url": "http://shop/<cart>"}}),
        };
        let html = render(&Map::new(), &[], &[metric(1, "web_vitals_inp", json!(312)), metric(2, "long_task_duration", json!(99))], &[]);
        assert!(html.contains("<td>inp</td><td class=\"num\">312</td><td>needs-improvement</td><td>back-forward-cache</td><td>http://shop/&lt;cart&gt;</td>"), "{html}");
        assert!(!html.contains(">99<"));
    }

    #[test]
    fn lists_page_views_and_user_actions() {
        let event = |id, data: Value| StoredEvent {
            id,
            channel: "events".into(),
            received_at: 0,
            session_id: Some("sess".into()),
            batch: Value::Null,
            data,
        };
        let html = render(
            &Map::new(),
            &[],
            &[],
            &[
                event(1, json!({"type": "page_view", "data": {"url": "http://shop/", "title": "Shop <home>", "navigation": "pushState"}, "timestamp": "2026-11-26T18:00:00.000Z"})),
                event(2, json!({"type": "user_action", "data": {"action": "click", "element": {"selector": "#buy", "text": "Buy"}, "url": "http://shop/"}, "timestamp": "2026-11-26T18:00:01.000Z"})),
                event(3, json!({"type": "user_action", "data": {"action": "scroll", "depth": 75, "url": "http://shop/"}, "timestamp": "2026-11-26T18:00:02.000Z"})),
                event(4, json!({"type": "span", "data": {"name": "HTTP GET"}})),
            ],
        );
        assert!(html.contains("<td>page view (pushState)</td><td class=\"msg\">Shop &lt;home&gt;</td><td>http://shop/</td><td><code>sess</code></td>"), "{html}");
        assert!(html.contains("<td>click</td><td class=\"msg\">#buy Buy</td>"));
        assert!(html.contains("<td>scroll</td><td class=\"msg\">75 %</td>"));
        assert!(!html.contains("HTTP GET"));
        assert!(render(&Map::new(), &[], &[], &[]).contains("No page views or user actions received yet."));
    }

    #[test]
    fn odd_error_shapes_do_not_break_the_page() {
        let e = StoredEvent {
            id: 1,
            channel: "errors".into(),
            received_at: 5,
            session_id: None,
            batch: Value::Null,
            data: json!({"message": {"nested": true}, "type": 3, "timestamp": "2025-01-01T00:00:00Z"}),
        };
        let html = render(&Map::new(), &[e], &[], &[]);
        assert!(html.contains("{&quot;nested&quot;:true}"));
        assert!(html.contains("2025-01-01T00:00:00Z"));
        assert_eq!(truncate("ééé", 2), "éé…");
        assert_eq!(truncate("ab", 2), "ab");
    }
}
