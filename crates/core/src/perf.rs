//! Performance records: resource classification and the per-type breakdown, and the metric wire
//! record. Pure functions; the client feeds them what js/perf.js observed.
use crate::json;

/// A metric record being written: `{"name","value","timestamp",["rating","delta",]"tags":{…}}`.
pub struct Rec(String);

impl Rec {
    pub fn new(name: &str, value: f64, timestamp_ms: u64) -> Rec {
        let mut o = String::with_capacity(256);
        o.push('{');
        json::field_str(&mut o, "name", name);
        json::field_num(&mut o, "value", value);
        json::key(&mut o, "timestamp");
        o.push('"');
        json::iso_time(&mut o, timestamp_ms);
        o.push_str("\",\"tags\":{");
        Rec(o)
    }

    /// A string tag; empty ones are left out.
    pub fn tag(&mut self, k: &str, v: &str) -> &mut Rec {
        if !v.is_empty() {
            json::field_str(&mut self.0, k, v);
        }
        self
    }

    pub fn num(&mut self, k: &str, v: f64) -> &mut Rec {
        json::field_num(&mut self.0, k, v);
        self
    }

    pub fn flag(&mut self, k: &str, v: bool) -> &mut Rec {
        json::key(&mut self.0, k);
        self.0.push_str(if v { "true" } else { "false" });
        self
    }

    /// Closes the tags; a web vital adds its `rating` and `delta` beside them.
    pub fn finish(mut self, vital: Option<(&str, f64)>) -> String {
        self.0.push('}');
        if let Some((rating, delta)) = vital {
            json::field_str(&mut self.0, "rating", rating);
            json::field_num(&mut self.0, "delta", delta);
        }
        self.0.push('}');
        self.0
    }
}

/// `{"script":{"count","duration","bytes","cached"},…}` for the types seen.
pub fn breakdown_json(o: &mut String, b: &Breakdown) {
    o.push('{');
    for (name, t) in RESOURCE_TYPES.iter().zip(b.iter()) {
        if t.count > 0 {
            json::key(o, name);
            o.push('{');
            json::field_u64(o, "count", u64::from(t.count));
            json::field_num(o, "duration", t.duration);
            json::field_num(o, "bytes", t.bytes);
            json::field_u64(o, "cached", u64::from(t.cached));
            o.push('}');
        }
    }
    o.push('}');
}

pub const RESOURCE_TYPES: [&str; 10] = ["script", "stylesheet", "image", "font", "fetch", "xhr", "media", "document", "beacon", "other"];

/// `initiatorType` values that decide the type on their own, with the type's index.
const BY_INITIATOR: &[(&str, u8)] = &[
    ("script", 0),
    ("img", 2),
    ("image", 2),
    ("imageset", 2),
    ("input", 2),
    ("icon", 2),
    ("fetch", 4),
    ("xmlhttprequest", 5),
    ("video", 6),
    ("audio", 6),
    ("track", 6),
    ("iframe", 7),
    ("frame", 7),
    ("embed", 7),
    ("object", 7),
    ("navigation", 7),
    ("beacon", 8),
];

/// File extensions (lower case) for the other initiators (`link`, `css`, `other`, …).
const BY_EXTENSION: &[(&str, u8)] = &[
    ("js", 0),
    ("mjs", 0),
    ("css", 1),
    ("png", 2),
    ("jpg", 2),
    ("jpeg", 2),
    ("gif", 2),
    ("webp", 2),
    ("avif", 2),
    ("svg", 2),
    ("ico", 2),
    ("woff", 3),
    ("woff2", 3),
    ("ttf", 3),
    ("otf", 3),
    ("mp4", 6),
    ("webm", 6),
    ("mp3", 6),
    ("html", 7),
];

fn lookup(table: &[(&str, u8)], key: &str) -> Option<usize> {
    table.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, t)| usize::from(*t))
}

/// The resource type (an index into [`RESOURCE_TYPES`]) from a Resource Timing entry's
/// `initiatorType`, or else its URL's file extension.
pub fn resource_type(initiator: &str, url: &str) -> usize {
    let path = url.get(..url.bytes().position(|b| b == b'?' || b == b'#').unwrap_or(url.len())).unwrap_or("");
    let ext = json::rsplit_at_byte(path, b'.').map_or("", |(_, e)| e);
    lookup(BY_INITIATOR, initiator).or_else(|| lookup(BY_EXTENSION, ext)).unwrap_or(9)
}

