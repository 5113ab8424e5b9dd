//! The one owner: a [`Monitor`] composes the sources, the processors (ignore rules, privacy,
//! sampling, folding of repeats), delivery, the aggregates and the alert rules. Signals come in
//! through [`Monitor::signal`], the page's API calls through its other methods, timers and request
//! outcomes from the platform; everything it does outside goes through its [`Platform`].
use std::rc::Rc;

use crate::aggregate::{self, Aggregates, Sketch};
use crate::alerting::{self, Alerts, Breach, Status, Thresholds};
use crate::config::Config;
use crate::delivery::{Ctx, Delivery};
use crate::encode::{native, Page};
use crate::event::{Action, Alert, Body, Check, Error, Event, Navigation, Scope};
use crate::json;
use crate::perf;
use crate::platform::{Platform, Rng, Timer};
use crate::privacy;
use crate::signal::{self, k, Args, RawClick, RawError, RawPageView, Request};
use crate::sources::health::{round4, HealthChecks};
use crate::sources::net::{self, Net};
use crate::sources::perf::Perf;
use crate::sources::session::Sessions;
use crate::sources::ux::Ux;
use crate::sources::{errors, Scrubbed};

pub struct Monitor<P: Platform> {
    pub p: P,
    pub cfg: Config,
    page: Page,
    /// The collector endpoints, absolute: the SDK's own requests are never recorded.
    urls: Vec<String>,
    scope: Rc<Scope>,
    rng: Rng,
    delivery: Delivery,
    sessions: Sessions,
    net: Net,
    perf: Perf,
    ux: Ux,
    health: HealthChecks,
    agg: Aggregates,
    alerts: Alerts,
    /// When the request alert rules last ran.
    alert_checked: f64,
    /// This page view's id; the vitals belong to the page view of the load (or restore) they measure.
    view: u64,
    vitals_view: u64,
    /// The scrubbed URL of the current page view (user actions happened in it).
    view_url: Rc<str>,
    seq: u32,
    /// `location.href` as last read, and scrubbed.
    href: (String, Rc<str>),
    scrubbed: Scrubbed,
    internal_errors: u32,
    shut: bool,
}

/// The batch context, from the monitor's fields (a function, so the borrows stay disjoint).
fn ctx<'a>(sessions: &'a Sessions, page: &'a Page, cfg: &Config) -> Ctx<'a> {
    Ctx { session: &sessions.id, page, hook: cfg.before_send.is_some() }
}

impl<P: Platform> Monitor<P> {
    /// Starts monitoring: the tab's session, the previous page load's backlog, the health timer.
    /// `urls` are the absolute endpoints, in channel order.
    pub fn new(cfg: Config, urls: Vec<String>, user_agent: String, browser: String, mut p: P) -> Monitor<P> {
        let mut rng = Rng::from(&mut p);
        let sessions = Sessions::load(&cfg, &mut rng, &mut p);
        let page = Page { release: cfg.release.clone(), environment: cfg.environment.clone(), user_agent, browser };
        let delivery = Delivery::new(&cfg, &urls, &page, Rng::new(rng.next_u64()));
        let view = rng.next_u64();
        let mut m = Monitor {
            p,
            page,
            urls,
            scope: Rc::new(Scope::default()),
            rng,
            delivery,
            sessions,
            net: Net::default(),
            perf: Perf::default(),
            ux: Ux::default(),
            health: HealthChecks::default(),
            agg: Aggregates::default(),
            alerts: Alerts::default(),
            alert_checked: 0.0,
            view,
            vitals_view: view,
            view_url: Rc::from(""),
            seq: 0,
            href: (String::new(), Rc::from("")),
            scrubbed: Scrubbed::default(),
            internal_errors: 0,
            shut: false,
            cfg,
        };
        #[cfg(not(all(feature = "ux", feature = "health", feature = "alerts")))]
        if !m.cfg.absent.is_empty() {
            let mut keys = String::from("config keys of features this build leaves out (the core build) do nothing:");
            for k in &m.cfg.absent {
                keys.push_str(" `");
                keys.push_str(k);
                keys.push('`');
            }
            m.p.diagnostic("not_in_build", &keys);
        }
        m.agg.interval.hist.start = m.p.now();
        m.delivery.restore(&ctx(&m.sessions, &m.page, &m.cfg), &mut m.p);
        #[cfg(feature = "health")]
        if m.cfg.health_enabled {
            m.p.set_timer(Timer::Health, m.health_interval());
        }
        m
    }

