//! Health checks (run by js/health.js), threshold alerts with cooldowns, and `snapshot()`: the
//! client side of the seed's HealthCheckManager, AlertManager and MonitoringDashboard, computed
//! from the aggregates (src/aggregate.rs) and the rules (src/alerting.rs).
use wasm_bindgen::prelude::*;

use crate::aggregate::{self, Sketch};
use crate::alerting::{self, Breach, Status, Thresholds};
use crate::browser::{now_ms, num_arg};
use crate::client::{Client, Core};
use crate::config::Channel;
use crate::json;
use crate::perf::Rec;

#[wasm_bindgen(module = "/js/health.js")]
extern "C" {
    /// Starts the periodic checks; returns the function that stops them.
    fn start(sink: &JsValue, interval: f64, timeout: f64, flags: &js_sys::Array, probe: &str, fetch: &JsValue) -> js_sys::Function;
    /// Calls the `onAlert` callbacks with the alert (JSON).
    fn notify(sink: &JsValue, alert: &str);
}

/// The last health run: overall status, and its checks (a JSON array).
#[derive(Clone, Debug)]
pub struct Health {
    pub status: Status,
    pub checks: String,
}

impl Core {
    /// Starts the health checks (unless `health.enabled` is false).
    pub fn install_health(&self) {
        if !self.cfg.health_enabled {
            return;
        }
        let flags: js_sys::Array = self.cfg.health_checks.iter().map(|b| JsValue::from_bool(*b)).collect();
        let probe = self.state.try_borrow().ok().and_then(|s| s.urls.get(Channel::Health as usize).cloned()).unwrap_or_default();
        let stop = start(&self.sink, f64::from(self.cfg.health_interval_ms.max(1000)), f64::from(self.cfg.health_timeout_ms), &flags, &probe, &self.fetch);
        self.keep_uninstall(stop);
    }

    fn thresholds(&self) -> Thresholds {
        Thresholds {
            error_rate: self.cfg.error_rate_threshold,
            response_time: self.cfg.response_time_threshold,
            availability: self.cfg.availability_threshold,
        }
    }

    /// After a request: the request rules, at most once a second unless the request failed.
    pub(crate) fn check_request_alerts(&self, failed: bool) {
        if !self.cfg.alerting_enabled {
            return;
        }
        let now = now_ms();
        let breaches = {
            let Ok(mut s) = self.state.try_borrow_mut() else { return };
            if !failed && now - s.alert_checked < 1000.0 {
                return;
            }
            s.alert_checked = now;
            let t = s.agg.window.totals(now);
            let p95 = s.agg.durations.quantile(0.95).map(|p| (p, s.agg.durations.count()));
            alerting::request_breaches(&self.thresholds(), t.requests, t.error_rate(), t.availability(), p95)
        };
        for b in breaches {
            self.raise(&b, now);
        }
    }

    /// Fires `b` unless its key is cooling down: to the alerts channel and every `onAlert` callback.
    fn raise(&self, b: &Breach, now: f64) {
        let (alert, requests) = {
            let Ok(mut s) = self.state.try_borrow_mut() else { return };
            if !s.alerts.fire(b.key, now, f64::from(self.cfg.alert_cooldown_ms)) {
                return;
            }
            let id = s.rng.next_u64();
            (alert_json(id, b.key, b.severity, b.title, "active", now), s.agg.window.totals(now).requests)
        };
        let mut a = alert;
        // the description and the figures, then close
        let mut d = String::from(b.title);
        if b.key == "health_unhealthy" {
            d.push_str(": the overall health status is unhealthy");
        } else {
            d.push_str(": ");
            json::float(&mut d, round4(b.value));
            d.push_str(if b.key == "low_availability" { " is below " } else { " is above " });
            json::float(&mut d, b.threshold);
            if b.key == "slow_response_time" {
                d.push_str(" ms (p95 of request durations)");
            } else {
                d.push_str(" over the last 5 minutes (");
                json::uint(&mut d, u64::from(requests));
                d.push_str(" requests)");
            }
            json::field_num(&mut a, "value", round4(b.value));
            json::field_num(&mut a, "threshold", b.threshold);
        }
        json::field_str(&mut a, "description", &d);
        json::field_str(&mut a, "url", &self.page_url());
        a.push('}');
        notify(&self.sink, &a);
        if let Some(item) = self.before_send(a) {
            self.enqueue(Channel::Alerts, item, true);
        }
    }

