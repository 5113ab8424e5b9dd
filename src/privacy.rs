//! Scrubbing applied before anything is queued: secret-looking URL parameters.

/// Parameter-name fragments that mark a value as secret (matched case-insensitively, as substrings).
const SECRET_PARAMS: &[&str] = &["token", "password", "passwd", "secret", "auth", "key", "code", "session", "email", "signature", "sig"];
pub const FILTERED: &str = "[Filtered]";

/// Replaces values of secret-looking query and fragment parameters with `[Filtered]`.
/// `extra` holds additional lower-case name fragments from `privacy.scrubParams`.
pub fn scrub_url(url: &str, extra: &[String]) -> String {
    let Some(q) = url.bytes().position(|b| b == b'?' || b == b'#') else { return String::from(url) };
    let mut out = String::with_capacity(url.len());
    out.push_str(url.get(..q).unwrap_or(""));
    let mut rest = url.get(q..).unwrap_or("");
    // `rest` always starts at a separator (`?`, `#`, `&`, `;`): ASCII, one byte
    while let Some(&sep) = rest.as_bytes().first() {
        out.push(sep as char);
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

fn is_secret(name: &str, extra: &[String]) -> bool {
    let lower = name.to_ascii_lowercase();
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
}
