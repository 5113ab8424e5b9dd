//! User experience: page views and SPA route changes, clicks and rage clicks, form submits, scroll
//! depth, visibility. The listeners live in `js/ux.js`; they call [`Client::ux`] with a kind and
//! plain values, and this side writes the events-channel records (`page_view`, `user_action`),
//! with every text masked and every URL scrubbed.
use wasm_bindgen::prelude::*;

use crate::browser::now_ms;
use crate::client::{Client, Core};
use crate::config::Channel;
use crate::json;
use crate::privacy;

#[wasm_bindgen(module = "/js/ux.js")]
extern "C" {
    /// Starts the listeners and history wrappers, reporting to `sink.c.ux(...)`; returns the
    /// function removing them.
    pub fn track(sink: &JsValue, click_text: bool, data_attrs: &js_sys::Array) -> js_sys::Function;
}

const PAGE_VIEW: u32 = 0; // url, title, referrer, loadTime, width, height, how (load, pushState, replaceState, popstate, hashchange, back-forward-cache, session)
const ROUTE: u32 = 1; // from, to, how
const CLICK: u32 = 2; // tag, id, selector, classes, text, dataJson, clicks in a row on this element
const SUBMIT: u32 = 3; // id, action, method, fields
const SCROLL: u32 = 4; // depth (25, 50, 75, 100)
const VISIBILITY: u32 = 5; // hidden

/// Clicks on one element within a second that make a rage click.
pub const RAGE_CLICKS: f64 = 3.0;

/// An events-channel record being written: `{"type","data":{…},"timestamp"}`.
pub struct Ev(String);

impl Ev {
    pub fn new(kind: &str) -> Ev {
        let mut o = String::with_capacity(256);
        o.push_str("{\"type\":");
        json::str(&mut o, kind);
        o.push_str(",\"data\":{");
        Ev(o)
    }

    pub fn str(&mut self, k: &str, v: &str) -> &mut Ev {
        json::field_str(&mut self.0, k, v);
        self
    }

    pub fn num(&mut self, k: &str, v: f64) -> &mut Ev {
        json::field_num(&mut self.0, k, v);
        self
    }

    /// A value already encoded as JSON.
    pub fn raw(&mut self, k: &str, v: &str) -> &mut Ev {
        json::key(&mut self.0, k);
        self.0.push_str(v);
        self
    }

    pub fn finish(mut self, timestamp_ms: u64) -> String {
        self.0.push_str("},\"timestamp\":\"");
        json::iso_time(&mut self.0, timestamp_ms);
        self.0.push_str("\"}");
        self.0
    }
}

/// Masked and cut to `max` characters.
fn text(s: String, max: usize) -> String {
    let mut t = privacy::masked(s);
    json::truncate(&mut t, max);
    t
}

/// `{"tag",…}` of a clicked element, from the values js/ux.js passes (`a` from index 0).
fn element(a: &js_sys::Array, mask: bool) -> String {
    let s = |i: u32| a.get(i).as_string().unwrap_or_default();
    let mut o = String::from("{");
    json::field_str(&mut o, "tag", &s(0));
    for (i, k) in [(1, "id"), (2, "selector"), (3, "classes")] {
        let v = s(i);
        if !v.is_empty() {
            json::field_str(&mut o, k, &text(v, 200));
        }
    }
    let t = s(4);
    if !t.is_empty() {
        json::field_str(&mut o, "text", &if mask { text(t, 100) } else { t });
    }
    let data = s(5);
    if data.len() > 2 && data.starts_with('{') && data.ends_with('}') {
        json::key(&mut o, "data");
        o.push_str(&privacy::masked(data));
    }
    o.push('}');
    o
}

#[wasm_bindgen]
impl Client {
    /// Callback from js/ux.js: one page view, route change or user action (see the kinds above).
    pub fn ux(&self, kind: u32, args: js_sys::Array) {
        self.core.ux(kind, &args);
    }
}

impl Core {
    /// Starts the user-experience listeners. They run in unsampled sessions too: user activity
    /// keeps the session going and counts for `sessionSummary()`; only the records are not sent.
    pub fn install_ux(&self) {
        let attrs: js_sys::Array = self.cfg.data_attributes.iter().map(|a| JsValue::from_str(a)).collect();
        self.keep_uninstall(track(&self.sink, self.cfg.click_text, &attrs));
    }

