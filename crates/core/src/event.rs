//! The event model: one [`Event`] for everything the SDK sends. The context every event shares
//! (time, session, page view, page URL, user and tags, sequence number) is attached once, when the
//! event is made; release, environment, user agent and SDK are the same for the whole page and
//! are added by the encoder. Queues hold events; an encoder turns a batch into a request body when
//! it is sent (`encode`), so a repeat can be counted in place and another wire format is one more
//! encoder.
use std::rc::Rc;

use crate::config::Channel;
use crate::stack::Frame;

pub const MAX_MESSAGE: usize = 1000;
pub const MAX_STACK: usize = 8000;
pub const MAX_FRAMES: usize = 50;
pub const MAX_CONTEXT_BYTES: usize = 8192;

/// The user and tags set by the page, shared by every event made while they hold (`setUser` and
/// `setTag` make a new one).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scope {
    pub user: Option<String>,
    pub tags: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct Event {
    /// Epoch milliseconds.
    pub time: f64,
    pub session: Rc<str>,
    pub page_view: u64,
    /// The page's URL, scrubbed.
    pub url: Rc<str>,
    pub scope: Rc<Scope>,
    /// The page's event number (batches can arrive out of order: a beacon overtakes a request).
    pub seq: u32,
    /// On the first event of a session that replaced another: that one's id.
    pub previous_session: Option<Rc<str>>,
    pub body: Body,
}

#[derive(Debug, Clone)]
pub enum Body {
    Error(Box<Error>),
    Metric(Box<Metric>),
    PageView(Box<PageView>),
    Action(Box<Action>),
    Span(Box<Span>),
    /// The page load as a trace (made for the OTLP exporter when tracing is on).
    PageLoad(Box<PageLoad>),
    /// Shared with the health source, which keeps the last report for `runHealthChecks()`.
    Health(std::rc::Rc<Health>),
    Alert(Box<Alert>),
}

impl Event {
    pub fn channel(&self) -> Channel {
        match &self.body {
            Body::Error(_) => Channel::Errors,
            Body::Metric(_) => Channel::Metrics,
            Body::PageView(_) | Body::Action(_) | Body::Span(_) | Body::PageLoad(_) => Channel::Events,
            Body::Health(_) => Channel::Health,
            Body::Alert(_) => Channel::Alerts,
        }
    }

    /// About how many bytes the encoded event takes, to batch by size before encoding (the
    /// batcher then checks the real size): an error by its texts (its frames repeat its stack),
    /// anything else as a few hundred bytes.
    /// Occurrences the event stands for: an error's folded repeats, else one. What a drop or a
    /// refused batch loses is counted in these, so every occurrence is sent or counted.
    pub fn occurrences(&self) -> u32 {
        match &self.body {
            Body::Error(e) => e.count.max(1),
            _ => 1,
        }
    }

    pub fn size_hint(&self) -> usize {
        500 + self.url.len()
            + match &self.body {
                Body::Error(e) => e.message.len() + 2 * e.stack.as_ref().map_or(0, String::len) + e.context.as_ref().map_or(0, String::len),
                _ => 0,
            }
    }
}

/// The request a network error is about.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Http {
    pub xhr: bool,
    pub method: String,
    /// scrubbed
    pub url: String,
    /// 0 when no response came
    pub status: u16,
    pub duration_ms: u64,
    /// response `Content-Length`, negative when unknown
    pub size: f64,
}

/// One error, whatever its source.
#[derive(Debug, Clone, Default)]
pub struct Error {
    pub id: u64,
    /// The wire `type`: javascript, promise_rejection, resource_error, manual, http_error, …
    pub kind: &'static str,
    pub name: String,
    pub message: String,
    pub stack: Option<String>,
    pub frames: Vec<Frame>,
    pub source: Option<String>,
    pub line: u32,
    pub column: u32,
    pub level: &'static str,
    pub handled: bool,
    pub cross_origin: bool,
    /// For `resource_error`: the element's tag (`script`, `img`, `link`).
    pub element: Option<String>,
    /// `captureError` context, already JSON.
    pub context: Option<String>,
    pub http: Option<Http>,
    pub fingerprint: u64,
    /// Occurrences this record stands for: repeats are counted into it while it waits.
    pub count: u32,
}

impl Error {
    /// Errors that mean the app is likely broken right now: send them without waiting for the interval.
    pub fn is_critical(&self) -> bool {
        self.name == "TypeError" || self.name == "ChunkLoadError" || crate::json::contains(&self.message, "Loading chunk")
    }

    /// A stable hash of what makes two errors "the same": type, name, message and top frame.
    pub fn fingerprint_of(&self, top: Option<&Frame>) -> u64 {
        let mut h = Fnv::new();
        h.write(self.kind.as_bytes());
        h.write(self.name.as_bytes());
        h.write(self.message.as_bytes());
        if let Some(f) = top {
            h.write(f.file.as_bytes());
            h.write(&f.line.to_le_bytes());
            h.write(&f.column.to_le_bytes());
        } else if let Some(s) = &self.source {
            h.write(s.as_bytes());
            h.write(&self.line.to_le_bytes());
        }
        h.0
    }
}

/// A metric tag's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Tag {
    Str(String),
    Num(f64),
    Bool(bool),
}

