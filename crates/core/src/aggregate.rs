//! Fixed-memory aggregates behind `snapshot()` and the alert rules: a quantile sketch (DDSketch),
//! a sliding window of request outcomes, and a bounded top-k of errors. Pure logic.

/// Relative accuracy of [`Sketch`] quantiles: every estimate is within 1 % of a value of the data.
pub const ACCURACY: f64 = 0.01;
/// `(1 + α) / (1 − α)`, the ratio between bucket bounds.
const GAMMA: f64 = (1.0 + ACCURACY) / (1.0 - ACCURACY);
/// Values at or below this count as zero (a CLS under 0.0001, a duration under 0.1 µs).
const MIN_VALUE: f64 = 1e-4;
/// Buckets above [`MIN_VALUE`]: up to about 6 × 10^13 (ms: two thousand years); anything larger
/// lands in the top bucket. They are allocated only up to the largest value seen.
pub const MAX_BUCKETS: usize = 2048;

fn ln(x: f64) -> f64 {
    (crate::host::get().ln)(x)
}
fn exp(x: f64) -> f64 {
    (crate::host::get().exp)(x)
}

/// DDSketch (Masson, Rim, Lee, VLDB 2019) over non-negative values: logarithmic buckets, so any
/// quantile is answered within [`ACCURACY`] relative error, in at most [`MAX_BUCKETS`] counters;
/// values can be removed again (a web vital reported anew replaces its previous value).
#[derive(Clone, Debug, Default)]
pub struct Sketch {
    /// Counts of buckets 0, 1, ... (bucket `i` holds values in `(MIN_VALUE·γ^(i−1), MIN_VALUE·γ^i]`)
    counts: Vec<u32>,
    zeros: u32,
    count: u32,
    sum: f64,
    min: f64,
    max: f64,
}

impl Sketch {
    pub fn new() -> Sketch {
        Sketch::default()
    }

    /// Bucket of `v` (> MIN_VALUE), counted from MIN_VALUE's: `ceil(log_γ(v / MIN_VALUE))`.
    fn index(v: f64) -> usize {
        ((ln(v / MIN_VALUE) / ln(GAMMA)).ceil().max(0.0) as usize).min(MAX_BUCKETS - 1)
    }

    pub fn count(&self) -> u32 {
        self.count
    }

    /// Exact: the sum and count are kept beside the buckets.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum / f64::from(self.count))
    }

    pub fn add(&mut self, v: f64) {
        if v.is_nan() || v < 0.0 || !v.is_finite() {
            return; // NaN, negative or infinite: not a duration or a score
        }
        if self.count == 0 {
            (self.min, self.max) = (v, v);
        } else {
            self.min = self.min.min(v);
            self.max = self.max.max(v);
        }
        self.count += 1;
        self.sum += v;
        if v <= MIN_VALUE {
            self.zeros += 1;
            return;
        }
        let i = Sketch::index(v);
        if i >= self.counts.len() {
            self.counts.resize(i + 1, 0);
        }
        if let Some(c) = self.counts.get_mut(i) {
            *c += 1;
        }
    }

    /// Takes back one `v` added earlier (its bucket is found the same way).
    pub fn remove(&mut self, v: f64) {
        if v.is_nan() || v < 0.0 || !v.is_finite() || self.count == 0 {
            return;
        }
        let bucket = if v <= MIN_VALUE { Some(&mut self.zeros) } else { self.counts.get_mut(Sketch::index(v)) };
        if let Some(c) = bucket.filter(|c| **c > 0) {
            *c -= 1;
            self.count -= 1;
            self.sum -= v;
        }
    }

    /// The `q` quantile (0..=1) within 1 %, as the rank-based definition of the paper: the value
    /// of rank `floor(q × (count − 1))`, 0-based.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let rank = (q.clamp(0.0, 1.0) * f64::from(self.count - 1)).floor() as u64;
        if rank < u64::from(self.zeros) {
            return Some(0.0);
        }
        let mut seen = u64::from(self.zeros);
        for (k, c) in self.counts.iter().enumerate() {
            seen += u64::from(*c);
            if seen > rank {
                // the bucket's value with the smallest relative error to anything in it, kept
                // within what was actually seen
                let v = MIN_VALUE * 2.0 * exp(k as f64 * ln(GAMMA)) / (GAMMA + 1.0);
                return Some(v.clamp(self.min, self.max));
            }
        }
        Some(self.max)
    }
}

/// Request outcomes over the last [`WINDOW_MS`], in [`BUCKETS`] slots of equal length.
#[derive(Clone, Debug, Default)]
pub struct Window {
    /// (slot number, requests, failed, unavailable)
    slots: Vec<(u64, u32, u32, u32)>,
}

