//! The boundary: every signal the page side (`js/`) hands to the SDK, declared once in
//! [`SIGNALS`]. JavaScript reaches the wasm through one inbox export, `inbox(kind, fields)`, and
//! only through `js/signals.js`, which is generated from this table (a test fails when it is out
//! of date; `SIGHTLINE_BLESS=1 cargo test -p sightline-core` writes it). The capture modules
//! read browser fields and hand them over; every decision is made on this side.
use crate::event::{Navigation, Outcome};

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
    k("error", &[("kind", S), ("name", S), ("message", S), ("stack", S), ("source", S), ("line", N), ("column", N), ("at", N), ("level", S), ("context", S)],
      "an error: kind javascript, promise_rejection, resource_error (name: the element's tag) or manual; context is JSON"),
    k("pageHide", &[("unload", B)], "the page is hidden (unload: pagehide, it may be going away)"),
    k("perfStart", &[("navigationType", S), ("activationStart", N), ("hiddenAt", N)], "performance observing starts (hiddenAt: when the page first hid, Infinity if never)"),
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
    k("restore", &[("timeStamp", N), ("interactionCount", N)], "a back/forward-cache restore"),
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
    k("sent", &[("req", N), ("status", N), ("retryAfter", S)], "a POST of the SDK ended (status 0: no response)"),
    k("user", &[("id", S)], "`setUser(id)`: sent with every later event (none: empty or not a string)"),
    k("tag", &[("key", S), ("value", S)], "`setTag(key, value)`: sent with every later error"),
    k("flush", &[], "`flush()`: send everything now (the page hears `flushed(sink, done)` once it settles)"),
    k("runHealth", &[], "`runHealthChecks()`: run the health checks now"),
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
    pub kind: String,
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

