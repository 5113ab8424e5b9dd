//! The error record and the context common to every event, encoded once into the wire format.
use crate::json;
use crate::stack;

pub const MAX_MESSAGE: usize = 1000;
pub const MAX_STACK: usize = 8000;
pub const MAX_FRAMES: usize = 50;
pub const MAX_CONTEXT_BYTES: usize = 8192;

/// What every event carries: who, where, which build.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub session_id: String,
    pub user_id: Option<String>,
    pub release: Option<String>,
    pub environment: Option<String>,
    pub page_url: String,
    pub user_agent: String,
    pub tags: Vec<(String, String)>,
}

/// The request a network record is about.
#[derive(Debug, Clone, Default)]
pub struct Http {
    /// `fetch` or `xhr`
    pub api: &'static str,
    pub method: String,
    /// scrubbed
    pub url: String,
    /// 0 when no response came
    pub status: u16,
    pub duration_ms: u64,
    /// response `Content-Length`, -1 when unknown
    pub size: f64,
}

/// One error, whatever its source (`kind` is the wire `type`).
#[derive(Debug, Clone, Default)]
pub struct ErrorRecord {
    pub kind: &'static str,
    pub name: String,
    pub message: String,
    pub stack: Option<String>,
    pub source: Option<String>,
    pub line: u32,
    pub column: u32,
    pub level: &'static str,
    pub handled: bool,
    pub cross_origin: bool,
    /// For `resource_error`: the element's tag (`script`, `img`, `link`).
    pub element: Option<String>,
    /// `captureError` context, already JSON (from `JSON.stringify`).
    pub context: Option<String>,
    /// For network records: the request.
    pub http: Option<Http>,
    pub timestamp_ms: u64,
}

impl ErrorRecord {
    /// Errors that mean the app is likely broken right now: send them without waiting for the interval.
    pub fn is_critical(&self) -> bool {
        self.name == "TypeError" || self.name == "ChunkLoadError" || json::contains(&self.message, "Loading chunk")
    }

    /// A stable hash of what makes two errors "the same": type, name, message and top frame.
    pub fn fingerprint(&self, frames: &[stack::Frame]) -> u64 {
        let mut h = Fnv::new();
        h.write(self.kind.as_bytes());
        h.write(self.name.as_bytes());
        h.write(self.message.as_bytes());
        if let Some(f) = frames.first() {
            h.write(f.file.as_bytes());
            h.write(&f.line.to_le_bytes());
            h.write(&f.column.to_le_bytes());
        } else if let Some(s) = &self.source {
            h.write(s.as_bytes());
            h.write(&self.line.to_le_bytes());
        }
        h.0
    }

    /// Truncates message and stack to their limits.
    pub fn clamp(&mut self) {
        json::truncate(&mut self.message, MAX_MESSAGE);
        if let Some(s) = &mut self.stack {
            json::truncate(s, MAX_STACK);
        }
    }