    /// `resolveAlert(key)`: marks it resolved, ends its cooldown and tells the collector.
    pub fn resolve_alert(&self, key: &str) -> bool {
        let now = now_ms();
        let alert = {
            let Ok(mut s) = self.state.try_borrow_mut() else { return false };
            if !s.alerts.resolve(key) {
                return false;
            }
            let id = s.rng.next_u64();
            let mut a = alert_json(id, key, "info", "Resolved", "resolved", now);
            a.push('}');
            a
        };
        if let Some(item) = self.before_send(alert) {
            self.enqueue(Channel::Alerts, item, true);
        }
        true
    }

    /// Results of a health run from js/health.js (`[name, status, responseTime, message]` each):
    /// the status object, sent on the health channel; a change to unhealthy raises an alert.
    pub fn health(&self, r: &js_sys::Array) -> String {
        let now = now_ms();
        let mut checks = Vec::new();
        let mut o = String::from("[");
        let mut i = 0;
        while i + 4 <= r.length() {
            let status = Status::parse(&r.get(i + 1).as_string().unwrap_or_default());
            checks.push(status);
            if i > 0 {
                o.push(',');
            }
            o.push('{');
            json::field_str(&mut o, "name", &r.get(i).as_string().unwrap_or_default());
            json::field_str(&mut o, "status", status.name());
            json::field_num(&mut o, "responseTime", round4(num_arg(r, i + 2)));
            let message = r.get(i + 3).as_string().unwrap_or_default();
            if !message.is_empty() {
                json::field_str(&mut o, "message", &crate::privacy::masked(message));
            }
            o.push('}');
            i += 4;
        }
        o.push(']');
        let checks_json = o.clone();
        o.insert_str(0, "{\"checks\":");
        let (status, n) = alerting::overall(&checks);
        o.push_str(",\"summary\":{");
        for (k, v) in ["healthy", "degraded", "unhealthy", "unknown"].iter().zip(n) {
            json::field_u64(&mut o, k, u64::from(v));
        }
        json::field_u64(&mut o, "total", checks.len() as u64);
        o.push('}');
        json::field_str(&mut o, "status", status.name());
        o.push_str(",\"timestamp\":\"");
        json::iso_time(&mut o, now as u64);
        o.push_str("\"}");
        let was = {
            let Ok(mut s) = self.state.try_borrow_mut() else { return o };
            let was = s.health.as_ref().map(|h| h.status);
            s.health = Some(Health { status, checks: checks_json });
            was
        };
        if let Some(item) = self.before_send(o.clone()) {
            self.enqueue(Channel::Health, item, false);
        }
        self.report_requests();
        if was != Some(Status::Unhealthy) && self.cfg.alerting_enabled {
            if let Some(b) = alerting::health_breach(status) {
                self.raise(&b, now);
            }
        }
        o
    }

    /// The `http_requests` metric for the requests since the last one (none without requests):
    /// value = count, with `failed`, `unavailable` (network error or 5xx), `durationSum`, `p50`, `p95`.
    pub(crate) fn report_requests(&self) {
        // nothing to report is the common case (a health run, a page hide): no URL read then
        if self.state.try_borrow().map_or(true, |s| s.agg.interval.count == 0) {
            return;
        }
        let url = self.page_url();
        let rec = {
            let Ok(mut s) = self.state.try_borrow_mut() else { return };
            let i = core::mem::take(&mut s.agg.interval);
            if i.count == 0 {
                return;
            }
            let mut r = Rec::new("http_requests", f64::from(i.count), now_ms() as u64);
            r.num("failed", f64::from(i.failed))
                .num("unavailable", f64::from(i.unavailable))
                .num("durationSum", round4(i.sum))
                .num("p50", round4(i.durations.quantile(0.5).unwrap_or(0.0)))
                .num("p95", round4(i.durations.quantile(0.95).unwrap_or(0.0)))
                .tag("pageViewId", &s.page_view)
                .tag("url", &url);
            r.finish(None)
        };
        if let Some(item) = self.before_send(rec) {
            self.enqueue(Channel::Metrics, item, false);
        }
    }

