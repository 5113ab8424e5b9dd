//! The monitor end to end against the fake platform: signals in, request bodies out.
use super::*;
use crate::config::Val;
use crate::event::Navigation;
use crate::signal::{RawClick, RawError};
use crate::testing::Fake;

fn config(extra: &[(&str, Val)]) -> Config {
    let mut entries = vec![(String::from("collector"), Val::Str("https://c.example".into()))];
    entries.extend(extra.iter().map(|(k, v)| (String::from(*k), v.clone())));
    Config::from_entries(Some(&entries)).unwrap()
}

fn monitor(extra: &[(&str, Val)]) -> Monitor<Fake> {
    monitor_with(extra, Fake::default())
}

fn monitor_with(extra: &[(&str, Val)], p: Fake) -> Monitor<Fake> {
    let urls = crate::config::CHANNELS.iter().map(|c| format!("https://c.example{}", c.default_path())).collect();
    Monitor::new(config(extra), urls, "UA".into(), p)
}

/// Moves the clock, firing due timers; answers every request with 200 as it goes.
fn run(m: &mut Monitor<Fake>, ms: f64) {
    let end = m.p.now + ms;
    loop {
        while let Some(post) = m.p.take_post() {
            m.signal(Signal::Sent { req: post.req, status: 200, retry_after: None });
        }
        let Some((t, due)) = m.p.next_timer(end) else { break };
        m.p.now = due.max(m.p.now);
        m.p.clear_timer(t);
        m.timer(t);
    }
    m.p.now = end;
}

fn items(m: &Monitor<Fake>, channel: &str) -> Vec<serde_json::Value> {
    m.p.sent
        .iter()
        .filter_map(|p| serde_json::from_str::<serde_json::Value>(&p.body).ok())
        .filter_map(|b| b.get(channel).and_then(|a| a.as_array().cloned()))
        .flatten()
        .collect()
}

fn throw(m: &mut Monitor<Fake>, name: &str, message: &str) {
    let now = m.p.now;
    m.signal(Signal::Error(RawError {
        kind: "javascript".into(),
        name: name.into(),
        message: message.into(),
        stack: Some(format!("{name}: {message}\n    at f (https://shop.example/app.js:1:2)")),
        source: Some("https://shop.example/app.js".into()),
        line: 1,
        column: 2,
        at: now,
        ..RawError::default()
    }));
}

#[test]
fn every_occurrence_of_a_repeated_error_is_sent_or_counted() {
    let mut m = monitor(&[]);
    // a critical error goes at once: its repeats a second apart each find it sent already
    for _ in 0..3 {
        throw(&mut m, "TypeError", "x is undefined");
        run(&mut m, 1000.0);
    }
    // a storm of one error while it waits in the queue folds into one record
    for _ in 0..500 {
        throw(&mut m, "Error", "storm");
    }
    run(&mut m, 20_000.0);
    let errors = items(&m, "errors");
    let count = |msg: &str| errors.iter().filter(|e| e["message"] == msg).map(|e| e["count"].as_u64().unwrap()).sum::<u64>();
    assert_eq!(count("x is undefined"), 3);
    assert_eq!(count("storm"), 500);
    assert_eq!(errors.iter().filter(|e| e["message"] == "storm").count(), 1);
    let snap: serde_json::Value = serde_json::from_str(&m.snapshot_json()).unwrap();
    assert_eq!(snap["errors"]["errorsByType"]["javascript"], 503);
}

#[test]
fn an_unsampled_session_sends_nothing_but_still_counts() {
    let mut m = monitor(&[("sampleRate", Val::Num(0.0))]);
    throw(&mut m, "Error", "boom");
    m.signal(Signal::Click(RawClick { tag: "button".into(), element: 1.0, ..RawClick::default() }));
    m.signal(Signal::PageHide { unload: true });
    run(&mut m, 60_000.0);
    assert!(m.p.sent.is_empty() && m.p.beacons.is_empty());
    let snap: serde_json::Value = serde_json::from_str(&m.snapshot_json()).unwrap();
    assert_eq!(snap["errors"]["errorsByType"]["javascript"], 1);
    assert_eq!(snap["userMetrics"]["userActions"], 1);
    assert_eq!(m.trace("https://shop.example/api"), 0);
}

