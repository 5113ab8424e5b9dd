//! Minimal JSON writing and the few number/time formats the wire needs, without `core::fmt`.

/// Appends `s` as a JSON string literal (quoted, escaped). Lone surrogates cannot occur in `&str`.
/// Runs of plain bytes are copied whole (an indexed loop: at `opt-level = "z"` an iterator adapter
/// here stays a call per byte, the most expensive thing on the error path).
pub fn str(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    let bytes = s.as_bytes();
    let (mut start, mut i) = (0, 0);
    while let Some(&b) = bytes.get(i) {
        i += 1;
        if b >= 0x20 && b != b'"' && b != b'\\' {
            continue;
        }
        out.push_str(s.get(start..i - 1).unwrap_or(""));
        start = i;
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            _ => {
                out.push_str("\\u00");
                ascii(out, hex_digit(b >> 4));
                ascii(out, hex_digit(b & 15));
            }
        }
    }
    out.push_str(s.get(start..).unwrap_or(""));
    out.push('"');
}

/// Appends `,` unless right after an opening brace or bracket (items of an array, fields).
pub fn comma(out: &mut String) {
    if !matches!(out.as_bytes().last(), Some(b'{' | b'[')) {
        out.push(',');
    }
}

/// Appends `,"key":` (or `"key":` right after an opening brace or bracket).
pub fn key(out: &mut String, k: &str) {
    comma(out);
    out.push('"');
    out.push_str(k);
    out.push_str("\":");
}

pub fn field_str(out: &mut String, k: &str, v: &str) {
    key(out, k);
    str(out, v);
}

/// `,"key":"<16 hex digits>"`: ids and fingerprints.
pub fn field_hex(out: &mut String, k: &str, v: u64) {
    key(out, k);
    out.push('"');
    hex64(out, v);
    out.push('"');
}

pub fn field_u64(out: &mut String, k: &str, v: u64) {
    key(out, k);
    uint(out, v);
}

/// `,"key":number` (JavaScript's `String(v)`).
pub fn field_num(out: &mut String, k: &str, v: f64) {
    key(out, k);
    float(out, v);
}

pub fn field_opt(out: &mut String, k: &str, v: Option<&str>) {
    key(out, k);
    match v {
        Some(v) => str(out, v),
        None => out.push_str("null"),
    }
}

/// Appends a float as the shortest text that reads back as the same number. Not finite: 0.
#[inline(never)]
pub fn float(out: &mut String, v: f64) {
    (crate::host::get().float)(out, v);
}

