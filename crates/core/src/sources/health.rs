//! Health checks: js/health.js runs the built-in checks (storage, memory) and the page's own;
//! the collector check is decided here — healthy without any request when a batch was delivered
//! within the interval, else one light request, at most one per interval (a later run reuses its
//! result). Then the overall status, by the seed's rule.
use std::rc::Rc;

use crate::alerting::{self, Status};
use crate::config::Config;
use crate::event::{Check, Health};
use crate::json;

/// The collector check's last light request: when, ok, message, response time.
type Probe = (f64, bool, String, f64);

#[derive(Default)]
pub struct HealthChecks {
    pub last: Option<Rc<Health>>,
    probe: Option<Probe>,
}

pub fn round4(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

fn seconds(ms: f64) -> String {
    let mut s = String::new();
    json::uint(&mut s, (ms / 1000.0).round().max(0.0) as u64);
    s.push_str(" s ago");
    s
}

impl HealthChecks {
    /// Whether the next run sends the collector check's light request.
    pub fn needs_probe(&self, now: f64, delivered_at: f64, cfg: &Config) -> bool {
        let interval = f64::from(cfg.health_interval_ms.max(1000));
        cfg.health_checks[2] && !(delivered_at > 0.0 && now - delivered_at < interval) && self.probe.as_ref().is_none_or(|p| now - p.0 >= interval)
    }

    /// The report of a run: its checks, the collector's, the overall status and the counts.
    pub fn report(&mut self, probe: Option<(bool, String, f64)>, mut out: Vec<Check>, now: f64, delivered_at: f64, cfg: &Config) -> Rc<Health> {
        let interval = f64::from(cfg.health_interval_ms.max(1000));
        if cfg.health_checks[2] {
            if let Some((ok, message, time)) = probe {
                let message = if ok { String::new() } else { super::text(String::from("unreachable: ") + &message, 200) };
                self.probe = Some((now, ok, message, time));
            }
            let check = if delivered_at > 0.0 && now - delivered_at < interval {
                Check { name: "collector".into(), status: Status::Healthy, response_time: 0.0, message: String::from("delivered ") + &seconds(now - delivered_at) }
            } else {
                match &self.probe {
                    Some((at, ok, message, time)) => {
                        let mut m = message.clone();
                        if *at < now {
                            if !m.is_empty() {
                                m.push_str(", ");
                            }
                            m.push_str("checked ");
                            m.push_str(&seconds(now - at));
                        }
                        Check { name: "collector".into(), status: if *ok { Status::Healthy } else { Status::Unhealthy }, response_time: round4(*time), message: m }
                    }
                    None => Check { name: "collector".into(), status: Status::Unknown, response_time: 0.0, message: "not checked yet".into() },
                }
            };
            // after the other built-ins, before the page's own checks
            let at = usize::from(cfg.health_checks[0]) + usize::from(cfg.health_checks[1]);
            out.insert(at.min(out.len()), check);
        }
        let statuses: Vec<Status> = out.iter().map(|c| c.status).collect();
        let (status, summary) = alerting::overall(&statuses);
        let h = Rc::new(Health { checks: out, status, summary });
        self.last = Some(h.clone());
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> Config {
        crate::testing::config(&[])
    }

    fn check(name: &str, status: &str) -> Check {
        Check { name: name.into(), status: Status::parse(status), response_time: 1.5, message: String::new() }
    }

    #[test]
    fn the_collector_check_probes_at_most_once_per_interval() {
        let (c, mut h) = (cfg(), HealthChecks::default());
        let t = 1_000_000.0;
        assert!(h.needs_probe(t, 0.0, &c));
        assert!(!h.needs_probe(t, t - 1000.0, &c), "a batch was delivered a second ago");
        let r = h.report(Some((false, "Failed to fetch".into(), 12.0)), vec![check("local_storage", "healthy"), check("memory", "degraded"), check("mine", "healthy")], t, 0.0, &c);
        assert_eq!(r.checks.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["local_storage", "memory", "collector", "mine"]);
        assert_eq!(r.checks[2].message, "unreachable: Failed to fetch");
        assert_eq!(r.status, Status::Unhealthy);
        assert_eq!(r.summary, [2, 1, 1, 0]);
        assert!(!h.needs_probe(t + 30_000.0, 0.0, &c));
        let again = h.report(None, vec![], t + 30_000.0, 0.0, &c);
        assert_eq!(again.checks[0].message, "unreachable: Failed to fetch, checked 30 s ago");
        assert!(h.needs_probe(t + 60_000.0, 0.0, &c));
        let delivered = h.report(None, vec![], t + 60_000.0, t + 58_000.0, &c);
        assert_eq!((delivered.checks[0].status, delivered.checks[0].message.as_str()), (Status::Healthy, "delivered 2 s ago"));
    }
}
