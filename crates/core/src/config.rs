//! The `init` configuration: its schema, validation with messages naming the key, and defaults.
//!
//! The JS side flattens the config object into `(path, value)` entries (`flatten` in js/io.js):
//! `{errors: {maxQueueSize: 5}}` becomes `("errors", Obj)`, `("errors.maxQueueSize", Num(5))`.
//! A flat schema checks each entry by its path.

/// One configuration value (functions and RegExps by index into a side table kept by the caller).
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Val>),
    /// a plain object; its fields follow as entries of their own
    Obj,
    Func(usize),
    Regex(usize),
    Other,
}

/// The flattened config, parents before their fields.
pub type Entries = [(String, Val)];

enum Kind {
    Str,
    Bool,
    Func,
    Obj,
    /// min, max, integer only, description for the message
    Num(f64, f64, bool, &'static str),
    OneOf(&'static [&'static str], &'static str),
    /// array of strings
    Strs,
    /// array of strings or RegExps
    Patterns,
    /// array of HTTP status codes
    Statuses,
}

const MS: Kind = Kind::Num(0.0, 86_400_000.0, false, "a number of milliseconds from 0 to 86400000");
const SESSION_MS: Kind = Kind::Num(1000.0, 86_400_000.0, false, "a number of milliseconds from 1000 to 86400000");
const RATE: Kind = Kind::Num(0.0, 1.0, false, "a number from 0 to 1");

/// Every key the reader knows (for the property tests).
#[cfg(test)]
pub fn schema_keys() -> Vec<&'static str> {
    SCHEMA.iter().map(|(k, _)| *k).collect()
}

const SCHEMA: &[(&str, Kind)] = &[
    ("collector", Kind::Str),
    ("endpoints", Kind::Obj),
    ("endpoints.errors", Kind::Str),
    ("endpoints.metrics", Kind::Str),
    ("endpoints.events", Kind::Str),
    ("endpoints.health", Kind::Str),
    ("endpoints.alerts", Kind::Str),
    ("environment", Kind::Str),
    ("release", Kind::Str),
    ("service", Kind::Str),
    ("exporter", Kind::OneOf(&["native", "otlp"], "\"native\" or \"otlp\"")),
    ("otlp", Kind::Obj),
    ("otlp.endpoint", Kind::Str),
    ("otlp.headers", Kind::Obj),
    ("otlp.compression", Kind::OneOf(&["gzip", "none"], "\"gzip\" or \"none\"")),
    ("sampleRate", RATE),
    ("session", Kind::Obj),
    ("session.timeout", SESSION_MS),
    ("session.maxDuration", SESSION_MS),
    ("metrics", Kind::Obj),
    ("metrics.enabled", Kind::Bool),
    ("metrics.interval", MS),
    ("metrics.slowResourceMs", MS),
    ("errors", Kind::Obj),
    ("errors.maxQueueSize", Kind::Num(1.0, 10_000.0, true, "an integer from 1 to 10000")),
    ("errors.flushInterval", MS),
    ("errors.slowRequestMs", MS),
    ("errors.ignore", Kind::Patterns),
    ("errors.ignoreStatus", Kind::Statuses),
    ("tracing", Kind::Obj),
    ("tracing.enabled", Kind::Bool),
    ("tracing.sampleRate", RATE),
    ("tracing.propagateTo", Kind::Patterns),
    ("alerting", Kind::Obj),
    ("alerting.enabled", Kind::Bool),
    ("alerting.thresholds", Kind::Obj),
    ("alerting.thresholds.errorRate", RATE),
    ("alerting.thresholds.responseTime", MS),
    ("alerting.thresholds.availability", RATE),
    ("alerting.cooldown", MS),
    ("health", Kind::Obj),
    ("health.enabled", Kind::Bool),
    ("health.interval", MS),
    ("health.timeout", MS),
    ("health.checks", Kind::Obj),
    ("health.checks.storage", Kind::Bool),
    ("health.checks.memory", Kind::Bool),
    ("health.checks.collector", Kind::Bool),
    ("privacy", Kind::Obj),
    ("privacy.maskText", Kind::Bool),
    ("privacy.scrubParams", Kind::Strs),
    ("privacy.clickText", Kind::Bool),
    ("privacy.dataAttributes", Kind::Strs),
    ("beforeSend", Kind::Func),
    ("onAlert", Kind::Func),
    ("onError", Kind::Func),
    ("debug", Kind::Bool),
    ("wasmUrl", Kind::Str),
];

