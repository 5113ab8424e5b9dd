//! Sightline dev collector: receives every SDK channel (and OTLP/HTTP JSON),
//! stores events in SQLite, serves the demo and test pages, and offers hooks
//! for the end-to-end tests (injected failures, request log, reset).
//!
//! Deliberately synchronous: a small HTTP/1.1 server with a thread per
//! connection (src/http.rs) is all a developer machine or a test run needs.

mod admin;
mod dashboard;
mod http;
mod ingest;
mod forward;
mod notify;
mod otlp;
mod series;
mod static_files;
mod store;

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use http::{Request, Response};

use admin::{Admin, RequestRecord};
use ingest::Channel;
use static_files::Lookup;
use store::Store;

const USAGE: &str = "\
usage: sightline-collector [--host 127.0.0.1] [--port 8080] [--db sightline-dev.sqlite]
                           [--root DIR] [--max-body 1048576] [--threads 128]
                           [--alerts-config FILE] [--forward-otlp URL]

  --host      address to listen on (default 127.0.0.1)
  --port      port to listen on; 0 picks a free one (default 8080)
  --db        SQLite file for received events (default sightline-dev.sqlite)
  --root      repository root for /pkg, /dist, /examples, /test-pages, /node_modules (default: current dir)
  --max-body  largest accepted request body in bytes (default 1048576)
  --threads   connections served at once, a thread each (default 128)
  --alerts-config  JSON file of webhooks that received alerts are forwarded to (Slack-compatible,
              PagerDuty Events v2 for critical ones) and their cooldown; see README
  --forward-otlp  base URL of an OTLP/HTTP endpoint (an OpenTelemetry Collector): batches received
              on the native endpoints are also sent there as OTLP JSON (/v1/logs, /v1/metrics,
              /v1/traces), encoded by the SDK's own OTLP encoder";

/// Most events one `GET /api/events` returns.
const MAX_LIMIT: u32 = 10_000;

#[derive(Debug, Clone, PartialEq)]
struct Config {
    host: String,
    port: u16,
    db: PathBuf,
    root: PathBuf,
    max_body: usize,
    threads: usize,
    alerts_config: Option<PathBuf>,
    forward_otlp: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            host: "127.0.0.1".into(),
            port: 8080,
            db: "sightline-dev.sqlite".into(),
            root: ".".into(),
            max_body: 1_048_576,
            threads: 128,
            alerts_config: None,
            forward_otlp: None,
        }
    }
}

/// Parses the command line (without the program name). `Ok(None)` = `--help`.
fn parse_args<I: IntoIterator<Item = String>>(args: I) -> Result<Option<Config>, String> {
    let mut cfg = Config::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "-h" || arg == "--help" {
            return Ok(None);
        }
        // Both `--port 0` and `--port=0`.
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        if !matches!(
            name.as_str(),
            "--host" | "--port" | "--db" | "--root" | "--max-body" | "--threads" | "--alerts-config" | "--forward-otlp"
        ) {
            return Err(format!("unknown argument `{arg}`"));
        }
        let value = match inline {
            Some(v) => v,
            None => args
                .next()
                .ok_or_else(|| format!("`{name}` needs a value"))?,
        };
        let bad = |what: &str| format!("`{name}` must be {what}, got `{value}`");
        match name.as_str() {
            "--host" => cfg.host = value.clone(),
            "--port" => cfg.port = value.parse().map_err(|_| bad("a port number (0-65535)"))?,
            "--db" => cfg.db = PathBuf::from(&value),
            "--root" => cfg.root = PathBuf::from(&value),
            "--alerts-config" => cfg.alerts_config = Some(PathBuf::from(&value)),
            "--forward-otlp" if value.starts_with("http://") || value.starts_with("https://") => cfg.forward_otlp = Some(value.clone()),
            "--forward-otlp" => return Err(bad("an http:// or https:// URL")),
            "--max-body" => cfg.max_body = value.parse().map_err(|_| bad("a byte count"))?,
            "--threads" => {
                cfg.threads = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=64).contains(n))
                    .ok_or_else(|| bad("a number from 1 to 64"))?
            }
            _ => unreachable!("names checked above"),
        }
    }
    Ok(Some(cfg))
}

