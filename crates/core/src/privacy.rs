//! Scrubbing applied before anything is queued: secret-looking URL parameters, and e-mail
//! addresses, JWT-like tokens and card numbers in any text.

/// Parameter-name fragments that mark a value as secret (matched case-insensitively, as substrings).
const SECRET_PARAMS: &[&str] = &["token", "password", "passwd", "secret", "auth", "key", "code", "session", "email", "signature", "sig"];
pub const FILTERED: &str = "[Filtered]";

/// Replaces values of secret-looking query and fragment parameters with `[Filtered]`, then masks
/// e-mail addresses, tokens and card numbers anywhere in the URL (see [`mask`]).
/// `extra` holds additional lower-case name fragments from `privacy.scrubParams`.
pub fn scrub_url(url: &str, extra: &[String]) -> String {
    masked(filter_params(url, extra))
}

fn filter_params(url: &str, extra: &[String]) -> String {
    let Some(q) = url.bytes().position(|b| b == b'?' || b == b'#') else { return String::from(url) };
    let mut out = String::with_capacity(url.len());
    out.push_str(url.get(..q).unwrap_or(""));
    let mut rest = url.get(q..).unwrap_or("");
    // `rest` always starts at a separator (`?`, `#`, `&`, `;`): ASCII, one byte
    while let Some(&sep) = rest.as_bytes().first() {
        crate::json::ascii(&mut out, sep);
        rest = rest.get(1..).unwrap_or("");
        let end = rest.bytes().position(|b| b == b'&' || b == b'#' || b == b';').unwrap_or(rest.len());
        let param = rest.get(..end).unwrap_or("");
        match crate::json::split_at_byte(param, b'=') {
            Some((name, value)) if !value.is_empty() && is_secret(name, extra) => {
                out.push_str(name);
                out.push('=');
                out.push_str(FILTERED);
            }
            _ => out.push_str(param),
        }
        rest = rest.get(end..).unwrap_or("");
    }
    out
}

/// Replaces e-mail addresses with `[email]`, JWT-like tokens (`eyJ…` in three dot-separated
/// base64url parts) with `[jwt]`, and card-like numbers (13 to 19 digits, spaces, dashes or `+` (a URL's space) between
/// groups, passing the Luhn check) with `[number]`, in the text as it is and in its
/// percent-decoded form (`john%40example.com` is an address too: then the decoded, masked text is
/// what remains). Returns `None` when there was nothing to mask.
pub fn mask(text: &str) -> Option<String> {
    let plain = mask_raw(text);
    let t = plain.as_deref().unwrap_or(text);
    if crate::json::pos(t, b'%').is_none() {
        return plain;
    }
    let decoded = percent_decoded(t);
    if decoded == t {
        return plain;
    }
    mask_raw(&decoded).or(plain)
}