/// Checks every entry against the schema; the error is one sentence naming the offending key.
/// `None` means the config was not an object.
pub fn validate(entries: Option<&Entries>) -> Result<(), String> {
    let Some(entries) = entries else {
        return Err(String::from("sightline: init(config) needs a config object"));
    };
    for (path, val) in entries {
        // `otlp.headers.<name>`: a header of every OTLP request
        if let Some(name) = path.strip_prefix(HEADERS) {
            if !is_token(name) {
                return Err(msg(path, "is not a valid HTTP header name"));
            }
            match val {
                Val::Str(v) if v.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) => return Err(msg(path, "must be a header value without line breaks")),
                Val::Str(_) => continue,
                _ => return Err(msg(path, "must be a string")),
            }
        }
        let Some((_, kind)) = SCHEMA.iter().find(|f| f.0 == path) else {
            let mut m = String::from("sightline: unknown config key `");
            m.push_str(path);
            m.push('`');
            return Err(m);
        };
        check(val, kind, path)?;
    }
    // each exporter's keys only with that exporter: no accepted option may do nothing
    let otlp = matches!(get(entries, "exporter"), Some(Val::Str(e)) if e == "otlp");
    if otlp && !cfg!(feature = "otlp") {
        return Err(msg("exporter", "is 'otlp', but this build of the SDK has no OTLP exporter"));
    }
    if otlp && get(entries, "endpoints").is_some() {
        return Err(msg("endpoints", "belongs to the native exporter: with `exporter: 'otlp'` set `otlp.endpoint`"));
    }
    if !otlp && get(entries, "otlp").is_some() {
        return Err(msg("otlp", "needs `exporter: 'otlp'`"));
    }
    match get(entries, "collector") {
        Some(Val::Str(s)) if !s.trim_ascii().is_empty() => Ok(()),
        Some(_) => Err(msg("collector", "must be a non-empty URL string")),
        None if otlp => Ok(()),
        None => Err(msg("collector", "is required (the base URL of your collector)")),
    }
}

const HEADERS: &str = "otlp.headers.";

/// An HTTP header name (RFC 9110 token); `content-type` is the exporter's own.
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && !name.eq_ignore_ascii_case("content-type")
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'!' | b'#'..=b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~'))
}

fn get<'a>(entries: &'a Entries, path: &str) -> Option<&'a Val> {
    entries.iter().find(|e| e.0 == path).map(|e| &e.1)
}

fn check(val: &Val, kind: &Kind, path: &str) -> Result<(), String> {
    let what = match (kind, val) {
        (Kind::Str, Val::Str(_)) | (Kind::Bool, Val::Bool(_)) | (Kind::Func, Val::Func(_)) | (Kind::Obj, Val::Obj) => return Ok(()),
        (Kind::Num(min, max, int, _), Val::Num(n)) if !n.is_nan() && *n >= *min && *n <= *max && !(*int && n.fract() != 0.0) => return Ok(()),
        (Kind::OneOf(options, _), Val::Str(s)) if options.contains(&s.as_str()) => return Ok(()),
        (Kind::Strs, Val::Arr(items)) if items.iter().all(|i| matches!(i, Val::Str(_))) => return Ok(()),
        (Kind::Patterns, Val::Arr(items)) if items.iter().all(|i| matches!(i, Val::Str(_) | Val::Regex(_))) => return Ok(()),
        (Kind::Statuses, Val::Arr(items)) if items.iter().all(|i| matches!(i, Val::Num(n) if (100.0..=599.0).contains(n) && n.fract() == 0.0)) => return Ok(()),
        (Kind::Str, _) => "must be a string",
        (Kind::Bool, _) => "must be true or false",
        (Kind::Func, _) => "must be a function",
        (Kind::Obj, _) => "must be an object",
        (Kind::Strs, _) => "must be an array of strings",
        (Kind::Patterns, _) => "must be an array of strings or regular expressions",
        (Kind::Statuses, _) => "must be an array of HTTP status codes (integers from 100 to 599)",
        (Kind::Num(_, _, _, what), _) | (Kind::OneOf(_, what), _) => {
            let mut w = String::from("must be ");
            w.push_str(what);
            return Err(msg(path, &w));
        }
    };
    Err(msg(path, what))
}

