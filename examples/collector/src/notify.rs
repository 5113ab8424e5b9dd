//! Alert fan-out: alerts the SDK posts are forwarded to the webhooks of the collector's
//! configuration (`--alerts-config FILE`), never configured in the browser: Slack-compatible
//! incoming webhooks for every alert, PagerDuty Events API v2 for critical ones. A key reaching the
//! same webhook again within the cooldown is not forwarded again; a resolution always is (and
//! resolves the PagerDuty incident).
//!
//! ```json
//! {"cooldownMs": 300000,
//!  "webhooks": [{"url": "https://hooks.slack.com/services/…", "format": "slack"},
//!               {"url": "https://events.pagerduty.com/v2/enqueue", "format": "pagerduty", "routingKey": "…"}]}
//! ```

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::{json, Value};

#[derive(Clone, Debug, PartialEq)]
pub enum Format {
    Slack,
    PagerDuty { routing_key: String },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Hook {
    pub url: String,
    pub format: Format,
}

#[derive(Debug)]
pub struct Notifier {
    hooks: Vec<Hook>,
    cooldown_ms: i64,
    /// (webhook index, alert key) → quiet until (ms)
    quiet: Mutex<HashMap<(usize, String), i64>>,
}

/// Reads the configuration file's JSON; the message names what is wrong.
pub fn parse_config(text: &str) -> Result<Notifier, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let cooldown_ms = match v.get("cooldownMs") {
        None => 300_000,
        Some(c) => c.as_i64().filter(|c| *c >= 0).ok_or("`cooldownMs` must be a number of milliseconds")?,
    };
    let mut hooks = Vec::new();
    for (i, h) in v.get("webhooks").and_then(Value::as_array).ok_or("`webhooks` must be an array")?.iter().enumerate() {
        let field = |k: &str| h.get(k).and_then(Value::as_str).map(str::to_owned);
        let url = field("url").filter(|u| u.starts_with("http://") || u.starts_with("https://")).ok_or(format!("webhooks[{i}].url must be an http(s) URL"))?;
        let format = match field("format").as_deref() {
            Some("slack") => Format::Slack,
            Some("pagerduty") => Format::PagerDuty { routing_key: field("routingKey").ok_or(format!("webhooks[{i}] needs a `routingKey`"))? },
            _ => return Err(format!("webhooks[{i}].format must be \"slack\" or \"pagerduty\"")),
        };
        hooks.push(Hook { url, format });
    }
    Ok(Notifier { hooks, cooldown_ms, quiet: Mutex::new(HashMap::new()) })
}

fn s<'a>(a: &'a Value, k: &str) -> &'a str {
    a.get(k).and_then(Value::as_str).unwrap_or("")
}

/// Slack's attachment colour for a severity (resolved alerts are green).
fn colour(alert: &Value) -> &'static str {
    if s(alert, "status") == "resolved" {
        return "good";
    }
    match s(alert, "severity") {
        "critical" => "danger",
        "warning" => "warning",
        _ => "#439FE0",
    }
}

/// The Slack-compatible message for an alert.
pub fn slack(alert: &Value, session: Option<&str>) -> Value {
    let resolved = s(alert, "status") == "resolved";
    let title = if resolved { format!("Resolved: {}", s(alert, "key")) } else { s(alert, "title").to_owned() };
    let mut fields = vec![
        json!({"title": "Severity", "value": s(alert, "severity"), "short": true}),
        json!({"title": "Status", "value": s(alert, "status"), "short": true}),
        json!({"title": "Key", "value": s(alert, "key"), "short": true}),
    ];
    for (k, label) in [("value", "Value"), ("threshold", "Threshold")] {
        if let Some(v) = alert.get(k).filter(|v| v.is_number()) {
            fields.push(json!({"title": label, "value": v.to_string(), "short": true}));
        }
    }
    if !s(alert, "url").is_empty() {
        fields.push(json!({"title": "Page", "value": s(alert, "url"), "short": false}));
    }
    if let Some(id) = session {
        fields.push(json!({"title": "Session", "value": id, "short": true}));
    }
    fields.push(json!({"title": "Time", "value": s(alert, "timestamp"), "short": true}));
    json!({
        "text": format!("{} Sightline alert: {}", if resolved { "✅" } else { "🚨" }, title),
        "attachments": [{
            "color": colour(alert),
            "title": title,
            "text": s(alert, "description"),
            "fields": fields,
            "footer": "Sightline",
        }]
    })
}

/// The PagerDuty Events v2 event for an alert: a trigger, or a resolve for a resolved one (the
/// dedup key is the alert key, so both meet the same incident).
pub fn pagerduty(alert: &Value, routing_key: &str, session: Option<&str>) -> Value {
    let dedup = format!("sightline:{}", s(alert, "key"));
    if s(alert, "status") == "resolved" {
        return json!({"routing_key": routing_key, "event_action": "resolve", "dedup_key": dedup});
    }
    let summary: String = format!("{}: {}", s(alert, "title"), s(alert, "description")).chars().take(1024).collect();
    let source = s(alert, "url").split('/').nth(2).filter(|h| !h.is_empty()).unwrap_or("sightline");
    json!({
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": dedup,
        "payload": {
            "summary": summary,
            "source": source,
            "severity": "critical",
            "timestamp": s(alert, "timestamp"),
            "component": "web",
            "custom_details": {
                "key": s(alert, "key"),
                "value": alert.get("value"),
                "threshold": alert.get("threshold"),
                "url": s(alert, "url"),
                "sessionId": session,
                "alertId": s(alert, "id"),
            }
        }
    })
}

