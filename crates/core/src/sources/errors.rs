//! Errors: uncaught errors, failed resource loads, unhandled rejections and the page's own
//! captures (described by js/hooks.js), and the network errors of the net source. Made into error
//! bodies in two steps: [`prepare`] does what every occurrence needs (the ignore rules, limits,
//! masking, the fingerprint from the top frame); [`finish`] the rest, only for an occurrence that
//! is not folded into a queued repeat.
use crate::config::{Config, Pattern};
use crate::event::{Error, MAX_FRAMES, MAX_MESSAGE, MAX_STACK};
use crate::json;
use crate::platform::Platform;
use crate::privacy;
use crate::signal::RawError;
use crate::sources::Scrubbed;
use crate::stack;

/// The wire `type` of a page report by its number; anything else is a manual capture.
pub fn kind(k: u32) -> &'static str {
    match k {
        0 => "javascript",
        1 => "promise_rejection",
        2 => "resource_error",
        _ => "manual",
    }
}

fn level(l: Option<&str>) -> &'static str {
    match l {
        Some("fatal") => "fatal",
        Some("warning") => "warning",
        Some("info") => "info",
        Some("debug") => "debug",
        _ => "error",
    }
}

/// The error a page report describes.
pub fn from_raw(raw: RawError) -> Error {
    let kind = kind(raw.kind);
    let (name, element) = if kind == "resource_error" { (String::from("ResourceError"), Some(raw.name)) } else { (raw.name, None) };
    let cross_origin = kind == "javascript" && raw.source.is_none() && raw.stack.is_none() && (raw.message == "Script error." || raw.message == "Script error");
    Error {
        kind,
        name,
        message: raw.message,
        stack: raw.stack,
        source: raw.source,
        line: raw.line,
        column: raw.column,
        level: level(raw.level.as_deref()),
        handled: kind == "manual",
        cross_origin,
        element,
        context: raw.context,
        count: 1,
        ..Error::default()
    }
}

/// `errors.ignore` matches the message.
pub fn ignored(message: &str, cfg: &Config, p: &mut impl Platform) -> bool {
    cfg.ignore.iter().any(|pat| match pat {
        Pattern::Sub(s) => json::contains(message, s),
        Pattern::Regex(i) => p.matches(*i, message),
    })
}

/// Limits, masking (e-mail addresses, tokens and card numbers never leave the page) and the
/// fingerprint; `false` when the error is ignored.
pub fn prepare(e: &mut Error, cfg: &Config, scrub: &mut Scrubbed, p: &mut impl Platform) -> bool {
    if ignored(&e.message, cfg, p) {
        return false;
    }
    json::truncate(&mut e.message, MAX_MESSAGE);
    if let Some(s) = &mut e.stack {
        json::truncate(s, MAX_STACK);
    }
    if cfg.mask_text {
        e.message = privacy::masked(core::mem::take(&mut e.message));
        e.stack = e.stack.take().map(privacy::masked);
    }
    if let Some(src) = &e.source {
        e.source = Some(scrub.url(src, &cfg.scrub_params));
    }
    // the fingerprint needs only the top frame: a storm of repeats stops before the full parse
    let top = e.stack.as_deref().map(|s| stack::parse(s, 1)).unwrap_or_default();
    e.fingerprint = e.fingerprint_of(top.first());
    true
}

/// The frames, with the query strings of script URLs scrubbed (in the stack text too).
pub fn finish(e: &mut Error, cfg: &Config, scrub: &mut Scrubbed) {
    let Some(s) = e.stack.as_deref() else { return };
    let mut frames = stack::parse(s, MAX_FRAMES);
    for f in frames.iter_mut() {
        let clean = scrub.url(&f.file, &cfg.scrub_params);
        if clean != f.file {
            if let Some(s) = e.stack.as_mut() {
                *s = json::replace_all(s, &f.file, &clean);
            }
            f.file = clean;
        }
    }
    e.frames = frames;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Val;
    use crate::testing::Fake;

    fn cfg(extra: &[(&str, Val)]) -> Config {
        crate::testing::config(extra)
    }

    fn raw(kind: &str, name: &str, message: &str, stack: Option<&str>, source: Option<&str>) -> RawError {
        let kind = ["javascript", "promise_rejection", "resource_error"].iter().position(|k| *k == kind).unwrap_or(3) as u32;
        RawError { kind, name: name.into(), message: message.into(), stack: stack.map(String::from), source: source.map(String::from), ..RawError::default() }
    }

    #[test]
    fn reports_become_errors_of_their_kind() {
        let e = from_raw(raw("resource_error", "img", "Failed to load img: https://a/x.png", None, Some("https://a/x.png")));
        assert_eq!((e.kind, e.name.as_str(), e.element.as_deref()), ("resource_error", "ResourceError", Some("img")));
        let e = from_raw(raw("javascript", "Error", "Script error.", None, None));
        assert!(e.cross_origin);
        let e = from_raw(raw("bogus", "", "m", None, None));
        assert_eq!((e.kind, e.handled, e.level), ("manual", true, "error"));
        let e = from_raw(RawError { level: Some("warning".into()), ..raw("manual", "", "m", None, None) });
        assert_eq!(e.level, "warning");
    }

    #[test]
    fn prepare_masks_limits_ignores_and_fingerprints_by_the_top_frame() {
        let c = cfg(&[("errors", Val::Obj), ("errors.ignore", Val::Arr(vec![Val::Str("ResizeObserver".into())]))]);
        let mut p = Fake::default();
        let mut e = from_raw(raw("javascript", "Error", "ResizeObserver loop limit exceeded", None, None));
        let mut s = Scrubbed::default();
        assert!(!prepare(&mut e, &c, &mut s, &mut p));
        let stack = "Error: for a@b.io\n    at f (https://a.io/app.js?token=s3cret:1:2)\n    at g (https://a.io/app.js?token=s3cret:3:4)";
        let mut e = from_raw(raw("javascript", "Error", &format!("for a@b.io {}", "x".repeat(2000)), Some(stack), Some("https://a.io/app.js?token=s3cret")));
        assert!(prepare(&mut e, &c, &mut s, &mut p));
        assert!(e.message.starts_with("for [email] x"));
        // cut to the limit first, then masked ("a@b.io" is one shorter than "[email]")
        assert!(e.message.ends_with('…') && e.message.chars().count() == MAX_MESSAGE + 2);
        assert_eq!(e.source.as_deref(), Some("https://a.io/app.js?token=[Filtered]"));
        let mut again = from_raw(raw("javascript", "Error", &format!("for a@b.io {}", "x".repeat(2000)), Some(stack), None));
        prepare(&mut again, &c, &mut s, &mut p);
        assert_eq!(again.fingerprint, e.fingerprint, "same message and top frame");
        finish(&mut e, &c, &mut s);
        assert_eq!(e.frames.len(), 2);
        assert!(e.frames.iter().all(|f| f.file == "https://a.io/app.js?token=[Filtered]"));
        assert!(!e.stack.as_deref().unwrap().contains("s3cret"));
    }
}
