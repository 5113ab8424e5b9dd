// Generated from crates/core/src/signal.rs (SIGHTLINE_BLESS=1 cargo test -p sightline-core); do not edit.
// The only way the page side reaches the SDK: one function per signal, `c` the client, then
// the signal's fields in the order the Rust side reads them.

/** an error: kind javascript, promise_rejection, resource_error (name: the element's tag) or manual; context is JSON */
export const error = (c, kind, name, message, stack, source, line, column, at, level, context) => c.inbox(0, [kind, name, message, stack, source, line, column, at, level, context]);

/** the page is hidden (unload: pagehide, it may be going away) */
export const pageHide = (c, unload) => c.inbox(1, [unload]);

/** performance observing starts (hiddenAt: when the page first hid, Infinity if never) */
export const perfStart = (c, navigationType, activationStart, hiddenAt) => c.inbox(2, [navigationType, activationStart, hiddenAt]);

/** a first-contentful-paint entry */
export const fcp = (c, startTime) => c.inbox(3, [startTime]);

/** a largest-contentful-paint entry */
export const lcp = (c, startTime, element, url) => c.inbox(4, [startTime, element, url]);

/** LCP stops (the first input, read once idle) */
export const lcpEnd = (c) => c.inbox(5, []);

/** a layout-shift entry */
export const shift = (c, value, startTime, hadRecentInput, source) => c.inbox(6, [value, startTime, hadRecentInput, source]);

/** an event-timing entry */
export const interaction = (c, interactionId, duration, target, eventType, interactionCount) => c.inbox(7, [interactionId, duration, target, eventType, interactionCount]);

/** a first-input entry, or the first input after a restore */
export const firstInput = (c, startTime, processingStart, target, eventType) => c.inbox(8, [startTime, processingStart, target, eventType]);

/** a longtask entry */
export const longTask = (c, duration, startTime) => c.inbox(9, [duration, startTime]);

/** a long-animation-frame entry and its longest script */
export const longFrame = (c, duration, blockingDuration, startTime, script, scriptFunction, scriptDuration) => c.inbox(10, [duration, blockingDuration, startTime, script, scriptFunction, scriptDuration]);

/** a resource timing entry */
export const resource = (c, url, initiatorType, duration, transferSize, decodedBodySize, renderBlocking) => c.inbox(11, [url, initiatorType, duration, transferSize, decodedBodySize, renderBlocking]);

/** the page hid (after the observers' pending entries) */
export const vitalsHidden = (c, timeStamp, interactionCount) => c.inbox(12, [timeStamp, interactionCount]);

/** a back/forward-cache restore */
export const restore = (c, timeStamp, interactionCount) => c.inbox(13, [timeStamp, interactionCount]);

/** the second frame after a restore */
export const restoredPaint = (c, ms) => c.inbox(14, [ms]);

/** the navigation timing entry, once the page has loaded */
export const navigation = (c, type, protocol, responseStart, domainLookupStart, domainLookupEnd, connectStart, connectEnd, secureConnectionStart, requestStart, responseEnd, domComplete, loadEventEnd, now) => c.inbox(15, [type, protocol, responseStart, domainLookupStart, domainLookupEnd, connectStart, connectEnd, secureConnectionStart, requestStart, responseEnd, domComplete, loadEventEnd, now]);

/** a fetch or XHR ended: outcome load, error, timeout or abort; size is Content-Length (-1 unknown); traceparent as `trace()` gave it */
export const request = (c, xhr, method, url, outcome, status, ms, size, start, traceparent) => c.inbox(16, [xhr, method, url, outcome, status, ms, size, start, traceparent]);

/** a page view: how is load, pushState, replaceState, popstate, hashchange or back-forward-cache */
export const pageView = (c, url, title, referrer, loadTime, width, height, how) => c.inbox(17, [url, title, referrer, loadTime, width, height, how]);

/** the URL changed (history API, back/forward, hash) */
export const route = (c, from, to, how) => c.inbox(18, [from, to, how]);

/** a trusted click, described after the next paint; element identifies the element (same number, same element) */
export const click = (c, tag, id, selector, classes, text, data, element, timeStamp) => c.inbox(19, [tag, id, selector, classes, text, data, element, timeStamp]);

/** a form submit */
export const submit = (c, id, action, method, fields) => c.inbox(20, [id, action, method, fields]);

/** how far down the page is scrolled, in percent (at most once a frame) */
export const scroll = (c, depth) => c.inbox(21, [depth]);

/** the page became hidden or visible */
export const visibility = (c, hidden) => c.inbox(22, [hidden]);

/** a health run's results (and the collector probe's, when one was asked for) */
export const health = (c, probed, probeOk, probeMessage, probeTime, ...checks) => c.inbox(23, [probed, probeOk, probeMessage, probeTime, ...checks]);

/** a POST of the SDK ended (status 0: no response) */
export const sent = (c, req, status, retryAfter) => c.inbox(24, [req, status, retryAfter]);

/** The fingerprint of the table this file was generated from (the wasm checks it at start). */
export const table = () => '56c24d85831c3f48';
