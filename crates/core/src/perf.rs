//! Resource timing: classification by type and the per-type breakdown. Pure functions.
use crate::json;

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
}