pub const WINDOW_MS: f64 = 300_000.0;
const BUCKETS: usize = 30;
const SLOT_MS: f64 = WINDOW_MS / BUCKETS as f64;

/// What a [`Window`] holds now.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Totals {
    pub requests: u32,
    /// Any failure: network error or an HTTP error status.
    pub failed: u32,
    /// Failures of the service: network error or 5xx.
    pub unavailable: u32,
}

impl Totals {
    /// Failed share of requests; `None` without requests.
    pub fn error_rate(&self) -> Option<f64> {
        (self.requests > 0).then(|| f64::from(self.failed) / f64::from(self.requests))
    }

    /// Share of requests the service answered (not a network error, not 5xx); `None` without requests.
    pub fn availability(&self) -> Option<f64> {
        (self.requests > 0).then(|| 1.0 - f64::from(self.unavailable) / f64::from(self.requests))
    }
}

impl Window {
    pub fn add(&mut self, now: f64, failed: bool, unavailable: bool) {
        let slot = (now.max(0.0) / SLOT_MS) as u64;
        let (f, u) = (u32::from(failed), u32::from(unavailable));
        match self.slots.iter_mut().find(|s| s.0 == slot) {
            Some(s) => {
                s.1 += 1;
                s.2 += f;
                s.3 += u;
            }
            None => {
                // reuse the oldest slot once all are taken: it is out of the window by then
                if self.slots.len() >= BUCKETS {
                    if let Some(oldest) = self.slots.iter_mut().min_by_key(|s| s.0) {
                        *oldest = (slot, 1, f, u);
                    }
                } else {
                    self.slots.push((slot, 1, f, u));
                }
            }
        }
    }

    pub fn totals(&self, now: f64) -> Totals {
        let current = (now.max(0.0) / SLOT_MS) as u64;
        let mut t = Totals::default();
        for s in self.slots.iter().filter(|s| s.0 + BUCKETS as u64 > current && s.0 <= current) {
            t.requests += s.1;
            t.failed += s.2;
            t.unavailable += s.3;
        }
        t
    }
}

/// One error kind in [`TopK`].
#[derive(Clone, Debug, PartialEq)]
pub struct Top {
    pub fingerprint: u64,
    pub kind: &'static str,
    pub message: String,
    pub count: u32,
}

/// The most frequent errors by fingerprint in fixed memory ("Space-Saving", Metwally et al.):
/// at most `k` entries; a new fingerprint when all are taken replaces the least counted and
/// inherits its count, so a frequent error is never missed and counts are upper bounds.
#[derive(Clone, Debug)]
pub struct TopK {
    k: usize,
    entries: Vec<Top>,
}

impl TopK {
    pub fn new(k: usize) -> TopK {
        TopK { k, entries: Vec::new() }
    }

    /// Counts `n` more of an error; its message is copied only when it takes a place.
    pub fn add(&mut self, fingerprint: u64, kind: &'static str, message: &str, n: u32) {
        if let Some(e) = self.entries.iter_mut().find(|e| e.fingerprint == fingerprint) {
            e.count += n;
            return;
        }
        let entry = |count| Top { fingerprint, kind, message: message.into(), count };
        if self.entries.len() < self.k {
            self.entries.push(entry(n));
        } else if let Some(least) = self.entries.iter_mut().min_by_key(|e| e.count) {
            let count = least.count + n;
            *least = entry(count);
        }
    }

    /// Most frequent first (an insertion: `k` is small, and a library sort costs kilobytes of wasm).
    pub fn top(&self) -> Vec<&Top> {
        let mut v: Vec<&Top> = Vec::with_capacity(self.entries.len());
        for e in &self.entries {
            let at = v.iter().position(|x| x.count < e.count).unwrap_or(v.len());
            v.insert(at, e);
        }
        v
    }
}

/// Requests since the last `http_requests` metric (sent with each health run and when the page
/// hides), so a collector can plot request rate, errors and latency over time.
#[derive(Clone, Debug, Default)]
pub struct Interval {
    pub count: u32,
    pub failed: u32,
    pub unavailable: u32,
    pub sum: f64,
    pub durations: Sketch,
    pub hist: Hist,
}

/// Bucket bounds of request durations in ms: OpenTelemetry's advice for
/// `http.client.request.duration` (0.005 s to 10 s).
pub const HTTP_BOUNDS_MS: [f64; 14] = [5.0, 10.0, 25.0, 50.0, 75.0, 100.0, 250.0, 500.0, 750.0, 1000.0, 2500.0, 5000.0, 7500.0, 10000.0];