impl Notifier {
    /// What to send for one stored alert at `now`: (url, body) per webhook, cooldowns applied.
    pub fn plan(&self, alert: &Value, session: Option<&str>, now: i64) -> Vec<(String, Value)> {
        let resolved = s(alert, "status") == "resolved";
        let key = s(alert, "key").to_owned();
        let mut quiet = self.quiet.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = Vec::new();
        for (i, h) in self.hooks.iter().enumerate() {
            if let Format::PagerDuty { .. } = h.format {
                if !resolved && s(alert, "severity") != "critical" {
                    continue;
                }
            }
            if resolved {
                quiet.remove(&(i, key.clone()));
            } else {
                let until = quiet.entry((i, key.clone())).or_insert(i64::MIN);
                if now < *until {
                    continue;
                }
                *until = now + self.cooldown_ms;
            }
            let body = match &h.format {
                Format::Slack => slack(alert, session),
                Format::PagerDuty { routing_key } => pagerduty(alert, routing_key, session),
            };
            out.push((h.url.clone(), body));
        }
        out
    }

    /// Forwards the alerts of a stored batch, each webhook call on a thread of its own (a slow
    /// receiver never holds up ingest); failures are logged.
    pub fn forward(&self, alerts: &[Value], session: Option<&str>, now: i64) {
        for alert in alerts {
            for (url, body) in self.plan(alert, session, now) {
                std::thread::spawn(move || {
                    let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(10)).build();
                    if let Err(e) = agent.post(&url).set("content-type", "application/json").send_string(&body.to_string()) {
                        eprintln!("sightline-collector: alert webhook {url} failed: {e}");
                    }
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notifier() -> Notifier {
        parse_config(
            r#"{"cooldownMs": 1000, "webhooks": [
                {"url": "http://127.0.0.1:9/slack", "format": "slack"},
                {"url": "https://events.pagerduty.com/v2/enqueue", "format": "pagerduty", "routingKey": "rk-1"}]}"#,
        )
        .unwrap()
    }

    fn alert(key: &str, severity: &str, status: &str) -> Value {
        json!({"id": "a1", "key": key, "severity": severity, "title": "High error rate", "status": status,
               "description": "High error rate: 0.09 is above 0.05", "value": 0.09, "threshold": 0.05,
               "url": "https://shop.example/cart", "timestamp": "2026-11-26T10:00:00.000Z"})
    }

    #[test]
    fn config_errors_are_named() {
        assert!(parse_config("{").unwrap_err().starts_with("not JSON"));
        assert_eq!(parse_config("{}").unwrap_err(), "`webhooks` must be an array");
        assert_eq!(parse_config(r#"{"webhooks":[{"url":"ftp://x","format":"slack"}]}"#).unwrap_err(), "webhooks[0].url must be an http(s) URL");
        assert_eq!(parse_config(r#"{"webhooks":[{"url":"http://x","format":"pagerduty"}]}"#).unwrap_err(), "webhooks[0] needs a `routingKey`");
        assert_eq!(parse_config(r#"{"webhooks":[{"url":"http://x","format":"teams"}]}"#).unwrap_err(), "webhooks[0].format must be \"slack\" or \"pagerduty\"");
        assert_eq!(notifier().hooks.len(), 2);
    }

    #[test]
    fn warnings_go_to_slack_critical_ones_to_pagerduty_too_once_per_cooldown() {
        let n = notifier();
        let warn = n.plan(&alert("high_error_rate", "warning", "active"), Some("s1"), 0);
        assert_eq!(warn.len(), 1);
        assert_eq!(warn[0].0, "http://127.0.0.1:9/slack");
        let crit = n.plan(&alert("low_availability", "critical", "active"), Some("s1"), 0);
        assert_eq!(crit.iter().map(|p| p.0.as_str()).collect::<Vec<_>>(), ["http://127.0.0.1:9/slack", "https://events.pagerduty.com/v2/enqueue"]);
        assert!(n.plan(&alert("low_availability", "critical", "active"), None, 999).is_empty(), "within the cooldown");
        assert_eq!(n.plan(&alert("low_availability", "critical", "active"), None, 1000).len(), 2, "after it");
        // a resolution goes out and ends the cooldown
        let res = n.plan(&alert("high_error_rate", "warning", "resolved"), None, 10);
        assert_eq!(res.len(), 2, "slack, and pagerduty's resolve");
        assert_eq!(res[1].1, json!({"routing_key": "rk-1", "event_action": "resolve", "dedup_key": "sightline:high_error_rate"}));
        assert_eq!(n.plan(&alert("high_error_rate", "warning", "active"), None, 11).len(), 1);
    }

    #[test]
    fn payload_shapes() {
        let sl = slack(&alert("low_availability", "critical", "active"), Some("s1"));
        assert_eq!(sl["attachments"][0]["color"], "danger");
        assert_eq!(sl["attachments"][0]["title"], "High error rate");
        let fields: Vec<&str> = sl["attachments"][0]["fields"].as_array().unwrap().iter().map(|f| f["title"].as_str().unwrap()).collect();
        assert_eq!(fields, ["Severity", "Status", "Key", "Value", "Threshold", "Page", "Session", "Time"]);
        assert_eq!(slack(&alert("k", "warning", "active"), None)["attachments"][0]["color"], "warning");
        assert_eq!(slack(&alert("k", "warning", "resolved"), None)["attachments"][0]["color"], "good");
        let pd = pagerduty(&alert("low_availability", "critical", "active"), "rk", Some("s1"));
        assert_eq!(pd["event_action"], "trigger");
        assert_eq!(pd["dedup_key"], "sightline:low_availability");
        assert_eq!(pd["payload"]["severity"], "critical");
        assert_eq!(pd["payload"]["source"], "shop.example");
        assert_eq!(pd["payload"]["custom_details"]["sessionId"], "s1");
    }
}