/// `%XX` escapes of printable ASCII decoded (others, and malformed ones, kept as they are).
pub fn percent_decoded(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    let mut i = 0;
    while i < b.len() {
        let hex = |j: usize| b.get(j).and_then(|c| (*c as char).to_digit(16));
        if let (Some(b'%'), Some(h), Some(l)) = (b.get(i), hex(i + 1), hex(i + 2)) {
            let c = (h * 16 + l) as u8;
            if (0x20..0x7f).contains(&c) {
                out.push_str(s.get(copied..i).unwrap_or(""));
                crate::json::ascii(&mut out, c);
                i += 3;
                copied = i;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(s.get(copied..).unwrap_or(""));
    out
}

fn mask_raw(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    while i < b.len() {
        let found = if b.get(i) == Some(&b'@') {
            email(b, i)
        } else if b.get(i..i + 3) == Some(b"eyJ") && (i == 0 || !is_b64(b.get(i - 1).copied().unwrap_or(b' '))) {
            jwt(b, i)
        } else if b.get(i).is_some_and(u8::is_ascii_digit) && (i == 0 || !b.get(i - 1).is_some_and(u8::is_ascii_alphanumeric)) {
            card(b, i)
        } else {
            None
        };
        match found {
            // one that began inside the last one masked (an address right after a token) is
            // masked from there on
            Some((start, end, label)) if end > copied => {
                let start = start.max(copied);
                out.push_str(text.get(copied..start).unwrap_or(""));
                out.push_str(label);
                copied = end;
                i = end;
            }
            _ => i += 1,
        }
    }
    if copied == 0 {
        return None;
    }
    out.push_str(text.get(copied..).unwrap_or(""));
    Some(out)
}

/// `mask`, or the text unchanged.
pub fn masked(text: String) -> String {
    mask(&text).unwrap_or(text)
}

fn is_b64(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'_'
}

/// An address around the `@` at `at`: (start, end, label).
fn email(b: &[u8], at: usize) -> Option<(usize, usize, &'static str)> {
    let local = |c: u8| c.is_ascii_alphanumeric() || b"._%+-".contains(&c);
    let mut start = at;
    while start > 0 && b.get(start - 1).is_some_and(|c| local(*c)) {
        start -= 1;
    }
    let mut end = at + 1;
    let mut dot = 0;
    while b.get(end).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'.') {
        if b.get(end) == Some(&b'.') {
            dot = end;
        }
        end += 1;
    }
    // a trailing dot ends the sentence, not the domain
    while end > at + 1 && b.get(end - 1) == Some(&b'.') {
        end -= 1;
    }
    let tld = b.get(dot + 1..end).unwrap_or(&[]);
    (start < at && dot > at + 1 && dot < end && tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic)).then_some((start, end, "[email]"))
}

fn jwt(b: &[u8], start: usize) -> Option<(usize, usize, &'static str)> {
    let mut end = start;
    let mut parts = 1;
    let mut len = 0;
    while let Some(&c) = b.get(end) {
        if c == b'.' && len >= 4 && parts < 3 && b.get(end + 1).is_some_and(|n| is_b64(*n)) {
            parts += 1;
            len = 0;
        } else if is_b64(c) {
            len += 1;
        } else {
            break;
        }
        end += 1;
    }
    (parts == 3 && len >= 4).then_some((start, end, "[jwt]"))
}

fn card(b: &[u8], start: usize) -> Option<(usize, usize, &'static str)> {
    // no allocation: this runs at every number in a stack trace (line and column numbers)
    let mut digits = [0u8; 19];
    let mut n = 0;
    let mut end = start;
    // where each group of digits ends (digits so far, byte after): a card may be followed by
    // another number (`4111 1111 1111 1111 12/27`), so each group end is a candidate
    let mut groups = [(0usize, 0usize); 19];
    let mut g = 0;
    while let Some(&c) = b.get(end) {
        if c.is_ascii_digit() {
            let Some(slot) = digits.get_mut(n) else { break };
            *slot = c - b'0';
            n += 1;
            if !b.get(end + 1).is_some_and(u8::is_ascii_digit) {
                if let Some(e) = groups.get_mut(g) {
                    *e = (n, end + 1);
                    g += 1;
                }
            }
        } else if !((c == b' ' || c == b'-' || c == b'+') && b.get(end + 1).is_some_and(u8::is_ascii_digit) && b.get(end.wrapping_sub(1)).is_some_and(u8::is_ascii_digit)) {
            break;
        }
        end += 1;
    }
    // the longest that passes: 13 to 19 digits, not glued to a letter or digit, Luhn
    groups.get(..g).unwrap_or(&[]).iter().rev().find(|&&(n, after)| {
        if n < 13 || b.get(after).is_some_and(u8::is_ascii_alphanumeric) {
            return false;
        }
        // Luhn: from the right, double every second digit
        let sum: u32 = digits.get(..n).unwrap_or(&[]).iter().rev().enumerate().map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { d }
        }).sum();
        sum.is_multiple_of(10)
    }).map(|&(_, after)| (start, after, "[number]"))
}