/// Shared state of the worker threads.
struct App {
    store: Store,
    admin: Admin,
    root: PathBuf,
    max_body: usize,
    /// `host:port` we listen on, used when a request has no Host header.
    listen: String,
    /// Where received alerts are forwarded (`--alerts-config`).
    notifier: Option<notify::Notifier>,
    /// Where native batches go on as OTLP (`--forward-otlp`).
    forwarder: Option<forward::Forwarder>,
}

fn main() {
    let cfg = match parse_args(std::env::args().skip(1)) {
        Ok(Some(cfg)) => cfg,
        Ok(None) => {
            println!("{USAGE}");
            return;
        }
        Err(e) => {
            eprintln!("sightline-collector: {e}\n\n{USAGE}");
            std::process::exit(2);
        }
    };
    let store = match Store::open(&cfg.db) {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "sightline-collector: cannot open database {}: {e}",
                cfg.db.display()
            );
            std::process::exit(1);
        }
    };
    let notifier = match &cfg.alerts_config {
        None => None,
        Some(path) => match std::fs::read_to_string(path).map_err(|e| e.to_string()).and_then(|t| notify::parse_config(&t)) {
            Ok(n) => Some(n),
            Err(e) => {
                eprintln!("sightline-collector: --alerts-config {}: {e}", path.display());
                std::process::exit(2);
            }
        },
    };
    if !cfg.root.is_dir() {
        eprintln!(
            "sightline-collector: warning: --root {} is not a directory; static files will 404",
            cfg.root.display()
        );
    }
    let listener = match std::net::TcpListener::bind((cfg.host.as_str(), cfg.port)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "sightline-collector: cannot listen on {}:{}: {e}",
                cfg.host, cfg.port
            );
            std::process::exit(1);
        }
    };
    let port = listener.local_addr().map_or(cfg.port, |a| a.port());
    let host = if cfg.host.contains(':') && !cfg.host.starts_with('[') {
        format!("[{}]", cfg.host) // IPv6 literal in a URL
    } else {
        cfg.host.clone()
    };
    let listen = format!("{host}:{port}");
    let app = Arc::new(App {
        store,
        admin: Admin::default(),
        root: cfg.root.clone(),
        max_body: cfg.max_body,
        listen: listen.clone(),
        notifier,
        forwarder: cfg.forward_otlp.as_deref().map(forward::Forwarder::start),
    });

    // Tests wait for this exact line; print it only once we accept connections.
    let mut out = io::stdout().lock();
    let _ = writeln!(out, "sightline-collector listening on http://{listen}");
    let _ = out.flush();
    drop(out);

    http::serve(listener, cfg.threads, Arc::new(move |req: &mut Request| handle(&app, req)));
}

/// A response before CORS headers are added.
struct Reply {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    headers: Vec<(&'static str, String)>,
    /// a streamed body: (delay ms, bytes) per chunk
    chunks: Vec<(u64, Vec<u8>)>,
}

impl Reply {
    fn json(status: u16, v: &Value) -> Reply {
        Reply {
            status,
            content_type: "application/json",
            body: v.to_string().into_bytes(),
            headers: Vec::new(),
            chunks: Vec::new(),
        }
    }

    fn error(status: u16, msg: &str) -> Reply {
        Reply::json(status, &json!({ "error": msg }))
    }

    fn text(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            content_type,
            body: body.into(),
            headers: Vec::new(),
            chunks: Vec::new(),
        }
    }

