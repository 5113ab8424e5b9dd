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
/// fingerprint; `false` when the error is ignored. The stack stays as it was until [`finish`]:
/// it is parsed first, then each part is scrubbed (masked as plain text, `fn@bundle.js:1:2` would
/// pass for an e-mail address).
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
    }
    if let Some(src) = &e.source {
        e.source = Some(scrub.url(src, &cfg.scrub_params));
    }
    // the fingerprint needs only the top frame, scrubbed (a secret in a script URL must not make
    // each visitor's error its own): a storm of repeats stops before the full parse
    let mut top = e.stack.as_deref().map(|s| stack::parse(s, 1)).unwrap_or_default();
    if let Some(f) = top.first_mut() {
        f.file = scrub.url(&f.file, &cfg.scrub_params);
        if cfg.mask_text {
            f.function = privacy::masked(core::mem::take(&mut f.function));
        }
    }
    e.fingerprint = e.fingerprint_of(top.first());
    true
}

/// The frames, and the stack text scrubbed by them: in a frame line, its script URL (query
/// secrets, addresses in the path) and its function name; any other line (the message) masked as
/// text.
pub fn finish(e: &mut Error, cfg: &Config, scrub: &mut Scrubbed) {
    let Some(raw) = e.stack.take() else { return };
    let v8 = stack::is_v8(&raw);
    let mut text = String::with_capacity(raw.len());
    let mut frames = Vec::new();
    for (i, line) in json::split_byte(&raw, b'\n').enumerate() {
        if i > 0 {
            text.push('\n');
        }
        let Some(parts) = stack::parts(line, v8) else {
            text.push_str(&if cfg.mask_text { privacy::masked(String::from(line)) } else { String::from(line) });
            continue;
        };
        let mut line = String::from(line);
        let mut f = parts.frame();
        let file = scrub.url(parts.file, &cfg.scrub_params);
        if file != parts.file {
            line = json::replace_all(&line, parts.file, &file);
            f.file = file;
            json::truncate(&mut f.file, stack::MAX_FIELD);
        }
        if cfg.mask_text {
            if let Some(function) = privacy::mask(parts.function) {
                line = json::replace_all(&line, parts.function, &function);
                f.function = function;
                json::truncate(&mut f.function, stack::MAX_FIELD);
            }
        }
        text.push_str(&line);
        if frames.len() < MAX_FRAMES {
            frames.push(f);
        }
    }
    e.stack = Some(text);
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

    #[test]
    fn stacks_are_parsed_before_they_are_scrubbed() {
        let c = cfg(&[]);
        let mut p = Fake::default();
        let mut s = Scrubbed::default();
        // Safari and Firefox write `fn@url`: as plain text it passes for an e-mail address
        let stack = "handleClick@https://shop.example/bundle.js:1:2\n@https://shop.example/users/jo%40example.com/app.js?sessionid=abc:3:4\nglobal code@https://shop.example/bundle.js:9:9";
        let mut e = from_raw(raw("javascript", "TypeError", "for jo@example.com", Some(stack), None));
        assert!(prepare(&mut e, &c, &mut s, &mut p));
        let mut other_user = from_raw(raw("javascript", "TypeError", "for jo@example.com", Some(&stack.replace("sessionid=abc", "sessionid=xyz")), None));
        prepare(&mut other_user, &c, &mut s, &mut p);
        assert_eq!(other_user.fingerprint, e.fingerprint, "a secret in a script URL does not split the group");
        finish(&mut e, &c, &mut s);
        let frames: Vec<(&str, &str, u32)> = e.frames.iter().map(|f| (f.function.as_str(), f.file.as_str(), f.line)).collect();
        assert_eq!(
            frames,
            [
                ("handleClick", "https://shop.example/bundle.js", 1),
                ("?", "https://shop.example/users/[email]/app.js?sessionid=[Filtered]", 3),
                ("global code", "https://shop.example/bundle.js", 9)
            ]
        );
        assert_eq!(
            e.stack.as_deref(),
            Some("handleClick@https://shop.example/bundle.js:1:2\n@https://shop.example/users/[email]/app.js?sessionid=[Filtered]:3:4\nglobal code@https://shop.example/bundle.js:9:9")
        );
        // V8: the message lines are masked as text, the frames by their parts
        let stack = "Error: mail jo@example.com\nor 4111 1111 1111 1111\n    at Object.send [as jo@example.com] (https://shop.example/a.js?token=t0k:5:6)";
        let mut e = from_raw(raw("javascript", "Error", "mail", Some(stack), None));
        prepare(&mut e, &c, &mut s, &mut p);
        finish(&mut e, &c, &mut s);
        assert_eq!(e.stack.as_deref(), Some("Error: mail [email]\nor [number]\n    at Object.send [as [email]] (https://shop.example/a.js?token=[Filtered]:5:6)"));
        assert_eq!((e.frames[0].function.as_str(), e.frames[0].line), ("Object.send [as [email]]", 5));
        // privacy.maskText: false keeps the text; script URLs are still scrubbed
        let c = cfg(&[("privacy", Val::Obj), ("privacy.maskText", Val::Bool(false))]);
        let mut e = from_raw(raw("javascript", "Error", "mail", Some(stack), None));
        prepare(&mut e, &c, &mut s, &mut p);
        finish(&mut e, &c, &mut s);
        assert_eq!(e.stack.as_deref(), Some("Error: mail jo@example.com\nor 4111 1111 1111 1111\n    at Object.send [as jo@example.com] (https://shop.example/a.js?token=[Filtered]:5:6)"));
    }
}