    /// `snapshot()`: the seed's dashboard shape, from this page's aggregates.
    pub fn snapshot(&self) -> String {
        let now = now_ms();
        let summary = self.session_summary();
        let Ok(s) = self.state.try_borrow() else { return String::from("{}") };
        let a = &s.agg;
        let t = a.window.totals(now);
        let mut o = String::from("{\"performance\":{");
        opt(&mut o, "averageLoadTime", a.load_time.mean());
        opt(&mut o, "p95LoadTime", a.load_time.quantile(0.95));
        o.push_str(",\"webVitals\":{");
        for (i, name) in aggregate::VITALS.iter().enumerate() {
            opt(&mut o, name, a.latest.get(i).and_then(|l| l.as_ref()).map(|l| l.1));
        }
        o.push_str("},\"webVitalsP75\":{");
        for (name, sketch) in aggregate::VITALS.iter().zip(a.vitals.iter()) {
            opt(&mut o, name, sketch.quantile(0.75));
        }
        o.push('}');
        json::field_u64(&mut o, "requests", u64::from(a.durations.count()));
        json::field_u64(&mut o, "slowRequests", u64::from(a.slow_requests));
        quantiles(&mut o, "requestDuration", &a.durations);
        json::key(&mut o, "resourceBreakdown");
        crate::perf::breakdown_json(&mut o, &s.resources);
        o.push_str("},\"errors\":{");
        opt(&mut o, "errorRate", t.error_rate());
        json::field_u64(&mut o, "windowRequests", u64::from(t.requests));
        json::field_u64(&mut o, "windowFailed", u64::from(t.failed));
        o.push_str(",\"errorsByType\":{");
        for (k, n) in &a.by_type {
            json::field_u64(&mut o, k, u64::from(*n));
        }
        o.push_str("},\"topErrors\":[");
        for (i, e) in a.top.top().iter().enumerate() {
            if i > 0 {
                o.push(',');
            }
            o.push('{');
            json::key(&mut o, "fingerprint");
            o.push('"');
            json::hex64(&mut o, e.fingerprint);
            o.push('"');
            json::field_str(&mut o, "type", e.kind);
            json::field_str(&mut o, "message", &e.message);
            json::field_u64(&mut o, "count", u64::from(e.count));
            o.push('}');
        }
        o.push_str("]},\"health\":{");
        json::field_str(&mut o, "overallStatus", s.health.as_ref().map_or("unknown", |h| h.status.name()));
        json::key(&mut o, "checks");
        o.push_str(s.health.as_ref().map_or("[]", |h| h.checks.as_str()));
        opt(&mut o, "availability", t.availability());
        opt(&mut o, "responseTime", a.durations.quantile(0.95));
        opt(&mut o, "averageResponseTime", a.durations.mean());
        o.push_str("},\"alerts\":{\"active\":[");
        for (i, k) in s.alerts.active().enumerate() {
            if i > 0 {
                o.push(',');
            }
            json::str(&mut o, k);
        }
        // the session summary, with the seed's `sessionDuration` first
        o.push_str("]},\"userMetrics\":{");
        json::field_u64(&mut o, "sessionDuration", s.session.duration(now) as u64);
        o.push(',');
        o.push_str(summary.get(1..).unwrap_or("}"));
        o.push_str(",\"timestamp\":\"");
        json::iso_time(&mut o, now as u64);
        o.push_str("\"}");
        o
    }
}

/// `,"key":v` or `,"key":null`.
fn opt(o: &mut String, k: &str, v: Option<f64>) {
    json::key(o, k);
    match v {
        Some(v) => json::float(o, v),
        None => o.push_str("null"),
    }
}

fn quantiles(o: &mut String, k: &str, s: &Sketch) {
    json::key(o, k);
    o.push('{');
    opt(o, "p50", s.quantile(0.5));
    opt(o, "p75", s.quantile(0.75));
    opt(o, "p95", s.quantile(0.95));
    opt(o, "average", s.mean());
    o.push('}');
}

fn round4(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

/// `{"id","key","severity","title","status","timestamp"` (left open for more fields).
fn alert_json(id: u64, key: &str, severity: &str, title: &str, status: &str, now: f64) -> String {
    let mut a = String::with_capacity(400);
    a.push_str("{\"id\":\"");
    json::hex64(&mut a, id);
    a.push('"');
    json::field_str(&mut a, "key", key);
    json::field_str(&mut a, "severity", severity);
    json::field_str(&mut a, "title", title);
    json::field_str(&mut a, "status", status);
    a.push_str(",\"timestamp\":\"");
    json::iso_time(&mut a, now as u64);
    a.push('"');
    a
}

#[wasm_bindgen]
impl Client {
    /// Callback from js/health.js with a run's results; returns the status object (JSON).
    pub fn health(&self, results: js_sys::Array) -> String {
        self.core.health(&results)
    }

    /// For the collector check: ms since a batch was last delivered (-1: never).
    #[wasm_bindgen(js_name = deliveredAgo)]
    pub fn delivered_ago(&self) -> f64 {
        self.core.state.try_borrow().map_or(-1.0, |s| if s.delivered_at > 0.0 { now_ms() - s.delivered_at } else { -1.0 })
    }

    #[wasm_bindgen(js_name = resolveAlert)]
    pub fn resolve_alert(&self, key: &str) -> bool {
        self.core.resolve_alert(key)
    }

    pub fn snapshot(&self) -> String {
        self.core.snapshot()
    }
}