fn msg(path: &str, what: &str) -> String {
    let mut m = String::from("sightline: config key `");
    m.push_str(path);
    m.push_str("` ");
    m.push_str(what);
    m
}

/// The channels, in the order used for queues and endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Errors = 0,
    Metrics = 1,
    Events = 2,
    Health = 3,
    Alerts = 4,
    /// Client spans when they go to OTLP's `/v1/traces`; the native exporter sends them with the
    /// events.
    Spans = 5,
}

/// The native channels, in the order of their config keys and endpoints.
pub const CHANNELS: [Channel; 5] =
    [Channel::Errors, Channel::Metrics, Channel::Events, Channel::Health, Channel::Alerts];

/// Delivery's lanes: a queue each, in this order (the index is the channel's number).
pub const LANES: [Channel; 6] =
    [Channel::Errors, Channel::Metrics, Channel::Events, Channel::Health, Channel::Alerts, Channel::Spans];

impl Channel {
    /// The config key under `endpoints` and the array key in the batch body.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Errors => "errors",
            Channel::Metrics => "metrics",
            Channel::Events => "events",
            Channel::Health => "health",
            Channel::Alerts => "alerts",
            Channel::Spans => "spans",
        }
    }
    pub fn default_path(self) -> &'static str {
        match self {
            Channel::Errors => "/api/errors",
            Channel::Metrics => "/api/metrics",
            Channel::Events | Channel::Spans => "/api/analytics/events",
            Channel::Health => "/api/health/status",
            Channel::Alerts => "/api/alerts",
        }
    }
    /// The OTLP/HTTP path a lane's batches go to.
    pub fn otlp_path(self) -> &'static str {
        match self {
            Channel::Metrics => "/v1/metrics",
            Channel::Spans => "/v1/traces",
            _ => "/v1/logs",
        }
    }
}

/// A string or RegExp pattern (RegExps by index into the JS side table).
#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    Sub(String),
    Regex(usize),
}

/// Where the events go: the native endpoints, or OTLP/HTTP JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct Otlp {
    /// The base URL: `/v1/logs`, `/v1/metrics` and `/v1/traces` are appended.
    pub endpoint: String,
    pub headers: Vec<(String, String)>,
    /// gzip requests sent without keepalive (where `CompressionStream` exists).
    pub gzip: bool,
}

pub const OTLP_DEFAULT_ENDPOINT: &str = "http://localhost:4318";

/// Config keys of the features the core build leaves out, and whether this build has each.
#[cfg(not(all(feature = "ux", feature = "health", feature = "alerts")))]
const NOT_IN_CORE: [(&str, bool); 5] = [
    ("health", cfg!(feature = "health")),
    ("alerting", cfg!(feature = "alerts")),
    ("onAlert", cfg!(feature = "alerts")),
    ("privacy.clickText", cfg!(feature = "ux")),
    ("privacy.dataAttributes", cfg!(feature = "ux")),
];