    fn health_interval(&self) -> f64 {
        f64::from(self.cfg.health_interval_ms.max(1000))
    }

    /// The page's URL, scrubbed: the current page view's (the user-experience source sees every
    /// change of URL), else `location.href`, scrubbed again only when it changed.
    fn url(&mut self) -> Rc<str> {
        if !self.view_url.is_empty() {
            return self.view_url.clone();
        }
        let href = self.p.href();
        if href != self.href.0 {
            let clean = Rc::from(privacy::scrub_url(&href, &self.cfg.scrub_params).as_str());
            self.href = (href, clean);
        }
        self.href.1.clone()
    }

    /// A new event of this page, in this session, with the page's user and tags.
    fn event(&mut self, body: Body, time: f64) -> Event {
        self.seq = self.seq.wrapping_add(1);
        let url = self.url();
        let page_view = if matches!(&body, Body::Metric(m) if m.vital.is_some()) { self.vitals_view } else { self.view };
        let previous_session = self.sessions.previous.take();
        Event { time, session: self.sessions.id.clone(), page_view, url, scope: self.scope.clone(), seq: self.seq, previous_session, body }
    }

    /// Queues an event for delivery; an unsampled session sends nothing.
    fn enqueue(&mut self, ev: Event, urgent: bool) {
        if self.shut || !self.sessions.sampled() {
            return;
        }
        self.delivery.push(ev, urgent, &ctx(&self.sessions, &self.page, &self.cfg), &mut self.p);
    }

    #[inline(never)]
    fn make(&mut self, body: Body, urgent: bool) {
        let now = self.p.now();
        let ev = self.event(body, now);
        self.enqueue(ev, urgent);
    }

    /// Starts a new session when this one has ended; what the old one queued is sent first,
    /// under its id. Returns whether it did.
    fn renew_if_expired(&mut self) -> bool {
        let now = self.p.now();
        if !self.sessions.expired(now) {
            return false;
        }
        self.delivery.send_now(&ctx(&self.sessions, &self.page, &self.cfg), &mut self.p);
        self.sessions.renew_if_expired(now, &mut self.rng, &mut self.p);
        self.view = self.rng.next_u64();
        true
    }

    /// User activity: a session that ended gives way to a new one, which starts with a page view
    /// of this page (unless the activity is a page view itself); the session is kept alive.
    #[inline(never)]
    fn activity(&mut self, page_view: Option<&str>, action: bool) {
        if self.renew_if_expired() && page_view.is_none() {
            let url = self.url();
            let body = self.ux.session_view(&url);
            self.view_url = url.clone();
            let now = self.p.now();
            self.sessions.touch(now, Some(&url), false, &mut self.p);
            self.make(Body::PageView(Box::new(body)), false);
        }
        let now = self.p.now();
        self.sessions.touch(now, page_view, action, &mut self.p);
    }