    fn header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }

    fn into_response(self) -> Response {
        let mut headers = Vec::new();
        let mut add = |name: &str, value: &str| {
            // Values built here are ASCII; a line break would split the header: skip such a value.
            if !value.contains(['\r', '\n']) {
                headers.push((name.to_owned(), value.to_owned()));
            }
        };
        if self.status != 204 {
            add("Content-Type", self.content_type);
        }
        // Always revalidate, so a rebuilt SDK is picked up at once; `no-store` would also keep the
        // pages out of the back/forward cache, which the vitals tests need.
        add("Cache-Control", "no-cache");
        // CORS on everything: the demo pages may be served from another origin.
        add("Access-Control-Allow-Origin", "*");
        add("Access-Control-Expose-Headers", "Retry-After");
        for (name, value) in &self.headers {
            add(name, value);
        }
        Response { status: self.status, headers, body: self.body, chunks: self.chunks }
    }
}

fn handle(app: &App, req: &mut Request) -> Response {
    let url = req.url.clone();
    let (path, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
    route(app, req, path, query).into_response()
}

/// Methods each known path answers (besides OPTIONS, which every path answers).
fn allowed_methods(path: &str) -> Option<&'static str> {
    if Channel::from_path(path).is_some() {
        return Some("POST");
    }
    match path {
        "/__admin/fail" | "/__admin/reset" => Some("POST"),
        "/api/events" | "/api/stats" | "/api/dashboard" | "/__admin/requests" | "/healthz" | "/" => Some("GET, HEAD"),
        p if static_files::is_static_path(p) => Some("GET, HEAD"),
        _ => None,
    }
}

fn route(app: &App, req: &mut Request, path: &str, query: &str) -> Reply {
    let method = req.method.clone();
    if method == "OPTIONS" {
        // Preflight. The SDK avoids it with text/plain bodies, but a page that
        // adds `traceparent` or sends application/json still needs it.
        // The headers the page asks for are allowed (an OTLP exporter may send an ingest key).
        let asked = req.header("Access-Control-Request-Headers").unwrap_or("").to_owned();
        let allowed = if asked.is_empty() { "content-type, traceparent, tracestate".to_owned() } else { asked };
        return Reply::text(204, "text/plain", Vec::new())
            .header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
            .header("Access-Control-Allow-Headers", allowed)
            .header("Access-Control-Max-Age", "600");
    }
    if path == "/__test/sink" {
        return test_sink(app, req, &method);
    }
    if let Some(endpoint) = path.strip_prefix("/__test/") {
        return test_endpoint(req, endpoint, query);
    }
    let Some(allowed) = allowed_methods(path) else {
        return Reply::error(404, &format!("not found: {path}"));
    };
    let ok = match method.as_str() {
        "POST" => allowed == "POST",
        "GET" | "HEAD" => allowed == "GET, HEAD",
        _ => false,
    };
    if !ok {
        return Reply::error(405, &format!("method {method} not allowed on {path}"))
            .header("Allow", format!("{allowed}, OPTIONS"));
    }

    if let Some(channel) = Channel::from_path(path) {
        return ingest(app, req, channel);
    }
    match path {
        "/api/events" => events(app, query),
        "/api/stats" => match app.store.counts() {
            Ok(counts) => Reply::json(200, &Value::Object(counts)),
            Err(e) => db_error(e),
        },
        "/__admin/fail" => admin_fail(app, req),
        "/__admin/requests" => admin_requests(app, query),
        "/__admin/reset" => {
            app.admin.reset();
            match app.store.clear() {
                Ok(()) => Reply::json(200, &json!({ "reset": true })),
                Err(e) => db_error(e),
            }
        }
        "/healthz" => Reply::text(200, "text/plain; charset=utf-8", "ok"),
        "/api/dashboard" => dashboard_series(app, query),
        "/" => dashboard(app),
        _ => serve_static(app, req, path, query),
    }
}

