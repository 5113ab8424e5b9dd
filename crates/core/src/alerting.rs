//! Health status rules and alert bookkeeping (cooldowns, resolve). Pure logic: the client feeds
//! it measurements and sends what it decides.

/// A health check's or the page's status, in order of severity for the overall rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Healthy,
    Degraded,
    Unknown,
    Unhealthy,
}

impl Status {
    pub fn parse(s: &str) -> Status {
        match s {
            "healthy" => Status::Healthy,
            "degraded" => Status::Degraded,
            "unhealthy" => Status::Unhealthy,
            _ => Status::Unknown,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Status::Healthy => "healthy",
            Status::Degraded => "degraded",
            Status::Unknown => "unknown",
            Status::Unhealthy => "unhealthy",
        }
    }
}

/// The overall status of a set of checks: any unhealthy → unhealthy; otherwise any degraded or
/// unknown → degraded; otherwise healthy (no checks at all: unknown). Also the counts per status
/// (healthy, degraded, unhealthy, unknown).
pub fn overall(checks: &[Status]) -> (Status, [u32; 4]) {
    let mut n = [0u32; 4];
    for c in checks {
        let i = match c {
            Status::Healthy => 0,
            Status::Degraded => 1,
            Status::Unhealthy => 2,
            Status::Unknown => 3,
        };
        if let Some(x) = n.get_mut(i) {
            *x += 1;
        }
    }
    let status = if checks.is_empty() {
        Status::Unknown
    } else if n[2] > 0 {
        Status::Unhealthy
    } else if n[1] > 0 || n[3] > 0 {
        Status::Degraded
    } else {
        Status::Healthy
    };
    (status, n)
}

/// An alert rule's verdict on a measurement.
#[derive(Clone, Debug, PartialEq)]
pub struct Breach {
    pub key: &'static str,
    pub severity: &'static str,
    pub title: &'static str,
    /// (measured, threshold)
    pub value: f64,
    pub threshold: f64,
}

/// Requests a window needs before its rates can raise an alert: two failures out of three
/// requests say little.
pub const MIN_REQUESTS: u32 = 10;
/// Request durations the p95 rule needs.
pub const MIN_DURATIONS: u32 = 10;

/// The thresholds of `alerting.thresholds`.
#[derive(Clone, Copy, Debug)]
pub struct Thresholds {
    pub error_rate: f64,
    pub response_time: f64,
    pub availability: f64,
}

/// What the request rules say about the current window and p95.
pub fn request_breaches(t: &Thresholds, requests: u32, error_rate: Option<f64>, availability: Option<f64>, p95: Option<(f64, u32)>) -> Vec<Breach> {
    let mut out = Vec::new();
    if requests >= MIN_REQUESTS {
        if let Some(rate) = error_rate.filter(|r| *r > t.error_rate) {
            out.push(Breach { key: "high_error_rate", severity: "warning", title: "High error rate", value: rate, threshold: t.error_rate });
        }
        if let Some(a) = availability.filter(|a| *a < t.availability) {
            out.push(Breach { key: "low_availability", severity: "critical", title: "Low availability", value: a, threshold: t.availability });
        }
    }
    if let Some((p95, n)) = p95.filter(|(p, n)| *n >= MIN_DURATIONS && *p > t.response_time) {
        let _ = n;
        out.push(Breach { key: "slow_response_time", severity: "warning", title: "Slow responses", value: p95, threshold: t.response_time });
    }
    out
}

/// What the health rule says: an unhealthy overall status is critical.
pub fn health_breach(status: Status) -> Option<Breach> {
    (status == Status::Unhealthy).then_some(Breach { key: "health_unhealthy", severity: "critical", title: "Health check failing", value: 0.0, threshold: 0.0 })
}

/// Alerts by key: which are active, and until when each key is quiet.
#[derive(Clone, Debug, Default)]
pub struct Alerts {
    /// (key, quiet until, active)
    keys: Vec<(String, f64, bool)>,
}

/// Distinct alert keys remembered (the rules have four; custom keys are not expected).
const MAX_KEYS: usize = 32;