    /// A signal from the page side: `kind` with its fields, as [`crate::signal::SIGNALS`] declares
    /// them. `false` (and counted in `stats().internalErrors`) when they do not fit the table.
    pub fn signal(&mut self, kind: u32, a: &impl Args) -> bool {
        let Some(reps) = signal::check(kind, a.count()) else {
            self.internal_errors += 1;
            return false;
        };
        if self.shut {
            // a `flush()` after shutdown settles at once: nothing is left to send
            if kind == k::FLUSH {
                self.p.flushed(true);
            }
            return true;
        }
        match kind {
            k::ERROR => {
                let raw = RawError::read(a);
                let at = raw.at;
                self.error(errors::from_raw(raw), at);
            }
            k::PAGE_HIDE => self.hide(a.bool(0)),
            k::REQUEST => self.request(&Request::read(a)),
            #[cfg(feature = "ux")]
            k::PAGE_VIEW => match RawPageView::read(a) {
                Some(v) => self.page_view(&v),
                None => self.internal_errors += 1,
            },
            #[cfg(feature = "ux")]
            k::ROUTE => {
                let (from, to, how) = (a.str(0), a.str(1), Navigation::parse(&a.str(2)));
                let Some(how) = how else {
                    self.internal_errors += 1;
                    return false;
                };
                let route = self.ux.route(&from, &to, how, &self.cfg);
                self.make(Body::Action(Box::new(route)), false);
            }
            #[cfg(feature = "ux")]
            k::CLICK => self.click(RawClick::read(a)),
            #[cfg(feature = "ux")]
            k::SUBMIT => {
                let (id, action, method) = (a.str(0), a.str(1), a.str(2));
                self.activity(None, true);
                let submit = self.ux.submit(&id, &action, &method, a.num(3), &self.cfg);
                self.make(Body::Action(Box::new(submit)), false);
            }
            #[cfg(feature = "ux")]
            k::SCROLL => {
                self.activity(None, false);
                for scroll in self.ux.scroll(a.num(0)) {
                    self.make(Body::Action(Box::new(scroll)), false);
                }
            }
            #[cfg(feature = "ux")]
            k::VISIBILITY => {
                let hidden = a.bool(0);
                // becoming visible is user activity; going hidden is not. (What was kept at a hide
                // goes once the page side has claimed it: the `backlog` signal.)
                if !hidden {
                    self.activity(None, false);
                }
                self.make(Body::Action(Box::new(if hidden { Action::Hidden } else { Action::Visible })), false);
            }
            k::ONLINE => self.delivery.online(&ctx(&self.sessions, &self.page, &self.cfg), &mut self.p),
            k::BACKLOG => self.delivery.restore(&ctx(&self.sessions, &self.page, &self.cfg), &mut self.p),
            #[cfg(feature = "health")]
            k::HEALTH => {
                let (probe, checks) = signal::read_health(a, reps);
                self.health_report(probe, checks);
            }
            k::SENT => {
                let (req, status, retry_after) = (a.num(0).clamp(0.0, f64::from(u32::MAX)) as u32, a.num(1).clamp(0.0, 999.0) as u16, a.opt(2));
                let rejected = a.num(3).clamp(0.0, f64::from(u32::MAX)) as u32;
                self.delivery.sent(req, status, retry_after.as_deref(), rejected, &ctx(&self.sessions, &self.page, &self.cfg), &mut self.p);
            }
            k::USER => self.set_user(a.opt(0).filter(|id| !id.is_empty())),
            k::TAG => self.set_tag(a.str(0), a.str(1)),
            k::FLUSH => self.flush(),
            #[cfg(feature = "health")]
            k::RUN_HEALTH => self.run_health(),
            _ => self.perf(kind, a),
        }
        true
    }

    #[inline(never)]
    fn click(&mut self, c: RawClick) {
        self.activity(None, true);
        let (click, rage) = self.ux.click(c, &self.cfg);
        self.make(Body::Action(Box::new(click)), false);
        if let Some(rage) = rage {
            self.make(Body::Action(Box::new(rage)), false);
        }
    }

    /// A timer of the platform fired.
    pub fn timer(&mut self, t: Timer) {
        if self.shut {
            return;
        }
        match t {
            Timer::Channel(ch) => self.delivery.timer(ch, &ctx(&self.sessions, &self.page, &self.cfg), &mut self.p),
            #[cfg(feature = "health")]
            Timer::Health => {
                // paused while the page is hidden
                if self.p.visible() {
                    self.run_health();
                }
                let interval = self.health_interval();
                self.p.set_timer(Timer::Health, interval);
            }
            #[cfg(not(feature = "health"))]
            Timer::Health => {}
        }
    }

    /// The error pipeline: ignore rules, limits and masking, the aggregates (every occurrence,
    /// sampled or not), sampling, folding into a queued repeat, then the queue.
    fn error(&mut self, mut e: Error, at: f64) {
        self.renew_if_expired();
        if !errors::prepare(&mut e, &self.cfg, &mut self.scrubbed, &mut self.p) {
            return;
        }
        #[cfg(feature = "alerts")]
        self.agg.error(e.kind, e.fingerprint, &e.message);
        if !self.sessions.sampled() || self.delivery.fold(e.fingerprint) {
            return;
        }
        errors::finish(&mut e, &self.cfg, &mut self.scrubbed);
        e.id = self.rng.next_u64();
        let urgent = e.is_critical();
        if self.cfg.debug {
            self.p.debug("sightline: queued error", &e.message);
        }
        let ev = self.event(Body::Error(Box::new(e)), at);
        self.enqueue(ev, urgent);
    }

