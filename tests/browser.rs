//! Browser tests (headless Chromium via wasm-bindgen-test-runner): real events, real listeners,
//! real requests to the dev collector named by SIGHTLINE_TEST_COLLECTOR at build time.
#![cfg(target_arch = "wasm32")]
// the core build (`--no-default-features`) runs the tests of what it has; some helpers then go unused
#![cfg_attr(not(feature = "full"), allow(dead_code))]

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const COLLECTOR: &str = match option_env!("SIGHTLINE_TEST_COLLECTOR") {
    Some(c) => c,
    None => "http://127.0.0.1:18123",
};

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

fn get(v: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(v.clone(), |v, k| Reflect::get(&v, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED))
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", (js_sys::Math::random() * 1e12) as u64)
}

/// A client as js/core.js drives it: its number (what `start` returns), called through the
/// exported functions, and the `sink` object its callbacks go through (`sink.c` is the object the
/// page side calls; js/health.js keeps its checks on the sink).
struct Client(u32, Object);

impl Client {
    fn call(&self, method: &str, args: &[JsValue]) -> JsValue {
        let id = self.0;
        let arg = |i: usize| args.get(i).cloned().unwrap_or(JsValue::UNDEFINED);
        let num = |i: usize| arg(i).as_f64().unwrap_or(0.0) as u32;
        match method {
            "inbox" => {
                sightline::client::inbox(id, num(0), arg(1).unchecked_into());
                JsValue::UNDEFINED
            }
            "report" => sightline::client::report(id, num(0)).into(),
            "resolveAlert" => sightline::client::resolve_alert(id, &arg(0).as_string().unwrap()).into(),
            "shutdown" => {
                sightline::client::shutdown(id);
                JsValue::UNDEFINED
            }
            other => panic!("no method {other}"),
        }
    }
    /// `captureMessage` as js/core.js makes it: the `error` signal (kind 0) of a manual capture.
    fn capture_message(&self, text: String, level: Option<String>) {
        let level = JsValue::from(level.unwrap_or_else(|| "info".into()));
        let u = JsValue::UNDEFINED;
        let fields: Array = [3.into(), "".into(), text.into(), u.clone(), u.clone(), 0.into(), 0.into(), js_sys::Date::now().into(), level, u].iter().collect();
        self.call("inbox", &[0.into(), fields.into()]);
    }
    /// A signal with its fields, as js/signals.js hands it over.
    fn signal(&self, name: &str, fields: &[JsValue]) {
        let kind = sightline_core::signal::kind(name).expect("a declared signal");
        self.call("inbox", &[kind.into(), fields.iter().collect::<Array>().into()]);
    }
    fn stats(&self) -> String {
        self.call("report", &[0.into()]).as_string().unwrap()
    }
    /// `flush()` as js/core.js makes it: a promise the wasm settles through `sink.flushes`.
    fn flush(&self) -> js_sys::Promise {
        let waiting = js_fn("sink", "return new Promise((r) => (sink.flushes = sink.flushes || []).push(r))");
        let p: js_sys::Promise = waiting.call1(&JsValue::NULL, &self.1).unwrap().dyn_into().unwrap();
        self.signal("flush", &[]);
        p
    }
    fn shutdown(&self) {
        self.call("shutdown", &[]);
    }
}

fn try_start(config: &JsValue) -> Result<Client, String> {
    let sink = Object::new();
    let c = sightline::start(config.clone(), sink.clone().into());
    if let Some(err) = c.as_string() {
        return Err(err);
    }
    let id = c.as_f64().expect("a client number") as u32;
    // what js/core.js puts there: the client's functions with its number
    let calls = obj(&[
        ("inbox", Closure::<dyn Fn(u32, Array)>::new(move |kind, fields| sightline::client::inbox(id, kind, fields)).into_js_value()),
        ("timer", Closure::<dyn Fn(u32)>::new(move |slot| sightline::client::timer(id, slot)).into_js_value()),
        ("trace", Closure::<dyn Fn(String) -> u32>::new(move |url: String| sightline::client::trace(id, &url)).into_js_value()),
    ]);
    Reflect::set(&sink, &"c".into(), &calls).unwrap();
    Ok(Client(id, sink))
}

fn start(extra: &[(&str, JsValue)]) -> Client {
    let mut pairs = vec![("collector", JsValue::from_str(COLLECTOR))];
    pairs.extend(extra.iter().cloned());
    try_start(&obj(&pairs)).expect("valid config")
}

async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms).unwrap();
    });
    JsFuture::from(p).await.unwrap();
}

async fn fetch_json(url: &str, post: Option<&str>) -> JsValue {
    let w = web_sys::window().unwrap();
    let fetch: js_sys::Function = Reflect::get(&w, &"fetch".into()).unwrap().dyn_into().unwrap();
    let init = match post {
        Some(body) => obj(&[("method", "POST".into()), ("body", body.into())]),
        None => obj(&[]),
    };
    let resp = JsFuture::from(fetch.call2(&w, &url.into(), &init).unwrap().dyn_into::<js_sys::Promise>().unwrap()).await.unwrap();
    let resp: web_sys::Response = resp.dyn_into().unwrap();
    JsFuture::from(resp.json().unwrap()).await.unwrap()
}