#[test]
fn the_session_is_kept_across_loads_and_renewed_after_inactivity_with_a_page_view() {
    let mut m = monitor(&[]);
    let first = m.sessions.id.to_string();
    m.signal(Signal::PageView(RawPageView { url: "https://shop.example/cart".into(), title: "Cart".into(), referrer: String::new(), load_time: 12.0, width: 800.0, height: 600.0, how: Navigation::Load }));
    m.signal(Signal::PageHide { unload: true });
    // the next page load in the tab continues it
    let mut p = Fake::default();
    p.storage = m.p.storage.clone();
    p.now = m.p.now + 1000.0;
    let mut m = monitor_with(&[], p);
    assert_eq!(&*m.sessions.id, first);
    throw(&mut m, "Error", "before the timeout");
    // 31 minutes without user activity, then a click: a new session, starting with a page view
    m.p.now += 31.0 * 60_000.0;
    m.signal(Signal::Click(RawClick { tag: "button".into(), element: 1.0, at: 0.0, ..RawClick::default() }));
    throw(&mut m, "Error", "after");
    run(&mut m, 20_000.0);
    let second = m.sessions.id.to_string();
    assert_ne!(second, first);
    let errors = items(&m, "errors");
    assert_eq!(errors.iter().map(|e| (e["message"].as_str().unwrap(), e["sessionId"].as_str().unwrap())).collect::<Vec<_>>(), [("before the timeout", first.as_str()), ("after", second.as_str())]);
    // the old session's error went in a batch of its own, under its id
    let batch_of = |msg: &str| m.p.sent.iter().find(|p| p.body.contains(msg)).map(|p| serde_json::from_str::<serde_json::Value>(&p.body).unwrap()["sessionId"].clone()).unwrap();
    assert_eq!(batch_of("before the timeout"), first.as_str());
    let events = items(&m, "events");
    assert_eq!(events[0]["type"], "page_view");
    assert_eq!(events[0]["data"]["navigation"], "session");
    assert_eq!(events[1]["data"]["action"], "click");
    assert_eq!(events[0]["data"]["pageViewId"], events[1]["data"]["pageViewId"]);
}

