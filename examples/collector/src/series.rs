//! Time series for the dashboard's plots (`GET /api/dashboard`), computed from the stored events:
//! web vitals (p75 per metric), errors by type, requests (count, error rate, latency), health
//! status, alerts (raised and resolved), sessions and page views. Buckets go by the time the
//! collector received an event.

use serde_json::{json, Map, Value};

use crate::store::StoredEvent;

pub const VITALS: [&str; 6] = ["lcp", "inp", "cls", "fcp", "ttfb", "fid"];
const HEALTH: [&str; 4] = ["healthy", "degraded", "unhealthy", "unknown"];

/// `p` (0..=1) of `v` by the nearest-rank rule on the sorted values; `None` when empty.
fn percentile(v: &mut [f64], p: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let rank = ((p * v.len() as f64).ceil() as usize).clamp(1, v.len());
    Some(v[rank - 1])
}

fn num(v: Option<&Value>) -> Option<f64> {
    v.and_then(Value::as_f64)
}

fn str_of<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

/// The series between `from` and `to` (ms since the epoch) in buckets of `step` ms.
pub fn compute(events: &[StoredEvent], from: i64, to: i64, step: i64) -> Value {
    let step = step.max(1);
    let n = (((to - from) + step - 1) / step).clamp(1, 10_000) as usize;
    let slot = |t: i64| -> Option<usize> { (t >= from && t < from + step * n as i64).then(|| ((t - from) / step) as usize) };

    let mut vitals: Vec<Vec<Vec<f64>>> = vec![vec![Vec::new(); n]; VITALS.len()];
    let mut errors: Map<String, Value> = Map::new();
    let mut errors_by: Vec<(String, Vec<u64>)> = Vec::new();
    let (mut req, mut failed, mut dur_sum, mut p95) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![None::<f64>; n]);
    let mut health: Vec<Vec<u64>> = vec![vec![0; n]; HEALTH.len()];
    let (mut raised, mut resolved) = (vec![0u64; n], vec![0u64; n]);
    let mut sessions: Vec<std::collections::BTreeSet<&str>> = vec![Default::default(); n];
    let mut views = vec![0u64; n];

    for e in events {
        let Some(i) = slot(e.received_at) else { continue };
        if let Some(s) = e.session_id.as_deref() {
            sessions[i].insert(s);
        }
        let d = &e.data;
        match e.channel.as_str() {
            "metrics" => {
                let name = str_of(d, "name");
                if let Some(v) = name.strip_prefix("web_vitals_").and_then(|v| VITALS.iter().position(|x| *x == v)) {
                    if let Some(x) = num(d.get("value")) {
                        vitals[v][i].push(x);
                    }
                } else if name == "http_requests" {
                    let tags = d.get("tags").unwrap_or(&Value::Null);
                    req[i] += num(d.get("value")).unwrap_or(0.0);
                    failed[i] += num(tags.get("failed")).unwrap_or(0.0);
                    dur_sum[i] += num(tags.get("durationSum")).unwrap_or(0.0);
                    if let Some(p) = num(tags.get("p95")) {
                        // the slowest page's p95 in the bucket: an upper bound of the bucket's own
                        p95[i] = Some(p95[i].map_or(p, |q: f64| q.max(p)));
                    }
                }
            }
            "errors" => {
                let kind = match str_of(d, "type") {
                    "" => "unknown",
                    k => k,
                };
                let count = d.get("count").and_then(Value::as_u64).unwrap_or(1);
                let at = errors_by.iter().position(|(k, _)| k == kind);
                match at {
                    Some(k) => errors_by[k].1[i] += count,
                    None if errors_by.len() < 20 => {
                        let mut v = vec![0; n];
                        v[i] = count;
                        errors_by.push((kind.to_owned(), v));
                    }
                    None => {}
                }
            }
            "health" => {
                let s = HEALTH.iter().position(|h| *h == str_of(d, "status")).unwrap_or(3);
                health[s][i] += 1;
            }
            "alerts" => match str_of(d, "status") {
                "resolved" => resolved[i] += 1,
                _ => raised[i] += 1,
            },
            "events" if str_of(d, "type") == "page_view" => views[i] += 1,
            _ => {}
        }
    }

    let opt = |v: Option<f64>| v.map_or(Value::Null, Value::from);
    let mut vit = Map::new();
    for (name, buckets) in VITALS.iter().zip(vitals.iter_mut()) {
        vit.insert((*name).into(), buckets.iter_mut().map(|b| opt(percentile(b, 0.75))).collect());
    }
    for (k, v) in errors_by {
        errors.insert(k, json!(v));
    }
    let rate: Vec<Value> = req.iter().zip(&failed).map(|(r, f)| if *r > 0.0 { json!(f / r) } else { Value::Null }).collect();
    let latency: Vec<Value> = req.iter().zip(&dur_sum).map(|(r, s)| if *r > 0.0 { json!(s / r) } else { Value::Null }).collect();
    let mut hm = Map::new();
    for (name, v) in HEALTH.iter().zip(health) {
        hm.insert((*name).into(), json!(v));
    }
    json!({
        "from": from,
        "to": to,
        "step": step,
        "time": (0..n).map(|k| (from + step * k as i64) as f64 / 1000.0).collect::<Vec<_>>(),
        "vitals": vit,
        "errors": errors,
        "requests": { "count": req, "errorRate": rate, "latency": latency, "p95": p95.into_iter().map(opt).collect::<Vec<_>>() },
        "health": hm,
        "alerts": { "raised": raised, "resolved": resolved },
        "sessions": { "sessions": sessions.iter().map(|s| s.len()).collect::<Vec<_>>(), "pageViews": views },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(channel: &str, at: i64, session: &str, data: Value) -> StoredEvent {
        StoredEvent { id: 0, channel: channel.into(), received_at: at, session_id: Some(session.into()), batch: Value::Null, data }
    }

    #[test]
    fn buckets_every_series() {
        let events = vec![
            ev("metrics", 1_000, "a", json!({"name": "web_vitals_lcp", "value": 100.0})),
            ev("metrics", 1_500, "b", json!({"name": "web_vitals_lcp", "value": 300.0})),
            ev("metrics", 1_600, "b", json!({"name": "web_vitals_lcp", "value": 200.0})),
            ev("metrics", 1_700, "b", json!({"name": "web_vitals_lcp", "value": 400.0})),
            ev("metrics", 12_000, "a", json!({"name": "http_requests", "value": 10.0, "tags": {"failed": 2.0, "durationSum": 500.0, "p95": 120.0}})),
            ev("metrics", 13_000, "b", json!({"name": "http_requests", "value": 10.0, "tags": {"failed": 0.0, "durationSum": 300.0, "p95": 90.0}})),
            ev("errors", 1_000, "a", json!({"type": "javascript", "count": 3})),
            ev("errors", 11_000, "a", json!({"type": "http_error"})),
            ev("health", 1_000, "a", json!({"status": "healthy"})),
            ev("health", 11_000, "a", json!({"status": "unhealthy"})),
            ev("alerts", 11_000, "a", json!({"key": "k", "status": "active"})),
            ev("alerts", 12_000, "a", json!({"key": "k", "status": "resolved"})),
            ev("events", 1_000, "a", json!({"type": "page_view"})),
            ev("events", 2_000, "b", json!({"type": "page_view"})),
            ev("events", 2_000, "b", json!({"type": "user_action"})),
            ev("metrics", 99_000, "c", json!({"name": "web_vitals_lcp", "value": 1.0})), // out of range
        ];
        let s = compute(&events, 0, 20_000, 10_000);
        assert_eq!(s["time"], json!([0.0, 10.0]));
        // p75 of 100, 200, 300, 400 by nearest rank: the 3rd
        assert_eq!(s["vitals"]["lcp"], json!([300.0, null]));
        assert_eq!(s["vitals"]["cls"], json!([null, null]));
        assert_eq!(s["errors"], json!({"javascript": [3, 0], "http_error": [0, 1]}));
        assert_eq!(s["requests"]["count"], json!([0.0, 20.0]));
        assert_eq!(s["requests"]["errorRate"], json!([null, 0.1]));
        assert_eq!(s["requests"]["latency"], json!([null, 40.0]));
        assert_eq!(s["requests"]["p95"], json!([null, 120.0]));
        assert_eq!(s["health"]["healthy"], json!([1, 0]));
        assert_eq!(s["health"]["unhealthy"], json!([0, 1]));
        assert_eq!(s["alerts"], json!({"raised": [0, 1], "resolved": [0, 1]}));
        assert_eq!(s["sessions"], json!({"sessions": [2, 2], "pageViews": [2, 0]}));
    }
}
