//! Sources: each turns one kind of page signal into events, with its own state. They never reach
//! into each other or into the monitor; the [`crate::monitor::Monitor`] routes what they make.
pub mod errors;
pub mod health;
pub mod net;
pub mod perf;
pub mod session;
pub mod ux;

use crate::json;
use crate::privacy;

/// Masked and cut to `max` characters.
pub fn text(s: String, max: usize) -> String {
    let mut t = privacy::masked(s);
    json::truncate(&mut t, max);
    t
}

/// The last URL scrubbed and its result: an error's source and its frames are mostly one script,
/// error after error.
#[derive(Default)]
pub struct Scrubbed {
    raw: String,
    clean: String,
}

impl Scrubbed {
    pub fn url(&mut self, url: &str, extra: &[String]) -> String {
        if url != self.raw {
            self.clean = privacy::scrub_url(url, extra);
            self.raw = String::from(url);
        }
        self.clean.clone()
    }
}
