//! The boundary: every signal the page side (`js/`) hands to the SDK, declared once in
//! [`SIGNALS`]. JavaScript reaches the wasm through one inbox export, `inbox(kind, fields)`, and
//! only through `js/signals.js`, which is generated from this table (a test fails when it is out
//! of date; `SIGHTLINE_BLESS=1 cargo test -p sightline-core` writes it). The capture modules
//! read browser fields and hand them over; every decision is made on this side.
use crate::alerting::Status;
use crate::event::{Check, Navigation, Outcome};

/// A field's type: a string, a number, a boolean.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum F {
    S,
    N,
    B,
}

pub struct Kind {
    pub name: &'static str,
    pub fields: &'static [(&'static str, F)],
    /// Fields repeated any number of times after the fixed ones (a health run's checks).
    pub repeat: &'static [(&'static str, F)],
    pub doc: &'static str,
}

use F::{B, N, S};

const fn k(name: &'static str, fields: &'static [(&'static str, F)], doc: &'static str) -> Kind {
    Kind { name, fields, repeat: &[], doc }
}

/// The signals, by kind number (their index).
pub const SIGNALS: &[Kind] = &[
    k("error", &[("kind", N), ("name", S), ("message", S), ("stack", S), ("source", S), ("line", N), ("column", N), ("at", N), ("level", S), ("context", S)],
      "an error: kind 0 javascript, 1 promise_rejection, 2 resource_error (name: the element's tag), 3 manual; context is JSON"),
    k("pageHide", &[("unload", B)], "the page is hidden (unload: pagehide, it may be going away)"),
    k("perfStart", &[("navigationType", S), ("activationStart", N), ("hiddenAt", N), ("layoutShifts", B)], "performance observing starts (hiddenAt: when the page first hid, Infinity if never; layoutShifts: the browser has them, so CLS is reported)"),
    k("fcp", &[("startTime", N)], "a first-contentful-paint entry"),
    k("lcp", &[("startTime", N), ("element", S), ("url", S)], "a largest-contentful-paint entry"),
    k("lcpEnd", &[], "LCP stops (the first input, read once idle)"),
    k("shift", &[("value", N), ("startTime", N), ("hadRecentInput", B), ("source", S)], "a layout-shift entry"),
    k("interaction", &[("interactionId", N), ("duration", N), ("target", S), ("eventType", S), ("interactionCount", N)], "an event-timing entry"),
    k("firstInput", &[("startTime", N), ("processingStart", N), ("target", S), ("eventType", S)], "a first-input entry, or the first input after a restore"),
    k("longTask", &[("duration", N), ("startTime", N)], "a longtask entry"),
    k("longFrame", &[("duration", N), ("blockingDuration", N), ("startTime", N), ("script", S), ("scriptFunction", S), ("scriptDuration", N)], "a long-animation-frame entry and its longest script"),
    k("resource", &[("url", S), ("initiatorType", S), ("duration", N), ("transferSize", N), ("decodedBodySize", N), ("renderBlocking", S)], "a resource timing entry"),
    k("vitalsHidden", &[("timeStamp", N), ("interactionCount", N)], "the page hid (after the observers' pending entries)"),
    k("restore", &[("interactionCount", N)], "a back/forward-cache restore"),
    k("restoredPaint", &[("ms", N)], "the second frame after a restore"),
    k("navigation", &[("type", S), ("protocol", S), ("responseStart", N), ("domainLookupStart", N), ("domainLookupEnd", N), ("connectStart", N), ("connectEnd", N), ("secureConnectionStart", N), ("requestStart", N), ("responseEnd", N), ("domComplete", N), ("loadEventEnd", N), ("now", N)],
      "the navigation timing entry, once the page has loaded"),
    k("request", &[("xhr", B), ("method", S), ("url", S), ("outcome", S), ("status", N), ("ms", N), ("size", N), ("start", N), ("traceparent", S)],
      "a fetch or XHR ended: outcome load, error, timeout or abort; size is Content-Length (-1 unknown); traceparent as `trace()` gave it"),
    k("pageView", &[("url", S), ("title", S), ("referrer", S), ("loadTime", N), ("width", N), ("height", N), ("how", S)], "a page view: how is load, pushState, replaceState, popstate, hashchange or back-forward-cache"),
    k("route", &[("from", S), ("to", S), ("how", S)], "the URL changed (history API, back/forward, hash)"),
    k("click", &[("tag", S), ("id", S), ("selector", S), ("classes", S), ("text", S), ("data", S), ("element", N), ("timeStamp", N)],
      "a trusted click, described after the next paint; element identifies the element (same number, same element)"),
    k("submit", &[("id", S), ("action", S), ("method", S), ("fields", N)], "a form submit"),
    k("scroll", &[("depth", N)], "how far down the page is scrolled, in percent (at most once a frame)"),
    k("visibility", &[("hidden", B)], "the page became hidden or visible"),
    Kind {
        name: "health",
        fields: &[("probed", B), ("probeOk", B), ("probeMessage", S), ("probeTime", N)],
        repeat: &[("name", S), ("status", S), ("responseTime", N), ("message", S)],
        doc: "a health run's results (and the collector probe's, when one was asked for)",
    },
    k("sent", &[("req", N), ("status", N), ("retryAfter", S), ("rejected", N)],
      "a POST of the SDK ended (status 0: no response); rejected: the items an OTLP `partialSuccess` answer refused"),
    k("user", &[("id", S)], "`setUser(id)`: sent with every later event (none: empty or not a string)"),
    k("tag", &[("key", S), ("value", S)], "`setTag(key, value)`: sent with every later error"),
    k("flush", &[], "`flush()`: send everything now (the page hears `flushed(sink, done)` once it settles)"),
    k("runHealth", &[], "`runHealthChecks()`: run the health checks now"),
    k("online", &[], "the browser is online again (the window's `online` event)"),
    k("backlog", &[], "the page side claimed the backlog (as the SDK loads and after, when the page is visible or online again): send what it holds"),
];

/// The kind number of the signal called `name` (for callers that build fields by hand, as the
/// browser tests do).
pub fn kind(name: &str) -> Option<u32> {
    SIGNALS.iter().position(|s| s.name == name).map(|i| i as u32)
}

/// Reads the fields of one signal (the wasm binding reads a JS array; tests a Vec).
pub trait Args {
    /// How many fields there are.
    fn count(&self) -> usize;
    /// `""` when it is not a string.
    fn str(&self, i: usize) -> String;
    /// `None` when it is not a string.
    fn opt(&self, i: usize) -> Option<String>;
    /// `0` when it is not a number (`NaN` included).
    fn num(&self, i: usize) -> f64;
    /// JavaScript truthiness.
    fn bool(&self, i: usize) -> bool;
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct RawError {
    /// 0 javascript, 1 promise_rejection, 2 resource_error, 3 manual
    pub kind: u32,
    pub name: String,
    pub message: String,
    pub stack: Option<String>,
    pub source: Option<String>,
    pub line: u32,
    pub column: u32,
    pub at: f64,
    pub level: Option<String>,
    pub context: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct NavTiming {
    pub kind: String,
    pub protocol: String,
    pub response_start: f64,
    pub dns: (f64, f64),
    pub connect: (f64, f64),
    pub secure_start: f64,
    pub request_start: f64,
    pub response_end: f64,
    pub dom_complete: f64,
    pub load_end: f64,
    /// `performance.now()` when it was read
    pub now: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub xhr: bool,
    pub method: String,
    pub url: String,
    pub outcome: Outcome,
    pub status: u16,
    pub ms: f64,
    pub size: f64,
    /// Epoch ms.
    pub start: f64,
    pub traceparent: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RawPageView {
    pub url: String,
    pub title: String,
    pub referrer: String,
    pub load_time: f64,
    pub width: f64,
    pub height: f64,
    pub how: Navigation,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct RawClick {
    pub tag: String,
    pub id: String,
    pub selector: String,
    pub classes: String,
    pub text: String,
    pub data: String,
    pub element: f64,
    pub at: f64,
}


fn outcome(s: &str) -> Outcome {
    match s {
        "error" => Outcome::Error,
        "timeout" => Outcome::Timeout,
        "abort" => Outcome::Abort,
        _ => Outcome::Load,
    }
}

fn u32_at(a: &impl Args, i: usize) -> u32 {
    a.num(i).clamp(0.0, f64::from(u32::MAX)) as u32
}

impl RawError {
    pub fn read(a: &impl Args) -> RawError {
        RawError {
            kind: u32_at(a, 0),
            name: a.str(1),
            message: a.str(2),
            stack: a.opt(3),
            source: a.opt(4),
            line: u32_at(a, 5),
            column: u32_at(a, 6),
            at: a.num(7),
            level: a.opt(8),
            context: a.opt(9),
        }
    }
}

impl NavTiming {
    pub fn read(a: &impl Args) -> NavTiming {
        let n = |i| a.num(i);
        NavTiming {
            kind: a.str(0),
            protocol: a.str(1),
            response_start: n(2),
            dns: (n(3), n(4)),
            connect: (n(5), n(6)),
            secure_start: n(7),
            request_start: n(8),
            response_end: n(9),
            dom_complete: n(10),
            load_end: n(11),
            now: n(12),
        }
    }
}

impl Request {
    pub fn read(a: &impl Args) -> Request {
        Request {
            xhr: a.bool(0),
            method: a.str(1),
            url: a.str(2),
            outcome: outcome(&a.str(3)),
            status: a.num(4).clamp(0.0, 999.0) as u16,
            ms: a.num(5).max(0.0),
            size: a.num(6),
            start: a.num(7),
            traceparent: a.str(8),
        }
    }
}

impl RawPageView {
    /// `None` for a `how` that is not a navigation.
    pub fn read(a: &impl Args) -> Option<RawPageView> {
        let how = Navigation::parse(&a.str(6));
        let v = RawPageView { url: a.str(0), title: a.str(1), referrer: a.str(2), load_time: a.num(3), width: a.num(4), height: a.num(5), how: Navigation::Load };
        Some(RawPageView { how: how?, ..v })
    }
}

impl RawClick {
    pub fn read(a: &impl Args) -> RawClick {
        RawClick { tag: a.str(0), id: a.str(1), selector: a.str(2), classes: a.str(3), text: a.str(4), data: a.str(5), element: a.num(6), at: a.num(7) }
    }
}

/// A health run: the collector probe's (ok, message, response time) when there was one, and the
/// checks (names and messages masked and cut), from `reps` groups after the fixed fields.
pub fn read_health(a: &impl Args, reps: usize) -> (Option<(bool, String, f64)>, Vec<Check>) {
    let mut checks = Vec::new();
    let mut i = 4;
    for _ in 0..reps.min(64) {
        checks.push(Check {
            name: crate::sources::text(a.str(i), 100),
            status: Status::parse(&a.str(i + 1)),
            response_time: crate::sources::health::round4(a.num(i + 2).max(0.0)),
            message: crate::sources::text(a.str(i + 3), 200),
        });
        i += 4;
    }
    let probe = (a.bool(1), a.str(2), a.num(3));
    (a.bool(0).then_some(probe), checks)
}

/// The kinds by name, as [`SIGNALS`] numbers them (a test checks each against the table).
pub mod k {
    pub const ERROR: u32 = 0;
    pub const PAGE_HIDE: u32 = 1;
    pub const PERF_START: u32 = 2;
    pub const FCP: u32 = 3;
    pub const LCP: u32 = 4;
    pub const LCP_END: u32 = 5;
    pub const SHIFT: u32 = 6;
    pub const INTERACTION: u32 = 7;
    pub const FIRST_INPUT: u32 = 8;
    pub const LONG_TASK: u32 = 9;
    pub const LONG_FRAME: u32 = 10;
    pub const RESOURCE: u32 = 11;
    pub const VITALS_HIDDEN: u32 = 12;
    pub const RESTORE: u32 = 13;
    pub const RESTORED_PAINT: u32 = 14;
    pub const NAVIGATION: u32 = 15;
    pub const REQUEST: u32 = 16;
    pub const PAGE_VIEW: u32 = 17;
    pub const ROUTE: u32 = 18;
    pub const CLICK: u32 = 19;
    pub const SUBMIT: u32 = 20;
    pub const SCROLL: u32 = 21;
    pub const VISIBILITY: u32 = 22;
    pub const HEALTH: u32 = 23;
    pub const SENT: u32 = 24;
    pub const USER: u32 = 25;
    pub const TAG: u32 = 26;
    pub const FLUSH: u32 = 27;
    pub const RUN_HEALTH: u32 = 28;
    pub const ONLINE: u32 = 29;
    pub const BACKLOG: u32 = 30;
}

/// (fixed fields, repeated fields) per kind: all the wasm keeps of [`SIGNALS`] (its names and docs
/// are for js/signals.js and the tests only; in the bundle they would cost about 2 KB).
// Indexing in a constant is checked when it is evaluated: a mistake fails the build, not the page.
#[allow(clippy::indexing_slicing)]
const COUNTS: [(u8, u8); SIGNALS.len()] = {
    let mut out = [(0u8, 0u8); SIGNALS.len()];
    let mut i = 0;
    while i < SIGNALS.len() {
        out[i] = (SIGNALS[i].fields.len() as u8, SIGNALS[i].repeat.len() as u8);
        i += 1;
    }
    out
};

/// FNV-1a of the table's names and types, at compile time.
#[allow(clippy::indexing_slicing)]
const FINGERPRINT: u64 = {
    const fn mix(mut h: u64, b: &[u8]) -> u64 {
        let mut i = 0;
        while i < b.len() {
            h ^= b[i] as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
            i += 1;
        }
        (h ^ 0xff).wrapping_mul(0x0000_0100_0000_01b3)
    }
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    let mut i = 0;
    while i < SIGNALS.len() {
        h = mix(h, SIGNALS[i].name.as_bytes());
        let mut j = 0;
        while j < SIGNALS[i].fields.len() + SIGNALS[i].repeat.len() {
            let (name, ty) = if j < SIGNALS[i].fields.len() { SIGNALS[i].fields[j] } else { SIGNALS[i].repeat[j - SIGNALS[i].fields.len()] };
            h = mix(h, name.as_bytes());
            h = mix(h, &[ty as u8]);
            j += 1;
        }
        i += 1;
    }
    h
};

/// Whether `count` fields make a signal of `kind`: the number of repeated groups, or `None`
/// for an unknown kind or a count that does not match the table.
pub fn check(kind: u32, count: usize) -> Option<usize> {
    let (fixed, repeat) = COUNTS.get(kind as usize).map(|(f, r)| (usize::from(*f), usize::from(*r)))?;
    match repeat {
        0 => (count == fixed).then_some(0),
        r => (count >= fixed && (count - fixed).is_multiple_of(r)).then(|| (count - fixed) / r),
    }
}

/// A hash of the table (kinds, field names and types): js/signals.js carries the one it was
/// generated from, and the SDK refuses to start with another (a page served a stale mix of files).
pub fn fingerprint() -> String {
    let mut o = String::with_capacity(16);
    crate::json::hex64(&mut o, FINGERPRINT);
    o
}

/// The JavaScript constant of a signal: `pageHide` → `PAGE_HIDE`.
pub fn constant(name: &str) -> String {
    let mut c = String::with_capacity(name.len() + 4);
    for ch in name.chars() {
        if ch.is_ascii_uppercase() {
            c.push('_');
        }
        c.push(ch.to_ascii_uppercase());
    }
    c
}

/// `js/signals.js`, generated from [`SIGNALS`]: one constant per kind (bundlers inline them), the
/// fields listed beside it, which tests/js/signals.test.mjs holds every call site to.
pub fn js() -> String {
    let mut o = String::from(
        "// Generated from crates/core/src/signal.rs (SIGHTLINE_BLESS=1 cargo test -p sightline-core); do not edit.\n\
         // The only way the page side reaches the SDK: `c.inbox(S.KIND, [fields])`, with the fields of each\n\
         // kind in the order listed beside it (tests/js/signals.test.mjs checks every call). `…` marks fields\n\
         // that repeat.\n",
    );
    for (i, sig) in SIGNALS.iter().enumerate() {
        o.push_str("\n/** ");
        o.push_str(sig.doc);
        o.push_str(" */\nexport const ");
        o.push_str(&constant(sig.name));
        o.push_str(" = ");
        crate::json::uint(&mut o, i as u64);
        o.push_str("; // ");
        let mut names: Vec<String> = sig.fields.iter().map(|f| String::from(f.0)).collect();
        names.extend(sig.repeat.iter().map(|f| String::from("…") + f.0));
        o.push_str(&if names.is_empty() { String::from("(no fields)") } else { names.join(", ") });
        o.push('\n');
    }
    o.push_str("\n/** The fingerprint of the table this file was generated from (the wasm checks it at start). */\nexport const table = () => '");
    o.push_str(&fingerprint());
    o.push_str("';\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kind_constants_follow_the_table() {
        let named = [
            (k::ERROR, "error"),
            (k::PAGE_HIDE, "pageHide"),
            (k::PERF_START, "perfStart"),
            (k::FCP, "fcp"),
            (k::LCP, "lcp"),
            (k::LCP_END, "lcpEnd"),
            (k::SHIFT, "shift"),
            (k::INTERACTION, "interaction"),
            (k::FIRST_INPUT, "firstInput"),
            (k::LONG_TASK, "longTask"),
            (k::LONG_FRAME, "longFrame"),
            (k::RESOURCE, "resource"),
            (k::VITALS_HIDDEN, "vitalsHidden"),
            (k::RESTORE, "restore"),
            (k::RESTORED_PAINT, "restoredPaint"),
            (k::ONLINE, "online"),
            (k::BACKLOG, "backlog"),
            (k::NAVIGATION, "navigation"),
            (k::REQUEST, "request"),
            (k::PAGE_VIEW, "pageView"),
            (k::ROUTE, "route"),
            (k::CLICK, "click"),
            (k::SUBMIT, "submit"),
            (k::SCROLL, "scroll"),
            (k::VISIBILITY, "visibility"),
            (k::HEALTH, "health"),
            (k::SENT, "sent"),
            (k::USER, "user"),
            (k::TAG, "tag"),
            (k::FLUSH, "flush"),
            (k::RUN_HEALTH, "runHealth"),
        ];
        assert_eq!(named.len(), SIGNALS.len());
        for (n, name) in named {
            assert_eq!(kind(name), Some(n), "{name}");
        }
        assert_eq!(check(k::CLICK, 8), Some(0));
        assert_eq!(check(k::CLICK, 7), None);
        assert_eq!(check(k::HEALTH, 4 + 8), Some(2));
        assert_eq!(check(k::HEALTH, 4 + 7), None);
        assert_eq!(check(SIGNALS.len() as u32, 0), None);
    }

    #[test]
    fn js_signals_is_generated_from_the_table() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../js/signals.js");
        let want = js();
        if std::env::var_os("SIGHTLINE_BLESS").is_some() {
            std::fs::write(path, &want).unwrap();
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert!(have == want, "js/signals.js is out of date: run `SIGHTLINE_BLESS=1 cargo test -p sightline-core`");
    }
}
