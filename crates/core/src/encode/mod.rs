//! Encoders: a batch of events to a request body, one module per wire format (the native JSON of
//! DESIGN §4, and OTLP/HTTP JSON). They run when a batch is sent, not when an event is made.
pub mod native;
#[cfg(feature = "otlp")]
pub mod otlp;

/// What every event of a page shares and the encoder adds: the build and the browser.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub release: Option<String>,
    pub environment: Option<String>,
    pub user_agent: String,
    /// For OTLP's resource: `navigator.language`, and from User-Agent Client Hints the platform,
    /// mobile (`1`/`0`) and brands (`Chromium 156,…`), one per line; empty where unknown.
    pub browser: String,
}

pub const SDK_NAME: &str = "sightline";
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");