/// Stored error events whose message contains `marker`.
async fn received(marker: &str) -> Vec<JsValue> {
    let r = fetch_json(&format!("{COLLECTOR}/api/events?channel=errors&limit=10000"), None).await;
    let events: js_sys::Array = get(&r, "events").dyn_into().unwrap();
    events.iter().filter(|e| get(e, "data.message").as_string().unwrap_or_default().contains(marker)).collect()
}

fn stats(c: &Client) -> JsValue {
    js_sys::JSON::parse(&c.stats()).unwrap()
}

fn queued_errors(c: &Client) -> f64 {
    Reflect::get(&get(&stats(c), "queued"), &0.into()).unwrap().as_f64().unwrap()
}

async fn flush(c: &Client) -> bool {
    JsFuture::from(c.flush()).await.unwrap().as_bool().unwrap()
}

fn dispatch_error(message: &str) -> web_sys::ErrorEvent {
    let init = web_sys::ErrorEventInit::new();
    init.set_message(message);
    init.set_filename("https://app.example.com/static/app.js");
    init.set_lineno(12);
    init.set_colno(34);
    init.set_error(&js_sys::Error::new(message));
    let ev = web_sys::ErrorEvent::new_with_event_init_dict("error", &init).unwrap();
    web_sys::window().unwrap().dispatch_event(&ev).unwrap();
    ev
}

fn dispatch_rejection(reason: &JsValue) {
    let init = web_sys::PromiseRejectionEventInit::new(&js_sys::Promise::resolve(&JsValue::NULL));
    init.set_reason(reason);
    let ev = web_sys::PromiseRejectionEvent::new("unhandledrejection", &init).unwrap();
    web_sys::window().unwrap().dispatch_event(&ev).unwrap();
}

#[wasm_bindgen_test]
fn invalid_config_is_refused_with_the_key_named() {
    let err = try_start(&obj(&[("collector", COLLECTOR.into()), ("colector", "x".into())])).err().unwrap();
    assert_eq!(err, "sightline: unknown config key `colector`");
    let err = try_start(&obj(&[("collector", COLLECTOR.into()), ("errors", obj(&[("maxQueueSize", "100".into())]))])).err().unwrap();
    assert!(err.contains("`errors.maxQueueSize`"), "{err}");
    assert!(try_start(&JsValue::UNDEFINED).is_err());
}

#[wasm_bindgen_test]
async fn a_real_error_event_reaches_the_collector() {
    let c = start(&[("release", "1.2.3".into()), ("environment", "test".into())]);
    let marker = unique("uncaught");
    dispatch_error(&marker);
    assert_eq!(queued_errors(&c), 1.0);
    assert!(flush(&c).await, "{}", c.stats());
    let got = received(&marker).await;
    assert_eq!(got.len(), 1);
    let e = &got[0];
    assert_eq!(get(e, "data.type").as_string().unwrap(), "javascript");
    assert_eq!(get(e, "data.name").as_string().unwrap(), "Error");
    assert_eq!(get(e, "data.source").as_string().unwrap(), "https://app.example.com/static/app.js");
    assert_eq!(get(e, "data.line").as_f64().unwrap(), 12.0);
    assert_eq!(get(e, "data.buildVersion").as_string().unwrap(), "1.2.3");
    assert_eq!(get(e, "data.environment").as_string().unwrap(), "test");
    assert_eq!(get(e, "data.sessionId").as_string().unwrap().len(), 32);
    assert_eq!(get(e, "batch.sdk.name").as_string().unwrap(), "sightline");
    assert!(get(e, "data.frames").dyn_into::<js_sys::Array>().unwrap().length() >= 1);
    c.shutdown();
}

#[wasm_bindgen_test]
async fn rejections_with_any_reason_are_described() {
    let c = start(&[]);
    let m = unique("rej");
    let circular = Object::new();
    Reflect::set(&circular, &"me".into(), &circular).unwrap();
    Reflect::set(&circular, &"tag".into(), &JsValue::from_str(&m)).unwrap();
    let plain = obj(&[("tag", JsValue::from_str(&m))]);
    let reasons: Vec<(JsValue, String)> = vec![
        (js_sys::Error::new(&format!("{m} error")).into(), format!("{m} error")),
        (JsValue::from_str(&format!("{m} string")), format!("{m} string")),
        (plain, format!("{{\"tag\":\"{m}\"}}")),
        (JsValue::symbol(Some(&format!("{m} symbol"))), format!("Symbol({m} symbol)")),
    ];
    for (reason, _) in &reasons {
        dispatch_rejection(reason);
    }
    // values without the marker: checked through the queue count, then by message after delivery
    dispatch_rejection(&JsValue::from_f64(4242.5));
    dispatch_rejection(&JsValue::NULL);
    dispatch_rejection(&JsValue::UNDEFINED);
    dispatch_rejection(&circular);
    assert_eq!(queued_errors(&c), 8.0);
    assert!(flush(&c).await);
    for (_, want) in &reasons {
        let got = received(want).await;
        assert_eq!(got.len(), 1, "{want}");
        assert_eq!(get(&got[0], "data.type").as_string().unwrap(), "promise_rejection");
        assert_eq!(get(&got[0], "data.message").as_string().unwrap(), *want);
    }
    let session = get(&stats(&c), "sessionId").as_string().unwrap();
    for want in ["4242.5", "null", "undefined", "[object Object]"] {
        let all = received(want).await;
        assert!(all.iter().any(|e| get(e, "data.message").as_string().unwrap() == want && get(e, "sessionId").as_string().unwrap() == session), "{want}");
    }
    c.shutdown();
}

