//! Performance: the web vitals (rules in [`crate::vitals`]), navigation timing, slow resources
//! with a per-type breakdown, long tasks and long animation frames, from what js/perf.js's
//! observers saw.
use crate::config::Config;
use crate::event::Metric;
use crate::json;
use crate::perf::{self, Breakdown};
use crate::privacy;
use crate::signal::{k, Args, NavTiming};
use crate::sources::net::is_own;
use crate::vitals::{self, Report, Vitals};

/// Longest URL or script name kept in a metric's tags.
const MAX_TAG: usize = 200;

fn nav_type(t: &str) -> &'static str {
    match t {
        "reload" => "reload",
        "back_forward" => "back-forward",
        "prerender" => "prerender",
        "restore" => "restore",
        _ => "navigate",
    }
}

fn clip(mut s: String) -> String {
    json::truncate(&mut s, MAX_TAG);
    s
}

pub struct Perf {
    pub vitals: Vitals,
    pub resources: Breakdown,
    prerendered: bool,
}

/// What one signal made: metrics to send (web vitals carry their rating), and for the aggregates
/// the vitals' values and the page's load time.
#[derive(Default)]
pub struct Made {
    pub metrics: Vec<Metric>,
    pub load_time: Option<f64>,
    /// The page load's phases (ids and origin left for the monitor to set).
    pub load: Option<Box<crate::event::PageLoad>>,
}

impl Default for Perf {
    fn default() -> Perf {
        Perf { vitals: Vitals::new("navigate", 0.0, f64::INFINITY, true), resources: perf::breakdown(), prerendered: false }
    }
}

impl Perf {
    /// One performance signal (its fields as the table declares them).
    pub fn handle(&mut self, kind: u32, a: &impl Args, cfg: &Config, own: &[String]) -> Made {
        let scrub = |u: &str| clip(privacy::scrub_url(u, &cfg.scrub_params));
        let mut made = Made::default();
        let mut reports: Vec<Option<Report>> = Vec::new();
        let v = &mut self.vitals;
        let (s, n) = (|i| a.str(i), |i| a.num(i));
        match kind {
            k::PERF_START => {
                let (nav, activation, hidden_at) = (s(0), n(1), n(2));
                self.prerendered = activation > 0.0;
                *v = Vitals::new(nav_type(&nav), activation, hidden_at, a.bool(3));
            }
            k::FCP => reports.push(v.fcp(n(0))),
            k::LCP => v.lcp(n(0), clip(s(1)), scrub(&s(2))),
            k::LCP_END => reports.push(v.lcp_final()),
            k::SHIFT => v.shift(n(0), n(1), a.bool(2), clip(s(3))),
            k::INTERACTION => v.interaction(n(0), n(1), clip(s(2)), clip(s(3)), n(4)),
            k::FIRST_INPUT => reports.push(v.fid(n(0), n(1), clip(s(2)), clip(s(3)))),
            k::VITALS_HIDDEN => reports.extend(v.hidden(n(0), n(1))),
            k::RESTORE => reports.push(v.restored(n(0))),
            k::RESTORED_PAINT => reports.extend(v.restored_paint(n(0))),
            k::LONG_TASK => made.metrics.push(Metric::new("long_task_duration", n(0)).num("startTime", n(1))),
            k::LONG_FRAME => {
                let script = s(3);
                let script = if json::contains(&script, "://") { scrub(&script) } else { clip(script) };
                made.metrics.push(
                    Metric::new("long_animation_frame", n(0))
                        .num("blockingDuration", n(1))
                        .num("startTime", n(2))
                        .tag("script", script)
                        .tag("scriptFunction", clip(s(4)))
                        .num("scriptDuration", n(5)),
                );
            }
            k::RESOURCE => {
                let (url, initiator, duration, transfer, decoded, blocking) = (s(0), s(1), n(2), n(3), n(4), s(5));
                if is_own(&url, own) {
                    return made;
                }
                let ty = perf::resource_type(&initiator, &url);
                let hit = perf::cache_hit(transfer, decoded);
                if let Some(b) = self.resources.get_mut(ty) {
                    b.count += 1;
                    b.duration += duration;
                    b.bytes += transfer;
                    b.cached += u32::from(hit);
                }
                if duration > f64::from(cfg.slow_resource_ms) {
                    let mut m = Metric::new("resource_load_time", duration)
                        .tag("resource_type", String::from(perf::RESOURCE_TYPES.get(ty).copied().unwrap_or("other")))
                        .tag("resource_url", scrub(&url))
                        .num("resource_size", transfer)
                        .flag("cache_hit", hit);
                    if !blocking.is_empty() {
                        m = m.flag("render_blocking", blocking == "blocking");
                    }
                    made.metrics.push(m);
                }
            }
            k::NAVIGATION => self.navigation(&NavTiming::read(a), &mut made, &mut reports),
            _ => {}
        }
        // the vitals first (as the page reported them: TTFB before the navigation phases)
        let v = &self.vitals;
        let mut first = Vec::new();
        for r in reports.into_iter().flatten() {
            let Some(m) = v.m.get(r.metric) else { continue };
            let (a, b) = match r.metric {
                vitals::LCP => ("element", "resource"),
                vitals::INP | vitals::FID => ("element", "eventType"),
                _ => ("element", ""),
            };
            let mut metric = Metric::new(vitals::NAMES.get(r.metric).copied().unwrap_or(""), r.value).tag("navigationType", String::from(v.nav)).tag(a, m.attr.0.clone());
            if !b.is_empty() {
                metric = metric.tag(b, m.attr.1.clone());
            }
            metric.vital = Some((vitals::rating(r.metric, r.value), r.delta));
            first.push(metric);
        }
        if !first.is_empty() {
            first.append(&mut made.metrics);
            made.metrics = first;
        }
        made
    }

