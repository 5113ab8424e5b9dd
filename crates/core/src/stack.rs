//! Parses `Error.stack` strings of V8 (Chromium), SpiderMonkey (Firefox) and JavaScriptCore (Safari) into frames.

/// One stack frame, innermost first as in the stack string. `line`/`column` are 0 when unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub function: String,
    pub file: String,
    pub line: u32,
    pub column: u32,
}

pub const MAX_FIELD: usize = 300;

/// A frame's parts as they appear in its line, not yet clipped (the scrubbers rewrite the stack
/// text by them): the function ("" when unnamed), the file, the line and the column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts<'a> {
    pub function: &'a str,
    pub file: &'a str,
    pub line: u32,
    pub column: u32,
}

impl Parts<'_> {
    pub fn frame(&self) -> Frame {
        Frame {
            function: if self.function.is_empty() { String::from("?") } else { clip(self.function) },
            file: clip(self.file),
            line: self.line,
            column: self.column,
        }
    }
}

/// V8 (and Chakra, Hermes) stacks are the message, then `at` lines: only those are frames, so a
/// message of several lines is never read as frames. SpiderMonkey and JavaScriptCore print frames
/// only.
pub fn is_v8(stack: &str) -> bool {
    crate::json::split_byte(stack, b'\n').any(|l| l.trim_ascii_start().starts_with("at "))
}

/// Parses up to `max` frames; lines that are not frames (the message, blank lines) are skipped.
pub fn parse(stack: &str, max: usize) -> Vec<Frame> {
    let v8 = is_v8(stack);
    let mut frames = Vec::new();
    for raw in crate::json::split_byte(stack, b'\n') {
        if frames.len() >= max {
            break;
        }
        if let Some(p) = parts(raw, v8) {
            frames.push(p.frame());
        }
    }
    frames
}

/// The frame one line of a stack describes, if it is one (`v8`: the stack is V8's, see [`is_v8`]).
pub fn parts(raw: &str, v8: bool) -> Option<Parts<'_>> {
    let line = raw.trim_ascii();
    if v8 {
        v8_frame(line.strip_prefix("at ")?)
    } else {
        gecko_jsc_frame(line)
    }
}

/// `fn (loc)`, `fn(loc)`, `loc`, `async fn (loc)`, `new C (loc)`, `C::f(int) (loc)` (the group
/// that closes the line is the location), `eval (eval at f (loc), <anonymous>:1:1)`, Hermes'
/// `fn (address at loc)`.
fn v8_frame(rest: &str) -> Option<Parts<'_>> {
    let rest = rest.strip_prefix("async ").unwrap_or(rest);
    let Some(open) = rest.strip_suffix(')').and_then(opening) else { return Some(located("", rest)) };
    let function = rest.get(..open)?.trim_ascii_end();
    let loc = rest.get(open + 1..rest.len() - 1)?;
    if function.ends_with(':') {
        // Safari extensions in a V8-like stack, `fn@safari-extension:(//id/a.js:1:2)`: the
        // scheme is before the parenthesis; the file is kept as printed, from the scheme on
        let at = crate::json::pos(function, b'@');
        let (file, line, column) = split_location(loc);
        let file = rest.get(at.map_or(0, |i| i + 1)..open + 1 + file.len())?;
        return Some(Parts { function: at.and_then(|i| function.get(..i)).unwrap_or(""), file, line, column });
    }
    let loc = loc.strip_prefix("async ").unwrap_or(loc);
    let loc = loc.strip_prefix("address at ").unwrap_or(loc);
    let loc = if loc.starts_with("eval at ") {
        // The eval'd code has no URL of its own: report where `eval` was called.
        let start = crate::json::rpos(loc, b'(')? + 1;
        let inner = loc.get(start..)?;
        inner.get(..crate::json::pos(inner, b')').unwrap_or(inner.len()))?
    } else {
        loc
    };
    Some(located(function, loc))
}