#[wasm_bindgen_test]
async fn a_failed_image_load_is_a_resource_error() {
    let c = start(&[]);
    let m = unique("missing");
    let doc = web_sys::window().unwrap().document().unwrap();
    let img = doc.create_element("img").unwrap();
    img.set_attribute("src", &format!("{COLLECTOR}/{m}.png")).unwrap();
    doc.body().unwrap().append_child(&img).unwrap();
    for _ in 0..100 {
        if queued_errors(&c) > 0.0 {
            break;
        }
        sleep(20).await;
    }
    assert!(flush(&c).await);
    let got = received(&m).await;
    assert_eq!(got.len(), 1);
    assert_eq!(get(&got[0], "data.type").as_string().unwrap(), "resource_error");
    assert_eq!(get(&got[0], "data.element").as_string().unwrap(), "img");
    c.shutdown();
}

#[wasm_bindgen_test]
async fn repeats_are_counted_not_resent() {
    let c = start(&[]);
    let m = unique("repeat");
    let init = web_sys::ErrorEventInit::new();
    init.set_message(&m);
    init.set_error(&js_sys::Error::new(&m));
    for _ in 0..3 {
        let ev = web_sys::ErrorEvent::new_with_event_init_dict("error", &init).unwrap();
        web_sys::window().unwrap().dispatch_event(&ev).unwrap();
    }
    assert_eq!(queued_errors(&c), 1.0);
    assert!(flush(&c).await);
    let got = received(&m).await;
    assert_eq!(got.len(), 1);
    assert_eq!(get(&got[0], "data.count").as_f64().unwrap(), 3.0);
    c.shutdown();
}

#[wasm_bindgen_test]
async fn a_full_queue_drops_the_oldest_and_reports_the_count() {
    let c = start(&[("errors", obj(&[("maxQueueSize", 3.into()), ("flushInterval", 60_000.into())]))]);
    let m = unique("bounded");
    for i in 0..5 {
        c.capture_message(format!("{m} #{i}"), None);
    }
    assert_eq!(queued_errors(&c), 3.0);
    assert_eq!(get(&stats(&c), "droppedEvents").as_f64().unwrap(), 2.0);
    assert!(flush(&c).await);
    let got = received(&m).await;
    let messages: Vec<String> = got.iter().map(|e| get(e, "data.message").as_string().unwrap()).collect();
    assert_eq!(messages, vec![format!("{m} #2"), format!("{m} #3"), format!("{m} #4")]);
    assert_eq!(get(&got[0], "batch.dropped").as_f64().unwrap(), 2.0);
    c.shutdown();
}

#[wasm_bindgen_test]
async fn before_send_edits_and_drops() {
    let hook = js_sys::Function::new_with_args("e", "if (e.message.includes('drop-me')) return null; e.message += ' (edited)'; return e;");
    let c = start(&[("beforeSend", hook.into())]);
    let m = unique("hooked");
    c.capture_message(format!("{m} keep"), Some("warning".into()));
    c.capture_message(format!("{m} drop-me"), None);
    // the hook sees each event once, when its batch is made (with its final count)
    assert_eq!(queued_errors(&c), 2.0);
    assert!(flush(&c).await);
    let got = received(&m).await;
    assert_eq!(got.len(), 1);
    assert_eq!(get(&got[0], "data.message").as_string().unwrap(), format!("{m} keep (edited)"));
    assert_eq!(get(&got[0], "data.level").as_string().unwrap(), "warning");
    c.shutdown();
}

#[wasm_bindgen_test]
async fn a_503_is_retried_and_delivered_once() {
    fetch_json(&format!("{COLLECTOR}/__admin/fail"), Some("{\"channel\":\"errors\",\"status\":503,\"count\":1}")).await;
    let c = start(&[]);
    let m = unique("retried");
    c.capture_message(m.clone(), None);
    assert!(!flush(&c).await, "the first attempt meets the 503");
    assert_eq!(queued_errors(&c), 0.0);
    assert_eq!(Reflect::get(&get(&stats(&c), "inFlight"), &0.into()).unwrap().as_f64(), Some(1.0), "the batch waits for its retry");
    for _ in 0..150 {
        if !received(&m).await.is_empty() {
            break;
        }
        sleep(20).await;
    }
    assert_eq!(received(&m).await.len(), 1);
    assert_eq!(get(&stats(&c), "failedSends").as_f64().unwrap(), 1.0);
    c.shutdown();
}