#[test]
fn route_changes_start_page_views_and_actions_carry_their_page() {
    let mut m = monitor(&[]);
    let view = |how, url: &str| Signal::PageView(RawPageView { url: url.into(), title: "T".into(), referrer: String::new(), load_time: 0.0, width: 1.0, height: 1.0, how });
    m.signal(view(Navigation::Load, "https://shop.example/"));
    m.p.href = "https://shop.example/products?token=abc".into();
    m.signal(Signal::Route { from: "https://shop.example/".into(), to: "https://shop.example/products?token=abc".into(), how: Navigation::PushState });
    m.signal(view(Navigation::PushState, "https://shop.example/products?token=abc"));
    for i in 0..3 {
        m.signal(Signal::Click(RawClick { tag: "button".into(), element: 7.0, at: f64::from(i) * 100.0, ..RawClick::default() }));
    }
    m.signal(Signal::Scroll { depth: 80.0 });
    run(&mut m, 10_000.0);
    let events = items(&m, "events");
    let kinds: Vec<String> = events.iter().map(|e| e["data"]["action"].as_str().map_or_else(|| e["type"].as_str().unwrap().to_string(), String::from)).collect();
    assert_eq!(kinds, ["page_view", "route_change", "page_view", "click", "click", "click", "rage_click", "scroll", "scroll", "scroll"]);
    assert_eq!(events[1]["data"]["url"], "https://shop.example/", "the route change happened on the page it left");
    assert_eq!(events[1]["data"]["to"], "https://shop.example/products?token=[Filtered]");
    assert_ne!(events[0]["data"]["pageViewId"], events[2]["data"]["pageViewId"]);
    assert_eq!(events[6]["data"]["url"], "https://shop.example/products?token=[Filtered]");
    let seqs: Vec<u64> = events.iter().map(|e| e["data"]["seq"].as_u64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
}

#[test]
fn a_failing_health_check_raises_one_alert_until_it_recovers() {
    let mut m = monitor(&[]);
    let check = |status: &str| RawCheck { name: "api".into(), status: status.into(), response_time: 3.0, message: String::new() };
    run(&mut m, 60_000.0);
    assert_eq!(m.p.health_runs, [true], "the timer runs the checks; nothing was delivered yet: probe");
    m.signal(Signal::Health { probe: Some((true, String::new(), 4.0)), checks: vec![check("unhealthy")] });
    m.signal(Signal::Health { probe: None, checks: vec![check("unhealthy")] });
    assert_eq!(m.p.alerts.len(), 1);
    let alert: serde_json::Value = serde_json::from_str(&m.p.alerts[0]).unwrap();
    assert_eq!((alert["key"].as_str(), alert["severity"].as_str(), alert["status"].as_str()), (Some("health_unhealthy"), Some("critical"), Some("active")));
    m.signal(Signal::Health { probe: None, checks: vec![check("healthy")] });
    let report: serde_json::Value = serde_json::from_str(&m.health_json()).unwrap();
    assert_eq!(report["status"], "healthy");
    assert_eq!(report["checks"].as_array().unwrap().len(), 2, "the page's check and the collector's");
    run(&mut m, 10_000.0);
    assert_eq!(items(&m, "health").len(), 3);
    assert_eq!(items(&m, "alerts").len(), 1);
    // hidden: the periodic run pauses
    m.p.visible = false;
    run(&mut m, 120_000.0);
    assert_eq!(m.p.health_runs.len(), 1);
}

#[test]
fn failed_requests_raise_the_error_rate_alert_once_per_cooldown() {
    let mut m = monitor(&[]);
    let req = |status| Signal::Request(Request { xhr: false, method: "GET".into(), url: "https://api.example/x".into(), outcome: crate::event::Outcome::Load, status, ms: 20.0, size: -1.0, start: 0.0, traceparent: String::new() });
    for _ in 0..20 {
        m.signal(req(200));
    }
    assert!(m.p.alerts.is_empty());
    m.signal(req(500));
    m.signal(req(500));
    let keys: Vec<String> = m.p.alerts.iter().map(|a| serde_json::from_str::<serde_json::Value>(a).unwrap()["key"].as_str().unwrap().to_string()).collect();
    assert_eq!(keys, ["low_availability", "high_error_rate"], "1/21 failed is under 5 % but over 1 % unavailable; 2/22 is over 5 %");
    for _ in 0..5 {
        m.signal(req(503));
    }
    assert_eq!(m.p.alerts.len(), 2, "cooling down");
    assert!(m.resolve_alert("high_error_rate"));
    assert!(!m.resolve_alert("high_error_rate"));
    m.signal(req(500));
    assert_eq!(m.p.alerts.len(), 3);
    m.signal(Signal::PageHide { unload: false });
    let metrics = items(&m, "metrics");
    let http = metrics.iter().find(|x| x["name"] == "http_requests").expect("the requests since the last report");
    assert_eq!(http["value"], 28);
    assert_eq!(http["tags"]["failed"], 8);
}

#[test]
fn web_vitals_belong_to_the_page_view_of_the_load_and_go_when_hidden() {
    let mut m = monitor(&[]);
    m.signal(Signal::PerfStart { navigation_type: "navigate".into(), activation: 0.0, hidden_at: f64::INFINITY });
    m.signal(Signal::Fcp { start: 100.0 });
    m.signal(Signal::Lcp { start: 300.0, element: "#hero".into(), url: "https://shop.example/hero.png?sig=x".into() });
    m.signal(Signal::Shift { value: 0.05, start: 400.0, recent_input: false, source: "#ad".into() });
    m.signal(Signal::PageView(RawPageView { url: "https://shop.example/next".into(), title: String::new(), referrer: String::new(), load_time: 0.0, width: 1.0, height: 1.0, how: Navigation::PushState }));
    m.signal(Signal::VitalsHidden { at: 5000.0, count: 0.0 });
    m.signal(Signal::PageHide { unload: false });
    let metrics: Vec<serde_json::Value> = m.p.sent.iter().chain(m.p.beacons.iter().map(|_| unreachable!())).filter_map(|p| serde_json::from_str::<serde_json::Value>(&p.body).ok()).filter_map(|b| b["metrics"].as_array().cloned()).flatten().collect();
    let names: Vec<&str> = metrics.iter().map(|x| x["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["web_vitals_fcp", "web_vitals_lcp", "web_vitals_cls"]);
    assert!(metrics.iter().all(|x| x["tags"]["pageViewId"] == metrics[0]["tags"]["pageViewId"]));
    assert_eq!(metrics[1]["tags"]["resource"], "https://shop.example/hero.png?sig=[Filtered]");
    assert_eq!(metrics[2]["rating"], "good");
    let events = items(&m, "events");
    assert_ne!(events[0]["data"]["pageViewId"], metrics[0]["tags"]["pageViewId"], "the route's page view is another");
}

#[test]
fn shutdown_hands_everything_over_and_stops() {
    let mut m = monitor(&[]);
    throw(&mut m, "Error", "last words");
    m.shutdown();
    assert!(m.p.sent.iter().any(|p| p.body.contains("last words")));
    assert!(m.p.timers.iter().all(Option::is_none));
    throw(&mut m, "Error", "after");
    run(&mut m, 60_000.0);
    assert!(!m.p.sent.iter().any(|p| p.body.contains("\"after\"")));
}
