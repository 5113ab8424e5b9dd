// Generated from crates/core/src/signal.rs (SIGHTLINE_BLESS=1 cargo test -p sightline-core); do not edit.
// The only way the page side reaches the SDK: `c.inbox(S.KIND, [fields])`, with the fields of each
// kind in the order listed beside it (tests/js/signals.test.mjs checks every call). `…` marks fields
// that repeat.

/** an error: kind 0 javascript, 1 promise_rejection, 2 resource_error (name: the element's tag), 3 manual; context is JSON */
export const ERROR = 0; // kind, name, message, stack, source, line, column, at, level, context

/** the page is hidden (unload: pagehide, it may be going away) */
export const PAGE_HIDE = 1; // unload

/** performance observing starts (hiddenAt: when the page first hid, Infinity if never; layoutShifts: the browser has them, so CLS is reported) */
export const PERF_START = 2; // navigationType, activationStart, hiddenAt, layoutShifts

/** a first-contentful-paint entry */
export const FCP = 3; // startTime

/** a largest-contentful-paint entry */
export const LCP = 4; // startTime, element, url

/** LCP stops (the first input, read once idle) */
export const LCP_END = 5; // (no fields)

/** a layout-shift entry */
export const SHIFT = 6; // value, startTime, hadRecentInput, source

/** an event-timing entry */
export const INTERACTION = 7; // interactionId, duration, target, eventType, interactionCount

/** a first-input entry, or the first input after a restore */
export const FIRST_INPUT = 8; // startTime, processingStart, target, eventType

/** a longtask entry */
export const LONG_TASK = 9; // duration, startTime

/** a long-animation-frame entry and its longest script */
export const LONG_FRAME = 10; // duration, blockingDuration, startTime, script, scriptFunction, scriptDuration

/** a resource timing entry */
export const RESOURCE = 11; // url, initiatorType, duration, transferSize, decodedBodySize, renderBlocking

/** the page hid (after the observers' pending entries) */
export const VITALS_HIDDEN = 12; // timeStamp, interactionCount

/** a back/forward-cache restore */
export const RESTORE = 13; // interactionCount

/** the second frame after a restore */
export const RESTORED_PAINT = 14; // ms

/** the navigation timing entry, once the page has loaded */
export const NAVIGATION = 15; // type, protocol, responseStart, domainLookupStart, domainLookupEnd, connectStart, connectEnd, secureConnectionStart, requestStart, responseEnd, domComplete, loadEventEnd, now

/** a fetch or XHR ended: outcome load, error, timeout or abort; size is Content-Length (-1 unknown); traceparent as `trace()` gave it */
export const REQUEST = 16; // xhr, method, url, outcome, status, ms, size, start, traceparent

/** a page view: how is load, pushState, replaceState, popstate, hashchange or back-forward-cache */
export const PAGE_VIEW = 17; // url, title, referrer, loadTime, width, height, how

/** the URL changed (history API, back/forward, hash) */
export const ROUTE = 18; // from, to, how

/** a trusted click, described after the next paint; element identifies the element (same number, same element) */
export const CLICK = 19; // tag, id, selector, classes, text, data, element, timeStamp

/** a form submit */
export const SUBMIT = 20; // id, action, method, fields

/** how far down the page is scrolled, in percent (at most once a frame) */
export const SCROLL = 21; // depth

/** the page became hidden or visible */
export const VISIBILITY = 22; // hidden

/** a health run's results (and the collector probe's, when one was asked for) */
export const HEALTH = 23; // probed, probeOk, probeMessage, probeTime, …name, …status, …responseTime, …message

/** a POST of the SDK ended (status 0: no response); rejected: the items an OTLP `partialSuccess` answer refused */
export const SENT = 24; // req, status, retryAfter, rejected

/** `setUser(id)`: sent with every later event (none: empty or not a string) */
export const USER = 25; // id

/** `setTag(key, value)`: sent with every later error */
export const TAG = 26; // key, value

/** `flush()`: send everything now (the page hears `flushed(sink, done)` once it settles) */
export const FLUSH = 27; // (no fields)

/** `runHealthChecks()`: run the health checks now */
export const RUN_HEALTH = 28; // (no fields)

/** the browser is online again (the window's `online` event) */
export const ONLINE = 29; // (no fields)

/** the page side claimed the backlog (as the SDK loads and after, when the page is visible or online again): send what it holds */
export const BACKLOG = 30; // (no fields)

/** The fingerprint of the table this file was generated from (the wasm checks it at start). */
export const table = () => '6a552952abb06537';