    #[inline(never)]
    fn perf(&mut self, kind: u32, a: &impl Args) {
        if !self.cfg.metrics_enabled {
            return;
        }
        if kind == k::RESTORE {
            // a page restored from the back/forward cache is a new page view
            self.view = self.rng.next_u64();
            self.vitals_view = self.view;
        }
        #[cfg_attr(not(feature = "otlp"), allow(unused_mut))]
        let mut made = self.perf.handle(kind, a, &self.cfg, &self.urls);
        #[cfg(feature = "alerts")]
        if let Some(t) = made.load_time {
            self.agg.load_time.add(t);
        }
        // the page load as a trace, for OTLP, in the share of page loads tracing samples
        #[cfg(feature = "otlp")]
        if let Some(mut load) = made.load.take() {
            if self.cfg.otlp.is_some() && self.cfg.tracing_enabled && self.sessions.sampled() && self.rng.unit() < self.cfg.tracing_sample_rate {
                let now = self.p.now();
                load.origin = now - load.origin;
                load.trace_id = (self.rng.next_u64(), self.rng.next_u64());
                // the phases take the ids after it (never zero)
                load.span_id = (self.rng.next_u64() & !15) | 16;
                let at = load.origin;
                let ev = self.event(Body::PageLoad(load), at);
                self.enqueue(ev, false);
            }
        }
        for mut m in made.metrics {
            if m.vital.is_some() {
                m.again = self.agg.vital(m.name.get(11..).unwrap_or(""), self.vitals_view, m.value);
            }
            self.make(Body::Metric(Box::new(m)), false);
        }
    }

    #[inline(never)]
    fn request(&mut self, r: &Request) {
        let Some(end) = self.net.ended(r, &self.urls, &self.cfg) else { return };
        let now = self.p.now();
        // error rate, availability and durations for `snapshot()` and the alert rules; an abort
        // by the page is neither
        #[cfg(feature = "alerts")]
        {
            if !end.aborted {
                self.agg.window.add(now, end.failed, end.unavailable);
                self.agg.interval.add(end.ms, end.failed, end.unavailable);
                self.agg.durations.add(end.ms);
                self.agg.slow_requests += u32::from(end.slow);
            }
            self.check_request_alerts(end.failed);
        }
        for e in end.errors {
            self.error(e, now);
        }
        if let Some(span) = end.span {
            let at = span.start;
            let ev = self.event(Body::Span(Box::new(span)), at);
            self.enqueue(ev, false);
        }
    }

    #[inline(never)]
    fn page_view(&mut self, v: &RawPageView) {
        let url: Rc<str> = Rc::from(privacy::scrub_url(&v.url, &self.cfg.scrub_params).as_str());
        self.activity(Some(&url), false);
        // a route change starts a new page view (the load has its own already, and so has a
        // restore, made by the perf source when metrics are on)
        let has_view = matches!(v.how, Navigation::Load | Navigation::Session) || (v.how == Navigation::BackForwardCache && self.cfg.metrics_enabled);
        if !has_view {
            self.view = self.rng.next_u64();
        }
        self.view_url = url.clone();
        let body = self.ux.page_view(v, &self.cfg);
        let now = self.p.now();
        let mut ev = self.event(Body::PageView(Box::new(body)), now);
        ev.url = url;
        self.enqueue(ev, false);
    }

    /// The page is hidden (`unload`: `pagehide`, it may be going away).
    #[inline(never)]
    fn hide(&mut self, unload: bool) {
        let now = self.p.now();
        self.sessions.save(now, &mut self.p);
        #[cfg(feature = "alerts")]
        self.report_requests();
        self.delivery.hide(unload, &ctx(&self.sessions, &self.page, &self.cfg), &mut self.p);
    }

    // ---- health and alerts

    /// Runs the health checks now (with the collector's light request when it is due).
    #[cfg(feature = "health")]
    pub fn run_health(&mut self) {
        let now = self.p.now();
        let probe = self.health.needs_probe(now, self.delivery.delivered_at, &self.cfg);
        self.p.run_health(probe);
    }

    #[cfg(feature = "health")]
    #[inline(never)]
    fn health_report(&mut self, probe: Option<(bool, String, f64)>, checks: Vec<Check>) {
        let now = self.p.now();
        let was = self.health.last.as_ref().map(|h| h.status);
        let report = self.health.report(probe, checks, now, self.delivery.delivered_at, &self.cfg);
        let status = report.status;
        self.make(Body::Health(report), false);
        #[cfg(feature = "alerts")]
        {
            self.report_requests();
            if was != Some(Status::Unhealthy) && self.cfg.alerting_enabled {
                if let Some(b) = alerting::health_breach(status) {
                    self.raise(&b, now);
                }
            }
        }
        #[cfg(not(feature = "alerts"))]
        let _ = (was, status);
    }