    /// Encodes the record with the context, in the seed's field names. `count` goes last so that
    /// repeats can be folded into a queued record by rewriting its tail (see [`set_count`]).
    pub fn encode(&self, ctx: &Context, id: u64, fingerprint: u64, frames: &[stack::Frame], count: u32) -> String {
        let mut o = String::with_capacity(512 + self.message.len() + self.stack.as_ref().map_or(0, |s| s.len()) * 2);
        o.push('{');
        json::key(&mut o, "id");
        o.push('"');
        json::hex64(&mut o, id);
        o.push('"');
        json::field_str(&mut o, "type", self.kind);
        json::field_str(&mut o, "name", &self.name);
        json::field_str(&mut o, "message", &self.message);
        json::key(&mut o, "timestamp");
        o.push('"');
        json::iso_time(&mut o, self.timestamp_ms);
        o.push('"');
        json::field_opt(&mut o, "stack", self.stack.as_deref());
        json::key(&mut o, "frames");
        o.push('[');
        for f in frames {
            if !o.ends_with('[') {
                o.push(',');
            }
            o.push('{');
            json::field_str(&mut o, "function", &f.function);
            json::field_str(&mut o, "file", &f.file);
            json::field_u64(&mut o, "line", u64::from(f.line));
            json::field_u64(&mut o, "column", u64::from(f.column));
            o.push('}');
        }
        o.push(']');
        if let Some(src) = &self.source {
            json::field_str(&mut o, "source", src);
            json::field_u64(&mut o, "line", u64::from(self.line));
            json::field_u64(&mut o, "column", u64::from(self.column));
        }
        json::field_str(&mut o, "url", &ctx.page_url);
        json::field_str(&mut o, "userAgent", &ctx.user_agent);
        json::field_opt(&mut o, "userId", ctx.user_id.as_deref());
        json::field_str(&mut o, "sessionId", &ctx.session_id);
        json::field_opt(&mut o, "buildVersion", ctx.release.as_deref());
        json::field_opt(&mut o, "environment", ctx.environment.as_deref());
        json::field_str(&mut o, "level", self.level);
        json::key(&mut o, "handled");
        o.push_str(if self.handled { "true" } else { "false" });
        if self.cross_origin {
            json::key(&mut o, "crossOrigin");
            o.push_str("true");
        }
        if let Some(el) = &self.element {
            json::field_str(&mut o, "element", el);
        }
        if let Some(h) = &self.http {
            json::field_str(&mut o, "api", h.api);
            json::field_str(&mut o, "method", &h.method);
            json::field_str(&mut o, "requestUrl", &h.url);
            json::field_u64(&mut o, "status", u64::from(h.status));
            json::field_u64(&mut o, "duration", h.duration_ms);
            if h.size >= 0.0 {
                json::field_num(&mut o, "responseSize", h.size);
            }
        }
        if !ctx.tags.is_empty() {
            json::key(&mut o, "tags");
            o.push('{');
            for (k, v) in &ctx.tags {
                json::field_str(&mut o, k, v);
            }
            o.push('}');
        }
        if let Some(c) = &self.context {
            if c.len() <= MAX_CONTEXT_BYTES && (c.starts_with('{') || c.starts_with('[')) {
                json::key(&mut o, "context");
                o.push_str(c);
            }
        }
        json::key(&mut o, "fingerprint");
        o.push('"');
        json::hex64(&mut o, fingerprint);
        o.push('"');
        json::field_u64(&mut o, "count", u64::from(count));
        o.push('}');
        o
    }
}

/// Rewrites the trailing `"count":N}` of an encoded record.
pub fn set_count(encoded: &str, count: u32) -> String {
    let Some(i) = json::rfind(encoded, ",\"count\":") else { return String::from(encoded) };
    let mut out = String::from(encoded.get(..i).unwrap_or(encoded));
    json::field_u64(&mut out, "count", u64::from(count));
    out.push('}');
    out
}