#[wasm_bindgen_test]
async fn shutdown_removes_the_listeners() {
    let c = start(&[]);
    c.shutdown();
    dispatch_error(&unique("after-shutdown"));
    dispatch_rejection(&"after-shutdown".into());
    c.capture_message("after shutdown".into(), None);
    assert_eq!(queued_errors(&c), 0.0);
    assert!(flush(&c).await);
}

#[wasm_bindgen_test]
fn the_session_id_is_kept_for_the_tab() {
    let a = start(&[]);
    let b = start(&[]);
    let id = get(&stats(&a), "sessionId").as_string().unwrap();
    assert_eq!(id.len(), 32);
    assert_eq!(get(&stats(&b), "sessionId").as_string().unwrap(), id);
    a.shutdown();
    b.shutdown();
}

fn session_summary(c: &Client) -> JsValue {
    js_sys::JSON::parse(&c.call("report", &[1.into()]).as_string().unwrap()).unwrap()
}

#[wasm_bindgen_test]
fn a_saved_session_is_continued_while_it_lasts_and_replaced_once_it_ended() {
    let storage = web_sys::window().unwrap().session_storage().unwrap().unwrap();
    let saved = storage.get_item("sightline:session").unwrap();
    let now = js_sys::Date::now() as u64;
    let id = "0123456789abcdef0123456789abcdef";
    // started 10 minutes ago, active 1 minute ago, 3 page views, 7 actions, 2 pages
    let going = format!("{id}.1.{}.{}.3.7.0000000100000002", now - 600_000, now - 60_000);
    storage.set_item("sightline:session", &going).unwrap();
    let c = start(&[("session", obj(&[("timeout", 120_000.into())]))]);
    let s = session_summary(&c);
    assert_eq!(get(&s, "sessionId").as_string().as_deref(), Some(id));
    assert_eq!([get(&s, "pageViews"), get(&s, "userActions"), get(&s, "uniquePages")].map(|v| v.as_f64().unwrap()), [3.0, 7.0, 2.0]);
    let duration = get(&s, "duration").as_f64().unwrap();
    assert!((600_000.0..610_000.0).contains(&duration), "{duration}");
    c.shutdown();
    // the same value with a 30 s timeout has ended: a new session, a new sampling decision
    storage.set_item("sightline:session", &going).unwrap();
    let c = start(&[("session", obj(&[("timeout", 30_000.into())])), ("sampleRate", 0.into())]);
    let s = session_summary(&c);
    let fresh = get(&s, "sessionId").as_string().unwrap();
    assert_ne!(fresh, id);
    assert_eq!(get(&s, "sampled"), JsValue::FALSE);
    assert_eq!(get(&s, "pageViews").as_f64(), Some(0.0));
    assert!(storage.get_item("sightline:session").unwrap().unwrap().starts_with(&(fresh + ".0.")), "saved for the tab");
    c.shutdown();
    match saved {
        Some(v) => storage.set_item("sightline:session", &v).unwrap(),
        None => storage.remove_item("sightline:session").unwrap(),
    }
}

fn wasm_memory_bytes() -> f64 {
    get(&get(&wasm_bindgen::memory(), "buffer"), "byteLength").as_f64().unwrap()
}

#[wasm_bindgen_test]
async fn an_error_flood_stays_bounded_in_queue_and_memory() {
    let c = start(&[("errors", obj(&[("flushInterval", 60_000.into())]))]);
    let mut sizes = Vec::new();
    for round in 0..4 {
        for i in 0..3000 {
            dispatch_error(&format!("flood {round}-{i} {}", "x".repeat(i % 500)));
        }
        assert_eq!(queued_errors(&c), 100.0, "the errors queue holds at most maxQueueSize");
        sizes.push(wasm_memory_bytes());
    }
    // after the first flood has sized the heap, later floods reuse it
    assert_eq!(sizes[1], sizes[3], "memory grew between floods: {sizes:?}");
    c.shutdown();
    // what the browser would not take as beacons was kept for the next page load: not this test's business
    web_sys::window().unwrap().local_storage().unwrap().unwrap().remove_item("sightline:pending").unwrap();
}

// ---- performance instrumentation (js/perf.js + src/instrument/perf.rs) ----

/// Stored metric records carrying the page view id `pv`.
async fn metrics_of(pv: &str) -> Vec<JsValue> {
    let r = fetch_json(&format!("{COLLECTOR}/api/events?channel=metrics&limit=10000"), None).await;
    let events: js_sys::Array = get(&r, "events").dyn_into().unwrap();
    events.iter().map(|e| get(&e, "data")).filter(|m| get(m, "tags.pageViewId").as_string().as_deref() == Some(pv)).collect()
}

fn page_view(c: &Client) -> String {
    get(&stats(c), "pageViewId").as_string().unwrap()
}

/// Keeps the main thread busy for `ms`: the task running this becomes a long task.
fn busy(ms: f64) {
    let end = js_sys::Date::now() + ms;
    while js_sys::Date::now() < end {}
}

