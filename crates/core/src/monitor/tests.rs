//! The monitor end to end against the fake platform: signals in, request bodies out.
use super::*;
use crate::config::Val;
use crate::testing::{b, config, n, s, Fake, Vals, V};

/// Hands a signal to the monitor as the inbox would.
fn send(m: &mut Monitor<Fake>, kind: u32, fields: Vec<V>) {
    assert!(m.signal(kind, &Vals(fields)), "kind {kind} fits the table");
}

fn click(m: &mut Monitor<Fake>, element: f64, at: f64) {
    send(m, k::CLICK, vec![s("button"), s(""), s(""), s(""), s(""), s(""), n(element), n(at)]);
}

fn page_view(m: &mut Monitor<Fake>, url: &str, how: &str) {
    send(m, k::PAGE_VIEW, vec![s(url), s("T"), s(""), n(0.0), n(800.0), n(600.0), s(how)]);
}

fn monitor(extra: &[(&str, Val)]) -> Monitor<Fake> {
    monitor_with(extra, Fake::default())
}

fn monitor_with(extra: &[(&str, Val)], p: Fake) -> Monitor<Fake> {
    let cfg = config(extra);
    let urls = cfg.urls();
    Monitor::new(cfg, urls, "UA".into(), String::new(), p)
}

/// Moves the clock, firing due timers; answers every request with 200 as it goes.
fn run(m: &mut Monitor<Fake>, ms: f64) {
    let end = m.p.now + ms;
    loop {
        while let Some(post) = m.p.take_post() {
            send(m, k::SENT, vec![n(f64::from(post.req)), n(200.0), V::Missing, n(0.0)]);
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
    let stack = format!("{name}: {message}\n    at f (https://shop.example/app.js:1:2)");
    send(m, k::ERROR, vec![n(0.0), s(name), s(message), V::S(stack), s("https://shop.example/app.js"), n(1.0), n(2.0), n(now), V::Missing, V::Missing]);
}

#[test]
#[cfg(feature = "alerts")]
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
#[cfg(feature = "alerts")]
fn an_unsampled_session_sends_nothing_but_still_counts() {
    let mut m = monitor(&[("sampleRate", Val::Num(0.0))]);
    throw(&mut m, "Error", "boom");
    click(&mut m, 1.0, 0.0);
    send(&mut m, k::PAGE_HIDE, vec![b(true)]);
    run(&mut m, 60_000.0);
    assert!(m.p.sent.is_empty() && m.p.beacons.is_empty());
    let snap: serde_json::Value = serde_json::from_str(&m.snapshot_json()).unwrap();
    assert_eq!(snap["errors"]["errorsByType"]["javascript"], 1);
    assert_eq!(snap["userMetrics"]["userActions"], 1);
    assert_eq!(m.trace("https://shop.example/api"), 0);
}

#[test]
#[cfg(feature = "ux")]
fn the_session_is_kept_across_loads_and_renewed_after_inactivity_with_a_page_view() {
    let mut m = monitor(&[]);
    let first = m.sessions.id.to_string();
    page_view(&mut m, "https://shop.example/cart", "load");
    send(&mut m, k::PAGE_HIDE, vec![b(true)]);
    // the next page load in the tab continues it
    let mut p = Fake::default();
    p.storage = m.p.storage.clone();
    p.now = m.p.now + 1000.0;
    let mut m = monitor_with(&[], p);
    assert_eq!(&*m.sessions.id, first);
    throw(&mut m, "Error", "before the timeout");
    // 31 minutes without user activity, then a click: a new session, starting with a page view
    m.p.now += 31.0 * 60_000.0;
    click(&mut m, 1.0, 0.0);
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
#[cfg(feature = "ux")]
fn route_changes_start_page_views_and_actions_carry_their_page() {
    let mut m = monitor(&[]);
    page_view(&mut m, "https://shop.example/", "load");
    m.p.href = "https://shop.example/products?token=abc".into();
    send(&mut m, k::ROUTE, vec![s("https://shop.example/"), s("https://shop.example/products?token=abc"), s("pushState")]);
    page_view(&mut m, "https://shop.example/products?token=abc", "pushState");
    for i in 0..3 {
        click(&mut m, 7.0, f64::from(i) * 100.0);
    }
    send(&mut m, k::SCROLL, vec![n(80.0)]);
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
#[cfg(all(feature = "health", feature = "alerts"))]
fn a_failing_health_check_raises_one_alert_until_it_recovers() {
    let mut m = monitor(&[]);
    let health = |probe: Option<bool>, status: &str| {
        let mut f = vec![b(probe.is_some()), b(probe.unwrap_or(false)), s(""), n(4.0)];
        f.extend([s("api"), s(status), n(3.0), s("")]);
        f
    };
    run(&mut m, 60_000.0);
    assert_eq!(m.p.health_runs, [true], "the timer runs the checks; nothing was delivered yet: probe");
    send(&mut m, k::HEALTH, health(Some(true), "unhealthy"));
    send(&mut m, k::HEALTH, health(None, "unhealthy"));
    assert_eq!(m.p.alerts.len(), 1);
    let alert: serde_json::Value = serde_json::from_str(&m.p.alerts[0]).unwrap();
    assert_eq!((alert["key"].as_str(), alert["severity"].as_str(), alert["status"].as_str()), (Some("health_unhealthy"), Some("critical"), Some("active")));
    send(&mut m, k::HEALTH, health(None, "healthy"));
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
#[cfg(feature = "alerts")]
fn failed_requests_raise_the_error_rate_alert_once_per_cooldown() {
    let mut m = monitor(&[]);
    let req = |status: f64| vec![b(false), s("GET"), s("https://api.example/x"), s("load"), n(status), n(20.0), n(-1.0), n(0.0), s("")];
    for _ in 0..20 {
        send(&mut m, k::REQUEST, req(200.0));
    }
    assert!(m.p.alerts.is_empty());
    send(&mut m, k::REQUEST, req(500.0));
    send(&mut m, k::REQUEST, req(500.0));
    let keys: Vec<String> = m.p.alerts.iter().map(|a| serde_json::from_str::<serde_json::Value>(a).unwrap()["key"].as_str().unwrap().to_string()).collect();
    assert_eq!(keys, ["low_availability", "high_error_rate"], "1/21 failed is under 5 % but over 1 % unavailable; 2/22 is over 5 %");
    for _ in 0..5 {
        send(&mut m, k::REQUEST, req(503.0));
    }
    assert_eq!(m.p.alerts.len(), 2, "cooling down");
    assert!(m.resolve_alert("high_error_rate"));
    assert!(!m.resolve_alert("high_error_rate"));
    send(&mut m, k::REQUEST, req(500.0));
    assert_eq!(m.p.alerts.len(), 3);
    send(&mut m, k::PAGE_HIDE, vec![b(false)]);
    let metrics = items(&m, "metrics");
    let http = metrics.iter().find(|x| x["name"] == "http_requests").expect("the requests since the last report");
    assert_eq!(http["value"], 28);
    assert_eq!(http["tags"]["failed"], 8);
}

#[test]
#[cfg(feature = "ux")]
fn web_vitals_belong_to_the_page_view_of_the_load_and_go_when_hidden() {
    let mut m = monitor(&[]);
    send(&mut m, k::PERF_START, vec![s("navigate"), n(0.0), n(f64::INFINITY), b(true)]);
    send(&mut m, k::FCP, vec![n(100.0)]);
    send(&mut m, k::LCP, vec![n(300.0), s("#hero"), s("https://shop.example/hero.png?sig=x")]);
    send(&mut m, k::SHIFT, vec![n(0.05), n(400.0), b(false), s("#ad")]);
    page_view(&mut m, "https://shop.example/next", "pushState");
    send(&mut m, k::VITALS_HIDDEN, vec![n(5000.0), n(0.0)]);
    send(&mut m, k::PAGE_HIDE, vec![b(false)]);
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

/// Fields of the declared types that record which were read, and as what.
struct Typed {
    types: Vec<crate::signal::F>,
    read: std::cell::RefCell<Vec<usize>>,
}

impl Typed {
    fn at(&self, i: usize, want: crate::signal::F) {
        let have = self.types.get(i);
        // a boolean crosses as a number too (0 or 1), so either may read it
        let ok = have == Some(&want) || (want != crate::signal::F::S && have.is_some_and(|t| *t != crate::signal::F::S));
        assert!(ok, "field {i} ({have:?}) read as {want:?}");
        self.read.borrow_mut().push(i);
    }
}

impl Args for Typed {
    fn count(&self) -> usize {
        self.types.len()
    }
    fn str(&self, i: usize) -> String {
        self.at(i, crate::signal::F::S);
        // a value every string field accepts (navigation kinds are checked)
        String::from("load")
    }
    fn opt(&self, i: usize) -> Option<String> {
        Some(self.str(i))
    }
    fn num(&self, i: usize) -> f64 {
        self.at(i, crate::signal::F::N);
        1.0
    }
    fn bool(&self, i: usize) -> bool {
        self.at(i, crate::signal::F::B);
        true
    }
}

#[test]
fn every_signal_reads_exactly_its_declared_fields_with_their_types() {
    // the core build has no user-experience or health signals (their sources are not in it)
    let absent = |k: u32| (!cfg!(feature = "ux") && [k::PAGE_VIEW, k::ROUTE, k::CLICK, k::SUBMIT, k::SCROLL, k::VISIBILITY].contains(&k)) || (!cfg!(feature = "health") && [k::HEALTH, k::RUN_HEALTH].contains(&k));
    for (kind, decl) in crate::signal::SIGNALS.iter().enumerate() {
        if absent(kind as u32) {
            continue;
        }
        let mut types: Vec<crate::signal::F> = decl.fields.iter().map(|f| f.1).collect();
        for _ in 0..2 {
            types.extend(decl.repeat.iter().map(|f| f.1));
        }
        let args = Typed { types: types.clone(), read: std::cell::RefCell::new(Vec::new()) };
        let mut m = monitor(&[]);
        assert!(m.signal(kind as u32, &args), "{} fits", decl.name);
        let mut read = args.read.into_inner();
        read.sort_unstable();
        read.dedup();
        assert_eq!(read, (0..types.len()).collect::<Vec<_>>(), "{} reads every declared field", decl.name);
        // one field too many, or too few, is refused and counted, not misread
        let more = Typed { types: [types.clone(), vec![crate::signal::F::N]].concat(), read: Default::default() };
        assert!(!m.signal(kind as u32, &more) || !decl.repeat.is_empty(), "{}", decl.name);
        if !decl.fields.is_empty() {
            let fewer = Typed { types: types[..decl.fields.len() - 1].to_vec(), read: Default::default() };
            assert!(!m.signal(kind as u32, &fewer), "{}", decl.name);
        }
    }
    let mut m = monitor(&[]);
    assert!(!m.signal(crate::signal::SIGNALS.len() as u32, &Vals(vec![])));
    assert!(m.stats_json().contains("\"internalErrors\":1"));
}

/// OTLP: the first record of a session that replaced another names it (`session.previous_id`).
#[test]
#[cfg(feature = "otlp")]
fn a_renewed_session_names_the_previous_one_on_its_first_record() {
    let mut m = monitor(&[("exporter", Val::Str("otlp".into()))]);
    let first = m.sessions.id.to_string();
    page_view(&mut m, "https://shop.example/cart", "load");
    m.p.now += 31.0 * 60_000.0;
    click(&mut m, 1.0, 0.0);
    run(&mut m, 20_000.0);
    let bodies: Vec<&str> = m.p.sent.iter().filter(|p| p.url.ends_with("/v1/logs")).map(|p| p.body.as_str()).collect();
    let previous = format!("{{\"key\":\"session.previous_id\",\"value\":{{\"stringValue\":\"{first}\"}}}}");
    let with: Vec<&&str> = bodies.iter().filter(|b| b.contains(&previous)).collect();
    assert_eq!(with.len(), 1, "{bodies:?}");
    assert_eq!(bodies.iter().map(|b| b.matches("session.previous_id").count()).sum::<usize>(), 1, "only on the first record");
    assert!(with[0].contains("\"stringValue\":\"session\""), "the renewed session's page view");
}

/// What a hide kept in localStorage (a channel backing off) goes when the page is visible again,
/// not only at the next page load: a tab that stays open sends it.
#[test]
fn what_a_hide_kept_goes_when_the_page_is_visible_again() {
    let mut m = monitor(&[]);
    throw(&mut m, "TypeError", "kept at hide");
    // a critical error goes on the next tick
    let (t, _) = m.p.next_timer(m.p.now).unwrap();
    m.p.clear_timer(t);
    m.timer(t);
    let post = m.p.take_post().expect("the error's request");
    send(&mut m, k::SENT, vec![n(f64::from(post.req)), n(503.0), V::Missing, n(0.0)]);
    send(&mut m, k::VISIBILITY, vec![b(true)]);
    send(&mut m, k::PAGE_HIDE, vec![b(false)]);
    assert!(m.p.storage.contains_key(&(false, crate::delivery::PERSIST_KEY.to_string())), "kept while backing off");
    m.p.now += 1000.0;
    let before = m.p.sent.len();
    send(&mut m, k::VISIBILITY, vec![b(false)]);
    // the page side claims the backlog (this tab's record may be gone to another tab), then says so
    send(&mut m, k::BACKLOG, vec![]);
    assert!(!m.p.storage.contains_key(&(false, crate::delivery::PERSIST_KEY.to_string())), "taken back");
    run(&mut m, 120_000.0);
    let again: Vec<_> = m.p.sent[before..].iter().filter(|p| p.body.contains("kept at hide")).collect();
    assert_eq!(again.len(), 1, "sent once more, and delivered");
}

/// OTLP: a vital reported again for its page view is a record, not a second observation.
#[test]
#[cfg(feature = "otlp")]
fn a_vital_reported_again_is_one_observation_of_its_histogram() {
    let mut m = monitor(&[("exporter", Val::Str("otlp".into()))]);
    send(&mut m, k::PERF_START, vec![s("navigate"), n(0.0), n(f64::INFINITY), b(true)]);
    // CLS is reported once FCP is, as in web-vitals
    send(&mut m, k::FCP, vec![n(100.0)]);
    for (ts, value) in [(1000.0, 0.05), (2000.0, 0.08)] {
        send(&mut m, k::SHIFT, vec![n(value), n(ts), b(false), s("#hero")]);
        send(&mut m, k::VITALS_HIDDEN, vec![n(ts + 10.0), n(0.0)]);
        send(&mut m, k::VISIBILITY, vec![b(false)]);
    }
    run(&mut m, 60_000.0);
    let logs: usize = m.p.sent.iter().filter(|p| p.url.ends_with("/v1/logs")).map(|p| p.body.matches("\"browser.web_vital.name\",\"value\":{\"stringValue\":\"cls\"").count()).sum();
    let points: usize = m.p.sent.iter().filter(|p| p.url.ends_with("/v1/metrics")).map(|p| p.body.matches("sightline.web_vital.cls").count()).sum();
    assert_eq!((logs, points), (2, 1));
}