fn db_error(e: rusqlite::Error) -> Reply {
    eprintln!("sightline-collector: database error: {e}");
    Reply::error(500, &format!("database error: {e}"))
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn header_value(req: &Request, name: &'static str) -> Option<String> {
    req.header(name).map(str::to_owned)
}

enum Body {
    Ok(Vec<u8>),
    /// Larger than `--max-body`; holds the size known so far.
    TooLarge(u64),
    Unreadable(io::Error),
}

/// Reads the body, never more than `max + 1` bytes (so an oversized upload
/// costs bounded memory; the server drains or drops the rest of it).
fn read_body(req: &mut Request, max: usize) -> Body {
    if let Some(len) = req.body_length() {
        if len > max as u64 {
            return Body::TooLarge(len);
        }
    }
    let mut buf = Vec::new();
    match req.body().take(max as u64 + 1).read_to_end(&mut buf) {
        Ok(n) if n > max => Body::TooLarge(n as u64),
        Ok(_) => Body::Ok(buf),
        Err(e) => Body::Unreadable(e),
    }
}

fn ingest(app: &App, req: &mut Request, channel: Channel) -> Reply {
    let content_type = header_value(req, "Content-Type");
    let content_encoding = header_value(req, "Content-Encoding");
    let body = read_body(req, app.max_body);
    let received_at = now_ms();
    let bytes = match &body {
        Body::Ok(b) => b.len() as u64,
        Body::TooLarge(n) => *n,
        Body::Unreadable(_) => req.body_length().unwrap_or(0),
    };

    // Injected failures come first: they stand for a collector that is down,
    // whatever the request looks like.
    let reply = if let Some(hit) = app.admin.take_failure(channel, Instant::now()) {
        let r = match hit.body {
            Some(body) => Reply::text(hit.status, "application/json", body),
            None => Reply::error(hit.status, "injected failure"),
        };
        match hit.retry_after {
            Some(v) => r.header("Retry-After", v),
            None => r,
        }
    } else {
        match body {
            Body::TooLarge(_) => Reply::error(
                413,
                &format!(
                    "request body exceeds the limit of {} bytes (--max-body)",
                    app.max_body
                ),
            ),
            Body::Unreadable(e) => Reply::error(400, &format!("could not read request body: {e}")),
            Body::Ok(body) if channel.array_key().is_none() => {
                ingest_otlp(app, channel, content_type.as_deref(), content_encoding.as_deref(), &body, received_at)
            }
            Body::Ok(body) => match ingest::parse_batch(channel, &body) {
                Err(msg) => Reply::error(400, &msg),
                // a batch sent again (a retry after a lost answer, the copy the SDK sends by beacon
                // at page unload) is answered, and stored once (the store decides, atomically)
                Ok(batch) => match app.store.insert_batch(channel, received_at, &batch) {
                    Ok(None) => Reply::json(200, &json!({ "accepted": 0, "duplicate": true })),
                    Ok(Some(n)) => {
                        if let (Channel::Alerts, Some(notifier)) = (channel, &app.notifier) {
                            notifier.forward(&batch.events, batch.session_id.as_deref(), received_at);
                        }
                        if let Some(f) = &app.forwarder {
                            f.forward(channel, &batch);
                        }
                        Reply::json(200, &json!({ "accepted": n }))
                    }
                    Err(e) => db_error(e),
                },
            },
        }
    };
    if matches!(reply.status, 400 | 413) {
        // Rejections point at an SDK bug or a misconfigured limit: say so.
        eprintln!(
            "sightline-collector: {} {} -> {}: {}",
            channel.name(),
            channel.path(),
            reply.status,
            String::from_utf8_lossy(&reply.body)
        );
    }
    app.admin.record(RequestRecord {
        channel,
        at: received_at,
        status: reply.status,
        bytes,
        content_type,
        content_encoding,
    });
    reply
}

/// An OTLP/HTTP export, as the OpenTelemetry Collector's receiver takes it: JSON only (415
/// otherwise), gzip or not, read by the protobuf definitions (400 with the reason otherwise).
/// The export is stored as it came, and Sightline's records and spans in it also as the native
/// items of their channels, so the dashboard shows them.
fn ingest_otlp(app: &App, channel: Channel, content_type: Option<&str>, encoding: Option<&str>, body: &[u8], received_at: i64) -> Reply {
    let json = content_type.is_some_and(|t| t.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json")));
    if !json {
        return Reply::error(415, "unsupported media type, supported: [application/json]");
    }
    let inflated;
    let body = match encoding.map(str::trim) {
        None | Some("") | Some("identity") => body,
        Some(e) if e.eq_ignore_ascii_case("gzip") => {
            let mut out = Vec::new();
            let read = flate2::read::MultiGzDecoder::new(body).take(app.max_body as u64 + 1).read_to_end(&mut out);
            match read {
                Err(e) => return Reply::error(400, &format!("could not gunzip the body: {e}")),
                Ok(n) if n > app.max_body => return Reply::error(413, "the body exceeds --max-body once gunzipped"),
                Ok(_) => {}
            }
            inflated = out;
            &inflated
        }
        Some(e) => return Reply::error(415, &format!("unsupported content encoding `{e}`, supported: gzip")),
    };
    let export = match otlp::parse(channel, body) {
        Ok(e) => e,
        Err(msg) => return Reply::error(400, &msg),
    };
    let raw = ingest::Batch { session_id: export.session_id.clone(), batch_id: None, batch: Default::default(), events: vec![export.raw] };
    let mut batches = vec![(channel, raw)];
    for native in Channel::ALL.into_iter().filter(|c| c.array_key().is_some()) {
        let events: Vec<Value> = export.items.iter().filter(|(c, _)| *c == native).map(|(_, v)| v.clone()).collect();
        if !events.is_empty() {
            batches.push((native, ingest::Batch { session_id: export.session_id.clone(), batch_id: None, batch: Default::default(), events }));
        }
    }
    // all of it or nothing: a database error answers 503, which OTLP exporters retry (a 500
    // they must not)
    let refs: Vec<(Channel, &ingest::Batch)> = batches.iter().map(|(c, b)| (*c, b)).collect();
    if let Err(e) = app.store.insert_batches(received_at, &refs) {
        let mut r = db_error(e);
        r.status = 503;
        return r;
    }
    for (native, batch) in &batches {
        if let (Channel::Alerts, Some(notifier)) = (*native, &app.notifier) {
            notifier.forward(&batch.events, batch.session_id.as_deref(), received_at);
        }
    }
    // an export response: everything was accepted (no `partialSuccess`)
    Reply::json(200, &json!({}))
}

/// Decoded `key=value` pairs of a query string (`+` means space).
fn query_params(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let dec = |s: &str| {
                let s = s.replace('+', " ");
                static_files::percent_decode(&s).unwrap_or(s)
            };
            (dec(k), dec(v))
        })
        .collect()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .rev() // the last occurrence wins
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// `channel` query parameter: absent → all channels.
fn channel_param(params: &[(String, String)]) -> Result<Option<Channel>, Reply> {
    match param(params, "channel") {
        None => Ok(None),
        Some(name) => Channel::from_name(name)
            .map(Some)
            .ok_or_else(|| Reply::error(400, &format!("unknown channel `{name}`"))),
    }
}

fn events(app: &App, query: &str) -> Reply {
    let params = query_params(query);
    let channel = match channel_param(&params) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let since = match param(&params, "since").map(str::parse::<i64>) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => return Reply::error(400, "`since` must be an integer event id"),
    };
    let limit = match param(&params, "limit").map(str::parse::<u64>) {
        None => 1000,
        Some(Ok(n)) => n.min(MAX_LIMIT as u64) as u32,
        Some(Err(_)) => return Reply::error(400, "`limit` must be a non-negative integer"),
    };
    match app.store.query(channel, since, limit) {
        Ok(rows) => {
            let events: Vec<Value> = rows.iter().map(store::StoredEvent::to_json).collect();
            Reply::json(200, &json!({ "events": events }))
        }
        Err(e) => db_error(e),
    }
}

