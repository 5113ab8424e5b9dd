//! Parses `Error.stack` strings of V8 (Chromium), SpiderMonkey (Firefox) and JavaScriptCore (Safari) into frames.

/// One stack frame, innermost first as in the stack string. `line`/`column` are 0 when unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub function: String,
    pub file: String,
    pub line: u32,
    pub column: u32,
}

const MAX_FIELD: usize = 300;

/// Parses up to `max` frames; lines that are not frames (the message line, blank lines) are skipped.
pub fn parse(stack: &str, max: usize) -> Vec<Frame> {
    let mut frames = Vec::new();
    for raw in crate::json::split_byte(stack, b'\n') {
        if frames.len() >= max {
            break;
        }
        let line = raw.trim_ascii();
        let frame = if let Some(rest) = line.strip_prefix("at ") {
            v8_frame(rest)
        } else {
            gecko_jsc_frame(line)
        };
        if let Some(f) = frame {
            frames.push(f);
        }
    }
    frames
}

/// `fn (loc)`, `loc`, `async fn (loc)`, `new C (loc)`, `eval (eval at f (loc), <anonymous>:1:1)`.
fn v8_frame(rest: &str) -> Option<Frame> {
    let rest = rest.strip_prefix("async ").unwrap_or(rest);
    let (function, loc) = match (crate::json::find(rest, " ("), rest.ends_with(")")) {
        (Some(i), true) => (rest.get(..i)?, rest.get(i + 2..rest.len() - 1)?),
        _ => ("", rest),
    };
    let loc = if loc.starts_with("eval at ") {
        // The eval'd code has no URL of its own: report where `eval` was called.
        let start = crate::json::rpos(loc, b'(')? + 1;
        let inner = loc.get(start..)?;
        inner.get(..crate::json::pos(inner, b')').unwrap_or(inner.len()))?
    } else {
        loc
    };
    Some(frame(function, loc))
}

/// SpiderMonkey and JavaScriptCore: `fn@loc`, `@loc`, `global code@loc`, `fn@[native code]`,
/// Firefox eval: `fn@http://x/a.js line 5 > eval:1:2`, and JSC's bare `[native code]` / `eval code`.
fn gecko_jsc_frame(line: &str) -> Option<Frame> {
    if let Some(at) = crate::json::pos(line, b'@') {
        let function = line.get(..at)?;
        let loc = line.get(at + 1..)?;
        // Firefox marks async boundaries as `async*fn@...`.
        let function = crate::json::rpos(function, b'*').and_then(|i| function.get(i + 1..)).unwrap_or(function);
        if let Some(i) = crate::json::find(loc, " line ") {
            // `file line N > eval:l:c`: keep the file and the line `eval` was called on.
            let after = loc.get(i + 6..)?;
            let n_end = after.bytes().position(|b| !b.is_ascii_digit()).unwrap_or(after.len());
            let line_no = crate::json::num(after.get(..n_end)?).unwrap_or(0) as u32;
            let mut f = frame(function, "");
            f.file = clip(loc.get(..i)?);
            f.line = line_no;
            return Some(f);
        }
        return Some(frame(function, loc));
    }
    if line == "[native code]" || line == "eval code" || line == "global code" {
        return Some(frame(line, ""));
    }
    None
}

fn frame(function: &str, loc: &str) -> Frame {
    let (file, line, column) = split_location(loc);
    Frame {
        function: if function.is_empty() { String::from("?") } else { clip(function) },
        file: clip(file),
        line,
        column,
    }
}

/// `file:line:col` → parts; tolerates a missing column or no numbers at all (`<anonymous>`, `native`).
fn split_location(loc: &str) -> (&str, u32, u32) {
    let Some((head, last)) = crate::json::rsplit_at_byte(loc, b':') else { return (loc, 0, 0) };
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
    fn limits_and_garbage() {
        let many: String = (0..100).map(|i| format!("    at f{i} (a.js:{i}:1)\n")).collect();
        assert_eq!(parse(&many, 50).len(), 50);
        assert!(parse("", 50).is_empty());
        assert!(parse("just a message\nwith lines", 50).is_empty());
        let long = format!("    at {} (a.js:1:1)", "x".repeat(5000));
        assert!(parse(&long, 5)[0].function.chars().count() <= MAX_FIELD + 1);
    }
}
