//! Sightline's core, in pure Rust: everything the SDK decides, with no browser and no
//! wasm-bindgen, so that all of it builds and is tested natively. The wasm crate (`sightline`)
//! binds it to the browser.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

pub mod aggregate;
pub mod alerting;
pub mod config;
pub mod event;
pub mod host;
pub mod json;
pub mod perf;
pub mod pipeline;
pub mod privacy;
pub mod session;
pub mod stack;
pub mod vitals;
