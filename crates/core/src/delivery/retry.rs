//! What to do with a transport result: done, retry later (with backoff or `Retry-After`), or give up.
use crate::json::days_from_civil;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Sent,
    /// Retry; the server's `Retry-After` in ms when it gave one.
    Retry(Option<u64>),
    /// The collector refused the batch for good (400, 413, ...): count it as dropped.
    Reject,
}

pub const BASE_DELAY_MS: f64 = 1000.0;
pub const MAX_DELAY_MS: f64 = 60_000.0;
/// A `Retry-After` longer than this is capped: the page may live long, but not that long.
pub const MAX_RETRY_AFTER_MS: u64 = 3_600_000;

/// Classifies an HTTP status (0 = network error) and its `Retry-After` header. OTLP's collectors
/// ask for a retry with 429, 502, 503 and 504 only; any other status refuses the batch for good.
pub fn classify(status: u16, retry_after: Option<&str>, now_ms: u64, otlp: bool) -> Verdict {
    match status {
        200..=299 => Verdict::Sent,
        408 | 500 | 501 | 505..=599 if otlp => Verdict::Reject,
        0 | 408 | 429 | 500..=599 => {
            Verdict::Retry(retry_after.and_then(|v| parse_retry_after(v, now_ms)).map(|ms| ms.min(MAX_RETRY_AFTER_MS)))
        }
        _ => Verdict::Reject,
    }
}

/// Delay before retry number `attempt` (1-based): exponential from 1 s, capped at 60 s, with
/// "equal jitter" (half fixed, half random) so many tabs do not retry in lockstep.
/// A server-given `Retry-After` is a lower bound: we never come back earlier.
pub fn delay_ms(attempt: u32, retry_after: Option<u64>, rand01: f64) -> u64 {
    let exp = BASE_DELAY_MS * f64::from(1u32 << attempt.saturating_sub(1).min(16));
    let capped = exp.min(MAX_DELAY_MS);
    let jittered = capped * 0.5 + capped * 0.5 * rand01.clamp(0.0, 1.0);
    match retry_after {
        Some(ra) => ra + (jittered * 0.1) as u64,
        None => jittered as u64,
    }
}

/// `Retry-After`: delta-seconds, or an IMF-fixdate (`Wed, 21 Oct 2015 07:28:00 GMT`, the one
/// date form senders must use; its fields sit at fixed places).
pub fn parse_retry_after(v: &str, now_ms: u64) -> Option<u64> {
    let v = v.trim_ascii();
    if let Some(secs) = crate::json::num(v) {
        return Some(secs.saturating_mul(1000));
    }
    let b = v.as_bytes();
    if b.len() != 29 || b.get(3) != Some(&b',') || b.get(19) != Some(&b':') || b.get(22) != Some(&b':') || !v.ends_with(" GMT") {
        return None;
    }
    let field = |from: usize, to: usize| v.get(from..to).and_then(crate::json::num);
    let month = v.get(8..11).and_then(|m| (0..12).find(|i| MONTHS.get(i * 3..i * 3 + 3) == Some(m)))?;
    let (day, year, h, m, s) = (field(5, 7)?, field(12, 16)?, field(17, 19)?, field(20, 22)?, field(23, 25)?);
    if day == 0 || day > 31 || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let days = days_from_civil(year as i64, month as u32 + 1, day as u32);
    let at_ms = (days * 86_400 + (h * 3600 + m * 60 + s) as i64) * 1000;
    Some((at_ms - now_ms as i64).max(0) as u64)
}

const MONTHS: &str = "JanFebMarAprMayJunJulAugSepOctNovDec";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        assert_eq!(classify(200, None, 0, false), Verdict::Sent);
        assert_eq!(classify(204, None, 0, false), Verdict::Sent);
        assert_eq!(classify(0, None, 0, false), Verdict::Retry(None));
        assert_eq!(classify(408, None, 0, false), Verdict::Retry(None));
        assert_eq!(classify(429, Some("3"), 0, false), Verdict::Retry(Some(3000)));
        assert_eq!(classify(503, Some("junk"), 0, false), Verdict::Retry(None));
        assert_eq!(classify(500, Some("999999"), 0, false), Verdict::Retry(Some(MAX_RETRY_AFTER_MS)));
        assert_eq!(classify(400, None, 0, false), Verdict::Reject);
        assert_eq!(classify(413, None, 0, false), Verdict::Reject);
        assert_eq!(classify(301, None, 0, false), Verdict::Reject);
        // OTLP: 429, 502, 503, 504 and network errors only; 400 never
        for (status, verdict) in [(0, Verdict::Retry(Some(2000))), (429, Verdict::Retry(Some(2000))), (502, Verdict::Retry(Some(2000))), (503, Verdict::Retry(Some(2000))), (504, Verdict::Retry(Some(2000)))] {
            assert_eq!(classify(status, Some("2"), 0, true), verdict);
        }
        for status in [400, 401, 404, 408, 413, 415, 500, 501, 505] {
            assert_eq!(classify(status, Some("2"), 0, true), Verdict::Reject, "{status}");
        }
    }

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        assert_eq!(delay_ms(1, None, 0.0), 500);
        assert_eq!(delay_ms(1, None, 1.0), 1000);
        assert_eq!(delay_ms(2, None, 1.0), 2000);
        assert_eq!(delay_ms(3, None, 0.5), 3000);
        assert_eq!(delay_ms(10, None, 1.0), 60_000);
        assert_eq!(delay_ms(60, None, 0.0), 30_000);
        for a in 1..20 {
            for r in [0.0, 0.3, 0.99] {
                let d = delay_ms(a, None, r);
                assert!(d >= delay_ms(a, None, 0.0) && d <= delay_ms(a, None, 1.0));
            }
        }
    }

    #[test]
    fn retry_after_is_a_floor() {
        for a in 1..10 {
            assert!(delay_ms(a, Some(2000), 0.0) >= 2000);
            assert!(delay_ms(a, Some(2000), 1.0) >= 2000);
        }
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("120", 0), Some(120_000));
        assert_eq!(parse_retry_after(" 0 ", 0), Some(0));
        // 2015-10-21T07:28:00Z is 1445412480 s
        let now = 1_445_412_470_000;
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now), Some(10_000));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now + 60_000), Some(0));
        assert_eq!(parse_retry_after("Wed, 21 Foo 2015 07:28:00 GMT", now), None);
        assert_eq!(parse_retry_after("Thu, 31 Dec 2026 23:59:59 GMT", 0), Some(1_798_761_599_000));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 UTC", now), None);
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07-28-00 GMT", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }
}