fn admin_fail(app: &App, req: &mut Request) -> Reply {
    // Admin bodies are tiny; 64 KB is generous.
    let body = match read_body(req, 64 * 1024) {
        Body::Ok(b) => b,
        Body::TooLarge(_) => return Reply::error(413, "admin request body too large"),
        Body::Unreadable(e) => {
            return Reply::error(400, &format!("could not read request body: {e}"))
        }
    };
    match admin::parse_fail_rule(&body, Instant::now()) {
        Ok((target, rule)) => {
            app.admin.set_rule(target, rule);
            Reply::json(200, &json!({ "ok": true }))
        }
        Err(msg) => Reply::error(400, &msg),
    }
}

fn admin_requests(app: &App, query: &str) -> Reply {
    let channel = match channel_param(&query_params(query)) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let requests: Vec<Value> = app
        .admin
        .requests(channel)
        .iter()
        .map(RequestRecord::to_json)
        .collect();
    Reply::json(200, &json!({ "requests": requests }))
}

fn dashboard(app: &App) -> Reply {
    let counts = match app.store.counts() {
        Ok(c) => c,
        Err(e) => return db_error(e),
    };
    let errors = match app.store.recent(Channel::Errors, dashboard::RECENT_ERRORS) {
        Ok(e) => e,
        Err(e) => return db_error(e),
    };
    let metrics = match app.store.recent(Channel::Metrics, dashboard::RECENT_METRICS) {
        Ok(e) => e,
        Err(e) => return db_error(e),
    };
    let events = match app.store.recent(Channel::Events, dashboard::RECENT_ACTIVITY) {
        Ok(e) => e,
        Err(e) => return db_error(e),
    };
    Reply::text(
        200,
        "text/html; charset=utf-8",
        dashboard::render(&counts, &errors, &metrics, &events),
    )
}

