//! Everything the core needs from outside: clocks, timers, the transport, storage, the page's
//! URL, and the page's hooks. The wasm crate implements it over the browser; tests use
//! [`crate::testing::Fake`], with a clock they move by hand.

/// The core's timers, one of each at a time: a channel's next send, the health checks, the next
/// check of the request alert rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    Channel(crate::config::Channel),
    Health,
}

impl Timer {
    pub const COUNT: usize = 7;

    /// The timer's slot, `0..COUNT`.
    pub fn slot(self) -> usize {
        match self {
            Timer::Channel(c) => c as usize,
            Timer::Health => 6,
        }
    }

    pub fn from_slot(slot: usize) -> Option<Timer> {
        match slot {
            6 => Some(Timer::Health),
            _ => crate::config::LANES.get(slot).copied().map(Timer::Channel),
        }
    }
}

/// `sessionStorage` (this tab) or `localStorage` (this origin).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Area {
    Session,
    Local,
}

/// What `beforeSend` made of an item.
#[derive(Debug, PartialEq)]
pub enum Hook {
    Keep,
    Drop,
    /// The hook's object, encoded.
    Replace(String),
    /// It threw: the item is kept as it was.
    Threw,
}

pub trait Platform {
    /// Epoch milliseconds.
    fn now(&self) -> f64;
    /// A random number in `[0, 1)`, to seed ids and jitter.
    fn random(&mut self) -> f64;
    /// POSTs `body` to `url`; the outcome comes back as `Monitor::sent(req, status, retry_after)`
    /// (status 0: no response), always later, never from inside this call.
    fn post(&mut self, req: u32, url: &str, body: &str, keepalive: bool);
    /// `navigator.sendBeacon`; false when the browser refused it.
    fn beacon(&mut self, url: &str, body: &str) -> bool;
    /// Bytes of the page's own keepalive requests in flight (seen by the fetch wrapper): they
    /// take from the same browser quota as ours.
    fn page_keepalive(&mut self) -> usize;
    /// Arms `timer` to fire in `ms` (replacing a pending one): `Monitor::timer(timer)`.
    fn set_timer(&mut self, timer: Timer, ms: f64);
    fn clear_timer(&mut self, timer: Timer);
    fn load(&mut self, area: Area, key: &str) -> Option<String>;
    /// False when the browser refused (quota, no storage).
    fn save(&mut self, area: Area, key: &str, value: &str) -> bool;
    fn remove(&mut self, area: Area, key: &str);
    /// `location.href`
    fn href(&mut self) -> String;
    /// `document.visibilityState === 'visible'`
    fn visible(&mut self) -> bool;
    /// Runs the page's `beforeSend` on an encoded item (only when the config has one).
    fn before_send(&mut self, item: &str) -> Hook;
    /// An SDK self-diagnostic for the page's `onError` (and the debug log).
    fn diagnostic(&mut self, code: &'static str, message: &str);
    /// An alert for the page's `onAlert` callbacks (JSON).
    fn alert(&mut self, json: &str);
    /// `RegExp` number `regex` of the config tests `text`.
    fn matches(&mut self, regex: usize, text: &str) -> bool;
    /// `console.debug`, when the config asks for it.
    fn debug(&mut self, what: &str, detail: &str);
    /// Runs the health checks; `probe`: include one light request to the collector. The results
    /// come back as the `health` signal.
    fn run_health(&mut self, probe: bool);
    /// The pending `flush()` calls settle: `true` when everything was delivered.
    fn flushed(&mut self, done: bool);
}

/// xorshift64*: ids and jitter need speed and spread, not secrecy.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    /// Seeded from the platform's randomness and clock.
    pub fn from(p: &mut impl Platform) -> Rng {
        Rng::new((p.random() * 9_007_199_254_740_992.0) as u64 ^ (p.now() as u64).rotate_left(32))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// In `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / 9_007_199_254_740_992.0
    }
}
