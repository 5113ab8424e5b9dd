//! Core Web Vitals as Google's web-vitals library (v5/v6) defines them, plus FID as v4 did.
//!
//! Pure state: js/perf.js feeds it the entries its PerformanceObservers see and the page's
//! visibility and back/forward-cache events; each `report` that returns `Some` is one value to send.
//! Reporting follows web-vitals with `reportAllChanges: false`: FCP, TTFB and FID when known, LCP at
//! the first input or when hidden, CLS and INP when hidden. A value is sent again only if it changed
//! (its `delta` is the change), and after a back/forward-cache restore every metric starts over.

pub const LCP: usize = 0;
pub const FCP: usize = 1;
pub const CLS: usize = 2;
pub const INP: usize = 3;
pub const TTFB: usize = 4;
pub const FID: usize = 5;

pub const NAMES: [&str; 6] = ["web_vitals_lcp", "web_vitals_fcp", "web_vitals_cls", "web_vitals_inp", "web_vitals_ttfb", "web_vitals_fid"];
/// (good up to, poor above) per metric, as web-vitals rates them.
const THRESHOLDS: [(f64, f64); 6] = [(2500.0, 4000.0), (1800.0, 3000.0), (0.1, 0.25), (200.0, 500.0), (800.0, 1800.0), (100.0, 300.0)];
/// INP looks at this many of the longest interactions.
const MAX_INTERACTIONS: usize = 10;

pub fn rating(metric: usize, value: f64) -> &'static str {
    let (good, poor) = THRESHOLDS.get(metric).copied().unwrap_or((0.0, 0.0));
    if value > poor {
        "poor"
    } else if value > good {
        "needs-improvement"
    } else {
        "good"
    }
}

/// One metric of the current page (the load, or a back/forward-cache restore).
#[derive(Default, Clone)]
pub struct Metric {
    /// -1 while unknown
    pub value: f64,
    /// the value last reported, if any
    prev: Option<f64>,
    /// attribution: (element selector or event target, resource URL or event type)
    pub attr: (String, String),
}

impl Metric {
    fn new(value: f64) -> Metric {
        Metric { value, ..Metric::default() }
    }
}

struct Interaction {
    id: f64,
    latency: f64,
    target: String,
    kind: String,
}

/// A value to send: `delta` is the change since this metric's previous report.
#[derive(Debug, PartialEq)]
pub struct Report {
    pub metric: usize,
    pub value: f64,
    pub delta: f64,
}

pub struct Vitals {
    /// web-vitals' `navigationType`: navigate, reload, back-forward, back-forward-cache, prerender, restore
    pub nav: &'static str,
    /// `activationStart` of a prerendered page (0 otherwise); load metrics count from it
    activation: f64,
    /// when the page was first hidden (infinite while it never was): paints after it do not count
    hidden_at: f64,
    pub m: [Metric; 6],
    lcp_final: bool,
    /// CLS is reported only once FCP was (web-vitals starts observing shifts at FCP)
    fcp_seen: bool,
    /// the current session window of layout shifts: (sum, first start, last start, largest shift, its source)
    window: (f64, f64, f64, f64, String),
    interactions: Vec<Interaction>,
    /// `performance.interactionCount` when this page started (non-zero after a restore)
    count_base: f64,
}

impl Vitals {
    /// `shifts`: the browser reports layout shifts; without them there is no CLS (as in web-vitals),
    /// rather than a CLS of 0.
    pub fn new(nav: &'static str, activation: f64, hidden_at: f64, shifts: bool) -> Vitals {
        Vitals {
            nav,
            activation,
            hidden_at,
            m: [Metric::new(-1.0), Metric::new(-1.0), Metric::new(if shifts { 0.0 } else { -1.0 }), Metric::new(-1.0), Metric::new(-1.0), Metric::new(-1.0)],
            lcp_final: false,
            fcp_seen: false,
            window: (0.0, 0.0, 0.0, 0.0, String::new()),
            interactions: Vec::new(),
            count_base: 0.0,
        }
    }