/// Where the parenthesis group that `s` + `)` ends with opens.
fn opening(s: &str) -> Option<usize> {
    let mut depth = 1u32;
    for (i, b) in s.bytes().enumerate().rev() {
        match b {
            b')' => depth += 1,
            b'(' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// SpiderMonkey and JavaScriptCore: `fn@loc`, `@loc`, `global code@loc`, `fn@[native code]`,
/// `async*fn@loc`, old Gecko and Presto `fn(args)@loc`, Firefox eval
/// `fn@http://x/a.js line 5 > eval:1:2`, JSC's bare `[native code]` / `eval code` and its unnamed
/// frames, a bare `url:line:col`.
fn gecko_jsc_frame(line: &str) -> Option<Parts<'_>> {
    let Some(at) = unquoted(line, b'@') else {
        if line == "[native code]" || line == "eval code" || line == "global code" {
            return Some(Parts { function: line, file: "", line: 0, column: 0 });
        }
        let p = located("", line);
        // a location with a line, and no spaces (not a sentence)
        return (p.line > 0 && !line.bytes().any(|b| b.is_ascii_whitespace())).then_some(p);
    };
    let mut function = line.get(..at)?;
    let loc = line.get(at + 1..)?;
    // Firefox marks async boundaries as `async*fn@...`
    if let Some(i) = crate::json::rpos(function, b'*') {
        function = function.get(i + 1..)?;
    }
    // an argument list after the name
    if function.ends_with(')') {
        function = function.get(..unquoted(function, b'(')?)?;
    }
    let p = located(function, loc);
    if p.line == 0 && p.column > 0 {
        return Some(p); // wasm: `…wasm-function[3]:0x1a`
    }
    if let Some(i) = crate::json::find(loc, " line ") {
        // `file line N > eval:l:c`: keep the file and the line `eval` was called on.
        let after = loc.get(i + 6..)?;
        let n_end = after.bytes().position(|b| !b.is_ascii_digit()).unwrap_or(after.len());
        let line = crate::json::num(after.get(..n_end)?).unwrap_or(0) as u32;
        return Some(Parts { function, file: loc.get(..i)?, line, column: 0 });
    }
    // `name@host.tld` in a message is no frame: a frame's location has a line, or is native or empty
    (p.line > 0 || loc.is_empty() || loc == "[native code]" || loc == "[wasm code]" || loc.ends_with(":0")).then_some(p)
}

/// The first `b` outside double quotes (old Gecko prints arguments: `f("a@b")@url`).
fn unquoted(s: &str, b: u8) -> Option<usize> {
    let mut quoted = false;
    s.bytes().position(|c| {
        quoted ^= c == b'"';
        c == b && !quoted
    })
}

#[inline(never)]
fn located<'a>(function: &'a str, loc: &'a str) -> Parts<'a> {
    let (file, line, column) = split_location(loc);
    Parts { function, file, line, column }
}

/// `file:line:col` → parts; tolerates a missing column or no numbers at all (`<anonymous>`,
/// `native`); a wasm location `…wasm-function[3]:0x1a` gives its byte offset as the column.
fn split_location(loc: &str) -> (&str, u32, u32) {
    let Some((head, last)) = crate::json::rsplit_at_byte(loc, b':') else { return (loc, 0, 0) };
    if let Some(hex) = last.strip_prefix("0x") {
        let offset = hex.bytes().try_fold(0u32, |n, b| Some(n.wrapping_mul(16) | char::from(b).to_digit(16)?));
        return offset.map_or((loc, 0, 0), |o| (head, 0, o));
    }
    let Some(last_n) = crate::json::num(last) else { return (loc, 0, 0) };
    let last_n = last_n as u32;
    match crate::json::rsplit_at_byte(head, b':') {
        Some((file, mid)) => match crate::json::num(mid) {
            Some(line) => (file, line as u32, last_n),
            None => (head, last_n, 0),
        },
        None => (head, last_n, 0),
    }
}

fn clip(s: &str) -> String {
    let mut out = String::from(s);
    crate::json::truncate(&mut out, MAX_FIELD);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(function: &str, file: &str, line: u32, column: u32) -> Frame {
        Frame { function: function.into(), file: file.into(), line, column }
    }

    // Strings as printed by Chromium 156 (V8).
    #[test]
    fn chromium() {
        let stack = "TypeError: Cannot read properties of undefined (reading 'x')\n    at handleClick (http://127.0.0.1:8080/app.js:12:15)\n    at HTMLButtonElement.<anonymous> (http://127.0.0.1:8080/app.js:30:5)\n    at async loadAll (http://127.0.0.1:8080/lib/load.js:3:9)\n    at new Widget (webpack-internal:///./src/widget.js:5:11)\n    at http://127.0.0.1:8080/app.js:40:1\n    at eval (eval at run (http://127.0.0.1:8080/app.js:50:3), <anonymous>:1:1)\n    at Array.forEach (<anonymous>)\n    at async Promise.all (index 0)";
        assert_eq!(
            parse(stack, 50),
            vec![
                f("handleClick", "http://127.0.0.1:8080/app.js", 12, 15),
                f("HTMLButtonElement.<anonymous>", "http://127.0.0.1:8080/app.js", 30, 5),
                f("loadAll", "http://127.0.0.1:8080/lib/load.js", 3, 9),
                f("new Widget", "webpack-internal:///./src/widget.js", 5, 11),
                f("?", "http://127.0.0.1:8080/app.js", 40, 1),
                f("eval", "http://127.0.0.1:8080/app.js", 50, 3),
                f("Array.forEach", "<anonymous>", 0, 0),
                f("Promise.all", "index 0", 0, 0),
            ]
        );
    }

    #[test]
    fn chromium_urls_with_ports_and_parens_in_names() {
        let stack = "Error: boom\n    at Object.method [as alias] (https://cdn.example.com:8443/a(1).js?v=2:7:42)\n    at file:///home/u/x.mjs:1:7";
        assert_eq!(
            parse(stack, 50),
            vec![
                f("Object.method [as alias]", "https://cdn.example.com:8443/a(1).js?v=2", 7, 42),
                f("?", "file:///home/u/x.mjs", 1, 7),
            ]
        );
    }

    // Strings as printed by Firefox (SpiderMonkey).
    #[test]
    fn firefox() {
        let stack = "handleClick@http://127.0.0.1:8080/app.js:12:15\nWidget@webpack-internal:///./src/widget.js:5:11\nrun/<@http://127.0.0.1:8080/app.js:50:3\n@http://127.0.0.1:8080/app.js line 50 > eval:1:1\nasync*@http://127.0.0.1:8080/app.js:60:1\n@http://127.0.0.1:8080/app.js:40:1\n";
        assert_eq!(
            parse(stack, 50),
            vec![
                f("handleClick", "http://127.0.0.1:8080/app.js", 12, 15),
                f("Widget", "webpack-internal:///./src/widget.js", 5, 11),
                f("run/<", "http://127.0.0.1:8080/app.js", 50, 3),
                f("?", "http://127.0.0.1:8080/app.js", 50, 0),
                f("?", "http://127.0.0.1:8080/app.js", 60, 1),
                f("?", "http://127.0.0.1:8080/app.js", 40, 1),
            ]
        );
    }

    // Strings as printed by Safari (JavaScriptCore).
    #[test]
    fn safari() {
        let stack = "handleClick@http://127.0.0.1:8080/app.js:12:15\nforEach@[native code]\nglobal code@http://127.0.0.1:8080/app.js:40:1\neval code\neval@[native code]\n[native code]";
        assert_eq!(
            parse(stack, 50),
            vec![
                f("handleClick", "http://127.0.0.1:8080/app.js", 12, 15),
                f("forEach", "[native code]", 0, 0),
                f("global code", "http://127.0.0.1:8080/app.js", 40, 1),
                f("eval code", "", 0, 0),
                f("eval", "[native code]", 0, 0),
                f("[native code]", "", 0, 0),
            ]
        );
    }

    /// Frames of a stack captured from a real engine (tests/fixtures/stacks/capture.mjs), as
    /// (function, file with the server origin cut off, line, column).
    fn captured(fixture: &str, case: &str) -> Vec<(String, String, u32, u32)> {
        let v: serde_json::Value = serde_json::from_str(fixture).unwrap();
        parse(v[case].as_str().unwrap(), 50)
            .into_iter()
            .map(|f| {
                let file = match f.file.find("/stacks.js") {
                    Some(i) => f.file[i..].to_string(),
                    None => f.file,
                };
                (f.function, file, f.line, f.column)
            })
            .collect()
    }

    fn frames(list: &[(&str, &str, u32, u32)]) -> Vec<(String, String, u32, u32)> {
        list.iter().map(|(f, file, l, c)| (f.to_string(), file.to_string(), *l, *c)).collect()
    }

    const CHROMIUM: &str = include_str!("../../../tests/fixtures/stack-chromium.json");
    const FIREFOX: &str = include_str!("../../../tests/fixtures/stack-firefox.json");
    const WEBKIT: &str = include_str!("../../../tests/fixtures/stack-webkit.json");

    #[test]
    fn real_chromium_stacks() {
        let js = "/stacks.js";
        assert_eq!(
            captured(CHROMIUM, "typeError"),
            frames(&[("handleClick", js, 3, 15), ("new Widget", js, 7, 5), ("named", js, 12, 5), ("Array.forEach", "<anonymous>", 0, 0), ("viaForEach", js, 11, 7), ("?", js, 17, 3)])
        );
        assert_eq!(captured(CHROMIUM, "eval"), frames(&[("inEval", js, 22, 3), ("eval", js, 22, 3), ("?", js, 22, 3)]));
        assert_eq!(captured(CHROMIUM, "method"), frames(&[("Object.method", js, 28, 11), ("?", js, 33, 7)]));
        assert_eq!(captured(CHROMIUM, "async"), frames(&[("asyncInner", js, 39, 9), ("asyncOuter", js, 42, 3)]));
    }

    #[test]
    fn real_firefox_stacks() {
        let js = "/stacks.js";
        assert_eq!(
            captured(FIREFOX, "typeError"),
            frames(&[("handleClick", js, 3, 3), ("Widget", js, 7, 5), ("named", js, 12, 5), ("viaForEach", js, 11, 7), ("?", js, 17, 3)])
        );
        assert_eq!(captured(FIREFOX, "eval"), frames(&[("inEval", js, 22, 0), ("?", js, 22, 0), ("?", js, 22, 3)]));
        assert_eq!(captured(FIREFOX, "method"), frames(&[("method", js, 28, 11), ("?", js, 33, 7)]));
        assert_eq!(captured(FIREFOX, "async"), frames(&[("asyncInner", js, 39, 9)]));
    }

    #[test]
    fn real_webkit_stacks() {
        let js = "/stacks.js";
        assert_eq!(
            captured(WEBKIT, "typeError"),
            frames(&[
                ("handleClick", js, 3, 14),
                ("Widget", js, 7, 16),
                ("named", js, 12, 15),
                ("forEach", "[native code]", 0, 0),
                ("viaForEach", js, 11, 14),
                ("global code", js, 17, 13),
            ])
        );
        assert_eq!(
            captured(WEBKIT, "eval"),
            frames(&[("inEval", "", 0, 0), ("eval code", "", 0, 0), ("eval", "[native code]", 0, 0), ("global code", js, 22, 7)])
        );
        assert_eq!(captured(WEBKIT, "method"), frames(&[("method", js, 28, 20), ("global code", js, 33, 13)]));
        assert_eq!(captured(WEBKIT, "async"), frames(&[("asyncInner", js, 39, 18)]));
    }

    #[test]
    fn the_known_gaps() {
        // JavaScriptCore: unnamed functions print a bare location; the innermost frame is one
        let stack = "https://a.io/app.js:10:5\nforEach@[native code]\nhttps://a.io/app.js:20:3\nglobal code@https://a.io/app.js:30:1";
        assert_eq!(
            parse(stack, 50),
            vec![f("?", "https://a.io/app.js", 10, 5), f("forEach", "[native code]", 0, 0), f("?", "https://a.io/app.js", 20, 3), f("global code", "https://a.io/app.js", 30, 1)]
        );
        // extension URLs as Safari prints them
        assert_eq!(parse("safari-extension:(//3284871F/ls.js):29:56\nf@safari-web-extension://AB12/c.js:1:2", 9), vec![f("?", "safari-extension:(//3284871F/ls.js)", 29, 56), f("f", "safari-web-extension://AB12/c.js", 1, 2)]);
        // V8: no space before the parenthesis; `async` in the location; names with ` (`; Hermes
        let stack = "Error: two\nline message at (x) with a@b.io\n    at Object.foo(https://a.io/a(1).js:1:2)\n    at async https://a.io/b.js:3:4\n    at f (async https://a.io/c.js:5:6)\n    at std::vector<int>::at(unsigned long) (wasm://wasm/00ab:wasm-function[12]:0x3f)\n    at g (address at index.android.bundle:7:8)";
        assert_eq!(
            parse(stack, 50),
            vec![
                f("Object.foo", "https://a.io/a(1).js", 1, 2),
                f("?", "https://a.io/b.js", 3, 4),
                f("f", "https://a.io/c.js", 5, 6),
                f("std::vector<int>::at(unsigned long)", "wasm://wasm/00ab:wasm-function[12]", 0, 0x3f),
                f("g", "index.android.bundle", 7, 8),
            ]
        );
        // old Gecko and Presto: argument lists after the name
        assert_eq!(
            parse("foo(1,\"x\")@http://a.io/a.js:10\n<anonymous function: run>([arguments not available])@http://a.io/b.js:27\n()@file:///C:/x.html:7", 9),
            vec![f("foo", "http://a.io/a.js", 10, 0), f("<anonymous function: run>", "http://a.io/b.js", 27, 0), f("?", "file:///C:/x.html", 7, 0)]
        );
        // a message's lines are not frames, though they hold an `@` or look like a location
        assert!(parse("write to jo@example.com\nsee https://a.io/help 10:5", 9).is_empty());
    }

    /// Stacks of the corpus the parser does not read as it expects, each for a reason: shapes no
    /// engine prints, or lines only a reader of the message could tell from frames.
    const CORPUS_MISSES: [&str; 6] = [
        "SECURITY_ERROR",                     // a reformatted stack that echoes its message as an `at` line
        "OPERA_11",                           // Presto's closing `Error created at …@url` line
        "SAFARI_9_NESTED_EVAL",               // JSC's bare function names: no location, like a word of a message
        "CHROME_141_HTML_ANONYMOUS_LISTENER", // `at NAME @  URL`, a shape of a library's own
        "HERMES_FRAME_LIKE_MESSAGE_LINE",     // a message line written exactly as a frame
        "CLOSURE_FIREFOX_JAVASCRIPT_URL",     // `@javascript:…` with no line: as much a message as a frame
    ];

    /// Real-world stacks from public sources (tests/fixtures/stack-corpus.json names each one's):
    /// every frame as the corpus expects it, in order, but for the known misses.
    #[test]
    fn the_public_corpus() {
        let corpus: serde_json::Value = serde_json::from_str(include_str!("../../../tests/fixtures/stack-corpus.json")).unwrap();
        let stacks = corpus["stacks"].as_array().unwrap();
        let (mut frames, mut right, mut whole) = (0, 0, 0);
        let mut wrong = Vec::new();
        for s in stacks {
            let want: Vec<Frame> = s["frames"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| Frame {
                    function: f["function"].as_str().unwrap().into(),
                    file: f["file"].as_str().unwrap().into(),
                    line: f["line"].as_u64().unwrap() as u32,
                    column: f["column"].as_u64().unwrap() as u32,
                })
                .collect();
            let got = parse(s["stack"].as_str().unwrap(), 1000);
            frames += want.len();
            right += want.iter().zip(&got).filter(|(w, g)| w == g).count();
            if got == want {
                whole += 1;
                assert!(!CORPUS_MISSES.contains(&s["name"].as_str().unwrap()), "{} is parsed right now: take it off the misses", s["name"]);
            } else if !CORPUS_MISSES.contains(&s["name"].as_str().unwrap()) {
                wrong.push(format!("{} {}:\n  want {want:?}\n  got  {got:?}", s["engine"], s["name"]));
            }
        }
        println!("stack corpus: {} stacks, {whole} parsed exactly; {frames} frames, {right} right", stacks.len());
        assert!(wrong.is_empty(), "{} of {} stacks differ:\n{}", wrong.len(), stacks.len(), wrong.join("\n"));
    }

    #[test]
    fn limits_and_garbage() {
        let many: String = (0..100).map(|i| format!("    at f{i} (a.js:{i}:1)\n")).collect();
        assert_eq!(parse(&many, 50).len(), 50);
        assert!(parse("", 50).is_empty());
        assert!(parse("just a message\nwith lines", 50).is_empty());
        let long = format!("    at {} (a.js:1:1)", "x".repeat(5000));
        assert!(parse(&long, 5)[0].function.chars().count() <= MAX_FIELD + 1);
    }
}