#[derive(Debug, Clone, PartialEq)]
pub struct RawCheck {
    pub name: String,
    pub status: String,
    pub response_time: f64,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Signal {
    Error(RawError),
    PageHide { unload: bool },
    PerfStart { navigation_type: String, activation: f64, hidden_at: f64 },
    Fcp { start: f64 },
    Lcp { start: f64, element: String, url: String },
    LcpEnd,
    Shift { value: f64, start: f64, recent_input: bool, source: String },
    Interaction { id: f64, duration: f64, target: String, event_type: String, count: f64 },
    FirstInput { start: f64, processing_start: f64, target: String, event_type: String },
    LongTask { duration: f64, start: f64 },
    LongFrame { duration: f64, blocking: f64, start: f64, script: String, function: String, script_duration: f64 },
    Resource { url: String, initiator: String, duration: f64, transfer: f64, decoded: f64, blocking: String },
    VitalsHidden { at: f64, count: f64 },
    Restore { at: f64, count: f64 },
    RestoredPaint { ms: f64 },
    Navigation(NavTiming),
    Request(Request),
    PageView(RawPageView),
    Route { from: String, to: String, how: Navigation },
    Click(RawClick),
    Submit { id: String, action: String, method: String, fields: f64 },
    Scroll { depth: f64 },
    Visibility { hidden: bool },
    /// `probe`: the collector probe's (ok, message, response time), when one was asked for.
    Health { probe: Option<(bool, String, f64)>, checks: Vec<RawCheck> },
    Sent { req: u32, status: u16, retry_after: Option<String> },
    User { id: Option<String> },
    Tag { key: String, value: String },
    Flush,
    RunHealth,
}

fn outcome(s: &str) -> Outcome {
    match s {
        "error" => Outcome::Error,
        "timeout" => Outcome::Timeout,
        "abort" => Outcome::Abort,
        _ => Outcome::Load,
    }
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

impl Signal {
    /// Decodes signal `kind` from its fields, read in the order of [`SIGNALS`]; `None` for an
    /// unknown kind or a field count that does not match the table.
    pub fn read(kind: u32, a: &impl Args) -> Option<Signal> {
        let (fixed, repeat) = COUNTS.get(kind as usize).map(|(f, r)| (usize::from(*f), usize::from(*r)))?;
        let ok = if repeat == 0 { a.count() == fixed } else { a.count() >= fixed && (a.count() - fixed).is_multiple_of(repeat) };
        if !ok {
            return None;
        }
        let s = |i| a.str(i);
        let n = |i| a.num(i);
        let u32_at = |i| n(i).clamp(0.0, f64::from(u32::MAX)) as u32;
        Some(match kind {
            0 => Signal::Error(RawError {
                kind: s(0),
                name: s(1),
                message: s(2),
                stack: a.opt(3),
                source: a.opt(4),
                line: u32_at(5),
                column: u32_at(6),
                at: n(7),
                level: a.opt(8),
                context: a.opt(9),
            }),
            1 => Signal::PageHide { unload: a.bool(0) },
            2 => Signal::PerfStart { navigation_type: s(0), activation: n(1), hidden_at: n(2) },
            3 => Signal::Fcp { start: n(0) },
            4 => Signal::Lcp { start: n(0), element: s(1), url: s(2) },
            5 => Signal::LcpEnd,
            6 => Signal::Shift { value: n(0), start: n(1), recent_input: a.bool(2), source: s(3) },
            7 => Signal::Interaction { id: n(0), duration: n(1), target: s(2), event_type: s(3), count: n(4) },
            8 => Signal::FirstInput { start: n(0), processing_start: n(1), target: s(2), event_type: s(3) },
            9 => Signal::LongTask { duration: n(0), start: n(1) },
            10 => Signal::LongFrame { duration: n(0), blocking: n(1), start: n(2), script: s(3), function: s(4), script_duration: n(5) },
            11 => Signal::Resource { url: s(0), initiator: s(1), duration: n(2), transfer: n(3), decoded: n(4), blocking: s(5) },
            12 => Signal::VitalsHidden { at: n(0), count: n(1) },
            13 => Signal::Restore { at: n(0), count: n(1) },
            14 => Signal::RestoredPaint { ms: n(0) },
            15 => Signal::Navigation(NavTiming {
                kind: s(0),
                protocol: s(1),
                response_start: n(2),
                dns: (n(3), n(4)),
                connect: (n(5), n(6)),
                secure_start: n(7),
                request_start: n(8),
                response_end: n(9),
                dom_complete: n(10),
                load_end: n(11),
                now: n(12),
            }),
            16 => Signal::Request(Request {
                xhr: a.bool(0),
                method: s(1),
                url: s(2),
                outcome: outcome(&s(3)),
                status: n(4).clamp(0.0, 999.0) as u16,
                ms: n(5).max(0.0),
                size: n(6),
                start: n(7),
                traceparent: s(8),
            }),
            17 => Signal::PageView(RawPageView {
                url: s(0),
                title: s(1),
                referrer: s(2),
                load_time: n(3),
                width: n(4),
                height: n(5),
                how: Navigation::parse(&s(6))?,
            }),
            18 => Signal::Route { from: s(0), to: s(1), how: Navigation::parse(&s(2))? },
            19 => Signal::Click(RawClick { tag: s(0), id: s(1), selector: s(2), classes: s(3), text: s(4), data: s(5), element: n(6), at: n(7) }),
            20 => Signal::Submit { id: s(0), action: s(1), method: s(2), fields: n(3) },
            21 => Signal::Scroll { depth: n(0) },
            22 => Signal::Visibility { hidden: a.bool(0) },
            23 => {
                let mut checks = Vec::new();
                let mut i = fixed;
                while i + 4 <= a.count() && checks.len() < 64 {
                    checks.push(RawCheck { name: s(i), status: s(i + 1), response_time: n(i + 2), message: s(i + 3) });
                    i += 4;
                }
                Signal::Health { probe: a.bool(0).then(|| (a.bool(1), s(2), n(3))), checks }
            }
            24 => Signal::Sent { req: u32_at(0), status: n(1).clamp(0.0, 999.0) as u16, retry_after: a.opt(2) },
            25 => Signal::User { id: a.opt(0).filter(|id| !id.is_empty()) },
            26 => Signal::Tag { key: s(0), value: s(1) },
            27 => Signal::Flush,
            28 => Signal::RunHealth,
            _ => return None,
        })
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
    use std::cell::RefCell;

    /// Fields of the declared types, checking that each is read as declared.
    struct Typed {
        types: Vec<F>,
        read: RefCell<Vec<usize>>,
    }

    impl Typed {
        fn at(&self, i: usize, want: F) {
            assert_eq!(self.types.get(i), Some(&want), "field {i} read as {want:?}");
            self.read.borrow_mut().push(i);
        }
    }

    impl Args for Typed {
        fn count(&self) -> usize {
            self.types.len()
        }
        fn str(&self, i: usize) -> String {
            self.at(i, F::S);
            // a value every string field accepts (navigation kinds are checked)
            String::from("load")
        }
        fn opt(&self, i: usize) -> Option<String> {
            self.at(i, F::S);
            Some(String::from("x"))
        }
        fn num(&self, i: usize) -> f64 {
            self.at(i, F::N);
            1.0
        }
        fn bool(&self, i: usize) -> bool {
            self.at(i, F::B);
            true
        }
    }

    #[test]
    fn every_signal_reads_exactly_its_declared_fields_with_their_types() {
        for (kind, decl) in SIGNALS.iter().enumerate() {
            let mut types: Vec<F> = decl.fields.iter().map(|f| f.1).collect();
            types.extend(decl.repeat.iter().map(|f| f.1));
            types.extend(decl.repeat.iter().map(|f| f.1));
            let args = Typed { types: types.clone(), read: RefCell::new(Vec::new()) };
            let sig = Signal::read(kind as u32, &args);
            assert!(sig.is_some(), "{} decodes", decl.name);
            let mut read = args.read.into_inner();
            read.sort_unstable();
            read.dedup();
            assert_eq!(read, (0..types.len()).collect::<Vec<_>>(), "{} reads every field once", decl.name);
            // one field short (or too many) is refused, not misread
            let short = Typed { types: types[..decl.fields.len().saturating_sub(1)].to_vec(), read: RefCell::new(Vec::new()) };
            if !decl.fields.is_empty() {
                assert!(Signal::read(kind as u32, &short).is_none(), "{}", decl.name);
            }
        }
        assert!(Signal::read(SIGNALS.len() as u32, &Typed { types: vec![], read: RefCell::new(vec![]) }).is_none());
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
