//! Runs the real binary on a free port and talks HTTP to it, the way the SDK
//! and the end-to-end tests do.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

struct Collector {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Collector {
    fn start(name: &str, extra: &[&str]) -> Collector {
        let dir = std::env::temp_dir().join(format!("slc-it-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let root = dir.join("root");
        fs::create_dir_all(root.join("dist")).unwrap();
        fs::create_dir_all(root.join("pkg")).unwrap();
        fs::create_dir_all(root.join("tests/e2e/pages")).unwrap();
        fs::write(root.join("dist/loader.min.js"), "window.L=1").unwrap();
        fs::write(root.join("pkg/sightline_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
        fs::write(
            root.join("tests/e2e/pages/index.html"),
            "<head><!--sightline-loader--></head><!--sightline-loader:manual-->",
        )
        .unwrap();
        fs::write(dir.join("secret.txt"), "secret").unwrap();

        let mut child = Command::new(env!("CARGO_BIN_EXE_sightline-collector"))
            .args(["--port", "0", "--db"])
            .arg(dir.join("db.sqlite"))
            .arg("--root")
            .arg(&root)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start collector");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("sightline-collector listening on http://127.0.0.1:")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .parse()
            .unwrap();
        Collector { child, port, dir }
    }

    /// One request on its own connection; returns (status, lower-cased headers, body).
    fn req(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.port,
            body.len()
        );
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        s.write_all(head.as_bytes()).unwrap();
        // The server may answer (413) before reading everything; ignore a reset.
        let _ = s.write_all(body);
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("complete response head");
        let head = String::from_utf8_lossy(&raw[..split]).to_string();
        let mut lines = head.lines();
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        Resp {
            status,
            headers,
            body: raw[split + 4..].to_vec(),
        }
    }

    fn post(&self, path: &str, body: &str) -> Resp {
        self.req(
            "POST",
            path,
            &[("Content-Type", "text/plain;charset=UTF-8")],
            body.as_bytes(),
        )
    }

    fn get(&self, path: &str) -> Resp {
        self.req("GET", path, &[], b"")
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

#[test]
fn ingest_query_and_admin_hooks() {
    let c = Collector::start("ingest", &["--max-body", "2000"]);

    let good = json!({
        "errors": [{"type": "javascript", "message": "boom", "timestamp": "2025-01-01T00:00:00.000Z"},
                   {"type": "manual", "message": "hi", "timestamp": "2025-01-01T00:00:00.000Z"}],
        "sdk": {"name": "sightline", "version": "0.1.0"},
        "sessionId": "s-1",
        "sentAt": "2025-01-01T00:00:00.000Z"
    });
    let r = c.post("/api/errors", &good.to_string());
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({"accepted": 2}));
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        r.header("access-control-expose-headers"),
        Some("Retry-After")
    );

    // application/json and no content type at all are accepted too.
    let r = c.req(
        "POST",
        "/api/analytics/events",
        &[("Content-Type", "application/json")],
        br#"{"events":[{"type":"user_action","data":{"action":"page_hidden","url":"https://a/","pageViewId":"p","seq":1},"timestamp":"t"}]}"#,
    );
    assert_eq!(r.json(), json!({"accepted": 1}));
    let r = c.req(
        "POST",
        "/api/alerts",
        &[],
        br#"{"id":"a1","key":"errorRate","severity":"warning","title":"t","status":"active","timestamp":"t"}"#,
    );
    assert_eq!(r.json(), json!({"accepted": 1}));
    // OTLP: JSON only, as the OpenTelemetry Collector's receiver; read by the protobuf definitions
    assert_eq!(c.post("/v1/logs", r#"{"resourceLogs":[]}"#).status, 415);
    let json_type = [("Content-Type", "application/json")];
    let r = c.req("POST", "/v1/logs", &json_type, br#"{"resourceLogs":[]}"#);
    assert_eq!((r.status, r.json()), (200, json!({})));
    let r = c.req("POST", "/v1/traces", &json_type, br#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz","kind":"SPAN_KIND_CLIENT"}]}]}]}"#);
    assert_eq!(r.status, 400);
    assert!(r.json()["error"].as_str().unwrap().starts_with("not an OTLP /v1/traces export request"), "{:?}", r.json());

    // Rejections store nothing.
    let r = c.post("/api/errors", r#"{"errors":[{},{},7]}"#);
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json(),
        json!({"error": "`errors[2]` is not an object (found a number)"})
    );
    assert_eq!(c.post("/api/metrics", "{nope").status, 400);
    let big = format!(r#"{{"metrics":[{{"name":"{}"}}]}}"#, "x".repeat(3000));
    let r = c.post("/api/metrics", &big);
    assert_eq!(r.status, 413);
    assert!(r.json()["error"].as_str().unwrap().contains("2000"));
    assert_eq!(c.get("/api/errors").status, 405);

    let all = c.get("/api/events").json();
    let events = all["events"].as_array().unwrap();
    assert_eq!(events.len(), 5);
    assert_eq!(events[0]["channel"], "errors");
    assert_eq!(events[0]["sessionId"], "s-1");
    assert_eq!(
        events[0]["data"],
        json!({"type": "javascript", "message": "boom", "timestamp": "2025-01-01T00:00:00.000Z"})
    );
    assert_eq!(events[0]["batch"]["sdk"]["version"], "0.1.0");
    assert!(events[0]["receivedAt"].as_i64().unwrap() > 1_600_000_000_000);
    assert_eq!(events[3]["channel"], "alerts");
    assert_eq!(events[4]["channel"], "otlp_logs");
    let first = events[0]["id"].as_i64().unwrap();
    let errors = c
        .get(&format!(
            "/api/events?channel=errors&since={first}&limit=10"
        ))
        .json();
    assert_eq!(errors["events"].as_array().unwrap().len(), 1);
    assert_eq!(
        c.get("/api/events?limit=2").json()["events"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(c.get("/api/events?channel=nope").status, 400);
    let stats = c.get("/api/stats").json();
    assert_eq!(stats["errors"], 2);
    assert_eq!(stats["metrics"], 0);
    assert_eq!(stats["otlp_logs"], 1);

    // Injected failures.
    let r = c.post(
        "/__admin/fail",
        r#"{"channel":"errors","status":429,"retryAfter":"2","count":2}"#,
    );
    assert_eq!(r.status, 200);
    for _ in 0..2 {
        let r = c.post("/api/errors", &good.to_string());
        assert_eq!(r.status, 429);
        assert_eq!(r.header("retry-after"), Some("2"));
        assert_eq!(r.json(), json!({"error": "injected failure"}));
    }
    assert_eq!(c.post("/api/metrics", r#"{"metrics":[]}"#).status, 200);
    assert_eq!(c.post("/api/errors", &good.to_string()).status, 200);
    assert_eq!(c.get("/api/stats").json()["errors"], 4);
    assert_eq!(
        c.post("/__admin/fail", r#"{"channel":"errors"}"#).status,
        400
    );

    let log = c.get("/__admin/requests?channel=errors").json();
    let statuses: Vec<i64> = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_i64().unwrap())
        .collect();
    assert_eq!(statuses, vec![200, 400, 429, 429, 200]);
    assert_eq!(
        log["requests"][0]["contentType"],
        "text/plain;charset=UTF-8"
    );
    assert_eq!(log["requests"][0]["bytes"], good.to_string().len());
    let metrics_log = c.get("/__admin/requests?channel=metrics").json();
    assert_eq!(metrics_log["requests"][1]["status"], 413);

    // Preflight on any path.
    let r = c.req("OPTIONS", "/api/errors", &[], b"");
    assert_eq!(r.status, 204);
    assert_eq!(
        r.header("access-control-allow-methods"),
        Some("GET, POST, OPTIONS")
    );
    assert_eq!(
        r.header("access-control-allow-headers"),
        Some("content-type, traceparent, tracestate")
    );
    assert_eq!(r.header("access-control-max-age"), Some("600"));
    assert_eq!(c.req("OPTIONS", "/whatever", &[], b"").status, 204);

    assert_eq!(c.post("/__admin/reset", "").status, 200);
    assert!(c.get("/api/events").json()["events"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(c.get("/__admin/requests").json()["requests"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(c.get("/api/stats").json()["errors"], 0);

    assert_eq!(c.get("/healthz").text(), "ok");
    let r = c.get("/no/such/thing");
    assert_eq!(r.status, 404);
    assert!(r.json()["error"].is_string());
}

#[test]
fn static_files_loader_and_dashboard() {
    let c = Collector::start("static", &[]);
    let r = c.get("/test-pages/");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(r.header("cache-control"), Some("no-cache"));
    assert_eq!(
        r.text(),
        format!(
            "<head><script data-collector=\"http://127.0.0.1:{}\" data-src=\"/dist/sightline.js\">window.L=1</script></head>\
             <script data-src=\"/dist/sightline.js\">window.L=1</script>",
            c.port
        )
    );
    let r = c.get("/pkg/sightline_bg.wasm");
    assert_eq!(r.header("content-type"), Some("application/wasm"));
    assert_eq!(r.body, b"\0asm\x01\0\0\0");
    assert_eq!(
        c.get("/dist/loader.min.js").header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(c.get("/pkg/../../secret.txt").status, 404);
    assert_eq!(c.get("/pkg/%2e%2e/%2e%2e/secret.txt").status, 404);
    assert_eq!(c.get("/dist/missing.js").status, 404);
    let r = c.get("/test-pages");
    assert_eq!(r.status, 404); // only the mount with its slash is served
    assert_eq!(c.post("/pkg/sightline_bg.wasm", "").status, 405);

    c.post("/api/errors", r#"{"errors":[{"type":"javascript","message":"<script>x</script>","url":"http://p/","timestamp":"t"}],"sessionId":"s9"}"#);
    let r = c.get("/");
    assert_eq!(r.status, 200);
    let html = r.text();
    assert!(html.contains("Sightline dev collector"));
    assert!(html.contains("&lt;script&gt;x&lt;/script&gt;"));
    assert!(html.contains("s9"));
    assert!(html.contains("/examples/script-tag/") && html.contains("/examples/npm-app/"));
}

#[test]
fn a_batch_sent_again_is_stored_once() {
    let c = Collector::start("dedupe", &[]);
    let body = json!({
        "errors": [{"type": "javascript", "message": "once", "timestamp": "2025-01-01T00:00:00.000Z"}],
        "sessionId": "s-1",
        "batchId": "00000000000000ab"
    })
    .to_string();
    assert_eq!(c.post("/api/errors", &body).json(), json!({"accepted": 1}));
    // a retry after a lost answer, or the copy sent by beacon at page unload
    assert_eq!(c.post("/api/errors", &body).json(), json!({"accepted": 0, "duplicate": true}));
    let mut other = serde_json::from_str::<Value>(&body).unwrap();
    other["batchId"] = json!("00000000000000ac");
    assert_eq!(c.post("/api/errors", &other.to_string()).json(), json!({"accepted": 1}));
    assert_eq!(c.get("/api/events?channel=errors").json()["events"].as_array().unwrap().len(), 2);
}

#[test]
fn concurrent_batches_all_land() {
    let c = Collector::start("concurrent", &[]);
    std::thread::scope(|s| {
        for t in 0..4 {
            let c = &c;
            s.spawn(move || {
                for i in 0..25 {
                    let body = json!({"metrics": [{"name": "m", "value": t * 100 + i, "timestamp": "t", "tags": {}}], "sessionId": "s"});
                    assert_eq!(c.post("/api/metrics", &body.to_string()).status, 200);
                }
            });
        }
    });
    assert_eq!(c.get("/api/stats").json()["metrics"], 100);
    // Malformed HTTP does not stop the server.
    let mut s = TcpStream::connect(("127.0.0.1", c.port)).unwrap();
    let _ = s.write_all(b"garbage\r\n\r\n");
    drop(s);
    assert_eq!(c.get("/healthz").status, 200);
}

/// A webhook receiver on a free port: every request's path and JSON body, in arrival order.
struct Receiver {
    port: u16,
    got: std::sync::Arc<std::sync::Mutex<Vec<(String, Value)>>>,
}

impl Receiver {
    fn start() -> Receiver {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = got.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { continue };
                let mut reader = BufReader::new(conn.try_clone().unwrap());
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let path = line.split(' ').nth(1).unwrap_or("").to_owned();
                let mut length = 0;
                loop {
                    let mut h = String::new();
                    reader.read_line(&mut h).unwrap();
                    if h.trim().is_empty() {
                        break;
                    }
                    if let Some((k, v)) = h.split_once(':') {
                        if k.eq_ignore_ascii_case("content-length") {
                            length = v.trim().parse().unwrap();
                        }
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                sink.lock().unwrap().push((path, serde_json::from_slice(&body).unwrap()));
                let _ = conn.write_all(b"HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
            }
        });
        Receiver { port, got }
    }

    /// Waits until `n` requests arrived (or 5 s), then returns them all.
    fn wait(&self, n: usize) -> Vec<(String, Value)> {
        for _ in 0..100 {
            if self.got.lock().unwrap().len() >= n {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.got.lock().unwrap().clone()
    }
}

#[test]
fn alerts_are_forwarded_to_slack_and_pagerduty_webhooks_with_a_cooldown() {
    let rx = Receiver::start();
    let config = std::env::temp_dir().join(format!("slc-hooks-{}.json", std::process::id()));
    fs::write(
        &config,
        json!({"cooldownMs": 60000, "webhooks": [
            {"url": format!("http://127.0.0.1:{}/slack", rx.port), "format": "slack"},
            {"url": format!("http://127.0.0.1:{}/pd", rx.port), "format": "pagerduty", "routingKey": "rk-test"}
        ]})
        .to_string(),
    )
    .unwrap();
    let c = Collector::start("hooks", &["--alerts-config", config.to_str().unwrap()]);
    let alert = |key: &str, severity: &str, status: &str| {
        json!({"alerts": [{"id": "a1", "key": key, "severity": severity, "title": "Low availability", "status": status,
            "description": "Low availability: 0.9 is below 0.99", "value": 0.9, "threshold": 0.99,
            "url": "https://shop.example/cart", "timestamp": "2026-11-26T10:00:00.000Z"}],
            "sessionId": "s-1", "sentAt": "2026-11-26T10:00:00.100Z", "sdk": {"name": "sightline", "version": "0.1.0"}})
        .to_string()
    };
    assert_eq!(c.post("/api/alerts", &alert("low_availability", "critical", "active")).status, 200);
    let got = rx.wait(2);
    assert_eq!(got.len(), 2, "{got:?}");
    let slack = &got.iter().find(|g| g.0 == "/slack").unwrap().1;
    assert_eq!(slack["attachments"][0]["color"], "danger");
    assert_eq!(slack["attachments"][0]["title"], "Low availability");
    let pd = &got.iter().find(|g| g.0 == "/pd").unwrap().1;
    assert_eq!((pd["routing_key"].as_str(), pd["event_action"].as_str()), (Some("rk-test"), Some("trigger")));
    assert_eq!(pd["payload"]["custom_details"]["sessionId"], "s-1");
    // the same key again within the cooldown: stored, not forwarded; a warning goes to Slack only
    assert_eq!(c.post("/api/alerts", &alert("low_availability", "critical", "active")).status, 200);
    assert_eq!(c.post("/api/alerts", &alert("high_error_rate", "warning", "active")).status, 200);
    let got = rx.wait(3);
    std::thread::sleep(Duration::from_millis(300));
    let got_later = rx.wait(3);
    assert_eq!(got_later.len(), 3, "{got_later:?}");
    assert_eq!(got[2].0, "/slack");
    // resolved: Slack says so and PagerDuty's incident is resolved
    assert_eq!(c.post("/api/alerts", &alert("low_availability", "info", "resolved")).status, 200);
    let got = rx.wait(5);
    let pd_resolve = got.iter().skip(3).find(|g| g.0 == "/pd").unwrap();
    assert_eq!(pd_resolve.1, json!({"routing_key": "rk-test", "event_action": "resolve", "dedup_key": "sightline:low_availability"}));
    assert_eq!(c.get("/api/events?channel=alerts").json()["events"].as_array().unwrap().len(), 4, "all stored");
    let _ = fs::remove_file(&config);
}

/// `--forward-otlp`: a native batch is stored, and goes on as OTLP to the upstream (here a second
/// collector, which reads OTLP with the protobuf definitions and refuses what they do not read).
#[test]
fn native_batches_are_forwarded_as_otlp() {
    let upstream = Collector::start("otlp-up", &[]);
    let url = format!("http://127.0.0.1:{}", upstream.port);
    let c = Collector::start("otlp-fwd", &["--forward-otlp", &url]);
    let r = c.post(
        "/api/errors",
        r#"{"errors":[{"type":"javascript","name":"TypeError","message":"boom","timestamp":"2026-12-07T10:00:00.000Z","url":"https://shop.example/","userAgent":"UA","sessionId":"s-1","count":3}],"sessionId":"s-1","batchId":"00000000000000ab","service":"shop-web"}"#,
    );
    assert_eq!(r.json(), json!({"accepted": 1}));
    let r = c.post(
        "/api/analytics/events",
        r#"{"events":[{"type":"span","data":{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"GET","kind":"client","startTime":1796637600000,"endTime":1796637600120,"duration":120,"status":"ok","attributes":{"http.request.method":"GET","url.full":"https://api.example/x","http.response.status_code":200}},"timestamp":"2026-12-07T10:00:00.000Z"}],"sessionId":"s-1"}"#,
    );
    assert_eq!(r.json(), json!({"accepted": 1}));
    let mut got = Value::Null;
    for _ in 0..100 {
        got = upstream.get("/api/stats").json();
        if got["otlp_logs"] == 1 && got["otlp_traces"] == 1 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!((got["otlp_logs"].as_u64(), got["otlp_traces"].as_u64()), (Some(1), Some(1)), "{got}");
    // the upstream read the error back from the OTLP log record
    let errors = upstream.get("/api/events?channel=errors").json();
    let e = &errors["events"][0]["data"];
    assert_eq!((e["name"].as_str(), e["message"].as_str(), e["count"].as_u64(), e["sessionId"].as_str()), (Some("TypeError"), Some("boom"), Some(3), Some("s-1")));
    let spans = upstream.get("/api/events?channel=events").json();
    assert_eq!(spans["events"][0]["data"]["data"]["traceId"], "0af7651916cd43dd8448eb211c80319c");
}
