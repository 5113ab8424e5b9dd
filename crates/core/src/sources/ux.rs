//! User experience: page views and SPA route changes, clicks and rage clicks, form submits, scroll
//! depth milestones and visibility, from what js/ux.js saw; every text masked, every URL scrubbed.
use crate::config::Config;
use crate::event::{Action, Element, Navigation, PageView};
use crate::privacy;
use crate::signal::{RawClick, RawPageView};
use crate::sources::text;

/// Clicks on one element within [`RAGE_WINDOW_MS`] that make a rage click.
pub const RAGE_CLICKS: u32 = 3;
pub const RAGE_WINDOW_MS: f64 = 1000.0;
/// Scroll depths reported, once per page view.
pub const SCROLL_MILESTONES: [u32; 4] = [25, 50, 75, 100];

#[derive(Default)]
pub struct Ux {
    /// The deepest milestone reported in this page view.
    scrolled: u32,
    /// Clicks in a row on one element: (element, first click's time, clicks).
    streak: (f64, f64, u32),
    /// The last page view's title and viewport: the page view a new session starts with repeats them.
    last: (String, f64, f64),
}

impl Ux {
    /// A page view of the page at `url` (scrubbed already).
    pub fn page_view(&mut self, v: &RawPageView, cfg: &Config) -> PageView {
        self.scrolled = 0;
        let title = text(v.title.clone(), 200);
        self.last = (title.clone(), v.width, v.height);
        PageView { title, referrer: privacy::scrub_url(&v.referrer, &cfg.scrub_params), load_time: v.load_time, width: v.width, height: v.height, navigation: v.how }
    }

    /// The page view a session that starts with user activity begins with: the same page again.
    pub fn session_view(&mut self, url: &str) -> PageView {
        self.scrolled = 0;
        PageView { title: self.last.0.clone(), referrer: String::from(url), load_time: 0.0, width: self.last.1, height: self.last.2, navigation: Navigation::Session }
    }

    pub fn route(&self, from: &str, to: &str, how: Navigation, cfg: &Config) -> Action {
        Action::Route { from: privacy::scrub_url(from, &cfg.scrub_params), to: privacy::scrub_url(to, &cfg.scrub_params), trigger: how }
    }

    /// A click, and the rage click it completes (the third on one element within a second).
    pub fn click(&mut self, c: RawClick, cfg: &Config) -> (Action, Option<Action>) {
        let (el, first, n) = self.streak;
        self.streak = if el == c.element && c.at - first < RAGE_WINDOW_MS { (el, first, n + 1) } else { (c.element, c.at, 1) };
        let element = Element {
            tag: text(c.tag, 100),
            id: text(c.id, 200),
            selector: text(c.selector, 200),
            classes: text(c.classes, 200),
            text: if cfg.mask_text { text(c.text, 100) } else { c.text },
            data: if c.data.len() > 2 && c.data.starts_with("{") && c.data.ends_with("}") { privacy::masked(c.data) } else { String::new() },
        };
        let rage = (self.streak.2 == RAGE_CLICKS).then(|| Action::RageClick { element: element.clone(), clicks: RAGE_CLICKS });
        (Action::Click { element }, rage)
    }

    pub fn submit(&self, id: &str, action: &str, method: &str, fields: f64, cfg: &Config) -> Action {
        Action::FormSubmit { id: text(String::from(id), 200), action: privacy::scrub_url(action, &cfg.scrub_params), method: method.to_ascii_lowercase(), fields }
    }

    /// The milestones a scroll to `depth` % passes for the first time in this page view.
    pub fn scroll(&mut self, depth: f64) -> Vec<Action> {
        let mut out = Vec::new();
        for m in SCROLL_MILESTONES {
            if m > self.scrolled && depth >= f64::from(m) - 0.5 {
                self.scrolled = m;
                out.push(Action::Scroll { depth: m });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> Config {
        crate::testing::config(&[])
    }

    fn click(element: f64, at: f64) -> RawClick {
        RawClick { tag: "button".into(), id: "buy".into(), text: "Mail me at a@b.io".into(), data: "{\"data-track\":\"x\"}".into(), element, at, ..RawClick::default() }
    }

    #[test]
    fn three_clicks_on_one_element_within_a_second_make_one_rage_click() {
        let (c, mut ux) = (cfg(), Ux::default());
        assert!(ux.click(click(1.0, 0.0), &c).1.is_none());
        assert!(ux.click(click(1.0, 400.0), &c).1.is_none());
        let (plain, rage) = ux.click(click(1.0, 900.0), &c);
        let Action::Click { element } = plain else { panic!() };
        assert_eq!(element.text, "Mail me at [email]");
        assert!(matches!(rage, Some(Action::RageClick { clicks: 3, .. })));
        assert!(ux.click(click(1.0, 950.0), &c).1.is_none(), "once per streak");
        // another element, or too slow, starts over
        assert!(ux.click(click(2.0, 1000.0), &c).1.is_none());
        assert!(ux.click(click(2.0, 1500.0), &c).1.is_none());
        assert!(ux.click(click(2.0, 2100.0), &c).1.is_none());
    }

    #[test]
    fn scroll_milestones_once_per_page_view() {
        let mut ux = Ux::default();
        assert!(ux.scroll(20.0).is_empty());
        assert_eq!(ux.scroll(60.0), [Action::Scroll { depth: 25 }, Action::Scroll { depth: 50 }]);
        assert!(ux.scroll(30.0).is_empty());
        assert_eq!(ux.scroll(99.6), [Action::Scroll { depth: 75 }, Action::Scroll { depth: 100 }]);
        let v = RawPageView { url: "u".into(), title: "t".into(), referrer: String::new(), load_time: 0.0, width: 1.0, height: 1.0, how: Navigation::PushState };
        ux.page_view(&v, &cfg());
        assert_eq!(ux.scroll(30.0), [Action::Scroll { depth: 25 }]);
    }
}
