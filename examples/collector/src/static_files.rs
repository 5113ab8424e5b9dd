//! Static files for the demo and the end-to-end test pages, plus loader inlining.
//!
//! Only five URL prefixes map to the repository, and every resolved file must
//! stay inside the root after symlinks are followed, so the collector never
//! serves arbitrary files from the machine.

use std::fs;
use std::path::{Component, Path, PathBuf};

/// URL prefix → directory under the root.
const MOUNTS: [(&str, &str); 5] = [
    ("/pkg/", "pkg"),
    ("/dist/", "dist"),
    ("/examples/", "examples"),
    ("/test-pages/", "tests/e2e/pages"),
    // npm packages the pages use, served locally (web-vitals for the comparison tests)
    ("/node_modules/", "node_modules"),
];

/// Replaced by the inline loader reporting to this collector.
pub const MARKER_AUTO: &str = "<!--sightline-loader-->";
/// Replaced by the inline loader without `data-collector` (the page calls `Sightline.init`).
pub const MARKER_MANUAL: &str = "<!--sightline-loader:manual-->";
/// The same, loading the core build (`data-src` picks the build).
pub const MARKER_CORE: &str = "<!--sightline-loader:core-->";

/// Whether a URL path falls under one of the static mounts.
pub fn is_static_path(url_path: &str) -> bool {
    MOUNTS
        .iter()
        .any(|(prefix, _)| url_path.starts_with(prefix))
}

/// Maps a URL path (no query string) to a path relative to the root, or `None`
/// when it is outside the mounts, badly encoded, or tries to climb with `..`.
/// A path ending in `/` maps to its `index.html`.
pub fn map_path(url_path: &str) -> Option<PathBuf> {
    let (prefix, dir) = MOUNTS.iter().find(|(p, _)| url_path.starts_with(p))?;
    let rest = percent_decode(&url_path[prefix.len()..])?;
    if rest.contains('\0') || rest.contains('\\') {
        return None;
    }
    let mut rel = PathBuf::from(dir);
    for seg in rest.split('/') {
        match seg {
            "" | "." => {}
            ".." => return None,
            s => rel.push(s),
        }
    }
    if rest.is_empty() || rest.ends_with('/') {
        rel.push("index.html");
    }
    // Belt and braces: the pushes above can only add normal components.
    rel.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then_some(rel)
}

/// Decodes `%XX` escapes; `None` for a broken escape or non-UTF-8 result.
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        // Required by WebAssembly.instantiateStreaming.
        "wasm" => "application/wasm",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "txt" => "text/plain; charset=utf-8",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

