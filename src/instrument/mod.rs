//! Instrumentations: each turns one kind of browser signal into events, and nothing more.
pub mod errors;
pub mod perf;
pub mod net;
pub mod ux;
pub mod session;
pub mod health;