/// The validated configuration with defaults applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Config keys (the top-level ones) of features this build does not have (the core build):
    /// the monitor says so once (`not_in_build`), and they do nothing.
    #[cfg(not(all(feature = "ux", feature = "health", feature = "alerts")))]
    pub absent: Vec<&'static str>,
    pub collector: String,
    /// Endpoint per channel, as configured (absolute, or a path joined to `collector` by [`join_endpoint`]).
    pub endpoints: Vec<String>,
    pub environment: Option<String>,
    pub release: Option<String>,
    /// `service.name` (OTLP) and the native batches' `service`.
    pub service: Option<String>,
    /// `Some` with `exporter: 'otlp'`.
    pub otlp: Option<Otlp>,
    pub sample_rate: f64,
    /// A session ends after this long without user activity, or once it is this old.
    pub session_timeout_ms: f64,
    pub session_max_ms: f64,
    pub metrics_enabled: bool,
    pub metrics_interval_ms: u32,
    pub slow_resource_ms: u32,
    pub errors_max_queue: usize,
    pub errors_flush_ms: u32,
    pub slow_request_ms: u32,
    pub ignore: Vec<Pattern>,
    pub tracing_enabled: bool,
    pub tracing_sample_rate: f64,
    /// where `traceparent` may go besides the page's own origin
    pub propagate_to: Vec<Pattern>,
    /// statuses of 400 and above that are not recorded as HTTP errors
    pub ignore_status: Vec<u16>,
    pub alerting_enabled: bool,
    pub error_rate_threshold: f64,
    pub response_time_threshold: f64,
    pub availability_threshold: f64,
    pub alert_cooldown_ms: u32,
    pub health_enabled: bool,
    pub health_interval_ms: u32,
    /// A check that takes longer is unhealthy.
    pub health_timeout_ms: u32,
    /// Built-in checks on or off: local_storage, memory, collector.
    pub health_checks: [bool; 3],
    pub scrub_params: Vec<String>,
    pub click_text: bool,
    /// `data-*` attributes a click record may carry
    pub data_attributes: Vec<String>,
    pub mask_text: bool,
    pub before_send: Option<usize>,
    pub on_error: Option<usize>,
    pub on_alert: Option<usize>,
    pub debug: bool,
}

impl Config {
    /// Validates and builds the config; `Err` carries the message for the rejected `init` promise.
    pub fn from_entries(entries: Option<&Entries>) -> Result<Config, String> {
        validate(entries)?;
        let v = entries.unwrap_or(&[]);
        let s = |p: &str| match get(v, p) {
            Some(Val::Str(s)) => Some(s.clone()),
            _ => None,
        };
        let n = |p: &str, d: f64| match get(v, p) {
            Some(Val::Num(x)) => *x,
            _ => d,
        };
        let b = |p: &str, d: bool| match get(v, p) {
            Some(Val::Bool(x)) => *x,
            _ => d,
        };
        let f = |p: &str| match get(v, p) {
            Some(Val::Func(i)) => Some(*i),
            _ => None,
        };
        let mut endpoints = Vec::with_capacity(5);
        for c in CHANNELS {
            let mut p = String::from("endpoints.");
            p.push_str(c.name());
            endpoints.push(s(&p).unwrap_or_else(|| String::from(c.default_path())));
        }
        // plain loops: one `collect` per element type would each bring its own iterator machinery
        let items = |path: &str| match get(v, path) {
            Some(Val::Arr(items)) => Some(items.as_slice()),
            _ => None,
        };
        let patterns = |path: &str| {
            let mut out = Vec::new();
            for i in items(path).unwrap_or_default() {
                match i {
                    Val::Str(s) => out.push(Pattern::Sub(s.clone())),
                    Val::Regex(r) => out.push(Pattern::Regex(*r)),
                    _ => {}
                }
            }
            out
        };
        let strs = |path: &str, lower: bool| {
            items(path).map(|items| {
                let mut out = Vec::new();
                for i in items {
                    if let Val::Str(s) = i {
                        out.push(if lower { s.to_ascii_lowercase() } else { s.clone() });
                    }
                }
                out
            })
        };
        let mut ignore_status = Vec::new();
        for i in items("errors.ignoreStatus").unwrap_or_default() {
            if let Val::Num(n) = i {
                ignore_status.push(*n as u16);
            }
        }
        let otlp = (s("exporter").as_deref() == Some("otlp")).then(|| {
            let mut headers = Vec::new();
            for (path, val) in v {
                if let (Some(name), Val::Str(value)) = (path.strip_prefix(HEADERS), val) {
                    headers.push((String::from(name), value.clone()));
                }
            }
            Otlp {
                endpoint: s("otlp.endpoint").unwrap_or_else(|| String::from(OTLP_DEFAULT_ENDPOINT)),
                headers,
                gzip: s("otlp.compression").as_deref() == Some("gzip"),
            }
        });
        #[cfg(not(all(feature = "ux", feature = "health", feature = "alerts")))]
        let mut absent = Vec::new();
        #[cfg(not(all(feature = "ux", feature = "health", feature = "alerts")))]
        for (key, built) in NOT_IN_CORE {
            let given = v.iter().any(|(path, _)| path.strip_prefix(key).is_some_and(|rest| rest.is_empty() || rest.starts_with('.')));
            if !built && given && !absent.contains(&key) {
                absent.push(key);
            }
        }
        Ok(Config {
            #[cfg(not(all(feature = "ux", feature = "health", feature = "alerts")))]
            absent,
            collector: s("collector").unwrap_or_default(),
            endpoints,
            environment: s("environment"),
            release: s("release"),
            service: s("service"),
            otlp,
            sample_rate: n("sampleRate", 1.0),
            session_timeout_ms: n("session.timeout", 1_800_000.0),
            session_max_ms: n("session.maxDuration", 14_400_000.0),
            metrics_enabled: b("metrics.enabled", true),
            metrics_interval_ms: n("metrics.interval", 30_000.0) as u32,
            slow_resource_ms: n("metrics.slowResourceMs", 1_000.0) as u32,
            errors_max_queue: n("errors.maxQueueSize", 100.0) as usize,
            errors_flush_ms: n("errors.flushInterval", 10_000.0) as u32,
            slow_request_ms: n("errors.slowRequestMs", 5_000.0) as u32,
            ignore: patterns("errors.ignore"),
            tracing_enabled: b("tracing.enabled", false),
            tracing_sample_rate: n("tracing.sampleRate", 0.1),
            propagate_to: patterns("tracing.propagateTo"),
            ignore_status,
            alerting_enabled: b("alerting.enabled", true),
            error_rate_threshold: n("alerting.thresholds.errorRate", 0.05),
            response_time_threshold: n("alerting.thresholds.responseTime", 2000.0),
            availability_threshold: n("alerting.thresholds.availability", 0.99),
            alert_cooldown_ms: n("alerting.cooldown", 300_000.0) as u32,
            health_enabled: b("health.enabled", true),
            health_interval_ms: n("health.interval", 60_000.0) as u32,
            health_timeout_ms: n("health.timeout", 5_000.0) as u32,
            health_checks: [b("health.checks.storage", true), b("health.checks.memory", true), b("health.checks.collector", true)],
            scrub_params: strs("privacy.scrubParams", true).unwrap_or_default(),
            click_text: b("privacy.clickText", true),
            data_attributes: strs("privacy.dataAttributes", false)
                .unwrap_or_else(|| vec![String::from("data-testid"), String::from("data-action"), String::from("data-track")]),
            mask_text: b("privacy.maskText", true),
            before_send: f("beforeSend"),
            on_error: f("onError"),
            on_alert: f("onAlert"),
            debug: b("debug", false),
        })
    }