    /// Reports `metric` if it has a value that was not reported yet (web-vitals' `report(true)`).
    pub fn report(&mut self, metric: usize) -> Option<Report> {
        if metric == CLS && !self.fcp_seen {
            return None;
        }
        let m = self.m.get_mut(metric)?;
        if m.value < 0.0 {
            return None;
        }
        let delta = m.value - m.prev.unwrap_or(0.0);
        if delta == 0.0 && m.prev.is_some() {
            return None;
        }
        m.prev = Some(m.value);
        Some(Report { metric, value: m.value, delta })
    }

    /// A `first-contentful-paint` entry.
    pub fn fcp(&mut self, start: f64) -> Option<Report> {
        if start >= self.hidden_at || self.m[FCP].value >= 0.0 {
            return None;
        }
        self.m[FCP].value = (start - self.activation).max(0.0);
        self.fcp_seen = true;
        self.report(FCP)
    }

    /// A `largest-contentful-paint` entry (the newest candidate wins).
    pub fn lcp(&mut self, start: f64, element: String, url: String) {
        if !self.lcp_final && start < self.hidden_at {
            let m = &mut self.m[LCP];
            m.value = (start - self.activation).max(0.0);
            m.attr = (element, url);
        }
    }

    /// The first trusted keydown or click, or the page hid: the LCP candidate is final.
    pub fn lcp_final(&mut self) -> Option<Report> {
        if self.lcp_final {
            return None;
        }
        self.lcp_final = true;
        self.report(LCP)
    }

    /// A `layout-shift` entry. Shifts less than 1 s apart, in a window of at most 5 s, add up; CLS is
    /// the largest window. Shifts right after input are expected and do not count.
    pub fn shift(&mut self, value: f64, start: f64, recent_input: bool, source: String) {
        if recent_input {
            return;
        }
        let w = &mut self.window;
        if w.0 > 0.0 && start - w.2 < 1000.0 && start - w.1 < 5000.0 {
            w.0 += value;
            w.2 = start;
            if value > w.3 {
                w.3 = value;
                w.4 = source;
            }
        } else {
            *w = (value, start, start, value, source);
        }
        let cls = &mut self.m[CLS];
        if w.0 > cls.value {
            cls.value = w.0;
            cls.attr.0 = w.4.clone();
        }
    }

    /// An `event` or `first-input` entry of an interaction; `count` is `performance.interactionCount`.
    /// Keeps the [`MAX_INTERACTIONS`] longest interactions (by their longest entry) and sets INP to
    /// the 98th percentile estimate: the longest, skipping one per 50 interactions.
    pub fn interaction(&mut self, id: f64, duration: f64, target: String, kind: String, count: f64) {
        if id <= 0.0 {
            return;
        }
        let list = &mut self.interactions;
        let shortest = list.last().map_or(0.0, |i| i.latency);
        let at = match list.iter().position(|i| i.id == id) {
            Some(at) if duration > list.get(at).map_or(0.0, |i| i.latency) => at,
            Some(_) => return,
            None if list.len() < MAX_INTERACTIONS || duration > shortest => list.len(),
            None => return,
        };
        if at < list.len() {
            list.remove(at);
        }
        // longest first; a new entry goes after those at least as long (as a stable sort puts it)
        let to = list.iter().position(|i| i.latency < duration).unwrap_or(list.len());
        list.insert(to, Interaction { id, latency: duration, target, kind });
        list.truncate(MAX_INTERACTIONS);
        self.update_inp(count);
    }

    fn update_inp(&mut self, count: f64) {
        let n = (count - self.count_base).max(0.0);
        let idx = ((n / 50.0) as usize).min(self.interactions.len().saturating_sub(1));
        let (latency, attr) = match self.interactions.get(idx) {
            Some(i) => (i.latency, (i.target.clone(), i.kind.clone())),
            // after a restore, interactions that all stayed under the observer's threshold
            None if n > 0.0 && self.nav == "back-forward-cache" => (8.0, Default::default()),
            None => return,
        };
        let inp = &mut self.m[INP];
        if latency != inp.value {
            inp.value = latency;
            inp.attr = attr;
        }
    }