/// A real long task and a real fetch, then everything observed is flushed to the collector.
async fn long_task_and_fetch(c: &Client) {
    sleep(0).await;
    busy(80.0);
    fetch_json(&format!("{COLLECTOR}/api/stats"), None).await;
    sleep(300).await; // observers deliver entries in a later task
    // an entry observed while the flush is on its way stays queued (flush resolves false): the
    // second flush takes it
    if !flush(c).await {
        assert!(flush(c).await, "{}", c.stats());
    }
}

#[wasm_bindgen_test]
async fn observers_report_real_long_tasks_and_resources_but_never_our_own_requests() {
    let c = start(&[("metrics", obj(&[("slowResourceMs", 0.into())]))]);
    long_task_and_fetch(&c).await;
    // a second round: the first flush's own POST to /api/metrics is now in resource timing too
    long_task_and_fetch(&c).await;
    let pv = page_view(&c);
    let got = metrics_of(&pv).await;
    let names: Vec<String> = got.iter().map(|m| get(m, "name").as_string().unwrap()).collect();
    // what this browser can observe (WebKit has no long tasks or long animation frames)
    let types = js_sys::JSON::stringify(&get(&web_sys::window().unwrap().into(), "PerformanceObserver.supportedEntryTypes")).unwrap();
    let supports = |t: &str| String::from(types.clone()).contains(&format!("\"{t}\""));
    // buffered entries from before `start` count too; ours took at least 80 ms
    let long = |m: &JsValue| get(m, "name").as_string().as_deref() == Some("long_task_duration") && get(m, "value").as_f64().unwrap() >= 80.0;
    assert!(!supports("longtask") || got.iter().any(long), "{names:?}");
    assert!(!supports("long-animation-frame") || names.iter().any(|n| n == "long_animation_frame"), "{names:?}");
    // the loaded page's navigation timing and TTFB, where the entry has a response start (as in
    // web-vitals: WebKit's coarse clock can give a local page's navigation 0 throughout)
    let nav = js_sys::eval("performance.getEntriesByType('navigation')[0].responseStart").unwrap().as_f64().unwrap_or(0.0);
    for name in ["web_vitals_ttfb", "navigation_request_response", "navigation_total_load_time"] {
        assert_eq!(names.iter().any(|n| n == name), nav > 0.0, "{name} in {names:?} (responseStart {nav})");
    }
    let resources: Vec<String> = got.iter().filter_map(|m| get(m, "tags.resource_url").as_string()).collect();
    assert!(resources.iter().any(|u| u.ends_with("/api/stats")), "{resources:?}");
    let stats_fetch = got.iter().find(|m| get(m, "tags.resource_url").as_string().is_some_and(|u| u.ends_with("/api/stats"))).unwrap();
    assert_eq!(get(stats_fetch, "tags.resource_type").as_string().as_deref(), Some("fetch"));
    assert!(!resources.iter().any(|u| u.contains("/api/metrics") || u.contains("/api/errors")), "own requests recorded: {resources:?}");
    // the per-type breakdown counts every resource, slow or not
    let fetches = get(&stats(&c), "resources.fetch.count").as_f64().unwrap_or(0.0);
    assert!(fetches >= 2.0, "{}", c.stats());
    assert_eq!(get(&stats(&c), "internalErrors").as_f64(), Some(0.0));
    c.shutdown();
}

#[wasm_bindgen_test]
async fn where_the_browser_lacks_the_entry_types_nothing_is_installed_and_nothing_fails() {
    // An older browser, as feature detection sees it: no supported entry types, then no
    // PerformanceObserver at all. The real properties are restored right after `start`.
    let w: JsValue = web_sys::window().unwrap().into();
    let po = Reflect::get(&w, &"PerformanceObserver".into()).unwrap();
    let target: &Object = po.unchecked_ref();
    let key = JsValue::from_str("supportedEntryTypes");
    let real = Object::get_own_property_descriptor(target, &key);
    let real_list = js_sys::JSON::stringify(&get(&po, "supportedEntryTypes")).unwrap();
    let empty = obj(&[("value", Array::new().into()), ("configurable", true.into())]);
    Object::define_property(target, &key, empty.unchecked_ref());
    let c = start(&[("metrics", obj(&[("slowResourceMs", 0.into())]))]);
    Object::define_property(target, &key, real.unchecked_ref());
    Reflect::set(&w, &"PerformanceObserver".into(), &JsValue::UNDEFINED).unwrap();
    let bare = start(&[("metrics", obj(&[("slowResourceMs", 0.into())]))]);
    Reflect::set(&w, &"PerformanceObserver".into(), &po).unwrap();
    assert_eq!(js_sys::JSON::stringify(&get(&po, "supportedEntryTypes")).unwrap(), real_list, "the real list is back");

    long_task_and_fetch(&c).await;
    long_task_and_fetch(&bare).await;
    for client in [&c, &bare] {
        let got = metrics_of(&page_view(client)).await;
        let names: Vec<String> = got.iter().map(|m| get(m, "name").as_string().unwrap()).collect();
        assert!(!names.iter().any(|n| n == "long_task_duration" || n == "resource_load_time"), "{names:?}");
        assert_eq!(get(&stats(client), "internalErrors").as_f64(), Some(0.0));
        client.shutdown();
    }
}