    /// TTFB and the navigation phases, once the page has loaded. Phases the browser did not time
    /// (negative) are left out, the TLS handshake when there was none.
    fn navigation(&mut self, n: &NavTiming, made: &mut Made, reports: &mut Vec<Option<Report>>) {
        if n.response_start.is_nan() || n.response_start <= 0.0 || n.response_start >= n.now {
            return;
        }
        reports.push(self.vitals.ttfb(n.response_start));
        let kind = if self.prerendered { "prerender" } else { n.kind.as_str() };
        let mut phase = |name: &'static str, ms: f64| {
            if ms >= 0.0 {
                made.metrics.push(Metric::new(name, ms).tag("navigation_type", String::from(kind)).tag("protocol", clip(n.protocol.clone())));
            }
        };
        phase("navigation_dns_lookup", n.dns.1 - n.dns.0);
        phase("navigation_tcp_connect", n.connect.1 - n.connect.0);
        if n.secure_start > 0.0 {
            phase("navigation_ssl_handshake", n.connect.1 - n.secure_start);
        }
        phase("navigation_request_response", n.response_end - n.request_start);
        phase("navigation_dom_processing", n.dom_complete - n.response_end);
        if n.load_end > 0.0 {
            phase("navigation_total_load_time", n.load_end);
            made.load_time = Some(n.load_end);
            #[cfg(feature = "otlp")]
            self.page_load(n, kind, made);
        }
    }

    /// The page load's phases, for the OTLP exporter's trace of it.
    #[cfg(feature = "otlp")]
    fn page_load(&self, n: &NavTiming, kind: &str, made: &mut Made) {
        let mut phases = vec![("documentLoad", 0.0, n.load_end)];
        for (name, start, end) in [
            ("domainLookup", n.dns.0, n.dns.1),
            ("connect", n.connect.0, n.connect.1),
            ("request", n.request_start, n.response_start),
            ("response", n.response_start, n.response_end),
            ("domProcessing", n.response_end, n.dom_complete),
        ] {
            if start > 0.0 && end >= start {
                phases.push((name, start, end));
            }
        }
        made.load = Some(Box::new(crate::event::PageLoad { trace_id: (0, 0), span_id: 0, origin: n.now, kind: String::from(kind), phases }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Tag;
    use crate::testing::{n, s, Vals};

    fn cfg() -> Config {
        crate::testing::config(&[])
    }

    fn names(m: &Made) -> Vec<&str> {
        m.metrics.iter().map(|m| m.name).collect()
    }

    #[test]
    fn navigation_timing_gives_ttfb_and_the_phases() {
        let mut p = Perf::default();
        let nav = |now| Vals(vec![s("reload"), s("h2"), n(40.0), n(1.0), n(3.0), n(3.0), n(10.0), n(0.0), n(12.0), n(50.0), n(300.0), n(320.0), n(now)]);
        let made = p.handle(k::NAVIGATION, &nav(1000.0), &cfg(), &[]);
        assert_eq!(names(&made), ["web_vitals_ttfb", "navigation_dns_lookup", "navigation_tcp_connect", "navigation_request_response", "navigation_dom_processing", "navigation_total_load_time"]);
        assert_eq!(made.load_time, Some(320.0));
        assert_eq!(made.metrics[1].tags, vec![("navigation_type", Tag::Str("reload".into())), ("protocol", Tag::Str("h2".into()))]);
        let ttfb = &made.metrics[0];
        assert_eq!((ttfb.value, ttfb.vital), (40.0, Some(("good", 40.0))));
        // a page still loading (responseStart in the future) reports nothing
        let early = p.handle(k::NAVIGATION, &nav(10.0), &cfg(), &[]);
        assert!(early.metrics.is_empty());
    }

    #[test]
    fn slow_resources_are_metrics_and_every_resource_counts_except_ours() {
        let mut p = Perf::default();
        let res = |url: &'static str, d: f64| Vals(vec![s(url), s("script"), n(d), n(0.0), n(10.0), s("blocking")]);
        assert!(p.handle(k::RESOURCE, &res("https://a/x.js", 10.0), &cfg(), &[]).metrics.is_empty());
        let slow = p.handle(k::RESOURCE, &res("https://a/y.js?token=abc", 1500.0), &cfg(), &[]);
        assert_eq!(names(&slow), ["resource_load_time"]);
        assert!(slow.metrics[0].tags.contains(&("resource_url", Tag::Str("https://a/y.js?token=[Filtered]".into()))));
        assert!(slow.metrics[0].tags.contains(&("cache_hit", Tag::Bool(true))));
        p.handle(k::RESOURCE, &res("https://c/api/metrics", 1500.0), &cfg(), &[String::from("https://c/api/metrics")]);
        assert_eq!(p.resources[0].count, 2);
        assert_eq!(p.resources[0].cached, 2);
    }
}
