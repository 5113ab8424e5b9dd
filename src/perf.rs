//! Performance records: navigation timing, resource classification and the per-type breakdown, and
//! the metric wire record. Pure functions; the client feeds them what js/perf.js observed.
use crate::json;

/// A metric record being written: `{"name","value","timestamp",["rating","delta",]"tags":{…}}`.
pub struct Rec(String);

impl Rec {
    pub fn new(name: &str, value: f64, timestamp_ms: u64) -> Rec {
        let mut o = String::with_capacity(256);
        o.push('{');
        json::field_str(&mut o, "name", name);
        json::key(&mut o, "value");
        json::float(&mut o, value);
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
        json::key(&mut self.0, k);
        json::float(&mut self.0, v);
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
            json::key(&mut self.0, "delta");
            json::float(&mut self.0, delta);
        }
        self.0.push('}');
        self.0
    }
}

pub const RESOURCE_TYPES: [&str; 10] = ["script", "stylesheet", "image", "font", "fetch", "xhr", "media", "document", "beacon", "other"];

/// The resource type from a Resource Timing entry's `initiatorType` and URL (its file extension
/// decides for `link` and `css` initiators, and for unknown ones).
pub fn resource_type(initiator: &str, url: &str) -> usize {
    let by_initiator = match initiator {
        "script" => Some(0),
        "img" | "image" | "imageset" | "input" | "icon" => Some(2),
        "fetch" => Some(4),
        "xmlhttprequest" => Some(5),
        "video" | "audio" | "track" => Some(6),
        "iframe" | "frame" | "embed" | "object" | "navigation" => Some(7),
        "beacon" => Some(8),
        _ => None,
    };
    if let Some(t) = by_initiator {
        return t;
    }
    let path = url.split(['?', '#']).next().unwrap_or("");
    let ext = json::rsplit_at_byte(path, b'.').map_or("", |(_, e)| e).to_ascii_lowercase();
    match ext.as_str() {
        "js" | "mjs" => 0,
        "css" => 1,
        "png" | "jpg" | "jpeg" | "gif" | "webp" | "avif" | "svg" | "ico" | "bmp" => 2,
        "woff" | "woff2" | "ttf" | "otf" | "eot" => 3,
        "mp4" | "webm" | "mp3" | "ogg" | "wav" | "m3u8" => 6,
        "html" | "htm" => 7,
        _ => 9,
    }
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

/// Fields of the navigation entry js/perf.js passes, in order.
pub struct NavTiming {
    pub dns_start: f64,
    pub dns_end: f64,
    pub connect_start: f64,
    pub connect_end: f64,
    pub secure_start: f64,
    pub request_start: f64,
    pub response_end: f64,
    pub dom_complete: f64,
    pub load_end: f64,
}

/// The navigation metrics of an entry; phases the browser did not time (negative) are left out.
/// `navigation_ssl_handshake` only when a TLS handshake happened; the total counts from the
/// navigation's start (time 0 of the page).
pub fn navigation_metrics(n: &NavTiming) -> Vec<(&'static str, f64)> {
    let mut out = Vec::with_capacity(6);
    let mut add = |name, v: f64| {
        if v >= 0.0 && v.is_finite() {
            out.push((name, v));
        }
    };
    add("navigation_dns_lookup", n.dns_end - n.dns_start);
    add("navigation_tcp_connect", n.connect_end - n.connect_start);
    if n.secure_start > 0.0 {
        add("navigation_ssl_handshake", n.connect_end - n.secure_start);
    }
    add("navigation_request_response", n.response_end - n.request_start);
    add("navigation_dom_processing", n.dom_complete - n.response_end);
    if n.load_end > 0.0 {
        add("navigation_total_load_time", n.load_end);
    }
    out
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
    fn navigation_metrics_skip_untimed_phases() {
        let n = NavTiming {
            dns_start: 5.0,
            dns_end: 25.0,
            connect_start: 25.0,
            connect_end: 80.0,
            secure_start: 40.0,
            request_start: 81.0,
            response_end: 300.0,
            dom_complete: 900.0,
            load_end: 950.5,
        };
        let m = navigation_metrics(&n);
        assert_eq!(
            m,
            vec![
                ("navigation_dns_lookup", 20.0),
                ("navigation_tcp_connect", 55.0),
                ("navigation_ssl_handshake", 40.0),
                ("navigation_request_response", 219.0),
                ("navigation_dom_processing", 600.0),
                ("navigation_total_load_time", 950.5),
            ]
        );
        let plain = NavTiming { secure_start: 0.0, load_end: 0.0, ..n };
        let names: Vec<_> = navigation_metrics(&plain).iter().map(|m| m.0).collect();
        assert!(!names.contains(&"navigation_ssl_handshake") && !names.contains(&"navigation_total_load_time"));
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