#[wasm_bindgen_test]
async fn metrics_off_or_shut_down_observes_nothing() {
    let off = start(&[("metrics", obj(&[("enabled", false.into()), ("slowResourceMs", 0.into())]))]);
    let shut = start(&[("metrics", obj(&[("slowResourceMs", 0.into())]))]);
    shut.shutdown();
    long_task_and_fetch(&off).await;
    busy(80.0);
    sleep(300).await;
    for client in [&off, &shut] {
        assert!(metrics_of(&page_view(client)).await.is_empty());
        assert_eq!(get(&stats(client), "queued.1").as_f64(), Some(0.0));
    }
    off.shutdown();
}

// ---- network instrumentation (js/net.js + src/instrument/net.rs) ----

/// Stored error events of `kind` whose request URL contains `marker`.
async fn network_errors(kind: &str, marker: &str) -> Vec<JsValue> {
    let r = fetch_json(&format!("{COLLECTOR}/api/events?channel=errors&limit=10000"), None).await;
    let events: js_sys::Array = get(&r, "events").dyn_into().unwrap();
    events
        .iter()
        .map(|e| get(&e, "data"))
        .filter(|d| get(d, "type").as_string().as_deref() == Some(kind) && get(d, "requestUrl").as_string().unwrap_or_default().contains(marker))
        .collect()
}

#[wasm_bindgen_test]
async fn fetch_and_xhr_through_the_page_globals_are_recorded_and_shutdown_restores_them() {
    let w: JsValue = web_sys::window().unwrap().into();
    let native_fetch = get(&w, "fetch");
    let proto = get(&w, "XMLHttpRequest.prototype");
    let native_open = get(&proto, "open");
    let c = start(&[]);
    assert!(!Object::is(&get(&w, "fetch"), &native_fetch), "fetch is wrapped");
    let marker = unique("net");
    // a 404 through the page's fetch: the same call an application makes
    let fetch: js_sys::Function = get(&w, "fetch").dyn_into().unwrap();
    let p: js_sys::Promise = fetch.call1(&w, &format!("{COLLECTOR}/__test/status?status=404&m={marker}").into()).unwrap().dyn_into().unwrap();
    let resp: web_sys::Response = JsFuture::from(p).await.unwrap().dyn_into().unwrap();
    assert_eq!(resp.status(), 404, "the page gets the native response");
    // a 500 through XMLHttpRequest
    let done = js_sys::Function::new_with_args(
        "url",
        "return new Promise((r) => { const x = new XMLHttpRequest(); x.open('GET', url); x.onloadend = () => r(x.status); x.send(); })",
    );
    let status = JsFuture::from(done.call1(&JsValue::NULL, &format!("{COLLECTOR}/__test/status?status=500&m={marker}").into()).unwrap().dyn_into::<js_sys::Promise>().unwrap()).await.unwrap();
    assert_eq!(status.as_f64(), Some(500.0));
    assert!(flush(&c).await, "{}", c.stats());
    assert_eq!(network_errors("http_error", &marker).await.len(), 1);
    let xhr = network_errors("xhr_http_error", &marker).await;
    assert_eq!(xhr.len(), 1);
    assert_eq!(get(&xhr[0], "status").as_f64(), Some(500.0));
    assert_eq!(get(&xhr[0], "method").as_string().as_deref(), Some("GET"));
    c.shutdown();
    assert!(Object::is(&get(&w, "fetch"), &native_fetch), "shutdown restores fetch");
    assert!(Object::is(&get(&proto, "open"), &native_open), "and XMLHttpRequest.prototype.open");
}

// ---- privacy (src/privacy.rs) ----

#[wasm_bindgen_test]
async fn emails_tokens_and_card_numbers_never_reach_the_collector() {
    let c = start(&[]);
    let marker = unique("privacy");
    c.capture_message(format!("{marker} jane.doe@shop.example.com paid with 4111 1111 1111 1111 using eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"), None);
    assert!(flush(&c).await);
    let got = received(&marker).await;
    assert_eq!(got.len(), 1);
    assert_eq!(get(&got[0], "data.message").as_string().unwrap(), format!("{marker} [email] paid with [number] using [jwt]"));
    c.shutdown();
}
// ---- user experience (js/ux.js + src/instrument/ux.rs) ----

/// Stored events-channel records of this page view whose `data.action` (or type) is `what`.
async fn ux_events(pv: &str) -> Vec<JsValue> {
    let r = fetch_json(&format!("{COLLECTOR}/api/events?channel=events&limit=10000"), None).await;
    let events: js_sys::Array = get(&r, "events").dyn_into().unwrap();
    events.iter().map(|e| get(&e, "data.data")).filter(|d| get(d, "pageViewId").as_string().as_deref() == Some(pv)).collect()
}

