//! The `init` configuration: its schema, validation with messages naming the key, and defaults.

/// A configuration value as read from the JS object (functions and RegExps by index into a side table).
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Val>),
    Obj(Vec<(String, Val)>),
    Func(usize),
    Regex(usize),
    Other,
}

impl Val {
    pub fn get(&self, path: &[&str]) -> Option<&Val> {
        let mut cur = self;
        for k in path {
            match cur {
                Val::Obj(fields) => cur = &fields.iter().find(|(n, _)| n == k)?.1,
                _ => return None,
            }
        }
        Some(cur)
    }
}

enum Kind {
    Str,
    Bool,
    Func,
    /// min, max, integer only, description for the message
    Num(f64, f64, bool, &'static str),
    OneOf(&'static [&'static str], &'static str),
    /// array of strings
    Strs,
    /// array of strings or RegExps
    Patterns,
    Obj(&'static [Field]),
}

struct Field(&'static str, Kind);

const MS: Kind = Kind::Num(0.0, 86_400_000.0, false, "a number of milliseconds from 0 to 86400000");
const RATE: Kind = Kind::Num(0.0, 1.0, false, "a number from 0 to 1");

const SCHEMA: &[Field] = &[
    Field("collector", Kind::Str),
    Field(
        "endpoints",
        Kind::Obj(&[
            Field("errors", Kind::Str),
            Field("metrics", Kind::Str),
            Field("events", Kind::Str),
            Field("health", Kind::Str),
            Field("alerts", Kind::Str),
        ]),
    ),
    Field("environment", Kind::Str),
    Field("release", Kind::Str),
    Field("sampleRate", RATE),
    Field("metrics", Kind::Obj(&[Field("enabled", Kind::Bool), Field("interval", MS)])),
    Field(
        "errors",
        Kind::Obj(&[
            Field("maxQueueSize", Kind::Num(1.0, 10_000.0, true, "an integer from 1 to 10000")),
            Field("flushInterval", MS),
            Field("slowRequestMs", MS),
            Field("ignore", Kind::Patterns),
        ]),
    ),
    Field(
        "tracing",
        Kind::Obj(&[
            Field("enabled", Kind::Bool),
            Field("sampleRate", RATE),
            Field("propagateTo", Kind::Patterns),
            Field("exporter", Kind::OneOf(&["native", "otlp"], "\"native\" or \"otlp\"")),
        ]),
    ),
    Field(
        "alerting",
        Kind::Obj(&[
            Field("enabled", Kind::Bool),
            Field(
                "thresholds",
                Kind::Obj(&[
                    Field("errorRate", RATE),
                    Field("responseTime", MS),
                    Field("availability", RATE),
                ]),
            ),
            Field("cooldown", MS),
        ]),
    ),
    Field(
        "health",
        Kind::Obj(&[
            Field("enabled", Kind::Bool),
            Field("interval", MS),
            Field(
                "checks",
                Kind::Obj(&[
                    Field("storage", Kind::Bool),
                    Field("memory", Kind::Bool),
                    Field("collector", Kind::Bool),
                ]),
            ),
        ]),
    ),
    Field(
        "privacy",
        Kind::Obj(&[
            Field("maskText", Kind::Bool),
            Field("scrubParams", Kind::Strs),
            Field("clickText", Kind::Bool),
        ]),
    ),
    Field("beforeSend", Kind::Func),
    Field("onAlert", Kind::Func),
    Field("onError", Kind::Func),
    Field("debug", Kind::Bool),
    Field("wasmUrl", Kind::Str),
];

/// Checks `v` against the schema; the error is one sentence naming the offending key.
pub fn validate(v: &Val) -> Result<(), String> {
    let Val::Obj(_) = v else {
        return Err(String::from("sightline: init(config) needs a config object"));
    };
    check_obj(v, SCHEMA, "")?;
    match v.get(&["collector"]) {
        Some(Val::Str(s)) if !s.trim_ascii().is_empty() => Ok(()),
        Some(_) => Err(msg("", "collector", "must be a non-empty URL string")),
        None => Err(msg("", "collector", "is required (the base URL of your collector)")),
    }
}

fn check_obj(v: &Val, schema: &[Field], prefix: &str) -> Result<(), String> {
    let Val::Obj(fields) = v else { return Ok(()) };
    for (name, val) in fields {
        let Some(Field(_, kind)) = schema.iter().find(|f| f.0 == name) else {
            let mut m = String::from("sightline: unknown config key `");
            m.push_str(prefix);
            m.push_str(name);
            m.push('`');
            return Err(m);
        };
        check(val, kind, prefix, name)?;
    }
    Ok(())
}

fn check(val: &Val, kind: &Kind, prefix: &str, name: &str) -> Result<(), String> {
    let bad = |what: &str| Err(msg(prefix, name, what));
    match (kind, val) {
        (Kind::Str, Val::Str(_)) | (Kind::Bool, Val::Bool(_)) | (Kind::Func, Val::Func(_)) => Ok(()),
        (Kind::Str, _) => bad("must be a string"),
        (Kind::Bool, _) => bad("must be true or false"),
        (Kind::Func, _) => bad("must be a function"),
        (Kind::Num(min, max, int, what), Val::Num(n)) => {
            if n.is_nan() || *n < *min || *n > *max || (*int && n.fract() != 0.0) {
                bad_num(prefix, name, what)
            } else {
                Ok(())
            }
        }
        (Kind::Num(_, _, _, what), _) => bad_num(prefix, name, what),
        (Kind::OneOf(options, _), Val::Str(s)) if options.contains(&s.as_str()) => Ok(()),
        (Kind::OneOf(_, what), _) => {
            let mut w = String::from("must be ");
            w.push_str(what);
            bad(&w)
        }
        (Kind::Strs, Val::Arr(items)) if items.iter().all(|i| matches!(i, Val::Str(_))) => Ok(()),
        (Kind::Strs, _) => bad("must be an array of strings"),
        (Kind::Patterns, Val::Arr(items))
            if items.iter().all(|i| matches!(i, Val::Str(_) | Val::Regex(_))) =>
        {
            Ok(())
        }
        (Kind::Patterns, _) => bad("must be an array of strings or regular expressions"),
        (Kind::Obj(schema), Val::Obj(_)) => {
            let mut p = String::from(prefix);
            p.push_str(name);
            p.push('.');
            check_obj(val, schema, &p)
        }
        (Kind::Obj(_), _) => bad("must be an object"),
    }
}

fn bad_num(prefix: &str, name: &str, what: &str) -> Result<(), String> {
    let mut w = String::from("must be ");
    w.push_str(what);
    Err(msg(prefix, name, &w))
}

fn msg(prefix: &str, name: &str, what: &str) -> String {
    let mut m = String::from("sightline: config key `");
    m.push_str(prefix);
    m.push_str(name);
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
}

pub const CHANNELS: [Channel; 5] =
    [Channel::Errors, Channel::Metrics, Channel::Events, Channel::Health, Channel::Alerts];

impl Channel {
    /// The config key under `endpoints` and the array key in the batch body.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Errors => "errors",
            Channel::Metrics => "metrics",
            Channel::Events => "events",
            Channel::Health => "health",
            Channel::Alerts => "alerts",
        }
    }
    pub fn default_path(self) -> &'static str {
        match self {
            Channel::Errors => "/api/errors",
            Channel::Metrics => "/api/metrics",
            Channel::Events => "/api/analytics/events",
            Channel::Health => "/api/health/status",
            Channel::Alerts => "/api/alerts",
        }
    }
}