/// Durations counted into [`HTTP_BOUNDS_MS`] buckets since `start` (epoch ms), with their extremes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Hist {
    pub start: f64,
    pub counts: [u32; 15],
    pub min: f64,
    pub max: f64,
}

/// The bucket of `v`: the first bound it does not exceed (OpenTelemetry's buckets are upper-inclusive).
pub fn bucket(bounds: &[f64], v: f64) -> usize {
    bounds.iter().position(|b| v <= *b).unwrap_or(bounds.len())
}

impl Interval {
    pub fn add(&mut self, ms: f64, failed: bool, unavailable: bool) {
        let h = &mut self.hist;
        (h.min, h.max) = if self.count == 0 { (ms, ms) } else { (h.min.min(ms), h.max.max(ms)) };
        if let Some(c) = h.counts.get_mut(bucket(&HTTP_BOUNDS_MS, ms)) {
            *c += 1;
        }
        self.count += 1;
        self.failed += u32::from(failed);
        self.unavailable += u32::from(unavailable);
        self.sum += ms;
        self.durations.add(ms);
    }
}

/// The web vitals `snapshot()` reports, in this order.
pub const VITALS: [&str; 6] = ["lcp", "inp", "cls", "fcp", "ttfb", "fid"];

/// Everything the client aggregates for `snapshot()` and the alert rules.
#[derive(Clone, Debug)]
pub struct Aggregates {
    pub load_time: Sketch,
    /// fetch and XHR durations (aborts left out)
    pub durations: Sketch,
    pub vitals: [Sketch; 6],
    /// The latest value of each vital and the page view it belongs to: a new report for the same
    /// view replaces it in the sketch.
    pub latest: [Option<(u64, f64)>; 6],
    pub window: Window,
    pub interval: Interval,
    pub slow_requests: u32,
    /// error type → count
    pub by_type: Vec<(&'static str, u32)>,
    pub top: TopK,
}

/// Errors kept in the top list.
pub const TOP_ERRORS: usize = 10;

impl Default for Aggregates {
    fn default() -> Aggregates {
        Aggregates {
            load_time: Sketch::new(),
            durations: Sketch::new(),
            vitals: Default::default(),
            latest: Default::default(),
            window: Window::default(),
            interval: Interval::default(),
            slow_requests: 0,
            by_type: Vec::new(),
            top: TopK::new(TOP_ERRORS),
        }
    }
}

impl Aggregates {
    /// A web vital's value (`name` as in [`VITALS`]) for page view `pv`.
    /// A vital's report; true when it is one again for the same page view (it replaces the value).
    pub fn vital(&mut self, name: &str, pv: u64, value: f64) -> bool {
        let Some(i) = VITALS.iter().position(|v| *v == name) else { return false };
        let (Some(sketch), Some(latest)) = (self.vitals.get_mut(i), self.latest.get_mut(i)) else { return false };
        let again = latest.as_ref().is_some_and(|(view, _)| *view == pv);
        if let (true, Some((_, old))) = (again, latest.as_ref()) {
            sketch.remove(*old);
        }
        sketch.add(value);
        *latest = Some((pv, value));
        again
    }