/// Reads the trailing count back (1 when absent).
pub fn get_count(encoded: &str) -> u32 {
    json::rfind(encoded, ",\"count\":")
        .and_then(|i| encoded.get(i + 9..encoded.len().saturating_sub(1)))
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
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

/// Folds repeats of the same error: within `window_ms` of the first occurrence a repeat is only
/// counted; the count is added to the queued record, or carried to the next record sent.
#[derive(Debug, Default)]
pub struct Dedupe {
    /// (fingerprint, window start, repeats not yet reported)
    seen: Vec<(u64, u64, u32)>,
}

pub const DEDUPE_WINDOW_MS: u64 = 5000;
const DEDUPE_SLOTS: usize = 64;

#[derive(Debug, PartialEq, Eq)]
pub enum Seen {
    /// Send a new record with this count (1, or more when earlier repeats were held back).
    New(u32),
    /// A repeat inside the window: fold into the queued record if there is one, else hold it.
    Repeat,
}

impl Dedupe {
    pub fn check(&mut self, fp: u64, now_ms: u64) -> Seen {
        if let Some(slot) = self.seen.iter_mut().find(|s| s.0 == fp) {
            if now_ms.saturating_sub(slot.1) < DEDUPE_WINDOW_MS {
                return Seen::Repeat;
            }
            let held = core::mem::take(&mut slot.2);
            slot.1 = now_ms;
            return Seen::New(held + 1);
        }
        if self.seen.len() >= DEDUPE_SLOTS {
            // forget the oldest window
            if let Some((i, _)) = self.seen.iter().enumerate().min_by_key(|(_, s)| s.1) {
                self.seen.swap_remove(i);
            }
        }
        self.seen.push((fp, now_ms, 0));
        Seen::New(1)
    }

    /// A repeat that could not be folded into a queued record: carry it to the next one.
    pub fn hold(&mut self, fp: u64) {
        if let Some(slot) = self.seen.iter_mut().find(|s| s.0 == fp) {
            slot.2 = slot.2.saturating_add(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context {
        Context {
            session_id: "sess".into(),
            user_id: Some("u1".into()),
            release: Some("1.0.0".into()),
            environment: None,
            page_url: "https://a.io/p".into(),
            user_agent: "UA".into(),
            tags: vec![("plan".into(), "pro".into())],
        }
    }

    #[test]
    fn encodes_seed_fields() {
        let r = ErrorRecord {
            kind: "javascript",
            name: "TypeError".into(),
            message: "x is \"undefined\"".into(),
            stack: Some("TypeError: x\n    at f (https://a.io/app.js:1:2)".into()),
            source: Some("https://a.io/app.js".into()),
            line: 1,
            column: 2,
            level: "error",
            context: Some("{\"k\":1}".into()),
            timestamp_ms: 1000,
            ..Default::default()
        };
        let frames = stack::parse(r.stack.as_deref().unwrap(), MAX_FRAMES);
        let e = r.encode(&ctx(), 0xabc, r.fingerprint(&frames), &frames, 1);
        assert!(e.starts_with("{\"id\":\"0000000000000abc\",\"type\":\"javascript\",\"name\":\"TypeError\",\"message\":\"x is \\\"undefined\\\"\",\"timestamp\":\"1970-01-01T00:00:01.000Z\""));
        assert!(e.contains("\"frames\":[{\"function\":\"f\",\"file\":\"https://a.io/app.js\",\"line\":1,\"column\":2}]"));
        assert!(e.contains("\"url\":\"https://a.io/p\",\"userAgent\":\"UA\",\"userId\":\"u1\",\"sessionId\":\"sess\",\"buildVersion\":\"1.0.0\",\"environment\":null,\"level\":\"error\",\"handled\":false"));
        assert!(e.contains("\"tags\":{\"plan\":\"pro\"},\"context\":{\"k\":1}"));
        assert!(e.ends_with(",\"count\":1}"));
        assert!(!e.contains("crossOrigin"));
    }

    #[test]
    fn count_rewrite() {
        let e = "{\"a\":1,\"count\":1}";
        assert_eq!(get_count(e), 1);
        let e2 = set_count(e, 12);
        assert_eq!(e2, "{\"a\":1,\"count\":12}");
        assert_eq!(get_count(&e2), 12);
    }

    #[test]
    fn clamp_limits() {
        let mut r = ErrorRecord { message: "m".repeat(5000), stack: Some("s".repeat(20000)), ..Default::default() };
        r.clamp();
        assert_eq!(r.message.chars().count(), MAX_MESSAGE + 1);
        assert_eq!(r.stack.unwrap().chars().count(), MAX_STACK + 1);
    }

    #[test]
    fn fingerprints_separate_fields() {
        let a = ErrorRecord { kind: "javascript", name: "ab".into(), message: "c".into(), ..Default::default() };
        let b = ErrorRecord { kind: "javascript", name: "a".into(), message: "bc".into(), ..Default::default() };
        assert_ne!(a.fingerprint(&[]), b.fingerprint(&[]));
        assert_eq!(a.fingerprint(&[]), a.clone().fingerprint(&[]));
    }

    #[test]
    fn dedupe_window() {
        let mut d = Dedupe::default();
        assert_eq!(d.check(1, 0), Seen::New(1));
        assert_eq!(d.check(1, 100), Seen::Repeat);
        d.hold(1);
        assert_eq!(d.check(2, 200), Seen::New(1));
        assert_eq!(d.check(1, 4999), Seen::Repeat);
        d.hold(1);
        assert_eq!(d.check(1, 5000), Seen::New(3));
        assert_eq!(d.check(1, 5001), Seen::Repeat);
    }

    #[test]
    fn dedupe_is_bounded() {
        let mut d = Dedupe::default();
        for i in 0..1000 {
            d.check(i, i);
        }
        assert!(d.seen.len() <= DEDUPE_SLOTS);
    }
}