/// Per resource type: how many loaded, their total duration and transfer bytes, and cache hits.
#[derive(Default, Clone, Copy)]
pub struct TypeStats {
    pub count: u32,
    pub duration: f64,
    pub bytes: f64,
    pub cached: u32,
}

pub type Breakdown = [TypeStats; 10];

/// A fresh (zero) breakdown.
pub fn breakdown() -> Breakdown {
    [TypeStats::default(); 10]
}

/// `transferSize` 0 with a body: served from the HTTP cache (cross-origin entries without
/// `Timing-Allow-Origin` report both as 0 and are not counted as hits).
pub fn cache_hit(transfer: f64, decoded: f64) -> bool {
    transfer == 0.0 && decoded > 0.0
}

/// Whether `url` is one of `ours` (the collector endpoints), ignoring query and fragment.
pub fn is_own(url: &str, ours: &[String]) -> bool {
    ours.iter().any(|o| url.strip_prefix(o.as_str()).is_some_and(|rest| rest.is_empty() || rest.starts_with(['?', '#'])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_resources() {
        let t = |i, u| RESOURCE_TYPES[resource_type(i, u)];
        assert_eq!(t("script", "https://a/x"), "script");
        assert_eq!(t("link", "https://a/site.CSS?v=2"), "stylesheet");
        assert_eq!(t("link", "https://a/app.js"), "script");
        assert_eq!(t("css", "https://a/f.woff2#x"), "font");
        assert_eq!(t("css", "https://a/bg.png"), "image");
        assert_eq!(t("img", "https://a/pixel"), "image");
        assert_eq!(t("fetch", "https://a/api.css"), "fetch");
        assert_eq!(t("xmlhttprequest", "https://a/api"), "xhr");
        assert_eq!(t("beacon", "https://a/c"), "beacon");
        assert_eq!(t("iframe", "https://a/"), "document");
        assert_eq!(t("other", "https://a/movie.mp4"), "media");
        assert_eq!(t("other", "https://a.b/path"), "other");
        assert_eq!(t("", "https://a.b/dir.v2/file"), "other");
    }

    #[test]
    fn cache_hits_need_a_body() {
        assert!(cache_hit(0.0, 1200.0));
        assert!(!cache_hit(0.0, 0.0));
        assert!(!cache_hit(300.0, 1200.0));
    }

    #[test]
    fn own_requests_match_endpoints_exactly() {
        let ours = [String::from("http://c.test/api/errors"), String::from("http://c.test/api/metrics")];
        assert!(is_own("http://c.test/api/errors", &ours));
        assert!(is_own("http://c.test/api/metrics?x=1", &ours));
        assert!(!is_own("http://c.test/api/errorsx", &ours));
        assert!(!is_own("http://c.test/api/", &ours));
        assert!(!is_own("http://other/api/errors", &ours));
    }

    #[test]
    fn encodes_metric_records() {
        let mut rec = Rec::new("web_vitals_cls", 0.123, 0);
        rec.tag("pageViewId", "ab").tag("element", "").num("size", 12.0).flag("hit", true);
        let r = rec.finish(Some(("needs-improvement", 0.023)));
        assert_eq!(
            r,
            "{\"name\":\"web_vitals_cls\",\"value\":0.123,\"timestamp\":\"1970-01-01T00:00:00.000Z\",\"tags\":{\"pageViewId\":\"ab\",\"size\":12,\"hit\":true},\"rating\":\"needs-improvement\",\"delta\":0.023}"
        );
        let plain = Rec::new("long_task_duration", 61.5, 0).finish(None);
        assert_eq!(plain, "{\"name\":\"long_task_duration\",\"value\":61.5,\"timestamp\":\"1970-01-01T00:00:00.000Z\",\"tags\":{}}");
        let v: serde_json::Value = serde_json::from_str(&r).unwrap();
        assert_eq!(v["value"], 0.123);
    }
}