#[wasm_bindgen_test]
#[cfg(feature = "ux")]
async fn history_route_changes_are_recorded_script_clicks_are_not_and_shutdown_restores_history() {
    let w = web_sys::window().unwrap();
    let history: JsValue = w.history().unwrap().into();
    let native_push = get(&history, "pushState");
    let c = start(&[]);
    assert!(!Object::is(&get(&history, "pushState"), &native_push), "pushState is wrapped");
    let doc = w.document().unwrap();
    let button = doc.create_element("button").unwrap();
    button.set_id("ux-test-button");
    button.set_text_content(Some("Mail jane.doe@example.com"));
    doc.body().unwrap().append_child(&button).unwrap();
    let first_view = page_view(&c);
    // a script's click is not a user action (the end-to-end tests click for real)
    button.dyn_ref::<web_sys::HtmlElement>().unwrap().click();
    sleep(50).await; // clicks are described in a later task
    let push: js_sys::Function = get(&history, "pushState").dyn_into().unwrap();
    let original = w.location().href().unwrap();
    push.call3(&history, &JsValue::NULL, &"".into(), &"#ux-route".into()).unwrap();
    let second_view = page_view(&c);
    assert_ne!(first_view, second_view, "a route change starts a page view");
    assert!(flush(&c).await, "{}", c.stats());
    let before = ux_events(&first_view).await;
    assert!(!before.iter().any(|d| get(d, "action").as_string().as_deref() == Some("click")), "untrusted clicks are not recorded");
    assert!(before.iter().any(|d| get(d, "action").as_string().as_deref() == Some("route_change")), "the route change is");
    let after = ux_events(&second_view).await;
    assert!(after.iter().any(|d| get(d, "navigation").as_string().as_deref() == Some("pushState")), "the route's page view");
    c.shutdown();
    assert!(Object::is(&get(&history, "pushState"), &native_push), "shutdown restores pushState");
    push.call3(&history, &JsValue::NULL, &"".into(), &original.into()).unwrap();
    button.remove();
}

// ---- health checks, alerts, snapshot (js/health.js + src/instrument/health.rs) ----

/// Stored records of a channel carrying `marker` somewhere.
async fn stored_with(channel: &str, marker: &str) -> Vec<JsValue> {
    let r = fetch_json(&format!("{COLLECTOR}/api/events?channel={channel}&limit=10000"), None).await;
    let events: Array = get(&r, "events").dyn_into().unwrap();
    events.iter().filter(|e| js_sys::JSON::stringify(e).unwrap().as_string().unwrap().contains(marker)).collect()
}

/// A JS function from source (the checks an application would register).
fn js_fn(args: &str, body: &str) -> js_sys::Function {
    js_sys::Function::new_with_args(args, body)
}

