//! Sessions: one per tab, kept in sessionStorage so reloads and same-tab navigations continue it,
//! ended by inactivity or age, with the sampling decision made once when a session starts. Pure
//! logic (no browser calls): the client reads, rotates and saves it.
use crate::json;

/// What a session is and what the user did in it, across the tab's page loads.
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    /// 32 hex digits
    pub id: String,
    pub sampled: bool,
    /// Epoch milliseconds when it started, and of the last user activity.
    pub start: f64,
    pub last: f64,
    pub page_views: u32,
    pub actions: u32,
    /// Distinct pages (origin and path), as FNV-1a hashes: at most [`MAX_PAGES`].
    pub pages: Vec<u32>,
}

/// Distinct pages remembered per session; later new pages are not counted.
pub const MAX_PAGES: usize = 100;

impl Session {
    pub fn new(id: String, sampled: bool, now: f64) -> Session {
        Session { id, sampled, start: now, last: now, page_views: 0, actions: 0, pages: Vec::new() }
    }

    /// Over: no user activity for `timeout` ms, or older than `max_age` ms.
    pub fn expired(&self, now: f64, timeout: f64, max_age: f64) -> bool {
        now - self.last >= timeout || now - self.start >= max_age
    }

    /// Counts a page view of `url` (already scrubbed); query and fragment do not make a page distinct.
    pub fn page_view(&mut self, url: &str) {
        self.page_views = self.page_views.saturating_add(1);
        let path = url.get(..url.bytes().position(|b| b == b'?' || b == b'#').unwrap_or(url.len())).unwrap_or(url);
        let h = fnv1a(path);
        if self.pages.len() < MAX_PAGES && !self.pages.contains(&h) {
            self.pages.push(h);
        }
    }

    pub fn duration(&self, now: f64) -> f64 {
        (now - self.start).max(0.0)
    }

    /// 0 to 100, from how long the session lasted, how many pages it viewed and how busy the
    /// user was (see README, `sessionSummary()`):
    /// `min(40, 2 × minutes) + min(30, 10 × pageViews) + min(30, 5 × actions per minute)`,
    /// the rate over at least one minute so a few clicks in the first seconds do not max it.
    pub fn engagement(&self, now: f64) -> f64 {
        let minutes = self.duration(now) / 60_000.0;
        let time = (2.0 * minutes).min(40.0);
        let views = (10.0 * f64::from(self.page_views)).min(30.0);
        let rate = f64::from(self.actions) / minutes.max(1.0);
        let busy = (5.0 * rate).min(30.0);
        ((time + views + busy) * 10.0).round() / 10.0
    }

    /// `id.sampled.start.last.pageViews.actions.pages` (pages as 8-hex-digit hashes, run together).
    pub fn encode(&self) -> String {
        let mut s = String::with_capacity(64 + 8 * self.pages.len());
        s.push_str(&self.id);
        s.push_str(if self.sampled { ".1." } else { ".0." });
        for n in [self.start as u64, self.last as u64, u64::from(self.page_views), u64::from(self.actions)] {
            json::uint(&mut s, n);
            s.push('.');
        }
        for h in &self.pages {
            for shift in (0..8).rev() {
                json::ascii(&mut s, json::hex_digit((h >> (shift * 4)) as u8 & 15));
            }
        }
        s
    }