    /// The last health report, as JSON (`runHealthChecks()` resolves to it).
    #[cfg(feature = "health")]
    pub fn health_json(&mut self) -> String {
        let Some(h) = self.health.last.clone() else { return String::from("null") };
        let now = self.p.now();
        let ev = self.event(Body::Health(h), now);
        let mut o = String::new();
        native::item(&mut o, &ev, &self.page);
        o
    }

    /// After a request: the request rules, at most once a second unless the request failed.
    #[inline(never)]
    fn check_request_alerts(&mut self, failed: bool) {
        if !self.cfg.alerting_enabled {
            return;
        }
        let now = self.p.now();
        if !failed && now - self.alert_checked < 1000.0 {
            return;
        }
        self.alert_checked = now;
        let t = self.agg.window.totals(now);
        let p95 = self.agg.durations.quantile(0.95).map(|q| (q, self.agg.durations.count()));
        let th = Thresholds { error_rate: self.cfg.error_rate_threshold, response_time: self.cfg.response_time_threshold, availability: self.cfg.availability_threshold };
        for b in alerting::request_breaches(&th, t.requests, t.error_rate(), t.availability(), p95) {
            self.raise(&b, now);
        }
    }

    /// Fires `b` unless its key is cooling down: to the alerts channel and every `onAlert` callback.
    fn raise(&mut self, b: &Breach, now: f64) {
        if !self.alerts.fire(b.key, now, f64::from(self.cfg.alert_cooldown_ms)) {
            return;
        }
        let mut d = String::from(b.title);
        let figures = if b.key == "health_unhealthy" {
            d.push_str(": the overall health status is unhealthy");
            None
        } else {
            d.push_str(": ");
            json::float(&mut d, round4(b.value));
            d.push_str(if b.key == "low_availability" { " is below " } else { " is above " });
            json::float(&mut d, b.threshold);
            if b.key == "slow_response_time" {
                d.push_str(" ms (p95 of request durations)");
            } else {
                d.push_str(" over the last 5 minutes (");
                json::uint(&mut d, u64::from(self.agg.window.totals(now).requests));
                d.push_str(" requests)");
            }
            Some((round4(b.value), b.threshold))
        };
        let alert = Alert { id: self.rng.next_u64(), key: String::from(b.key), severity: b.severity, title: b.title, resolved: false, figures, description: d };
        let ev = self.event(Body::Alert(Box::new(alert)), now);
        let mut json = String::new();
        native::item(&mut json, &ev, &self.page);
        self.p.alert(&json);
        self.enqueue(ev, true);
    }

    /// `resolveAlert(key)`: marks it resolved, ends its cooldown and tells the collector.
    #[cfg(feature = "alerts")]
    pub fn resolve_alert(&mut self, key: &str) -> bool {
        if self.shut || !self.alerts.resolve(key) {
            return false;
        }
        let alert = Alert { id: self.rng.next_u64(), key: String::from(key), severity: "info", title: "Resolved", resolved: true, figures: None, description: String::new() };
        self.make(Body::Alert(Box::new(alert)), true);
        true
    }

    /// The `http_requests` metric for the requests since the last one (none without requests):
    /// value = count, with `failed`, `unavailable` (network error or 5xx), `durationSum`, `p50`, `p95`.
    fn report_requests(&mut self) {
        if self.agg.interval.count == 0 {
            return;
        }
        let mut i = core::mem::take(&mut self.agg.interval);
        let now = self.p.now();
        self.agg.interval.hist.start = now;
        let mut m = crate::event::Metric::new("http_requests", f64::from(i.count))
            .num("failed", f64::from(i.failed))
            .num("unavailable", f64::from(i.unavailable))
            .num("durationSum", round4(i.sum))
            .num("p50", round4(i.durations.quantile(0.5).unwrap_or(0.0)))
            .num("p95", round4(i.durations.quantile(0.95).unwrap_or(0.0)));
        i.hist.min = round4(i.hist.min);
        i.hist.max = round4(i.hist.max);
        m.hist = Some(Box::new(i.hist));
        self.make(Body::Metric(Box::new(m)), false);
    }