#[wasm_bindgen_test]
#[cfg(all(feature = "health", feature = "alerts"))]
async fn health_checks_run_for_real_time_out_and_a_failing_one_raises_one_alert() {
    let c = start(&[("health", obj(&[("interval", 60_000.into()), ("timeout", 300.into())])), ("alerting", obj(&[("cooldown", 60_000.into())]))]);
    let marker = unique("health");
    let alerts = Array::new();
    let collect = js_fn("list", "return (a) => list.push(a)").call1(&JsValue::NULL, &alerts).unwrap();
    Reflect::set(&c.1, &"alertFns".into(), &Array::of1(&collect)).unwrap();
    let checks = Array::new();
    checks.push(&Array::of2(&"app_ok".into(), &js_fn("", "return new Promise((r) => setTimeout(() => r(true), 30))")));
    checks.push(&Array::of2(&"app_slow".into(), &js_fn("", "return new Promise(() => {})")));
    checks.push(&Array::of2(&marker.clone().into(), &js_fn("", "throw new Error('database is down')")));
    Reflect::set(&c.1, &"checks".into(), &checks).unwrap();
    // `runHealthChecks()` as js/core.js makes it: run, wait for the checks, read the report
    let run = || async {
        c.signal("runHealth", &[]);
        let pending: js_sys::Promise = get(&c.1.clone().into(), "pending").dyn_into().expect("health checks installed");
        JsFuture::from(pending).await.unwrap();
        js_sys::JSON::parse(&c.call("report", &[3.into()]).as_string().unwrap()).unwrap()
    };
    let started = js_sys::Date::now();
    let status = run().await;
    assert!(js_sys::Date::now() - started < 2000.0, "checks run side by side, each within its timeout");
    assert_eq!(get(&status, "status").as_string().as_deref(), Some("unhealthy"));
    let checks: Array = get(&status, "checks").dyn_into().unwrap();
    let by_name = |n: &str| checks.iter().find(|c| get(c, "name").as_string().as_deref() == Some(n)).unwrap_or_else(|| panic!("{n}"));
    assert_eq!(get(&by_name("local_storage"), "status").as_string().as_deref(), Some("healthy"));
    // Chromium has performance.memory; Firefox and WebKit do not
    let memory = by_name("memory");
    if Reflect::has(&Reflect::get(&js_sys::global(), &"performance".into()).unwrap(), &"memory".into()).unwrap() {
        assert!(matches!(get(&memory, "status").as_string().as_deref(), Some("healthy" | "degraded")), "{:?}", js_sys::JSON::stringify(&memory));
        assert!(get(&memory, "message").as_string().unwrap().ends_with(" MB"));
    } else {
        assert_eq!(get(&memory, "status").as_string().as_deref(), Some("unknown"));
        assert_eq!(get(&memory, "message").as_string().as_deref(), Some("performance.memory is not available"));
    }
    // nothing delivered yet: one light request to the collector
    assert_eq!(get(&by_name("collector"), "status").as_string().as_deref(), Some("healthy"));
    let ok = by_name("app_ok");
    assert_eq!(get(&ok, "status").as_string().as_deref(), Some("healthy"));
    let took = get(&ok, "responseTime").as_f64().unwrap();
    assert!((25.0..1000.0).contains(&took), "measured: {took}");
    let slow = by_name("app_slow");
    assert_eq!(get(&slow, "status").as_string().as_deref(), Some("unhealthy"));
    assert!(get(&slow, "message").as_string().unwrap().contains("timed out after 300 ms"));
    assert!(get(&slow, "responseTime").as_f64().unwrap() >= 299.0);
    assert_eq!(get(&by_name(&marker), "message").as_string().as_deref(), Some("database is down"));
    assert_eq!(get(&status, "summary.unhealthy").as_f64(), Some(2.0));
    assert_eq!(get(&status, "summary.total").as_f64(), Some(6.0));
    // the change to unhealthy raised one critical alert, to the callbacks and the collector
    assert_eq!(alerts.length(), 1);
    assert_eq!(get(&alerts.get(0), "key").as_string().as_deref(), Some("health_unhealthy"));
    assert_eq!(get(&alerts.get(0), "severity").as_string().as_deref(), Some("critical"));
    // still unhealthy: no new alert; and no second request to the collector within the interval
    let again = run().await;
    assert_eq!(alerts.length(), 1);
    let checks: Array = get(&again, "checks").dyn_into().unwrap();
    let collector = checks.iter().find(|c| get(c, "name").as_string().as_deref() == Some("collector")).unwrap();
    assert_eq!(get(&collector, "status").as_string().as_deref(), Some("healthy"));
    // no second request: the first one's result, or the alert batch delivered meanwhile, says enough
    let message = get(&collector, "message").as_string().unwrap();
    assert!(message.starts_with("checked ") || message.starts_with("delivered "), "{message}");
    let snap = js_sys::JSON::parse(&c.call("report", &[2.into()]).as_string().unwrap()).unwrap();
    assert_eq!(get(&snap, "health.overallStatus").as_string().as_deref(), Some("unhealthy"));
    assert_eq!(get(&snap, "alerts.active").dyn_into::<Array>().unwrap().length(), 1);
    assert!(flush(&c).await, "{}", c.stats());
    assert_eq!(stored_with("health", &marker).await.len(), 2, "both runs posted");
    let id = get(&alerts.get(0), "id").as_string().unwrap();
    assert_eq!(stored_with("alerts", &id).await.len(), 1);
    assert_eq!(c.call("resolveAlert", &["health_unhealthy".into()]), JsValue::TRUE);
    assert_eq!(c.call("resolveAlert", &["health_unhealthy".into()]), JsValue::FALSE);
    c.shutdown();
    assert!(get(&c.1.clone().into(), "runChecks").is_undefined(), "shutdown stops the checks");
}

/// `exporter: 'otlp'` in the browser: the real `fetch` sends JSON with the configured header to
/// the (cross-origin) test collector, which reads it with the protobuf definitions; `beforeSend`
/// sees and edits the OTLP log record.
#[wasm_bindgen_test]
#[cfg(feature = "otlp")]
async fn the_otlp_exporter_sends_log_records_the_collector_reads() {
    let hook = js_sys::Function::new_with_args(
        "r",
        "if (r.attributes.some((a) => a.value.stringValue && a.value.stringValue.includes('drop-me'))) return null; \
         r.attributes.push({ key: 'app.checked', value: { boolValue: true } }); return r;",
    );
    let otlp = obj(&[("endpoint", COLLECTOR.into()), ("headers", obj(&[("x-ingest-key", "public".into())]))]);
    let config = obj(&[("exporter", "otlp".into()), ("service", "browser-test".into()), ("otlp", otlp), ("beforeSend", hook.into())]);
    let c = try_start(&config).expect("valid config");
    let marker = unique("otlp");
    dispatch_error(&marker);
    c.capture_message(format!("{marker} drop-me"), None);
    assert!(flush(&c).await, "{}", c.stats());
    let got = received(&marker).await;
    assert_eq!(got.len(), 1, "the hook dropped one");
    assert_eq!(get(&got[0], "data.name").as_string().unwrap(), "Error");
    assert_eq!(get(&got[0], "channel").as_string().unwrap(), "errors");
    // the export as it came: the edited record, the service
    let r = fetch_json(&format!("{COLLECTOR}/api/events?channel=otlp_logs&limit=10000"), None).await;
    let raw = js_sys::JSON::stringify(&get(&r, "events")).unwrap().as_string().unwrap();
    let ours = raw.split("\"resourceLogs\"").find(|e| e.contains(&marker)).expect("the export");
    assert!(ours.contains("\"app.checked\"") && ours.contains("\"browser-test\""), "{ours}");
    let s = stats(&c);
    assert_eq!(get(&s, "failedSends").as_f64(), Some(0.0));
    c.shutdown();
}