/// The name is compared decoded: `pass%77ord` is `password`.
fn is_secret(name: &str, extra: &[String]) -> bool {
    let lower = percent_decoded(name).to_ascii_lowercase();
    SECRET_PARAMS.iter().any(|s| crate::json::contains(&lower, s)) || extra.iter().any(|s| !s.is_empty() && crate::json::contains(&lower, s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrubs_secret_params_only() {
        assert_eq!(scrub_url("https://a.io/p", &[]), "https://a.io/p");
        assert_eq!(
            scrub_url("https://a.io/p?q=shoes&access_token=abc&page=2", &[]),
            "https://a.io/p?q=shoes&access_token=[Filtered]&page=2"
        );
        assert_eq!(
            scrub_url("https://a.io/cb#id_token=xyz&state=1", &[]),
            "https://a.io/cb#id_token=[Filtered]&state=1"
        );
        assert_eq!(
            scrub_url("/r?Email=a%40b.c&API_KEY=1&ssn=123&flag", &["ssn".into()]),
            "/r?Email=[Filtered]&API_KEY=[Filtered]&ssn=[Filtered]&flag"
        );
        assert_eq!(scrub_url("/r?password=", &[]), "/r?password=");
        assert_eq!(scrub_url("/ü?tökén=ä", &[]), "/ü?tökén=ä");
        assert_eq!(scrub_url("/x?token=1#auth=2", &[]), "/x?token=[Filtered]#auth=[Filtered]");
    }

    #[test]
    fn secrets_are_found_in_their_percent_decoded_form() {
        // an encoded address in a path, and in a query value
        assert_eq!(scrub_url("https://a.io/users/john%40example.com/orders", &[]), "https://a.io/users/[email]/orders");
        assert_eq!(scrub_url("https://a.io/find?who=jane.doe%40mail.example.org&x=1", &[]), "https://a.io/find?who=[email]&x=1");
        assert_eq!(scrub_url("https://a.io/u/JOHN%2Bshop%40Example.COM", &[]), "https://a.io/u/[email]");
        // parameter names compared decoded
        assert_eq!(scrub_url("https://a.io/?pass%77ord=hunter2&%74oken=abc&q=1", &[]), "https://a.io/?pass%77ord=[Filtered]&%74oken=[Filtered]&q=1");
        assert_eq!(scrub_url("https://a.io/?my%5Fssn=1", &["ssn".into()]), "https://a.io/?my%5Fssn=[Filtered]");
        // a card number with encoded spaces, in a message too
        assert_eq!(mask("paid with 4111%201111%201111%201111 today").as_deref(), Some("paid with [number] today"));
        assert_eq!(mask("GET https://api.example/users/a%40b.example answered 500").as_deref(), Some("GET https://api.example/users/[email] answered 500"));
        // nothing to mask: the encoding is kept
        assert_eq!(scrub_url("https://a.io/search?q=caf%C3%A9%20au%20lait", &[]), "https://a.io/search?q=caf%C3%A9%20au%20lait");
        assert_eq!(mask("100%25 sure, 50% off"), None);
        // only printable ASCII escapes decode; malformed ones stay
        assert_eq!(percent_decoded("a%40b%0Ac%zz%4"), "a@b%0Ac%zz%4");
    }

    #[test]
    fn masks_emails_tokens_and_card_numbers() {
        let m = |s: &str| mask(s).unwrap_or_else(|| s.to_string());
        assert_eq!(m("no secrets here, 42 of them"), "no secrets here, 42 of them");
        assert_eq!(mask("plain"), None);
        assert_eq!(m("mail jane.doe+x@shop.example.com now."), "mail [email] now.");
        assert_eq!(m("a@b is not, @home neither, x@y.c too short"), "a@b is not, @home neither, x@y.c too short");
        assert_eq!(
            m("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end"),
            "Bearer [jwt] end"
        );
        assert_eq!(m("eyJnot a token"), "eyJnot a token");
        assert_eq!(m("card 4111 1111 1111 1111, exp 12/30"), "card [number], exp 12/30");
        assert_eq!(m("card 4111-1111-1111-1111"), "card [number]");
        assert_eq!(m("id 4111111111111111."), "id [number].");
        // not Luhn-valid, too short, or part of a longer token: kept
        assert_eq!(m("ts 1795720546202 and 4111111111111112"), "ts 1795720546202 and 4111111111111112");
        assert_eq!(m("order 123456789012"), "order 123456789012");
        assert_eq!(m("v4111111111111111"), "v4111111111111111");
        assert_eq!(m("https://x.io/u/jane@x.io/p?card=4111111111111111"), "https://x.io/u/[email]/p?card=[number]");
        assert_eq!(m("ünï jane@x.io ✓"), "ünï [email] ✓");
    }
}
