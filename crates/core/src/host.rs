//! The few pure functions the core borrows from its host instead of compiling its own: in the
//! browser, JavaScript's `String(number)` and `Math.log`/`Math.exp` (Rust's float formatting and
//! libm would add kilobytes to the wasm). The wasm binding sets them once at start; native code
//! and tests get Rust's own.
use core::cell::Cell;

#[derive(Clone, Copy)]
pub struct Host {
    /// Appends the shortest text that reads back as the same number (JSON numbers); not finite: `0`.
    pub float: fn(&mut String, f64),
    pub ln: fn(f64) -> f64,
    pub exp: fn(f64) -> f64,
}

thread_local! {
    // a plain static on wasm (one thread); `Cell` because the functions are set after start
    static HOST: Cell<Host> = const { Cell::new(NATIVE) };
}

/// Sets the host functions.
pub fn set(host: Host) {
    HOST.with(|h| h.set(host));
}

pub fn get() -> Host {
    HOST.with(Cell::get)
}

#[cfg(not(target_arch = "wasm32"))]
fn float(out: &mut String, v: f64) {
    out.push_str(&(if v.is_finite() { v } else { 0.0 }).to_string());
}
#[cfg(not(target_arch = "wasm32"))]
const NATIVE: Host = Host { float, ln: f64::ln, exp: f64::exp };

/// On wasm the binding always calls [`set`] first; these stand-ins only keep `core::fmt`'s float
/// code and libm out of the bundle.
#[cfg(target_arch = "wasm32")]
const NATIVE: Host = Host { float: |out, v| crate::json::uint(out, if v.is_finite() && v > 0.0 { v as u64 } else { 0 }), ln: |x| x, exp: |x| x };
