//! Performance: navigation and resource timing, long tasks, long animation frames and the web
//! vitals. The observers live in `js/perf.js`; they call [`Client::perf`] with a kind and the plain
//! values of one entry or page event, and this side turns them into metric records.
use wasm_bindgen::prelude::*;

use crate::browser::{now_ms, num_arg};
use crate::client::{Client, Core};
use crate::config::Channel;
use crate::json;
use crate::perf::{self, Rec};
use crate::privacy;
use crate::vitals::{self, Report, Vitals};

#[wasm_bindgen(module = "/js/perf.js")]
extern "C" {
    /// Starts the observers reporting to `sink.c.perf(...)`; returns the function removing them.
    pub fn observe(sink: &JsValue) -> js_sys::Function;
}

// what js/perf.js reports, and the values it passes with each
const METRIC: u32 = 0; // name, value, then tag name/value pairs (navigation timing, long tasks, long animation frames)
const FCP: u32 = 1; // startTime
const LCP: u32 = 2; // startTime, element, url
const LCP_END: u32 = 3;
const SHIFT: u32 = 4; // value, startTime, hadRecentInput, source
const EVENT: u32 = 5; // interactionId, duration, target, event type, interaction count
const FIRST_INPUT: u32 = 6; // startTime, processingStart, target, event type
const RESOURCE: u32 = 9; // name, initiatorType, duration, transferSize, decodedBodySize, renderBlockingStatus
const HIDDEN: u32 = 10; // event timeStamp, interaction count
const RESTORE: u32 = 11; // event timeStamp, interaction count
const RESTORED: u32 = 12; // ms from the restore to the second frame after it
const INIT: u32 = 13; // navigation type, activationStart, first hidden time
const TTFB: u32 = 14; // the navigation's responseStart, once loaded

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

#[inline(never)]
fn str_arg(a: &js_sys::Array, i: u32) -> String {
    clip(a.get(i).as_string().unwrap_or_default())
}

#[wasm_bindgen]
impl Client {
    /// Callback from js/perf.js: one observed entry or page event (see the kinds above).
    pub fn perf(&self, kind: u32, args: js_sys::Array) {
        self.core.perf(kind, &args);
    }
}

impl Core {
    /// Installs the observers of js/perf.js, unless metrics are off.
    pub fn install_perf(&self) {
        if self.cfg.metrics_enabled {
            self.keep_uninstall(observe(&self.sink));
        }
    }

    pub fn perf(&self, kind: u32, a: &js_sys::Array) {
        let n = |i: u32| num_arg(a, i);
        let s = |i: u32| str_arg(a, i);
        let scrub = |u: String| clip(privacy::scrub_url(&u, &self.cfg.scrub_params));
        let mut reports: Vec<Option<Report>> = Vec::new();
        let mut recs: Vec<Rec> = Vec::new();
        let now = now_ms() as u64;
        let url = self.page_url();
        let out = {
            let Ok(mut st) = self.state.try_borrow_mut() else { return self.count_internal_error() };
            if st.shut {
                return;
            }
            let st = &mut *st;
            if kind == RESTORE {
                // a page restored from the back/forward cache is a new page view
                st.page_view.clear();
                json::hex64(&mut st.page_view, st.rng.next_u64());
                st.vitals_view = st.page_view.clone();
            }
            let v = &mut st.vitals;
            match kind {
                INIT => *v = Vitals::new(nav_type(&s(0)), n(1), n(2)),
                FCP => reports.push(v.fcp(n(0))),
                LCP => v.lcp(n(0), s(1), scrub(s(2))),
                LCP_END => reports.push(v.lcp_final()),
                SHIFT => v.shift(n(0), n(1), a.get(2).is_truthy(), s(3)),
                EVENT => v.interaction(n(0), n(1), s(2), s(3), n(4)),
                FIRST_INPUT => reports.push(v.fid(n(0), n(1), s(2), s(3))),
                HIDDEN => reports.extend(v.hidden(n(0), n(1))),
                RESTORE => reports.push(v.restored(n(1))),
                RESTORED => reports.extend(v.restored_paint(n(0))),
                TTFB => reports.push(v.ttfb(n(0))),
                METRIC => {
                    // name, value, then tag name and value pairs (number, boolean or string)
                    let name = s(0);
                    if name == "navigation_total_load_time" {
                        st.agg.load_time.add(n(1));
                    }
                    let mut r = Rec::new(&name, n(1), now);
                    let mut i = 2;
                    while i + 1 < a.length() {
                        let (key, val) = (s(i), a.get(i + 1));
                        if let Some(x) = val.as_f64() {
                            r.num(&key, x);
                        } else if let Some(b) = val.as_bool() {
                            r.flag(&key, b);
                        } else {
                            let t = s(i + 1);
                            r.tag(&key, &if json::contains(&t, "://") { scrub(t) } else { t });
                        }
                        i += 2;
                    }
                    recs.push(r);
                }
                RESOURCE => {
                    let name = a.get(0).as_string().unwrap_or_default();
                    if perf::is_own(&name, &st.urls) {
                        return;
                    }
                    let ty = perf::resource_type(&s(1), &name);
                    let (duration, transfer) = (n(2), n(3));
                    let hit = perf::cache_hit(transfer, n(4));
                    if let Some(b) = st.resources.get_mut(ty) {
                        b.count += 1;
                        b.duration += duration;
                        b.bytes += transfer;
                        b.cached += u32::from(hit);
                    }
                    if duration > f64::from(self.cfg.slow_resource_ms) {
                        let mut r = Rec::new("resource_load_time", duration, now);
                        r.tag("resource_type", perf::RESOURCE_TYPES.get(ty).copied().unwrap_or("other"))
                            .tag("resource_url", &scrub(name))
                            .num("resource_size", transfer)
                            .flag("cache_hit", hit);
                        let blocking = s(5);
                        if !blocking.is_empty() {
                            r.flag("render_blocking", blocking == "blocking");
                        }
                        recs.push(r);
                    }
                }
                _ => {}
            }
            for r in reports.iter().flatten() {
                let name = vitals::NAMES.get(r.metric).copied().unwrap_or("");
                let view = st.vitals_view.clone();
                st.agg.vital(name.get(11..).unwrap_or(""), &view, r.value);
            }
            let v = &st.vitals;
            let mut out = Vec::new();
            for r in reports.iter().flatten() {
                let Some(m) = v.m.get(r.metric) else { continue };
                let mut rec = Rec::new(vitals::NAMES.get(r.metric).copied().unwrap_or(""), r.value, now);
                rec.tag("navigationType", v.nav);
                let (first, second) = match r.metric {
                    vitals::LCP => ("element", "resource"),
                    vitals::INP | vitals::FID => ("element", "eventType"),
                    _ => ("element", ""),
                };
                rec.tag(first, &m.attr.0);
                if !second.is_empty() {
                    rec.tag(second, &m.attr.1);
                }
                rec.tag("pageViewId", &st.vitals_view).tag("url", &url);
                out.push(rec.finish(Some((vitals::rating(r.metric, r.value), r.delta))));
            }
            for mut rec in recs {
                rec.tag("pageViewId", &st.page_view).tag("url", &url);
                out.push(rec.finish(None));
            }
            out
        };
        for item in out {
            if let Some(item) = self.before_send(item) {
                self.enqueue(Channel::Metrics, item, false);
            }
        }
    }
}