#[derive(Debug, Clone)]
pub struct Metric {
    pub name: &'static str,
    pub value: f64,
    /// In wire order; `pageViewId` and `url` follow them.
    pub tags: Vec<(&'static str, Tag)>,
    /// A web vital's rating and delta.
    pub vital: Option<(&'static str, f64)>,
    /// The request durations of an `http_requests` report, for OTLP's histogram.
    pub hist: Option<Box<crate::aggregate::Hist>>,
    /// A vital reported again for its page view.
    pub again: bool,
}

impl Metric {
    pub fn new(name: &'static str, value: f64) -> Metric {
        Metric { name, value, tags: Vec::new(), vital: None, hist: None, again: false }
    }

    /// A string tag; empty ones are left out.
    pub fn tag(mut self, k: &'static str, v: String) -> Metric {
        if !v.is_empty() {
            self.tags.push((k, Tag::Str(v)));
        }
        self
    }

    pub fn num(mut self, k: &'static str, v: f64) -> Metric {
        self.tags.push((k, Tag::Num(v)));
        self
    }

    pub fn flag(mut self, k: &'static str, v: bool) -> Metric {
        self.tags.push((k, Tag::Bool(v)));
        self
    }
}

/// How a page view came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Navigation {
    Load,
    PushState,
    ReplaceState,
    PopState,
    HashChange,
    BackForwardCache,
    /// The same page, viewed again by a session that started with user activity.
    Session,
}

impl Navigation {
    pub const ALL: [Navigation; 7] = [
        Navigation::Load,
        Navigation::PushState,
        Navigation::ReplaceState,
        Navigation::PopState,
        Navigation::HashChange,
        Navigation::BackForwardCache,
        Navigation::Session,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Navigation::Load => "load",
            Navigation::PushState => "pushState",
            Navigation::ReplaceState => "replaceState",
            Navigation::PopState => "popstate",
            Navigation::HashChange => "hashchange",
            Navigation::BackForwardCache => "back-forward-cache",
            Navigation::Session => "session",
        }
    }

    pub fn parse(s: &str) -> Option<Navigation> {
        Navigation::ALL.into_iter().find(|n| n.name() == s)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PageView {
    pub title: String,
    pub referrer: String,
    pub load_time: f64,
    pub width: f64,
    pub height: f64,
    pub navigation: Navigation,
}

/// A clicked element as described to the SDK (ids, classes, allow-listed `data-*`, masked text).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Element {
    pub tag: String,
    pub id: String,
    pub selector: String,
    pub classes: String,
    pub text: String,
    /// The allow-listed `data-*` attributes, as a JSON object (already masked).
    pub data: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Click { element: Element },
    RageClick { element: Element, clicks: u32 },
    FormSubmit { id: String, action: String, method: String, fields: f64 },
    Scroll { depth: u32 },
    Route { from: String, to: String, trigger: Navigation },
    Hidden,
    Visible,
}

impl Action {
    /// The wire name (`action` of a native user action, `sightline.action` in OTLP).
    pub fn name(&self) -> &'static str {
        match self {
            Action::Click { .. } => "click",
            Action::RageClick { .. } => "rage_click",
            Action::FormSubmit { .. } => "form_submit",
            Action::Scroll { .. } => "scroll",
            Action::Route { .. } => "route_change",
            Action::Hidden => "page_hidden",
            Action::Visible => "page_visible",
        }
    }
}

/// How a request ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Outcome {
    Load,
    Error,
    Timeout,
    Abort,
}

/// A client span of a traced fetch or XHR.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub trace_id: String,
    pub span_id: String,
    pub method: String,
    pub url: String,
    pub status: u16,
    pub outcome: Outcome,
    /// Epoch ms.
    pub start: f64,
    pub duration: f64,
    pub size: f64,
}

/// The page load, as navigation timing gives it: `documentLoad` and its phases.
#[derive(Debug, Clone, PartialEq)]
pub struct PageLoad {
    pub trace_id: (u64, u64),
    /// The `documentLoad` span's id; its phases take the ids after it.
    pub span_id: u64,
    /// Epoch ms of the navigation's time origin.
    pub origin: f64,
    /// navigate, reload, back_forward, prerender
    pub kind: String,
    /// (name, start, end) in ms since `origin`: `documentLoad` (the whole load), then its phases.
    pub phases: Vec<(&'static str, f64, f64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub name: String,
    pub status: crate::alerting::Status,
    pub response_time: f64,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Health {
    pub checks: Vec<Check>,
    pub status: crate::alerting::Status,
    /// healthy, degraded, unhealthy, unknown
    pub summary: [u32; 4],
}

#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub id: u64,
    pub key: String,
    pub severity: &'static str,
    pub title: &'static str,
    pub resolved: bool,
    /// The figures of an active threshold alert: (value, threshold).
    pub figures: Option<(f64, f64)>,
    pub description: String,
}

/// FNV-1a, 64 bit: tiny and good enough for fingerprints.
pub struct Fnv(pub u64);

impl Fnv {
    pub fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    pub fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
        // separator, so ("ab","c") and ("a","bc") differ
        self.0 = (self.0 ^ 0xff).wrapping_mul(0x0000_0100_0000_01b3);
    }
}

impl Default for Fnv {
    fn default() -> Self {
        Fnv::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_separate_fields() {
        let a = Error { kind: "javascript", name: "ab".into(), message: "c".into(), ..Default::default() };
        let b = Error { kind: "javascript", name: "a".into(), message: "bc".into(), ..Default::default() };
        assert_ne!(a.fingerprint_of(None), b.fingerprint_of(None));
        assert_eq!(a.fingerprint_of(None), a.clone().fingerprint_of(None));
        let top = Frame { function: "f".into(), file: "https://a/x.js".into(), line: 1, column: 2 };
        assert_ne!(a.fingerprint_of(Some(&top)), a.fingerprint_of(None));
    }

    #[test]
    fn navigation_names_round_trip() {
        for n in Navigation::ALL {
            assert_eq!(Navigation::parse(n.name()), Some(n));
        }
        assert_eq!(Navigation::parse("nope"), None);
    }
}