    /// What [`Session::encode`] wrote; `None` for anything else. A value from an older SDK
    /// (`id.sampled`) reads as a session that starts now.
    pub fn decode(saved: &str, now: f64) -> Option<Session> {
        let mut parts = json::split_byte(saved, b'.');
        let id = parts.next()?;
        if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let sampled = match parts.next()? {
            "1" => true,
            "0" => false,
            _ => return None,
        };
        let mut s = Session::new(String::from(id), sampled, now);
        let Some(start) = parts.next() else { return Some(s) };
        let mut n = || parts.next().and_then(json::num);
        let nums = [json::num(start), n(), n(), n()];
        let [Some(start), Some(last), Some(views), Some(actions)] = nums else { return None };
        s.start = start as f64;
        s.last = last as f64;
        s.page_views = u32::try_from(views).unwrap_or(u32::MAX);
        s.actions = u32::try_from(actions).unwrap_or(u32::MAX);
        // 8 hex digits per page
        let mut h = 0u32;
        for (i, c) in parts.next().unwrap_or("").bytes().enumerate() {
            h = h << 4 | u32::from(hex_value(c)?);
            if i % 8 == 7 && s.pages.len() < MAX_PAGES {
                s.pages.push(h);
            }
        }
        Some(s)
    }
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

fn fnv1a(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: f64 = 60_000.0;
    const ID: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn round_trips_through_storage() {
        let mut s = Session::new(ID.into(), true, 1_700_000_000_000.0);
        s.last += 5.0 * MIN;
        s.page_view("https://shop.example/cart?x=1");
        s.page_view("https://shop.example/cart#top");
        s.page_view("https://shop.example/checkout");
        s.actions = 7;
        let text = s.encode();
        assert_eq!(Session::decode(&text, 0.0), Some(s.clone()));
        assert_eq!(s.page_views, 3);
        assert_eq!(s.pages.len(), 2, "query and fragment do not make another page");
    }

    #[test]
    fn older_or_broken_values() {
        let old = Session::decode(&(String::from(ID) + ".0"), 42.0).unwrap();
        assert!(!old.sampled);
        assert_eq!((old.start, old.last, old.page_views), (42.0, 42.0, 0));
        for bad in ["", "short.1", "0123456789abcdef0123456789abcdeg.1", &(String::from(ID) + ".2"), &(String::from(ID) + ".1.x.1.1.1")] {
            assert_eq!(Session::decode(bad, 0.0), None, "{bad}");
        }
        assert_eq!(Session::decode(&(String::from(ID) + ".1.1.2.3.4.zzzzzzzz"), 0.0), None);
    }

    #[test]
    fn ends_after_inactivity_or_age() {
        let (timeout, max_age) = (30.0 * MIN, 240.0 * MIN);
        let mut s = Session::new(ID.into(), true, 0.0);
        assert!(!s.expired(29.9 * MIN, timeout, max_age));
        assert!(s.expired(30.0 * MIN, timeout, max_age));
        // active every 20 minutes: it lives until it is four hours old
        let mut now = 0.0;
        while now + 20.0 * MIN < 240.0 * MIN {
            now += 20.0 * MIN;
            assert!(!s.expired(now, timeout, max_age), "at {} min", now / MIN);
            s.last = now;
        }
        assert!(s.expired(240.0 * MIN, timeout, max_age));
    }

    #[test]
    fn engagement_grows_with_time_pages_and_actions_and_stays_within_100() {
        let mut s = Session::new(ID.into(), true, 0.0);
        assert_eq!(s.engagement(0.0), 0.0);
        s.page_view("https://a.example/");
        // one page, 10 s, 3 clicks: 10 for the page, 15 for 3 actions over (at least) a minute, 0.3 for time
        s.actions = 3;
        assert_eq!(s.engagement(10_000.0), 25.3);
        // 10 minutes, 4 pages, 20 actions: 20 + 30 + 10
        for p in ["b", "c", "d"] {
            s.page_view(&(String::from("https://a.example/") + p));
        }
        s.actions = 20;
        assert_eq!(s.engagement(10.0 * MIN), 60.0);
        s.actions = 10_000;
        assert_eq!(s.engagement(600.0 * MIN), 100.0);
    }

    #[test]
    fn distinct_pages_are_bounded() {
        let mut s = Session::new(ID.into(), true, 0.0);
        for i in 0..(MAX_PAGES as u64 + 50) {
            let mut url = String::from("https://a.example/p");
            json::uint(&mut url, i);
            s.page_view(&url);
        }
        assert_eq!(s.pages.len(), MAX_PAGES);
        assert_eq!(s.page_views, MAX_PAGES as u32 + 50);
    }
}