/// A string or RegExp pattern (RegExps by index into the JS side table).
#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    Sub(String),
    Regex(usize),
}

/// The validated configuration with defaults applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub collector: String,
    /// Endpoint per channel, as configured (absolute, or a path joined to `collector` by [`join_endpoint`]).
    pub endpoints: [String; 5],
    pub environment: Option<String>,
    pub release: Option<String>,
    pub sample_rate: f64,
    pub metrics_enabled: bool,
    pub metrics_interval_ms: u32,
    pub errors_max_queue: usize,
    pub errors_flush_ms: u32,
    pub slow_request_ms: u32,
    pub ignore: Vec<Pattern>,
    pub tracing_enabled: bool,
    pub tracing_sample_rate: f64,
    pub alerting_enabled: bool,
    pub error_rate_threshold: f64,
    pub response_time_threshold: f64,
    pub availability_threshold: f64,
    pub alert_cooldown_ms: u32,
    pub health_interval_ms: u32,
    pub scrub_params: Vec<String>,
    pub click_text: bool,
    pub mask_text: bool,
    pub before_send: Option<usize>,
    pub on_error: Option<usize>,
    pub on_alert: Option<usize>,
    pub debug: bool,
}

impl Config {
    /// Validates and builds the config; `Err` carries the message for the rejected `init` promise.
    pub fn from_val(v: &Val) -> Result<Config, String> {
        validate(v)?;
        let s = |p: &[&str]| match v.get(p) {
            Some(Val::Str(s)) => Some(s.clone()),
            _ => None,
        };
        let n = |p: &[&str], d: f64| match v.get(p) {
            Some(Val::Num(x)) => *x,
            _ => d,
        };
        let b = |p: &[&str], d: bool| match v.get(p) {
            Some(Val::Bool(x)) => *x,
            _ => d,
        };
        let f = |p: &[&str]| match v.get(p) {
            Some(Val::Func(i)) => Some(*i),
            _ => None,
        };
        let endpoints = CHANNELS.map(|c| {
            s(&["endpoints", c.name()]).unwrap_or_else(|| String::from(c.default_path()))
        });
        let ignore = match v.get(&["errors", "ignore"]) {
            Some(Val::Arr(items)) => items
                .iter()
                .filter_map(|i| match i {
                    Val::Str(s) => Some(Pattern::Sub(s.clone())),
                    Val::Regex(r) => Some(Pattern::Regex(*r)),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let scrub_params = match v.get(&["privacy", "scrubParams"]) {
            Some(Val::Arr(items)) => items
                .iter()
                .filter_map(|i| match i {
                    Val::Str(s) => Some(s.to_ascii_lowercase()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        Ok(Config {
            collector: s(&["collector"]).unwrap_or_default(),
            endpoints,
            environment: s(&["environment"]),
            release: s(&["release"]),
            sample_rate: n(&["sampleRate"], 1.0),
            metrics_enabled: b(&["metrics", "enabled"], true),
            metrics_interval_ms: n(&["metrics", "interval"], 30_000.0) as u32,
            errors_max_queue: n(&["errors", "maxQueueSize"], 100.0) as usize,
            errors_flush_ms: n(&["errors", "flushInterval"], 10_000.0) as u32,
            slow_request_ms: n(&["errors", "slowRequestMs"], 5_000.0) as u32,
            ignore,
            tracing_enabled: b(&["tracing", "enabled"], false),
            tracing_sample_rate: n(&["tracing", "sampleRate"], 0.1),
            alerting_enabled: b(&["alerting", "enabled"], true),
            error_rate_threshold: n(&["alerting", "thresholds", "errorRate"], 0.05),
            response_time_threshold: n(&["alerting", "thresholds", "responseTime"], 2000.0),
            availability_threshold: n(&["alerting", "thresholds", "availability"], 0.99),
            alert_cooldown_ms: n(&["alerting", "cooldown"], 300_000.0) as u32,
            health_interval_ms: n(&["health", "interval"], 60_000.0) as u32,
            scrub_params,
            click_text: b(&["privacy", "clickText"], true),
            mask_text: b(&["privacy", "maskText"], true),
            before_send: f(&["beforeSend"]),
            on_error: f(&["onError"]),
            on_alert: f(&["onAlert"]),
            debug: b(&["debug"], false),
        })
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
            Channel::Metrics | Channel::Events => 500,
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
    while out.ends_with('/') {
        out.pop();
    }
    if !endpoint.starts_with('/') {
        out.push('/');
    }
    out.push_str(endpoint);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(fields: Vec<(&str, Val)>) -> Val {
        Val::Obj(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }
    fn s(x: &str) -> Val {
        Val::Str(x.into())
    }

    #[test]
    fn minimal_config_gets_defaults() {
        let c = Config::from_val(&obj(vec![("collector", s("https://c.example.com"))])).unwrap();
        assert_eq!(c.errors_max_queue, 100);
        assert_eq!(c.errors_flush_ms, 10_000);
        assert_eq!(c.metrics_interval_ms, 30_000);
        assert_eq!(c.slow_request_ms, 5_000);
        assert_eq!(c.tracing_sample_rate, 0.1);
        assert_eq!(c.alert_cooldown_ms, 300_000);
        assert_eq!(c.health_interval_ms, 60_000);
        assert_eq!(c.endpoints[0], "/api/errors");
        assert_eq!(c.endpoints[2], "/api/analytics/events");
        assert_eq!(c.sample_rate, 1.0);
    }

    #[test]
    fn full_config_is_read() {
        let v = obj(vec![
            ("collector", s("https://c.example.com/")),
            ("endpoints", obj(vec![("errors", s("https://e.example.com/x"))])),
            ("environment", s("prod")),
            ("release", s("1.2.3")),
            ("sampleRate", Val::Num(0.5)),
            ("errors", obj(vec![("maxQueueSize", Val::Num(5.0)), ("ignore", Val::Arr(vec![s("ResizeObserver"), Val::Regex(0)]))])),
            ("privacy", obj(vec![("scrubParams", Val::Arr(vec![s("SSN")]))])),
            ("beforeSend", Val::Func(1)),
            ("debug", Val::Bool(true)),
        ]);
        let c = Config::from_val(&v).unwrap();
        assert_eq!(c.errors_max_queue, 5);
        assert_eq!(c.ignore, vec![Pattern::Sub("ResizeObserver".into()), Pattern::Regex(0)]);
        assert_eq!(c.scrub_params, vec!["ssn".to_string()]);
        assert_eq!(c.before_send, Some(1));
        assert_eq!(c.environment.as_deref(), Some("prod"));
        assert_eq!(join_endpoint(&c.collector, &c.endpoints[0]), "https://e.example.com/x");
        assert_eq!(join_endpoint(&c.collector, &c.endpoints[1]), "https://c.example.com/api/metrics");
    }

    #[test]
    fn messages_name_the_key() {
        let cases: Vec<(Val, &str)> = vec![
            (Val::Null, "sightline: init(config) needs a config object"),
            (obj(vec![]), "sightline: config key `collector` is required (the base URL of your collector)"),
            (obj(vec![("collector", Val::Num(1.0))]), "sightline: config key `collector` must be a string"),
            (obj(vec![("collector", s("  "))]), "sightline: config key `collector` must be a non-empty URL string"),
            (obj(vec![("collector", s("x")), ("colector", s("y"))]), "sightline: unknown config key `colector`"),
            (
                obj(vec![("collector", s("x")), ("errors", obj(vec![("maxQueueSze", Val::Num(1.0))]))]),
                "sightline: unknown config key `errors.maxQueueSze`",
            ),
            (
                obj(vec![("collector", s("x")), ("errors", obj(vec![("maxQueueSize", s("100"))]))]),
                "sightline: config key `errors.maxQueueSize` must be an integer from 1 to 10000",
            ),
            (
                obj(vec![("collector", s("x")), ("errors", obj(vec![("maxQueueSize", Val::Num(1.5))]))]),
                "sightline: config key `errors.maxQueueSize` must be an integer from 1 to 10000",
            ),
            (obj(vec![("collector", s("x")), ("sampleRate", Val::Num(2.0))]), "sightline: config key `sampleRate` must be a number from 0 to 1"),
            (obj(vec![("collector", s("x")), ("sampleRate", Val::Num(f64::NAN))]), "sightline: config key `sampleRate` must be a number from 0 to 1"),
            (obj(vec![("collector", s("x")), ("debug", s("yes"))]), "sightline: config key `debug` must be true or false"),
            (obj(vec![("collector", s("x")), ("beforeSend", s("f"))]), "sightline: config key `beforeSend` must be a function"),
            (obj(vec![("collector", s("x")), ("metrics", Val::Bool(true))]), "sightline: config key `metrics` must be an object"),
            (
                obj(vec![("collector", s("x")), ("tracing", obj(vec![("exporter", s("zipkin"))]))]),
                "sightline: config key `tracing.exporter` must be \"native\" or \"otlp\"",
            ),
            (
                obj(vec![("collector", s("x")), ("errors", obj(vec![("ignore", Val::Arr(vec![Val::Num(1.0)]))]))]),
                "sightline: config key `errors.ignore` must be an array of strings or regular expressions",
            ),
            (
                obj(vec![("collector", s("x")), ("alerting", obj(vec![("thresholds", obj(vec![("latency", Val::Num(1.0))]))]))]),
                "sightline: unknown config key `alerting.thresholds.latency`",
            ),
            (
                obj(vec![("collector", s("x")), ("privacy", obj(vec![("scrubParams", s("token"))]))]),
                "sightline: config key `privacy.scrubParams` must be an array of strings",
            ),
        ];
        for (v, want) in cases {
            assert_eq!(Config::from_val(&v).unwrap_err(), want);
        }
    }

    #[test]
    fn endpoint_joining() {
        assert_eq!(join_endpoint("https://c.io", "/api/errors"), "https://c.io/api/errors");
        assert_eq!(join_endpoint("https://c.io/base/", "api/errors"), "https://c.io/base/api/errors");
        assert_eq!(join_endpoint("https://c.io", "//other.io/x"), "//other.io/x");
        assert_eq!(join_endpoint("", "/api/errors"), "/api/errors");
    }
}