impl Alerts {
    /// Whether `key` may fire now; if so it becomes active and quiet for `cooldown` ms.
    pub fn fire(&mut self, key: &str, now: f64, cooldown: f64) -> bool {
        match self.keys.iter_mut().find(|k| k.0 == key) {
            Some(k) if now < k.1 => false,
            Some(k) => {
                (k.1, k.2) = (now + cooldown, true);
                true
            }
            None => {
                if self.keys.len() >= MAX_KEYS {
                    // forget the key that went quiet first
                    if let Some(i) = self.keys.iter().enumerate().min_by(|a, b| a.1 .1.total_cmp(&b.1 .1)).map(|(i, _)| i) {
                        self.keys.remove(i);
                    }
                }
                self.keys.push((key.into(), now + cooldown, true));
                true
            }
        }
    }

    /// Marks `key` resolved and ends its cooldown; false when it was not active.
    pub fn resolve(&mut self, key: &str) -> bool {
        match self.keys.iter_mut().find(|k| k.0 == key) {
            Some(k) => {
                let was = k.2;
                (k.1, k.2) = (f64::NEG_INFINITY, false);
                was
            }
            None => false,
        }
    }

    pub fn active(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().filter(|k| k.2).map(|k| k.0.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    #[test]
    fn overall_status_rules() {
        assert_eq!(overall(&[Healthy, Healthy]), (Healthy, [2, 0, 0, 0]));
        assert_eq!(overall(&[Healthy, Degraded]).0, Degraded);
        assert_eq!(overall(&[Healthy, Unknown]).0, Degraded);
        assert_eq!(overall(&[Degraded, Unhealthy, Unknown]), (Unhealthy, [0, 1, 1, 1]));
        assert_eq!(overall(&[]).0, Unknown);
        assert_eq!(Status::parse("nonsense"), Unknown);
        for s in [Healthy, Degraded, Unknown, Unhealthy] {
            assert_eq!(Status::parse(s.name()), s);
        }
    }

    #[test]
    fn fires_once_per_key_until_the_cooldown_ends_or_it_is_resolved() {
        let mut a = Alerts::default();
        assert!(a.fire("high_error_rate", 0.0, 300_000.0));
        assert!(!a.fire("high_error_rate", 1_000.0, 300_000.0), "within the cooldown");
        assert!(a.fire("low_availability", 1_000.0, 300_000.0), "another key");
        assert!(!a.fire("high_error_rate", 299_999.0, 300_000.0));
        assert!(a.fire("high_error_rate", 300_000.0, 300_000.0), "the cooldown ended");
        assert_eq!(a.active().collect::<Vec<_>>(), ["high_error_rate", "low_availability"]);
        assert!(a.resolve("high_error_rate"));
        assert!(!a.resolve("high_error_rate"), "already resolved");
        assert!(!a.resolve("never_fired"));
        assert_eq!(a.active().collect::<Vec<_>>(), ["low_availability"]);
        assert!(a.fire("high_error_rate", 300_001.0, 300_000.0), "resolving cleared the cooldown");
    }

    #[test]
    fn keys_are_bounded() {
        let mut a = Alerts::default();
        for i in 0..100 {
            assert!(a.fire(&format!("k{i}"), f64::from(i), 1e9));
        }
        assert_eq!(a.keys.len(), MAX_KEYS);
    }

    #[test]
    fn request_rules() {
        let t = Thresholds { error_rate: 0.05, response_time: 2000.0, availability: 0.99 };
        assert!(request_breaches(&t, 100, Some(0.05), Some(0.99), Some((2000.0, 100))).is_empty(), "at the thresholds: fine");
        let keys = |b: Vec<Breach>| b.iter().map(|b| b.key).collect::<Vec<_>>();
        assert_eq!(keys(request_breaches(&t, 100, Some(0.06), Some(0.98), Some((2500.0, 100)))), ["high_error_rate", "low_availability", "slow_response_time"]);
        assert!(request_breaches(&t, 9, Some(1.0), Some(0.0), Some((9000.0, 9))).is_empty(), "too few requests");
        assert_eq!(health_breach(Unhealthy).unwrap().severity, "critical");
        assert_eq!(health_breach(Degraded), None);
    }
}