/// The dashboard's time series: `?minutes=30` back from now (1 to 1440), in about 60 buckets (at
/// least 5 s each).
fn dashboard_series(app: &App, query: &str) -> Reply {
    let params = query_params(query);
    let minutes = params.iter().find(|(k, _)| k == "minutes").and_then(|(_, v)| v.parse::<i64>().ok()).unwrap_or(30).clamp(1, 1440);
    let to = now_ms() + 1;
    let from = to - minutes * 60_000;
    let step = (minutes * 60_000 / 60).max(5_000);
    match app.store.between(from, to, 200_000) {
        Ok(events) => Reply::json(200, &series::compute(&events, from, to, step)),
        Err(e) => db_error(e),
    }
}

/// Endpoints for the network tests, any method: `status?status=500`, `stream?chunks=5&interval=300`,
/// `echo` (what arrived: method, trace headers, body size). `delay=ms` delays any of them.
fn test_endpoint(req: &mut Request, endpoint: &str, query: &str) -> Reply {
    let params = query_params(query);
    let num = |name: &str, default: u64| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.parse::<u64>().ok())
            .unwrap_or(default)
    };
    thread::sleep(std::time::Duration::from_millis(num("delay", 0).min(MAX_DELAY_MS)));
    match endpoint {
        "status" => {
            let code = num("status", 200).clamp(200, 599) as u16;
            Reply::json(code, &json!({ "status": code }))
        }
        "stream" => {
            let mut r = Reply::text(200, "text/plain; charset=utf-8", Vec::new());
            let interval = num("interval", 300).min(MAX_DELAY_MS);
            r.chunks = (0..num("chunks", 5).min(50))
                .map(|i| (if i == 0 { 0 } else { interval }, format!("chunk {i}\n").into_bytes()))
                .collect();
            r
        }
        "echo" => {
            let mut body = Vec::new();
            let read = req.body().take(MAX_ECHO).read_to_end(&mut body);
            Reply::json(
                200,
                &json!({
                    "method": req.method,
                    "traceparent": req.header("traceparent"),
                    "tracestate": req.header("tracestate"),
                    "contentType": req.header("content-type"),
                    "bodyBytes": body.len(),
                    "bodyError": read.err().map(|e| e.to_string()),
                }),
            )
        }
        _ => Reply::error(404, &format!("no test endpoint {endpoint}")),
    }
}