    pub fn ux(&self, kind: u32, a: &js_sys::Array) {
        let s = |i: u32| a.get(i).as_string().unwrap_or_default();
        let n = |i: u32| a.get(i).as_f64().unwrap_or(0.0);
        let scrub = |u: String| privacy::scrub_url(&u, &self.cfg.scrub_params);
        // user activity (anything but the page going hidden): a session that has ended gives
        // way to a new one first (for a route change, with the page view that follows it)
        let url = if kind == PAGE_VIEW { scrub(s(0)) } else { String::new() };
        if kind != ROUTE && !(kind == VISIBILITY && a.get(0).is_truthy()) {
            self.renew_if_expired();
            self.touch((kind == PAGE_VIEW).then_some(url.as_str()), kind == CLICK || kind == SUBMIT);
        }
        if !self.sampled() {
            return;
        }
        let now = now_ms() as u64;
        // the page's URL as the last page view saw it (route changes all come through here):
        // reading and scrubbing location.href for every click would cost more than the rest
        let cached = self.state.try_borrow().map(|st| st.view_url.clone()).unwrap_or_default();
        let page = if kind == PAGE_VIEW { url.clone() } else if cached.is_empty() { self.page_url() } else { cached };
        let agent = if kind == PAGE_VIEW { browser_agent(&self.user_agent()) } else { String::new() };
        let mut out = Vec::with_capacity(2);
        {
            let Ok(mut st) = self.state.try_borrow_mut() else { return self.count_internal_error() };
            if st.shut {
                return;
            }
            // a route change starts a new page view (the load and a session's start have theirs
            // already, and so has a restore, from js/perf.js, when metrics are on)
            let how = if kind == PAGE_VIEW { s(6) } else { String::new() };
            let has_view = matches!(how.as_str(), "load" | "session") || (how == "back-forward-cache" && self.cfg.metrics_enabled);
            if kind == PAGE_VIEW && !has_view {
                st.page_view.clear();
                let id = st.rng.next_u64();
                json::hex64(&mut st.page_view, id);
            }
            if kind == PAGE_VIEW {
                st.view_url.clone_from(&url);
            }
            let pv = st.page_view.clone();
            st.seq += 1;
            let seq = f64::from(st.seq);
            let action = |name: &str| {
                let mut e = Ev::new("user_action");
                e.str("action", name);
                e
            };
            let mut e = match kind {
                PAGE_VIEW => {
                    let mut e = Ev::new("page_view");
                    let mut viewport = String::from("{\"width\":");
                    json::float(&mut viewport, n(4));
                    viewport.push_str(",\"height\":");
                    json::float(&mut viewport, n(5));
                    viewport.push('}');
                    e.str("url", &url)
                        .str("title", &text(s(1), 200))
                        .str("referrer", &scrub(s(2)))
                        .num("loadTime", n(3))
                        .raw("viewport", &viewport)
                        .str("userAgent", &agent)
                        .str("navigation", &how);
                    e
                }
                ROUTE => {
                    let mut e = action("route_change");
                    e.str("from", &scrub(s(0))).str("to", &scrub(s(1))).str("trigger", &s(2));
                    e
                }
                CLICK => {
                    let el = element(a, self.cfg.mask_text);
                    if n(6) == RAGE_CLICKS {
                        let mut rage = action("rage_click");
                        rage.raw("element", &el).num("clicks", RAGE_CLICKS).str("pageViewId", &pv).str("url", &page).num("seq", seq + 0.5);
                        out.push(rage.finish(now));
                    }
                    let mut e = action("click");
                    e.raw("element", &el);
                    e
                }
                SUBMIT => {
                    let mut form = String::from("{");
                    json::field_str(&mut form, "id", &text(s(0), 200));
                    json::field_str(&mut form, "action", &scrub(s(1)));
                    json::field_str(&mut form, "method", &s(2));
                    json::field_num(&mut form, "fields", n(3));
                    form.push('}');
                    let mut e = action("form_submit");
                    e.raw("form", &form);
                    e
                }
                SCROLL => {
                    let mut e = action("scroll");
                    e.num("depth", n(0));
                    e
                }
                VISIBILITY => action(if a.get(0).is_truthy() { "page_hidden" } else { "page_visible" }),
                _ => return,
            };
            if kind != PAGE_VIEW {
                e.str("url", &page);
            }
            e.str("pageViewId", &pv).num("seq", seq);
            out.insert(0, e.finish(now));
        }
        for item in out {
            if let Some(item) = self.before_send(item) {
                self.enqueue(Channel::Events, item, false);
            }
        }
    }
}

/// The user agent as sent (already the browser's string).
fn browser_agent(ua: &str) -> String {
    let mut s = String::from(ua);
    json::truncate(&mut s, 300);
    s
}