    // ---- the page's API

    pub fn set_user(&mut self, id: Option<String>) {
        let mut scope = (*self.scope).clone();
        scope.user = id.map(|mut id| {
            json::truncate(&mut id, 200);
            id
        });
        self.scope = Rc::new(scope);
    }

    pub fn set_tag(&mut self, mut key: String, mut value: String) {
        json::truncate(&mut key, 32);
        json::truncate(&mut value, 200);
        let mut scope = (*self.scope).clone();
        if let Some(t) = scope.tags.iter_mut().find(|t| t.0 == key) {
            t.1 = value;
        } else if scope.tags.len() < 50 {
            scope.tags.push((key, value));
        } else {
            return;
        }
        self.scope = Rc::new(scope);
    }

    /// `flush()`: sends everything now; the platform hears `flushed(done)` once it settles.
    pub fn flush(&mut self) {
        self.delivery.flush(&ctx(&self.sessions, &self.page, &self.cfg), &mut self.p);
    }

    /// Whether a request about to start is traced (see [`net::trace`]).
    pub fn trace(&mut self, url: &str) -> u32 {
        if self.shut {
            return 0;
        }
        let page = self.p.href();
        net::trace(url, &page, &self.cfg, self.sessions.sampled(), &mut self.rng, &mut self.p)
    }

    pub fn sampled(&self) -> bool {
        self.sessions.sampled()
    }

    /// A signal could not be read, or arrived while the monitor was busy and its queue was full.
    pub fn count_internal_error(&mut self) {
        self.internal_errors += 1;
    }

    /// `shutdown()`: hands everything queued to the browser (as at unload), then stops.
    pub fn shutdown(&mut self) {
        if self.shut {
            return;
        }
        let now = self.p.now();
        self.sessions.save(now, &mut self.p);
        #[cfg(feature = "alerts")]
        self.report_requests();
        self.delivery.shutdown(&ctx(&self.sessions, &self.page, &self.cfg), &mut self.p);
        self.p.clear_timer(Timer::Health);
        self.shut = true;
    }

    pub fn is_shut(&self) -> bool {
        self.shut
    }

    // ---- reports

    /// `stats()`: the SDK's own counters, queues, resources per type and requests per origin.
    pub fn stats_json(&self) -> String {
        let d = &self.delivery.stats;
        let mut o = String::from("{");
        for (k, v) in [
            ("sentBatches", d.sent_batches),
            ("failedSends", d.failed_sends),
            ("rejectedEvents", d.rejected_events),
            ("droppedEvents", d.dropped_events),
            ("hookErrors", d.hook_errors),
            ("internalErrors", self.internal_errors),
            ("beacons", d.beacons),
            ("persisted", d.persisted),
            ("restored", d.restored),
        ] {
            json::field_u64(&mut o, k, u64::from(v));
        }
        per_channel(&mut o, "queued", self.delivery.counts(false));
        per_channel(&mut o, "inFlight", self.delivery.counts(true));
        json::key(&mut o, "resources");
        perf::breakdown_json(&mut o, &self.perf.resources);
        json::key(&mut o, "requests");
        o.push('{');
        for r in &self.net.origins {
            json::comma(&mut o);
            json::str(&mut o, &r.origin);
            o.push_str(":{");
            json::field_u64(&mut o, "count", u64::from(r.count));
            json::field_u64(&mut o, "failed", u64::from(r.failed));
            json::field_u64(&mut o, "aborted", u64::from(r.aborted));
            json::field_num(&mut o, "duration", r.duration_ms);
            json::field_num(&mut o, "bytes", r.bytes);
            o.push('}');
        }
        o.push('}');
        json::field_hex(&mut o, "pageViewId", self.view);
        json::field_str(&mut o, "sessionId", &self.sessions.id);
        json::key(&mut o, "sampled");
        o.push_str(if self.sessions.sampled() { "true" } else { "false" });
        o.push('}');
        o
    }

    /// `sessionSummary()`.
    pub fn session_json(&self) -> String {
        let mut o = String::from("{");
        self.sessions.summary_fields(&mut o, self.p.now());
        o.push('}');
        o
    }

