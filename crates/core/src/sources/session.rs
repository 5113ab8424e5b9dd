//! The tab's session as the monitor keeps it: read from sessionStorage at start, touched by user
//! activity, renewed (new id, new sampling decision) once it has ended, saved back now and then
//! and when the page hides. The rules themselves are in [`crate::session`].
use std::rc::Rc;

use crate::config::Config;
use crate::json;
use crate::platform::{Area, Platform, Rng};
use crate::session::Session;

pub const SESSION_KEY: &str = "sightline:session";
/// User activity is written to sessionStorage at most this often (and always when the page hides).
const SAVE_EVERY_MS: f64 = 5_000.0;

pub struct Sessions {
    pub current: Session,
    /// The id, shared by the events of the session.
    pub id: Rc<str>,
    /// The session this one replaced, until the first event of this one takes it.
    pub previous: Option<Rc<str>>,
    saved_at: f64,
    timeout: f64,
    max_age: f64,
    sample_rate: f64,
}

fn new_id(rng: &mut Rng) -> String {
    let mut id = String::with_capacity(32);
    json::hex64(&mut id, rng.next_u64());
    json::hex64(&mut id, rng.next_u64());
    id
}

impl Sessions {
    /// The tab's session if it is still going, else a new one (with its own sampling decision).
    pub fn load(cfg: &Config, rng: &mut Rng, p: &mut impl Platform) -> Sessions {
        let now = p.now();
        let saved = p.load(Area::Session, SESSION_KEY).and_then(|s| Session::decode(&s, now));
        let mut s = Sessions {
            current: Session::new(String::new(), false, now),
            id: Rc::from(""),
            previous: None,
            saved_at: now,
            timeout: cfg.session_timeout_ms,
            max_age: cfg.session_max_ms,
            sample_rate: cfg.sample_rate,
        };
        match saved {
            Some(c) if !c.expired(now, s.timeout, s.max_age) => {
                s.id = Rc::from(c.id.as_str());
                s.current = c;
            }
            ended => {
                s.previous = ended.map(|c| Rc::from(c.id.as_str()));
                s.start_new(now, rng, p);
            }
        }
        s
    }

    fn start_new(&mut self, now: f64, rng: &mut Rng, p: &mut impl Platform) {
        let id = new_id(rng);
        let sampled = rng.unit() < self.sample_rate;
        if !self.id.is_empty() {
            self.previous = Some(self.id.clone());
        }
        self.id = Rc::from(id.as_str());
        self.current = Session::new(id, sampled, now);
        self.save(now, p);
    }

    pub fn sampled(&self) -> bool {
        self.current.sampled
    }

    pub fn expired(&self, now: f64) -> bool {
        self.current.expired(now, self.timeout, self.max_age)
    }

    /// Starts a new session if this one has ended (no user activity for `session.timeout`, or
    /// older than `session.maxDuration`); true when it did.
    pub fn renew_if_expired(&mut self, now: f64, rng: &mut Rng, p: &mut impl Platform) -> bool {
        if !self.expired(now) {
            return false;
        }
        self.start_new(now, rng, p);
        true
    }

    /// User activity: keeps the session alive and counts a page view (its scrubbed URL) or an action.
    pub fn touch(&mut self, now: f64, page_view: Option<&str>, action: bool, p: &mut impl Platform) {
        let s = &mut self.current;
        s.last = now;
        match page_view {
            Some(url) => s.page_view(url),
            None if action => s.actions = s.actions.saturating_add(1),
            None => {}
        }
        if now - self.saved_at >= SAVE_EVERY_MS {
            self.save(now, p);
        }
    }

    /// Writes the session to sessionStorage (a reload continues it).
    pub fn save(&mut self, now: f64, p: &mut impl Platform) {
        self.saved_at = now;
        p.save(Area::Session, SESSION_KEY, &self.current.encode());
    }

    /// `{sessionId, duration, pageViews, userActions, engagementScore, uniquePages, sampled, startedAt}`,
    /// appended without its braces.
    pub fn summary_fields(&self, o: &mut String, now: f64) {
        let s = &self.current;
        json::field_str(o, "sessionId", &s.id);
        json::field_u64(o, "duration", s.duration(now) as u64);
        json::field_u64(o, "pageViews", u64::from(s.page_views));
        json::field_u64(o, "userActions", u64::from(s.actions));
        json::field_num(o, "engagementScore", s.engagement(now));
        json::field_u64(o, "uniquePages", s.pages.len() as u64);
        json::key(o, "sampled");
        o.push_str(if s.sampled { "true" } else { "false" });
        json::key(o, "startedAt");
        o.push('"');
        json::iso_time(o, s.start as u64);
        o.push('"');
    }
}