    /// Each lane's endpoint, in [`LANES`] order, before it is resolved against the page: the
    /// native endpoints (spans go with the events), or the OTLP paths under `otlp.endpoint`.
    pub fn urls(&self) -> Vec<String> {
        let mut out = Vec::with_capacity(LANES.len());
        for lane in LANES {
            out.push(match &self.otlp {
                Some(o) => join_endpoint(&o.endpoint, lane.otlp_path()),
                None => join_endpoint(&self.collector, self.endpoints.get(lane as usize).or(self.endpoints.get(Channel::Events as usize)).map_or("", |e| e.as_str())),
            });
        }
        out
    }

    /// Flush interval of a channel in ms.
    pub fn interval_ms(&self, c: Channel) -> u32 {
        match c {
            Channel::Errors => self.errors_flush_ms,
            Channel::Metrics => self.metrics_interval_ms,
            _ => 5_000,
        }
    }

    /// Bound of a channel's queue.
    pub fn queue_cap(&self, c: Channel) -> usize {
        match c {
            Channel::Errors => self.errors_max_queue,
            Channel::Metrics | Channel::Events | Channel::Spans => 500,
            _ => 50,
        }
    }
}

/// Joins a configured endpoint to the collector base: absolute URLs are kept, paths are appended.
pub fn join_endpoint(collector: &str, endpoint: &str) -> String {
    if crate::json::contains(endpoint, "://") || endpoint.starts_with("//") {
        return String::from(endpoint);
    }
    let mut out = String::from(collector);
    while out.ends_with("/") {
        out.pop();
    }
    if !endpoint.starts_with("/") {
        out.push('/');
    }
    out.push_str(endpoint);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Val {
        Val::Str(x.into())
    }
    /// Entries as js/io.js `flatten` produces them (parents listed before their fields).
    fn cfg(pairs: &[(&str, Val)]) -> Vec<(String, Val)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
    }
    fn with_collector(pairs: &[(&str, Val)]) -> Vec<(String, Val)> {
        let mut all = cfg(&[("collector", s("x"))]);
        all.extend(cfg(pairs));
        all
    }
    fn err(entries: Vec<(String, Val)>) -> String {
        Config::from_entries(Some(&entries)).unwrap_err()
    }

    #[test]
    fn minimal_config_gets_defaults() {
        let c = Config::from_entries(Some(&cfg(&[("collector", s("https://c.example.com"))]))).unwrap();
        assert_eq!(c.errors_max_queue, 100);
        assert_eq!(c.errors_flush_ms, 10_000);
        assert_eq!(c.metrics_interval_ms, 30_000);
        assert_eq!(c.slow_request_ms, 5_000);
        assert_eq!(c.tracing_sample_rate, 0.1);
        assert_eq!(c.alert_cooldown_ms, 300_000);
        assert_eq!(c.health_interval_ms, 60_000);
        assert_eq!((c.health_enabled, c.health_timeout_ms, c.health_checks), (true, 5_000, [true; 3]));
        assert_eq!(c.endpoints[0], "/api/errors");
        assert_eq!(c.endpoints[2], "/api/analytics/events");
        assert_eq!(c.sample_rate, 1.0);
        assert_eq!((c.session_timeout_ms, c.session_max_ms), (1_800_000.0, 14_400_000.0));
    }

    #[test]
    fn full_config_is_read() {
        let v = cfg(&[
            ("collector", s("https://c.example.com/")),
            ("endpoints", Val::Obj),
            ("endpoints.errors", s("https://e.example.com/x")),
            ("environment", s("prod")),
            ("release", s("1.2.3")),
            ("sampleRate", Val::Num(0.5)),
            ("session", Val::Obj),
            ("session.timeout", Val::Num(60_000.0)),
            ("session.maxDuration", Val::Num(3_600_000.0)),
            ("errors", Val::Obj),
            ("errors.maxQueueSize", Val::Num(5.0)),
            ("errors.ignore", Val::Arr(vec![s("ResizeObserver"), Val::Regex(0)])),
            ("errors.ignoreStatus", Val::Arr(vec![Val::Num(401.0), Val::Num(404.0)])),
            ("tracing", Val::Obj),
            ("tracing.propagateTo", Val::Arr(vec![s("https://api.example.com"), Val::Regex(1)])),
            ("privacy", Val::Obj),
            ("privacy.scrubParams", Val::Arr(vec![s("SSN")])),
            ("beforeSend", Val::Func(1)),
            ("debug", Val::Bool(true)),
        ]);
        let c = Config::from_entries(Some(&v)).unwrap();
        assert_eq!(c.errors_max_queue, 5);
        assert_eq!(c.sample_rate, 0.5);
        assert_eq!((c.session_timeout_ms, c.session_max_ms), (60_000.0, 3_600_000.0));
        assert!(c.debug);
        assert_eq!(c.ignore, vec![Pattern::Sub("ResizeObserver".into()), Pattern::Regex(0)]);
        assert_eq!(c.ignore_status, vec![401, 404]);
        assert_eq!(c.propagate_to, vec![Pattern::Sub("https://api.example.com".into()), Pattern::Regex(1)]);
        assert_eq!(c.scrub_params, vec!["ssn".to_string()]);
        assert_eq!(c.before_send, Some(1));
        assert_eq!(c.environment.as_deref(), Some("prod"));
        assert_eq!(c.release.as_deref(), Some("1.2.3"));
        assert_eq!(join_endpoint(&c.collector, &c.endpoints[0]), "https://e.example.com/x");
        assert_eq!(join_endpoint(&c.collector, &c.endpoints[1]), "https://c.example.com/api/metrics");
    }

    #[test]
    #[cfg(not(all(feature = "ux", feature = "health", feature = "alerts")))]
    fn keys_of_features_this_build_leaves_out_are_named() {
        let given = with_collector(&[("health", Val::Obj), ("health.interval", Val::Num(5000.0)), ("privacy", Val::Obj), ("privacy.clickText", Val::Bool(false)), ("privacy.maskText", Val::Bool(true))]);
        let c = Config::from_entries(Some(&given)).unwrap();
        let expected: Vec<&str> = [("health", cfg!(feature = "health")), ("privacy.clickText", cfg!(feature = "ux"))].into_iter().filter(|(_, built)| !built).map(|(k, _)| k).collect();
        assert_eq!(c.absent, expected);
    }

    #[test]
    #[cfg(feature = "otlp")]
    fn messages_name_the_key() {
        assert_eq!(Config::from_entries(None).unwrap_err(), "sightline: init(config) needs a config object");
        assert_eq!(err(vec![]), "sightline: config key `collector` is required (the base URL of your collector)");
        assert_eq!(err(cfg(&[("collector", Val::Num(1.0))])), "sightline: config key `collector` must be a string");
        assert_eq!(err(cfg(&[("collector", s("  "))])), "sightline: config key `collector` must be a non-empty URL string");
        let cases: Vec<(Vec<(String, Val)>, &str)> = vec![
            (with_collector(&[("colector", s("y"))]), "sightline: unknown config key `colector`"),
            (with_collector(&[("errors", Val::Obj), ("errors.maxQueueSze", Val::Num(1.0))]), "sightline: unknown config key `errors.maxQueueSze`"),
            (
                with_collector(&[("errors", Val::Obj), ("errors.maxQueueSize", s("100"))]),
                "sightline: config key `errors.maxQueueSize` must be an integer from 1 to 10000",
            ),
            (
                with_collector(&[("errors", Val::Obj), ("errors.maxQueueSize", Val::Num(1.5))]),
                "sightline: config key `errors.maxQueueSize` must be an integer from 1 to 10000",
            ),
            (with_collector(&[("sampleRate", Val::Num(2.0))]), "sightline: config key `sampleRate` must be a number from 0 to 1"),
            (with_collector(&[("sampleRate", Val::Num(f64::NAN))]), "sightline: config key `sampleRate` must be a number from 0 to 1"),
            (with_collector(&[("debug", s("yes"))]), "sightline: config key `debug` must be true or false"),
            (with_collector(&[("beforeSend", s("f"))]), "sightline: config key `beforeSend` must be a function"),
            (with_collector(&[("metrics", Val::Bool(true))]), "sightline: config key `metrics` must be an object"),
            (with_collector(&[("release", Val::Obj), ("release.x", s("y"))]), "sightline: config key `release` must be a string"),
            (with_collector(&[("exporter", s("zipkin"))]), "sightline: config key `exporter` must be \"native\" or \"otlp\""),
            // gone: it did nothing
            (with_collector(&[("tracing", Val::Obj), ("tracing.exporter", s("otlp"))]), "sightline: unknown config key `tracing.exporter`"),
            (
                with_collector(&[("otlp", Val::Obj), ("otlp.endpoint", s("https://o"))]),
                "sightline: config key `otlp` needs `exporter: 'otlp'`",
            ),
            (
                with_collector(&[("exporter", s("otlp")), ("endpoints", Val::Obj), ("endpoints.errors", s("/e"))]),
                "sightline: config key `endpoints` belongs to the native exporter: with `exporter: 'otlp'` set `otlp.endpoint`",
            ),
            (
                with_collector(&[("exporter", s("otlp")), ("otlp", Val::Obj), ("otlp.headers", Val::Obj), ("otlp.headers.bad name", s("x"))]),
                "sightline: config key `otlp.headers.bad name` is not a valid HTTP header name",
            ),
            (
                with_collector(&[("exporter", s("otlp")), ("otlp", Val::Obj), ("otlp.headers", Val::Obj), ("otlp.headers.Content-Type", s("text/plain"))]),
                "sightline: config key `otlp.headers.Content-Type` is not a valid HTTP header name",
            ),
            (
                with_collector(&[("exporter", s("otlp")), ("otlp", Val::Obj), ("otlp.headers", Val::Obj), ("otlp.headers.x-key", Val::Num(1.0))]),
                "sightline: config key `otlp.headers.x-key` must be a string",
            ),
            (
                with_collector(&[("exporter", s("otlp")), ("otlp", Val::Obj), ("otlp.compression", s("br"))]),
                "sightline: config key `otlp.compression` must be \"gzip\" or \"none\"",
            ),
            (with_collector(&[("service", Val::Bool(true))]), "sightline: config key `service` must be a string"),
            (
                with_collector(&[("exporter", s("otlp")), ("otlp", Val::Obj), ("otlp.headers", Val::Obj), ("otlp.headers.x-key", s("a\r\nb"))]),
                "sightline: config key `otlp.headers.x-key` must be a header value without line breaks",
            ),
            (
                with_collector(&[("errors", Val::Obj), ("errors.ignoreStatus", Val::Arr(vec![Val::Num(404.0), Val::Num(4040.0)]))]),
                "sightline: config key `errors.ignoreStatus` must be an array of HTTP status codes (integers from 100 to 599)",
            ),
            (
                with_collector(&[("errors", Val::Obj), ("errors.ignore", Val::Arr(vec![Val::Num(1.0)]))]),
                "sightline: config key `errors.ignore` must be an array of strings or regular expressions",
            ),
            (
                with_collector(&[("alerting", Val::Obj), ("alerting.thresholds", Val::Obj), ("alerting.thresholds.latency", Val::Num(1.0))]),
                "sightline: unknown config key `alerting.thresholds.latency`",
            ),
            (
                with_collector(&[("privacy", Val::Obj), ("privacy.scrubParams", s("token"))]),
                "sightline: config key `privacy.scrubParams` must be an array of strings",
            ),
        ];
        for (v, want) in cases {
            assert_eq!(err(v), want);
        }
    }

    #[test]
    #[cfg(feature = "otlp")]
    fn otlp_config_is_read() {
        // no `collector` needed; the endpoint defaults to a local OpenTelemetry Collector
        let c = Config::from_entries(Some(&cfg(&[("exporter", s("otlp"))]))).unwrap();
        assert_eq!(c.otlp, Some(Otlp { endpoint: OTLP_DEFAULT_ENDPOINT.into(), headers: vec![], gzip: false }));
        assert_eq!(c.urls()[0], "http://localhost:4318/v1/logs");
        let c = Config::from_entries(Some(&cfg(&[
            ("exporter", s("otlp")),
            ("service", s("shop-web")),
            ("otlp", Val::Obj),
            ("otlp.endpoint", s("https://otel.example.com/")),
            ("otlp.headers", Val::Obj),
            ("otlp.headers.x-ingest-key", s("abc")),
            ("otlp.compression", s("gzip")),
        ])))
        .unwrap();
        let o = c.otlp.as_ref().unwrap();
        assert_eq!((o.headers.clone(), o.gzip), (vec![("x-ingest-key".to_string(), "abc".to_string())], true));
        assert_eq!(c.service.as_deref(), Some("shop-web"));
        let urls = c.urls();
        assert_eq!(urls.len(), LANES.len());
        for (lane, want) in LANES.iter().zip(["logs", "metrics", "logs", "logs", "logs", "traces"]) {
            assert_eq!(urls[*lane as usize], format!("https://otel.example.com/v1/{want}"));
        }
        // native: spans go with the events
        let n = Config::from_entries(Some(&cfg(&[("collector", s("https://c.io"))]))).unwrap();
        assert_eq!(n.otlp, None);
        assert_eq!(n.urls()[Channel::Spans as usize], "https://c.io/api/analytics/events");
        assert_eq!(n.urls()[Channel::Health as usize], "https://c.io/api/health/status");
    }

    /// A build without the `otlp` feature (issue #14's core build) says so, rather than sending
    /// nothing (`scripts/test.sh` runs this one without default features).
    #[cfg(not(feature = "otlp"))]
    #[test]
    fn without_the_otlp_feature_the_exporter_is_refused() {
        assert_eq!(err(cfg(&[("exporter", s("otlp"))])), "sightline: config key `exporter` is 'otlp', but this build of the SDK has no OTLP exporter");
    }

    #[test]
    fn endpoint_joining() {
        assert_eq!(join_endpoint("https://c.io", "/api/errors"), "https://c.io/api/errors");
        assert_eq!(join_endpoint("https://c.io/base/", "api/errors"), "https://c.io/base/api/errors");
        assert_eq!(join_endpoint("https://c.io", "//other.io/x"), "//other.io/x");
        assert_eq!(join_endpoint("", "/api/errors"), "/api/errors");
    }
}