/// Result of looking a static URL up on disk.
#[derive(Debug, PartialEq)]
pub enum Lookup {
    /// The body and its content type.
    Found(Vec<u8>, &'static str),
    /// A directory asked for without its trailing slash: redirect here, so the
    /// page's relative URLs resolve against the directory.
    Redirect(String),
    NotFound,
}

/// Looks up `url_path` under `root`, inlining the loader into HTML pages.
/// `host` is the request's Host header (for the loader's `data-collector`).
pub fn lookup(root: &Path, url_path: &str, host: &str) -> Lookup {
    let Some(rel) = map_path(url_path) else {
        return Lookup::NotFound;
    };
    let Ok(root_canon) = root.canonicalize() else {
        return Lookup::NotFound;
    };
    let Ok(full) = root.join(&rel).canonicalize() else {
        return Lookup::NotFound;
    };
    // Symlinks may point anywhere; only what ends up inside the root is served.
    if !full.starts_with(&root_canon) {
        return Lookup::NotFound;
    }
    if full.is_dir() {
        return Lookup::Redirect(format!("{url_path}/"));
    }
    let Ok(body) = fs::read(&full) else {
        return Lookup::NotFound;
    };
    let ctype = content_type(&full);
    if ctype.starts_with("text/html") {
        if let Ok(html) = std::str::from_utf8(&body) {
            if html.contains(MARKER_AUTO) || html.contains(MARKER_MANUAL) || html.contains(MARKER_CORE) {
                // Read on every request: `make build` may have just rebuilt it.
                let loader = fs::read_to_string(root.join("dist/loader.min.js")).ok();
                return Lookup::Found(
                    inline_loader(html, loader.as_deref(), host).into_bytes(),
                    ctype,
                );
            }
        }
    }
    Lookup::Found(body, ctype)
}

/// Replaces the loader markers with an inline `<script>` holding the loader.
pub fn inline_loader(html: &str, loader: Option<&str>, host: &str) -> String {
    let Some(loader) = loader else {
        let note = "<!-- sightline: dist/loader.min.js is missing, run `make build` -->";
        return html.replace(MARKER_AUTO, note).replace(MARKER_MANUAL, note).replace(MARKER_CORE, note);
    };
    // `</script` inside the code would end the element early.
    let code = loader.replace("</script", "<\\/script");
    let auto = format!(
        "<script data-collector=\"http://{}\" data-src=\"/dist/sightline.js\">{code}</script>",
        html_escape(host)
    );
    let manual = format!("<script data-src=\"/dist/sightline.js\">{code}</script>");
    let core = format!("<script data-src=\"/dist/sightline-core.js\">{code}</script>");
    html.replace(MARKER_AUTO, &auto)
        .replace(MARKER_MANUAL, &manual)
        .replace(MARKER_CORE, &core)
}

/// Escapes text for HTML content and double-quoted attributes.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_mounts() {
        assert_eq!(
            map_path("/pkg/sightline_bg.wasm"),
            Some(PathBuf::from("pkg/sightline_bg.wasm"))
        );
        assert_eq!(
            map_path("/dist/sightline.js"),
            Some(PathBuf::from("dist/sightline.js"))
        );
        assert_eq!(
            map_path("/examples/script-tag/"),
            Some(PathBuf::from("examples/script-tag/index.html"))
        );
        assert_eq!(
            map_path("/examples/"),
            Some(PathBuf::from("examples/index.html"))
        );
        assert_eq!(
            map_path("/test-pages/errors.html"),
            Some(PathBuf::from("tests/e2e/pages/errors.html"))
        );
        assert_eq!(
            map_path("/test-pages/a%20b.html"),
            Some(PathBuf::from("tests/e2e/pages/a b.html"))
        );
        assert_eq!(
            map_path("/test-pages//x.js"),
            Some(PathBuf::from("tests/e2e/pages/x.js"))
        );
    }

    #[test]
    fn rejects_escapes() {
        for p in [
            "/pkg/../Cargo.toml",
            "/examples/a/../../src/lib.rs",
            "/dist/%2e%2e/Cargo.toml",
            "/dist/%2E%2E%2FCargo.toml",
            "/dist/..%5c..%5cx",
            "/dist/a%00b",
            "/dist/%zz",
            "/dist/%ff",
            "/src/lib.rs",
            "/pkg",
            "/",
        ] {
            assert_eq!(map_path(p), None, "{p}");
        }
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type(Path::new("a/x.wasm")), "application/wasm");
        assert_eq!(
            content_type(Path::new("x.mjs")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("x.JS")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("x.html")),
            "text/html; charset=utf-8"
        );
        assert_eq!(content_type(Path::new("x.js.map")), "application/json");
        assert_eq!(content_type(Path::new("x.svg")), "image/svg+xml");
        assert_eq!(content_type(Path::new("x")), "application/octet-stream");
    }

    #[test]
    fn inlines_loader() {
        let html =
            "<head><!--sightline-loader--></head><body><!--sightline-loader:manual--></body>";
        let out = inline_loader(html, Some("L()</script>"), "127.0.0.1:8080");
        assert_eq!(
            out,
            "<head><script data-collector=\"http://127.0.0.1:8080\" data-src=\"/dist/sightline.js\">L()<\\/script></script></head>\
             <body><script data-src=\"/dist/sightline.js\">L()<\\/script></script></body>"
        );
        assert_eq!(
            inline_loader("<!--sightline-loader:core-->", Some("L"), "h"),
            "<script data-src=\"/dist/sightline-core.js\">L</script>"
        );
        let out = inline_loader("<!--sightline-loader-->", Some("L"), "evil\"><script>");
        assert!(
            out.starts_with("<script data-collector=\"http://evil&quot;&gt;&lt;script&gt;\""),
            "{out}"
        );
        let out = inline_loader(html, None, "h");
        assert!(!out.contains(MARKER_AUTO) && !out.contains(MARKER_MANUAL));
        assert_eq!(out.matches("make build").count(), 2);
    }

    #[test]
    fn lookup_on_disk() {
        let root = std::env::temp_dir().join(format!("slc-static-{}", std::process::id()));
        let pages = root.join("tests/e2e/pages");
        fs::create_dir_all(pages.join("sub")).unwrap();
        fs::create_dir_all(root.join("dist")).unwrap();
        fs::write(pages.join("index.html"), "<p><!--sightline-loader--></p>").unwrap();
        fs::write(pages.join("sub/index.html"), "plain").unwrap();
        fs::write(root.join("dist/loader.min.js"), "LOADER").unwrap();
        fs::write(root.join("secret.txt"), "no").unwrap();

        match lookup(&root, "/test-pages/", "h:1") {
            Lookup::Found(body, ct) => {
                assert_eq!(ct, "text/html; charset=utf-8");
                assert_eq!(
                    String::from_utf8(body).unwrap(),
                    "<p><script data-collector=\"http://h:1\" data-src=\"/dist/sightline.js\">LOADER</script></p>"
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            lookup(&root, "/test-pages/sub", "h"),
            Lookup::Redirect("/test-pages/sub/".into())
        );
        assert_eq!(
            lookup(&root, "/test-pages/sub/", "h"),
            Lookup::Found(b"plain".to_vec(), "text/html; charset=utf-8")
        );
        assert_eq!(
            lookup(&root, "/test-pages/missing.js", "h"),
            Lookup::NotFound
        );
        assert_eq!(
            lookup(&root, "/test-pages/../../../secret.txt", "h"),
            Lookup::NotFound
        );
        #[cfg(unix)]
        {
            // A symlink leading out of the root is not followed.
            let outside =
                std::env::temp_dir().join(format!("slc-outside-{}.txt", std::process::id()));
            fs::write(&outside, "outside").unwrap();
            let _ = std::os::unix::fs::symlink(&outside, pages.join("link.txt"));
            assert_eq!(lookup(&root, "/test-pages/link.txt", "h"), Lookup::NotFound);
            let _ = fs::remove_file(&outside);
        }
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn escapes_html() {
        assert_eq!(
            html_escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