    /// The navigation's `responseStart`.
    pub fn ttfb(&mut self, response_start: f64) -> Option<Report> {
        self.m[TTFB].value = (response_start - self.activation).max(0.0);
        self.report(TTFB)
    }

    /// The `first-input` entry: its delay until handlers ran.
    pub fn fid(&mut self, start: f64, processing_start: f64, target: String, kind: String) -> Option<Report> {
        if start >= self.hidden_at || self.m[FID].value >= 0.0 {
            return None;
        }
        self.m[FID] = Metric { value: processing_start - start, prev: None, attr: (target, kind) };
        self.report(FID)
    }

    /// The page became hidden at `at` (a `visibilitychange` event's timeStamp): LCP is final, and
    /// CLS and INP are reported as they stand.
    pub fn hidden(&mut self, at: f64, count: f64) -> [Option<Report>; 3] {
        if self.hidden_at.is_infinite() {
            self.hidden_at = at;
        }
        self.update_inp(count);
        [self.lcp_final(), self.report(CLS), self.report(INP)]
    }

    /// The page came back from the back/forward cache: every metric starts over for the restored
    /// page. TTFB is 0 by definition and reported at once; `count` is `performance.interactionCount`.
    pub fn restored(&mut self, count: f64) -> Option<Report> {
        let fcp_seen = self.fcp_seen;
        *self = Vitals::new("back-forward-cache", 0.0, f64::INFINITY, self.m[CLS].value >= 0.0);
        self.fcp_seen = fcp_seen;
        self.count_base = count;
        self.ttfb(0.0)
    }