    pub fn error(&mut self, kind: &'static str, fingerprint: u64, message: &str) {
        match self.by_type.iter_mut().find(|t| t.0 == kind) {
            Some(t) => t.1 += 1,
            None => self.by_type.push((kind, 1)),
        }
        self.top.add(fingerprint, kind, message, 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exact rank-based quantile of sorted data, the definition the sketch approximates.
    fn exact(sorted: &[f64], q: f64) -> f64 {
        sorted[(q * (sorted.len() - 1) as f64).floor() as usize]
    }

    fn check(data: &[f64]) {
        let mut s = Sketch::new();
        for v in data {
            s.add(*v);
        }
        let mut sorted = data.to_vec();
        sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
        for q in [0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0] {
            let (got, want) = (s.quantile(q).unwrap(), exact(&sorted, q));
            // within 1 %, or (for values at or below MIN_VALUE, counted as zero) within MIN_VALUE
            assert!((got - want).abs() <= ACCURACY * want + MIN_VALUE, "q{q}: {got} vs {want}");
        }
        let mean = data.iter().sum::<f64>() / data.len() as f64;
        assert!((s.mean().unwrap() - mean).abs() < 1e-9 * mean.max(1.0));
        assert!(s.counts.len() <= MAX_BUCKETS);
    }

    /// xorshift, for repeatable data
    fn rng(seed: u64) -> impl FnMut() -> f64 {
        let mut x = seed;
        move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    #[test]
    fn quantiles_within_one_percent_on_uniform_data() {
        let mut r = rng(7);
        check(&(0..10_000).map(|_| r() * 5000.0).collect::<Vec<_>>());
    }

    #[test]
    fn quantiles_within_one_percent_on_skewed_data() {
        // log-normal-ish latencies (most fast, a long tail), Pareto tails, and CLS-like small values
        let mut r = rng(42);
        check(&(0..20_000).map(|_| (r() * 8.0).exp() * 3.0).collect::<Vec<_>>());
        check(&(0..20_000).map(|_| 10.0 / (1.0 - r()).powf(1.0 / 1.2)).collect::<Vec<_>>());
        check(&(0..5_000).map(|_| if r() < 0.3 { 0.0 } else { r() * r() * 0.5 }).collect::<Vec<_>>());
        check(&[42.0]);
        check(&[0.0, 0.0, 0.0]);
    }

    #[test]
    fn memory_stays_bounded_and_the_top_stays_accurate() {
        let mut s = Sketch::new();
        let mut v = 1e-5;
        while v < 1e13 {
            s.add(v);
            v *= 1.001;
        }
        assert!(s.counts.len() <= MAX_BUCKETS);
        let max = s.quantile(1.0).unwrap();
        assert!((max - v / 1.001).abs() <= ACCURACY * max);
        s.add(1e20); // beyond the top bucket: counted, clamped there
        assert!(s.counts.len() <= MAX_BUCKETS);
        for bad in [f64::NAN, -1.0, f64::INFINITY] {
            let before = s.count();
            s.add(bad);
            assert_eq!(s.count(), before);
        }
    }

    #[test]
    fn removing_takes_a_value_back() {
        let mut s = Sketch::new();
        for v in [100.0, 200.0, 300.0] {
            s.add(v);
        }
        s.remove(300.0);
        s.add(150.0);
        assert_eq!(s.count(), 3);
        assert!((s.mean().unwrap() - 150.0).abs() < 1e-9);
        let max = s.quantile(1.0).unwrap();
        assert!((max - 200.0).abs() <= 2.0, "{max}");
        assert_eq!(Sketch::new().quantile(0.5), None);
    }

    #[test]
    fn window_counts_the_last_five_minutes() {
        let mut w = Window::default();
        for i in 0..10 {
            w.add(1_000.0 + f64::from(i), i < 3, i < 1);
        }
        let t = w.totals(2_000.0);
        assert_eq!(t, Totals { requests: 10, failed: 3, unavailable: 1 });
        assert_eq!(t.error_rate(), Some(0.3));
        assert_eq!(t.availability(), Some(0.9));
        // four minutes later: still in; six minutes later: out
        w.add(241_000.0, true, true);
        assert_eq!(w.totals(241_000.0).requests, 11);
        assert_eq!(w.totals(361_000.0), Totals { requests: 1, failed: 1, unavailable: 1 });
        assert_eq!(Totals::default().error_rate(), None);
        // a long run reuses slots: memory stays fixed
        for s in 0..10_000 {
            w.add(f64::from(s) * 1000.0, false, false);
        }
        assert!(w.slots.len() <= BUCKETS);
        assert_eq!(w.totals(9_999_000.0).requests, 300);
    }

    #[test]
    fn a_vital_reported_again_for_its_page_view_replaces_its_value() {
        let mut a = Aggregates::default();
        a.vital("cls", 1, 0.05);
        a.vital("cls", 1, 0.12); // the same page's CLS grew
        a.vital("cls", 2, 0.01); // a restored page's own
        a.vital("nope", 1, 1.0);
        assert_eq!(a.vitals[2].count(), 2);
        assert!((a.vitals[2].mean().unwrap() - 0.065).abs() < 1e-12);
        assert_eq!(a.latest[2], Some((2, 0.01)));
        a.error("javascript", 0xf1, "boom");
        a.error("javascript", 0xf1, "boom");
        a.error("http_error", 0xf2, "GET /x answered 500");
        assert_eq!(a.by_type, [("javascript", 2), ("http_error", 1)]);
        assert_eq!(a.top.top()[0].count, 2);
    }

    #[test]
    fn top_k_keeps_the_frequent_errors() {
        // Space-Saving keeps every error more frequent than total / k
        let mut t = TopK::new(10);
        for i in 0..100 {
            t.add(0xa, "javascript", "A", 1);
            if i % 2 == 0 {
                t.add(0xb, "http_error", "B", 1);
            }
            // a stream of one-off errors
            t.add(1000 + i, "javascript", "x", 1);
        }
        let top = t.top();
        assert_eq!(top.len(), 10);
        assert_eq!((top[0].fingerprint, top[0].count), (0xa, 100));
        assert_eq!((top[1].fingerprint, top[1].count), (0xb, 50));
    }
}