    /// `snapshot()`: the seed's dashboard shape, from this page's aggregates.
    #[cfg(feature = "alerts")]
    pub fn snapshot_json(&self) -> String {
        let now = self.p.now();
        let a = &self.agg;
        let t = a.window.totals(now);
        let mut o = String::from("{\"performance\":{");
        opt(&mut o, "averageLoadTime", a.load_time.mean());
        opt(&mut o, "p95LoadTime", a.load_time.quantile(0.95));
        o.push_str(",\"webVitals\":{");
        for (i, name) in aggregate::VITALS.iter().enumerate() {
            opt(&mut o, name, a.latest.get(i).and_then(|l| l.as_ref()).map(|l| l.1));
        }
        o.push_str("},\"webVitalsP75\":{");
        for (name, sketch) in aggregate::VITALS.iter().zip(a.vitals.iter()) {
            opt(&mut o, name, sketch.quantile(0.75));
        }
        o.push('}');
        json::field_u64(&mut o, "requests", u64::from(a.durations.count()));
        json::field_u64(&mut o, "slowRequests", u64::from(a.slow_requests));
        quantiles(&mut o, "requestDuration", &a.durations);
        json::key(&mut o, "resourceBreakdown");
        perf::breakdown_json(&mut o, &self.perf.resources);
        o.push_str("},\"errors\":{");
        opt(&mut o, "errorRate", t.error_rate());
        json::field_u64(&mut o, "windowRequests", u64::from(t.requests));
        json::field_u64(&mut o, "windowFailed", u64::from(t.failed));
        o.push_str(",\"errorsByType\":{");
        for (k, n) in &a.by_type {
            json::field_u64(&mut o, k, u64::from(*n));
        }
        o.push_str("},\"topErrors\":[");
        for e in a.top.top() {
            json::comma(&mut o);
            o.push('{');
            json::field_hex(&mut o, "fingerprint", e.fingerprint);
            json::field_str(&mut o, "type", e.kind);
            json::field_str(&mut o, "message", &e.message);
            json::field_u64(&mut o, "count", u64::from(e.count));
            o.push('}');
        }
        o.push_str("]},\"health\":{");
        #[cfg(feature = "health")]
        let last = self.health.last.as_ref();
        #[cfg(not(feature = "health"))]
        let last: Option<&crate::event::Health> = None;
        json::field_str(&mut o, "overallStatus", last.map_or("unknown", |h| h.status.name()));
        json::key(&mut o, "checks");
        o.push('[');
        for c in last.map_or(&[][..], |h| &h.checks[..]) {
            json::comma(&mut o);
            o.push('{');
            json::field_str(&mut o, "name", &c.name);
            json::field_str(&mut o, "status", c.status.name());
            json::field_num(&mut o, "responseTime", c.response_time);
            if !c.message.is_empty() {
                json::field_str(&mut o, "message", &c.message);
            }
            o.push('}');
        }
        o.push(']');
        opt(&mut o, "availability", t.availability());
        opt(&mut o, "responseTime", a.durations.quantile(0.95));
        opt(&mut o, "averageResponseTime", a.durations.mean());
        o.push_str("},\"alerts\":{\"active\":[");
        for k in self.alerts.active() {
            json::comma(&mut o);
            json::str(&mut o, k);
        }
        // the session summary, with the seed's `sessionDuration` first
        o.push_str("]},\"userMetrics\":{");
        json::field_u64(&mut o, "sessionDuration", self.sessions.current.duration(now) as u64);
        self.sessions.summary_fields(&mut o, now);
        o.push('}');
        json::key(&mut o, "timestamp");
        o.push('"');
        json::iso_time(&mut o, now as u64);
        o.push_str("\"}");
        o
    }
}

/// `,"key":[…]`: a count per native channel.
fn per_channel(o: &mut String, k: &str, counts: [u64; 5]) {
    json::key(o, k);
    o.push('[');
    for n in counts {
        json::comma(o);
        json::uint(o, n);
    }
    o.push(']');
}

/// `,"key":v` or `,"key":null`.
fn opt(o: &mut String, k: &str, v: Option<f64>) {
    json::key(o, k);
    match v {
        Some(v) => json::float(o, v),
        None => o.push_str("null"),
    }
}

fn quantiles(o: &mut String, k: &str, s: &Sketch) {
    json::key(o, k);
    o.push('{');
    opt(o, "p50", s.quantile(0.5));
    opt(o, "p75", s.quantile(0.75));
    opt(o, "p95", s.quantile(0.95));
    opt(o, "average", s.mean());
    o.push('}');
}

#[cfg(test)]
mod tests;
