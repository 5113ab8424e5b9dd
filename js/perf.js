// The performance source's page side, imported by the wasm (src/lib.rs): PerformanceObservers for
// paints, LCP, layout shifts, event timing, long tasks, long animation frames and resources, plus
// the few listeners web vitals need (first input, hidden, bfcache restore). Each observer only
// reads an entry's fields and hands them over through js/signals.js; the vitals logic lives in
// crates/core/src/vitals.rs. Every callback swallows its own failures: the page never sees them.
import * as S from './signals.js';
import { keep, soon } from './hooks.js';

/** A short CSS selector of an element: ids and classes up to the nearest id, at most 100 characters. */
export function selector(el) {
  let sel = '';
  try {
    for (; el && el.nodeType === 1; el = el.parentNode) {
      const part = el.id ? '#' + el.id : el.localName + [...el.classList].map((c) => '.' + c).join('');
      if (sel.length + part.length > 99) return sel || part.slice(0, 100);
      sel = sel ? part + '>' + sel : part;
      if (el.id) break;
    }
  } catch (e) {}
  return sel;
}

/**
 * Starts observing for `sink.c` (waiting for activation on a prerendered page); returns the
 * function that disconnects and removes everything.
 */
export function observe(sink) {
  const offs = [];
  const observers = {};
  const send = (kind, fields) => sink.c && sink.c.inbox(kind, fields);
  const guard = (fn) => (x) => {
    try {
      fn(x);
    } catch (e) {}
  };
  /** Adds a capturing listener until `shutdown`; returns the function removing it sooner. */
  const on = (target, type, fn) => {
    fn = guard(fn);
    target.addEventListener(type, fn, true);
    const off = () => target.removeEventListener(type, fn, true);
    offs.push(off);
    return off;
  };
  const count = () => performance.interactionCount || 0;
  const supported = (self.PerformanceObserver && PerformanceObserver.supportedEntryTypes) || [];
  const watch = (type, fn, opts) => {
    if (!supported.includes(type)) return;
    fn = guard(fn);
    const po = new PerformanceObserver((list) => list.getEntries().forEach(fn));
    po.observe({ type, buffered: true, ...opts });
    observers[type] = () => po.takeRecords().forEach(fn);
    offs.push(() => po.disconnect());
  };
  const take = (type) => observers[type] && observers[type]();
  const interaction = (e) => send(S.INTERACTION, [e.interactionId || 0, e.duration, selector(e.target), e.name, count()]);

  // (guarded where it is called: hooks.js `soon`, `on`)
  const start = () => {
    const nav = performance.getEntriesByType('navigation')[0];
    const activation = (nav && nav.activationStart) || 0;
    const hidden = performance.getEntriesByType('visibility-state').find((e) => e.name === 'hidden' && e.startTime >= activation);
    send(S.PERF_START, [
      activation > 0 ? 'prerender' : document.wasDiscarded ? 'restore' : nav ? nav.type : 'navigate',
      activation,
      hidden ? hidden.startTime : document.visibilityState === 'hidden' ? 0 : Infinity,
      supported.includes('layout-shift'),
    ]);
    watch('paint', (e) => e.name === 'first-contentful-paint' && send(S.FCP, [e.startTime]));
    watch('largest-contentful-paint', (e) => send(S.LCP, [e.startTime, selector(e.element), e.url]));
    watch('layout-shift', (e) => {
      const source = (e.sources || []).find((s) => s.node && s.node.nodeType === 1);
      send(S.SHIFT, [e.value, e.startTime, e.hadRecentInput, source ? selector(source.node) : '']);
    });
    if (self.PerformanceEventTiming && 'interactionId' in PerformanceEventTiming.prototype) {
      watch('event', interaction, { durationThreshold: 40 });
    }
    watch('first-input', (e) => {
      interaction(e);
      send(S.FIRST_INPUT, [e.startTime, e.processingStart, selector(e.target), e.name]);
    });
    watch('longtask', (e) => send(S.LONG_TASK, [e.duration, e.startTime]));
    // a long animation frame, attributed to its longest script
    watch('long-animation-frame', (e) => {
      let top = { sourceURL: '', sourceFunctionName: '', duration: 0 };
      for (const s of e.scripts || []) if (s.duration > top.duration) top = s;
      send(S.LONG_FRAME, [e.duration, e.blockingDuration, e.startTime, top.sourceURL, top.sourceFunctionName, top.duration]);
    });
    watch('resource', (e) => send(S.RESOURCE, [e.name, e.initiatorType, e.duration, e.transferSize, e.decodedBodySize, e.renderBlockingStatus || '']));
    // LCP stops at the first input; read what is still buffered once the page is idle. The
    // listeners go at once: later clicks and key presses cost nothing.
    const input = (ev) => {
      if (!ev.isTrusted) return;
      inputs.forEach((off) => off());
      const done = guard(() => {
        take('largest-contentful-paint');
        send(S.LCP_END, []);
      });
      self.requestIdleCallback ? requestIdleCallback(done, { timeout: 1000 }) : setTimeout(done);
    };
    // the click: heard from js/ux.js's click listener where the full build runs one (so a click
    // runs one listener of the SDK's, and a script's click one `isTrusted` check), else our own
    const click = sink.clicks ? ((sink.firstClick = guard(input)), () => (sink.firstClick = undefined)) : on(window, 'click', input);
    const inputs = [on(window, 'keydown', input), click];
    // capture on window: runs before the page-hide flush of js/hooks.js, so these values go with it
    on(window, 'visibilitychange', (ev) => {
      if (document.visibilityState !== 'hidden') return;
      ['largest-contentful-paint', 'layout-shift', 'event', 'first-input'].forEach(take);
      send(S.VITALS_HIDDEN, [ev.timeStamp, count()]);
    });
    // No `first-input` entry after a restore: FID is the first input's wait for its handlers,
    // measured by listeners added at the restore and removed once it is recorded (as web-vitals v4
    // does), so ordinary clicks and key presses never run them. A pointerdown counts once its
    // pointerup comes (a scroll cancels it), so the mousedown of a click usually records first.
    const FIRST_INPUTS = ['mousedown', 'keydown', 'touchstart', 'pointerdown'];
    let restored = false;
    const firstInput = guard((ev) => {
      if (!restored || !ev.cancelable) return;
      const delay = performance.now() - ev.timeStamp;
      const record = () => {
        if (!restored) return;
        restored = false;
        FIRST_INPUTS.forEach((type) => removeEventListener(type, firstInput, true));
        send(S.FIRST_INPUT, [ev.timeStamp, ev.timeStamp + delay, selector(ev.target), ev.type]);
      };
      if (ev.type !== 'pointerdown') return record();
      const up = () => (off(), record());
      const off = () => (removeEventListener('pointerup', up, true), removeEventListener('pointercancel', off, true));
      addEventListener('pointerup', up, true);
      addEventListener('pointercancel', off, true);
    });
    offs.push(() => FIRST_INPUTS.forEach((type) => removeEventListener(type, firstInput, true)));
    on(window, 'pageshow', (ev) => {
      if (!ev.persisted) return;
      restored = true;
      FIRST_INPUTS.forEach((type) => addEventListener(type, firstInput, true));
      send(S.RESTORE, [count()]);
      requestAnimationFrame(() => requestAnimationFrame(guard(() => send(S.RESTORED_PAINT, [performance.now() - ev.timeStamp]))));
    });
    // navigation timing and TTFB once the load event has finished (which phases count is decided
    // on the Rust side)
    const loaded = () => {
      const n = performance.getEntriesByType('navigation')[0];
      if (n) send(S.NAVIGATION, [n.type, n.nextHopProtocol || '', n.responseStart, n.domainLookupStart, n.domainLookupEnd, n.connectStart, n.connectEnd,
        n.secureConnectionStart, n.requestStart, n.responseEnd, n.domComplete, n.loadEventEnd, performance.now()]);
    };
    // (`start` runs in a task of its own, after the load's: its timings are final by then)
    if (document.readyState !== 'complete') on(window, 'load', () => soon(sink, loaded));
    else loaded();
  };

  // a task later, once `init` has resolved (hooks.js `soon`; the observers are buffered)
  if (document.prerendering) on(document, 'prerenderingchange', start);
  else soon(sink, start);
  return keep(sink, () => offs.splice(0).forEach((off) => off()));
}