/// `/__test/sink`: a test page's own data (a reference library's reports), outside the SDK's
/// typed channels. `POST` a JSON object (`{"items": [...]}` keeps each item), `GET` returns them.
fn test_sink(app: &App, req: &mut Request, method: &str) -> Reply {
    if method != "POST" {
        return Reply::json(200, &json!({ "items": app.admin.sink() }));
    }
    let Body::Ok(body) = read_body(req, app.max_body) else { return Reply::error(413, "too large") };
    match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(mut o)) => {
            match o.remove("items") {
                Some(Value::Array(items)) => items.into_iter().for_each(|i| app.admin.sink_push(i)),
                _ => app.admin.sink_push(Value::Object(o)),
            }
            Reply::json(200, &json!({ "ok": true }))
        }
        _ => Reply::error(400, "expected a JSON object"),
    }
}

/// Largest body `/__test/echo` reads.
const MAX_ECHO: u64 = 16 * 1024 * 1024;

/// Longest `?delay=` a static file may ask for.
const MAX_DELAY_MS: u64 = 10_000;

fn serve_static(app: &App, req: &Request, path: &str, query: &str) -> Reply {
    // `?delay=ms` answers slowly: test pages use it for a late LCP image or a slow resource
    if let Some(ms) = query_params(query)
        .iter()
        .find(|(k, _)| k == "delay")
        .and_then(|(_, v)| v.parse::<u64>().ok())
    {
        thread::sleep(std::time::Duration::from_millis(ms.min(MAX_DELAY_MS)));
    }
    let host = header_value(req, "Host").unwrap_or_else(|| app.listen.clone());
    match static_files::lookup(&app.root, path, &host) {
        Lookup::Found(body, ctype) => Reply::text(200, ctype, body),
        Lookup::Redirect(to) => {
            let to = if query.is_empty() {
                to
            } else {
                format!("{to}?{query}")
            };
            Reply::text(302, "text/plain; charset=utf-8", format!("see {to}"))
                .header("Location", to)
        }
        Lookup::NotFound => Reply::error(404, &format!("not found: {path}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Result<Option<Config>, String> {
        parse_args(s.split_whitespace().map(str::to_owned))
    }

    #[test]
    fn parses_cli() {
        assert_eq!(args("").unwrap(), Some(Config::default()));
        let c = args(
            "--host 0.0.0.0 --port 0 --db /tmp/x.sqlite --root /repo --max-body=10 --threads 2",
        )
        .unwrap()
        .unwrap();
        assert_eq!(c.host, "0.0.0.0");
        assert_eq!(c.port, 0);
        assert_eq!(c.db, PathBuf::from("/tmp/x.sqlite"));
        assert_eq!(c.root, PathBuf::from("/repo"));
        assert_eq!(c.max_body, 10);
        assert_eq!(c.threads, 2);
        assert_eq!(args("--help").unwrap(), None);
        assert!(args("--port 70000").unwrap_err().contains("--port"));
        assert!(args("--port").unwrap_err().contains("needs a value"));
        assert!(args("--bogus 1").unwrap_err().contains("unknown argument"));
        assert!(args("--threads 0").is_err());
    }

    #[test]
    fn parses_query_strings() {
        let p = query_params("channel=errors&since=5&limit=&x=a+b%21&channel=metrics");
        assert_eq!(param(&p, "channel"), Some("metrics"));
        assert_eq!(param(&p, "since"), Some("5"));
        assert_eq!(param(&p, "limit"), None);
        assert_eq!(param(&p, "x"), Some("a b!"));
        assert!(query_params("").is_empty());
        assert_eq!(param(&query_params("bad=%zz"), "bad"), Some("%zz"));
    }

    #[test]
    fn methods_per_path() {
        assert_eq!(allowed_methods("/api/errors"), Some("POST"));
        assert_eq!(allowed_methods("/v1/traces"), Some("POST"));
        assert_eq!(allowed_methods("/api/events"), Some("GET, HEAD"));
        assert_eq!(allowed_methods("/__admin/reset"), Some("POST"));
        assert_eq!(allowed_methods("/pkg/x.wasm"), Some("GET, HEAD"));
        assert_eq!(allowed_methods("/nope"), None);
    }
}