pub fn uint(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        if let Some(slot) = buf.get_mut(i) {
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    for &d in buf.get(i..).unwrap_or(&[]) {
        ascii(out, d);
    }
}

/// Appends an ASCII byte. Pushing a `char` made from any `u8` would bring in the two-byte UTF-8
/// path; masked to 7 bits, only the one-byte push is left.
pub fn ascii(out: &mut String, b: u8) {
    out.push(char::from(b & 0x7f));
}

/// The lowercase hex digit of `n` (0..16), as an ASCII byte.
pub fn hex_digit(n: u8) -> u8 {
    if n < 10 {
        b'0' + n
    } else {
        b'a' + n - 10
    }
}

/// Appends the hex digits of `n`, zero-padded to 16.
pub fn hex64(out: &mut String, n: u64) {
    for i in (0..16).rev() {
        ascii(out, hex_digit(((n >> (i * 4)) & 15) as u8));
    }
}

/// Formats a Unix time in milliseconds as ISO 8601 UTC (`2026-11-26T16:26:30.123Z`), like `Date.toISOString`.
pub fn iso_time(out: &mut String, ms: u64) {
    let days = (ms / 86_400_000) as i64;
    let rem = ms % 86_400_000;
    let (y, m, d) = civil_from_days(days);
    pad(out, y as u64, 4);
    out.push('-');
    pad(out, m as u64, 2);
    out.push('-');
    pad(out, d as u64, 2);
    out.push('T');
    pad(out, rem / 3_600_000, 2);
    out.push(':');
    pad(out, rem / 60_000 % 60, 2);
    out.push(':');
    pad(out, rem / 1000 % 60, 2);
    out.push('.');
    pad(out, rem % 1000, 3);
    out.push('Z');
}

fn pad(out: &mut String, n: u64, width: usize) {
    let mut digits = 1;
    let mut t = n;
    while t >= 10 {
        t /= 10;
        digits += 1;
    }
    for _ in digits..width {
        out.push('0');
    }
    uint(out, n);
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Inverse of [`civil_from_days`].
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Cuts `s` to at most `max` characters (on a char boundary), marking the cut with `…`.
pub fn truncate(s: &mut String, max: usize) {
    // no more bytes than `max`: no more characters either (the common case, without a scan)
    if s.len() <= max {
        return;
    }
    // a byte loop over char starts (std's char decoding is bigger)
    let mut chars = 0;
    let cut = s.bytes().enumerate().find(|(_, b)| {
        let start = b & 0xC0 != 0x80;
        chars += usize::from(start);
        start && chars > max
    });
    if let Some((i, _)) = cut {
        s.truncate(i);
        s.push('…');
    }
}

/// `hay` with every `from` replaced by `to` (a plain loop over [`find`]).
pub fn replace_all(hay: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(hay.len());
    let mut rest = hay;
    while let Some(i) = find(rest, from).filter(|_| !from.is_empty()) {
        out.push_str(rest.get(..i).unwrap_or(""));
        out.push_str(to);
        rest = rest.get(i + from.len()..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// Byte offset of the first `needle` in `hay`. A plain loop: std's two-way searcher costs ~2 KB of wasm.
pub fn find(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    (0..(h.len() + 1).saturating_sub(n.len())).find(|&i| h.get(i..i + n.len()) == Some(n))
}

/// Byte offset of the last `needle` in `hay`.
pub fn rfind(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    (0..(h.len() + 1).saturating_sub(n.len())).rev().find(|&i| h.get(i..i + n.len()) == Some(n))
}

pub fn contains(hay: &str, needle: &str) -> bool {
    find(hay, needle).is_some()
}

/// Offset of the first byte `b` (ASCII) in `s`.
pub fn pos(s: &str, b: u8) -> Option<usize> {
    s.bytes().position(|x| x == b)
}

/// Offset of the last byte `b` (ASCII) in `s`.
pub fn rpos(s: &str, b: u8) -> Option<usize> {
    s.bytes().rposition(|x| x == b)
}

/// Splits at each ASCII byte `b` (like `split(char)`, without std's searcher machinery).
pub fn split_byte(s: &str, b: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    core::iter::from_fn(move || {
        let r = rest?;
        match pos(r, b) {
            Some(i) => {
                rest = r.get(i + 1..);
                r.get(..i)
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// `(before, after)` the first ASCII byte `b`.
pub fn split_at_byte(s: &str, b: u8) -> Option<(&str, &str)> {
    let i = pos(s, b)?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// `(before, after)` the last ASCII byte `b`.
pub fn rsplit_at_byte(s: &str, b: u8) -> Option<(&str, &str)> {
    let i = rpos(s, b)?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// A non-empty run of ASCII digits as a number (saturating); anything else is `None`.
pub fn num(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.is_empty() {
        return None;
    }
    let (mut n, mut i) = (0u64, 0);
    while let Some(&d) = b.get(i) {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n.saturating_mul(10).saturating_add(u64::from(d - b'0'));
        i += 1;
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_every_occurrence() {
        assert_eq!(replace_all("a?t=1 b a?t=1", "a?t=1", "a?t=X"), "a?t=X b a?t=X");
        assert_eq!(replace_all("none here", "zz", "y"), "none here");
        assert_eq!(replace_all("ééé", "é", "e"), "eee");
        assert_eq!(replace_all("abc", "", "x"), "abc");
    }

    #[test]
    fn substring_search() {
        assert_eq!(super::find("abcabc", "bc"), Some(1));
        assert_eq!(super::rfind("abcabc", "bc"), Some(4));
        assert_eq!(super::find("abc", ""), Some(0));
        assert_eq!(super::rfind("abc", ""), Some(3));
        assert_eq!(super::find("ab", "abc"), None);
        assert_eq!(super::rfind("", "a"), None);
        assert!(super::contains("héllo wörld", "ö"));
        assert_eq!(super::split_byte("a\nb\n\nc", b'\n').collect::<Vec<_>>(), vec!["a", "b", "", "c"]);
        assert_eq!(super::split_byte("", b'\n').collect::<Vec<_>>(), vec![""]);
        assert_eq!(super::split_at_byte("k=v=w", b'='), Some(("k", "v=w")));
        assert_eq!(super::rsplit_at_byte("a:1:2", b':'), Some(("a:1", "2")));
        assert_eq!(super::num("0042"), Some(42));
        assert_eq!(super::num(""), None);
        assert_eq!(super::num("-5"), None);
        assert_eq!(super::num("99999999999999999999999"), Some(u64::MAX));
    }

    use super::*;

    #[test]
    fn escapes_strings() {
        let mut o = String::new();
        str(&mut o, "a\"b\\c\nd\u{1}é😀");
        assert_eq!(o, "\"a\\\"b\\\\c\\nd\\u0001é😀\"");
    }

    #[test]
    fn keys_and_numbers() {
        let mut o = String::from("{");
        field_str(&mut o, "a", "x");
        field_u64(&mut o, "n", 0);
        field_u64(&mut o, "m", 18_446_744_073_709_551_615);
        field_opt(&mut o, "u", None);
        o.push('}');
        assert_eq!(o, "{\"a\":\"x\",\"n\":0,\"m\":18446744073709551615,\"u\":null}");
    }

    #[test]
    fn iso_matches_known_instants() {
        let cases = [
            (0u64, "1970-01-01T00:00:00.000Z"),
            (951_782_400_000, "2000-02-29T00:00:00.000Z"),
            (1_795_710_390_123, "2026-11-26T16:26:30.123Z"),
            (4_102_444_799_999, "2099-12-31T23:59:59.999Z"),
        ];
        for (ms, want) in cases {
            let mut o = String::new();
            iso_time(&mut o, ms);
            assert_eq!(o, want);
        }
    }

    #[test]
    fn civil_round_trip() {
        for z in (-800_000..800_000).step_by(37) {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
    }

    #[test]
    fn truncates_on_char_boundary() {
        let mut s = String::from("ééééé");
        truncate(&mut s, 3);
        assert_eq!(s, "ééé…");
        let mut t = String::from("abc");
        truncate(&mut t, 3);
        assert_eq!(t, "abc");
    }

    #[test]
    fn hex() {
        let mut o = String::new();
        hex64(&mut o, 0xdead_beef);
        assert_eq!(o, "00000000deadbeef");
    }
}
