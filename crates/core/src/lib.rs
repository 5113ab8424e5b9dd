//! Sightline's core, in pure Rust: everything the SDK decides, with no browser and no
//! wasm-bindgen, so that all of it builds and is tested natively. The wasm crate (`sightline`)
//! binds it to the browser through [`platform::Platform`].
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]
// The core build (no `ux`, `health`, `alerts`) leaves their code unreached rather than cut
// module by module: the linker drops what nothing calls.
#![cfg_attr(not(all(feature = "ux", feature = "health", feature = "alerts")), allow(dead_code, unused_imports, unused_variables))]

pub mod aggregate;
pub mod alerting;
pub mod config;
pub mod delivery;
pub mod encode;
pub mod event;
pub mod host;
pub mod json;
pub mod monitor;
pub mod perf;
pub mod platform;
pub mod privacy;
#[cfg(test)]
mod properties;
pub mod session;
pub mod signal;
pub mod sources;
pub mod stack;
pub mod vitals;
#[cfg(feature = "serde")]
pub mod wire;

/// The fake platform and sample events, for tests here and in the collector (`testing` feature).
#[cfg(any(test, feature = "testing"))]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
pub mod testing;