    /// Two frames after a restore: FCP and LCP of the restored page are the time it took to paint.
    pub fn restored_paint(&mut self, value: f64) -> [Option<Report>; 2] {
        if self.nav != "back-forward-cache" || self.m[FCP].value >= 0.0 {
            return [None, None];
        }
        self.m[FCP].value = value;
        self.m[LCP].value = value;
        self.lcp_final = true;
        [self.report(FCP), self.report(LCP)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v() -> Vitals {
        Vitals::new("navigate", 0.0, f64::INFINITY, true)
    }

    fn vals(r: &[Option<Report>]) -> Vec<(usize, f64, f64)> {
        r.iter().flatten().map(|r| (r.metric, r.value, r.delta)).collect()
    }

    #[test]
    fn ratings_use_the_web_vitals_thresholds() {
        assert_eq!(rating(LCP, 2500.0), "good");
        assert_eq!(rating(LCP, 2500.1), "needs-improvement");
        assert_eq!(rating(LCP, 4000.1), "poor");
        assert_eq!(rating(CLS, 0.1), "good");
        assert_eq!(rating(CLS, 0.25), "needs-improvement");
        assert_eq!(rating(CLS, 0.26), "poor");
        assert_eq!(rating(INP, 200.0), "good");
        assert_eq!(rating(INP, 501.0), "poor");
        assert_eq!(rating(FID, 100.0), "good");
        assert_eq!(rating(TTFB, 801.0), "needs-improvement");
        assert_eq!(rating(FCP, 3000.5), "poor");
    }

    #[test]
    fn fcp_counts_from_activation_and_not_after_hiding() {
        let mut p = Vitals::new("prerender", 500.0, f64::INFINITY, true);
        assert_eq!(p.fcp(400.0), Some(Report { metric: FCP, value: 0.0, delta: 0.0 }));
        let mut p = Vitals::new("prerender", 500.0, f64::INFINITY, true);
        assert_eq!(p.fcp(900.0).map(|r| r.value), Some(400.0));
        // reported once
        assert_eq!(p.fcp(950.0), None);
        // a page that started hidden never reports FCP or LCP
        let mut h = Vitals::new("navigate", 0.0, 0.0, true);
        assert_eq!(h.fcp(100.0), None);
        h.lcp(100.0, String::new(), String::new());
        assert_eq!(h.lcp_final(), None);
    }

    #[test]
    fn lcp_takes_the_newest_candidate_until_input_or_hiding() {
        let mut p = v();
        p.lcp(300.0, "h1".into(), String::new());
        p.lcp(800.0, "img#hero".into(), "http://x/hero.png".into());
        let r = p.lcp_final().unwrap();
        assert_eq!((r.value, r.delta), (800.0, 800.0));
        assert_eq!(p.m[LCP].attr.0, "img#hero");
        // later candidates and finals change nothing
        p.lcp(1500.0, "div".into(), String::new());
        assert_eq!(p.lcp_final(), None);
        assert_eq!(vals(&p.hidden(2000.0, 0.0)), vec![]);
        // a candidate painted after the page hid is ignored
        let mut q = v();
        q.lcp(300.0, "h1".into(), String::new());
        q.hidden_at = 400.0;
        q.lcp(500.0, "img".into(), String::new());
        assert_eq!(q.lcp_final().map(|r| r.value), Some(300.0));
    }

    #[test]
    fn cls_is_the_largest_session_window() {
        let mut p = v();
        p.fcp(100.0);
        // window 1: 0.1 + 0.05 (500 ms apart)
        p.shift(0.1, 1000.0, false, "div.a".into());
        p.shift(0.05, 1500.0, false, "div.b".into());
        // input-driven shift ignored
        p.shift(0.5, 1600.0, true, "div.c".into());
        // a gap of over 1 s starts window 2: 0.08 + 0.09 + 0.03 = 0.2 > 0.15
        p.shift(0.08, 3000.0, false, "p".into());
        p.shift(0.09, 3900.0, false, "img".into());
        p.shift(0.03, 4800.0, false, "span".into());
        let r = p.report(CLS).unwrap();
        assert!((r.value - 0.2).abs() < 1e-12, "{}", r.value);
        assert_eq!(p.m[CLS].attr.0, "img");
        // windows close after 5 s even when shifts keep coming
        let mut q = v();
        q.fcp(1.0);
        for i in 0..12 {
            q.shift(0.01, 10_000.0 + f64::from(i) * 900.0, false, String::new());
        }
        // 10000..14500 holds 6 shifts (the 7th at 15400 is 5400 ms after the first)
        assert!((q.m[CLS].value - 0.06).abs() < 1e-12, "{}", q.m[CLS].value);
    }

    #[test]
    fn without_layout_shifts_there_is_no_cls() {
        // Firefox and WebKit have no layout-shift entries: web-vitals reports no CLS there
        let mut p = Vitals::new("navigate", 0.0, f64::INFINITY, false);
        p.fcp(100.0);
        assert!(p.hidden(3000.0, 0.0).iter().all(|r| r.as_ref().is_none_or(|r| r.metric != CLS)));
        assert!(p.restored(0.0).is_some());
        assert_eq!(p.report(CLS), None, "and none after a restore either");
    }

    #[test]
    fn cls_waits_for_fcp_and_reports_changes_only() {
        let mut p = v();
        p.shift(0.2, 100.0, false, String::new());
        assert_eq!(vals(&p.hidden(200.0, 0.0)), vec![]);
        let mut p = v();
        p.fcp(50.0);
        assert_eq!(p.report(CLS).map(|r| r.value), Some(0.0));
        assert_eq!(p.report(CLS), None);
        p.shift(0.2, 100.0, false, String::new());
        let r = p.report(CLS).unwrap();
        assert_eq!((r.value, r.delta), (0.2, 0.2));
    }

    #[test]
    fn inp_is_the_longest_interaction_skipping_one_per_fifty() {
        let mut p = v();
        // entries of one interaction: the longest counts
        p.interaction(1.0, 48.0, "button#a".into(), "pointerdown".into(), 1.0);
        p.interaction(1.0, 312.0, "button#a".into(), "click".into(), 1.0);
        p.interaction(1.0, 104.0, "button#a".into(), "pointerup".into(), 1.0);
        assert_eq!(p.m[INP].value, 312.0);
        assert_eq!(p.m[INP].attr, ("button#a".into(), "click".into()));
        // entries without an interaction id are not interactions
        p.interaction(0.0, 900.0, String::new(), "mousemove".into(), 1.0);
        assert_eq!(p.m[INP].value, 312.0);
        // 120 interactions: skip 2 of the longest
        let mut q = v();
        for i in 0..120 {
            q.interaction(f64::from(i + 1), f64::from(i) * 8.0, String::new(), "click".into(), f64::from(i + 1));
        }
        assert_eq!(q.interactions.len(), MAX_INTERACTIONS);
        assert_eq!(q.m[INP].value, 117.0 * 8.0);
        let h = q.hidden(1.0, 120.0);
        assert_eq!(vals(&h), vec![(INP, 936.0, 936.0)]);
    }

    #[test]
    fn ttfb_and_fid() {
        let mut p = Vitals::new("prerender", 200.0, f64::INFINITY, true);
        assert_eq!(p.ttfb(150.0).map(|r| r.value), Some(0.0));
        let mut p = v();
        assert_eq!(p.ttfb(312.5).map(|r| r.value), Some(312.5));
        let r = p.fid(1000.0, 1016.5, "button".into(), "mousedown".into()).unwrap();
        assert_eq!(r.value, 16.5);
        assert_eq!(p.fid(2000.0, 2100.0, String::new(), String::new()), None);
    }

    #[test]
    fn hiding_reports_what_changed_since_the_last_report() {
        let mut p = v();
        p.fcp(100.0);
        p.lcp(400.0, "img".into(), String::new());
        p.shift(0.05, 500.0, false, String::new());
        p.interaction(3.0, 80.0, String::new(), "keydown".into(), 1.0);
        let first = vals(&p.hidden(1000.0, 1.0));
        assert_eq!(first, vec![(LCP, 400.0, 400.0), (CLS, 0.05, 0.05), (INP, 80.0, 80.0)]);
        // shown again: a new interaction and a new shift window; hidden again reports deltas
        p.interaction(4.0, 240.0, String::new(), "click".into(), 2.0);
        p.shift(0.07, 9000.0, false, String::new());
        let again = vals(&p.hidden(10_000.0, 2.0));
        assert_eq!(again.len(), 2);
        assert_eq!(again[0].0, CLS);
        assert!((again[0].1 - 0.07).abs() < 1e-12 && (again[0].2 - 0.02).abs() < 1e-12);
        assert_eq!(again[1], (INP, 240.0, 160.0));
        // the first hidden time stays
        assert_eq!(p.hidden_at, 1000.0);
        assert_eq!(vals(&p.hidden(20_000.0, 2.0)), vec![]);
    }

    #[test]
    fn a_restore_starts_every_metric_over() {
        let mut p = v();
        p.fcp(100.0);
        p.lcp(400.0, "img".into(), String::new());
        p.shift(0.3, 500.0, false, String::new());
        p.interaction(3.0, 300.0, String::new(), "click".into(), 1.0);
        p.hidden(1000.0, 1.0);
        let ttfb = p.restored(5.0).unwrap();
        assert_eq!((ttfb.metric, ttfb.value, ttfb.delta), (TTFB, 0.0, 0.0));
        assert_eq!(p.nav, "back-forward-cache");
        let paint = vals(&p.restored_paint(16.7));
        assert_eq!(paint, vec![(FCP, 16.7, 16.7), (LCP, 16.7, 16.7)]);
        assert_eq!(vals(&p.restored_paint(20.0)), vec![]);
        // CLS starts at 0 and INP needs a new interaction; interactions under the threshold give 8 ms
        assert_eq!(vals(&p.hidden(3000.0, 5.0)), vec![(CLS, 0.0, 0.0)]);
        let mut q = v();
        q.fcp(1.0);
        q.restored(2.0);
        assert_eq!(vals(&q.hidden(100.0, 3.0)), vec![(CLS, 0.0, 0.0), (INP, 8.0, 8.0)]);
    }
}
