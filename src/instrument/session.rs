//! The tab's session as the client keeps it: read from sessionStorage at start, touched by user
//! activity, renewed (new id, new sampling decision, new page view) when it has ended, saved
//! back now and then and when the page hides; `sessionSummary()`.
use wasm_bindgen::prelude::*;

use crate::browser::{self, now_ms, Rng};
use crate::client::{Client, Core, State};
use crate::config::{Config, CHANNELS};
use crate::json;
use crate::session::Session;

const SESSION_KEY: &str = "sightline:session";
/// User activity is written to sessionStorage at most this often (and always when the page hides).
const SAVE_EVERY_MS: f64 = 5_000.0;

fn new_id(rng: &mut Rng) -> String {
    let mut id = String::with_capacity(32);
    json::hex64(&mut id, rng.next_u64());
    json::hex64(&mut id, rng.next_u64());
    id
}

/// The tab's session if it is still going, else a new one (with its own sampling decision).
pub(crate) fn load(rng: &mut Rng, cfg: &Config) -> Session {
    let now = now_ms();
    if let Some(s) = browser::storage_get(true, SESSION_KEY).and_then(|saved| Session::decode(&saved, now)) {
        if !s.expired(now, cfg.session_timeout_ms, cfg.session_max_ms) {
            return s;
        }
    }
    let sampled = rng.unit() < cfg.sample_rate;
    let s = Session::new(new_id(rng), sampled, now);
    browser::storage_set(true, SESSION_KEY, &s.encode());
    s
}

/// Writes the session to sessionStorage and remembers when.
fn save(s: &mut State, now: f64) {
    s.session_saved = now;
    browser::storage_set(true, SESSION_KEY, &s.session.encode());
}

impl Core {
    pub(crate) fn sampled(&self) -> bool {
        self.state.try_borrow().is_ok_and(|s| s.session.sampled)
    }

    /// Starts a new session when the current one has ended (no user activity for
    /// `session.timeout`, or older than `session.maxDuration`). What the old one queued is sent
    /// first, under its id. Returns whether it did.
    pub(crate) fn renew_if_expired(&self) -> bool {
        let now = now_ms();
        let expired = self.state.try_borrow().is_ok_and(|s| s.session.expired(now, self.cfg.session_timeout_ms, self.cfg.session_max_ms));
        if !expired {
            return false;
        }
        for ch in CHANNELS {
            self.send_next(ch, false);
        }
        let Ok(mut s) = self.state.try_borrow_mut() else { return false };
        let id = new_id(&mut s.rng);
        let sampled = s.rng.unit() < self.cfg.sample_rate;
        s.ctx.session_id = id.clone();
        s.session = Session::new(id, sampled, now);
        s.page_view.clear();
        let pv = s.rng.next_u64();
        json::hex64(&mut s.page_view, pv);
        save(&mut s, now);
        true
    }

    /// User activity: keeps the session alive and counts `page_view` (its scrubbed URL) or an action.
    pub(crate) fn touch(&self, page_view: Option<&str>, action: bool) {
        let now = now_ms();
        let Ok(mut s) = self.state.try_borrow_mut() else { return };
        s.session.last = now;
        match page_view {
            Some(url) => s.session.page_view(url),
            None if action => s.session.actions = s.session.actions.saturating_add(1),
            None => {}
        }
        if now - s.session_saved >= SAVE_EVERY_MS {
            save(&mut s, now);
        }
    }

    /// Writes the session to sessionStorage (the page is going away: a reload continues it).
    pub(crate) fn save_session(&self) {
        if let Ok(mut s) = self.state.try_borrow_mut() {
            save(&mut s, now_ms());
        }
    }

    /// `{sessionId, duration, pageViews, userActions, engagementScore, uniquePages, sampled, startedAt}`
    pub fn session_summary(&self) -> String {
        let Ok(st) = self.state.try_borrow() else { return String::from("{}") };
        let s = &st.session;
        let now = now_ms();
        let mut o = String::from("{");
        json::field_str(&mut o, "sessionId", &s.id);
        json::field_u64(&mut o, "duration", s.duration(now) as u64);
        json::field_u64(&mut o, "pageViews", u64::from(s.page_views));
        json::field_u64(&mut o, "userActions", u64::from(s.actions));
        json::field_num(&mut o, "engagementScore", s.engagement(now));
        json::field_u64(&mut o, "uniquePages", s.pages.len() as u64);
        json::key(&mut o, "sampled");
        o.push_str(if s.sampled { "true" } else { "false" });
        o.push_str(",\"startedAt\":\"");
        json::iso_time(&mut o, s.start as u64);
        o.push_str("\"}");
        o
    }
}

#[wasm_bindgen]
impl Client {
    /// `sessionSummary()` as JSON.
    #[wasm_bindgen(js_name = sessionSummary)]
    pub fn session_summary(&self) -> String {
        self.core.session_summary()
    }

    /// Whether this session sends anything (js/net.js starts no trace otherwise).
    pub fn sampled(&self) -> bool {
        self.core.sampled()
    }

    /// For js/ux.js, before it reports user activity: has the session ended? (Then it reports a
    /// page view first, which starts the next one.)
    #[wasm_bindgen(js_name = sessionEnded)]
    pub fn session_ended(&self) -> bool {
        self.core.state.try_borrow().is_ok_and(|s| s.session.expired(now_ms(), self.core.cfg.session_timeout_ms, self.core.cfg.session_max_ms))
    }
}
