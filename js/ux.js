// The user-experience source's page side, imported by the wasm (src/lib.rs): page views and SPA
// route changes (history wrappers, popstate, hashchange), clicks, form submits, scroll depth and
// visibility. Listeners are passive and capturing. A click costs the page one array push:
// describing the element and crossing into the wasm happen after the next paint, for a batch of
// clicks at once. Rage clicks, scroll milestones and sessions are decided on the Rust side.
import * as S from './signals.js';
import { selector } from './perf.js';
import { keep, soon, stringify } from './hooks.js';

/** Where text is never read: form fields, editable regions, and anything marked for masking. */
const NO_TEXT = 'input,textarea,select,[contenteditable]:not([contenteditable="false"]),[data-sightline-mask]';

/**
 * `[tag, id, selector, classes, text, dataJson]` of a clicked element. `text` is the visible text,
 * whitespace folded, at most 100 characters, and empty where it is never taken or when
 * `clickText` is off; `dataJson` holds the allow-listed `data-*` attributes.
 */
export function describeElement(el, clickText, dataAttrs) {
  let text = '';
  // not from the whole page either (a click on the page's background targets html or body)
  const whole = el === document.documentElement || el === document.body;
  if (clickText && !whole && !el.closest(NO_TEXT) && !el.isContentEditable && !el.querySelector(NO_TEXT)) {
    text = (el.innerText || el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 100);
  }
  const data = {};
  for (const name of dataAttrs) if (el.hasAttribute(name)) data[name] = String(el.getAttribute(name)).slice(0, 100);
  return [el.localName, el.id, selector(el), [...el.classList].join(' ').slice(0, 200), text, stringify(data)];
}

/**
 * Starts tracking for `sink.c`: `clickText` (privacy.clickText), `dataAttrs` (allow-listed `data-*`
 * names). Returns the function that removes everything and puts the history methods back (unless
 * something replaced them since).
 */
export function track(sink, clickText, dataAttrs) {
  const offs = [];
  let pending = []; // clicks not described yet: element, time, element, time, ...
  // a number per element, so that the Rust side can tell clicks on one element in a row
  const ids = new WeakMap();
  let lastId = 0;
  const send = (kind, fields) => {
    // clicks waiting to be described go first: they happened before whatever this is
    if (kind !== S.CLICK && pending.length) flushClicks();
    try {
      if (sink.c) sink.c.inbox(kind, fields);
    } catch (e) {}
  };
  const on = (target, type, fn) => {
    const guarded = (ev) => {
      try {
        fn(ev);
      } catch (e) {}
    };
    target.addEventListener(type, guarded, { capture: true, passive: true });
    offs.push(() => target.removeEventListener(type, guarded, { capture: true, passive: true }));
  };

  // page views: the load, then every change of URL by the history API, back/forward or the hash
  let current = location.href;
  const nav = performance.getEntriesByType('navigation')[0];
  // `how`: load, pushState, replaceState, popstate, hashchange, or back-forward-cache (the same
  // page, restored)
  const view = (how) => {
    const from = current;
    current = location.href;
    const load = how === 'load';
    if (!load && how !== 'back-forward-cache') {
      if (from === current) return;
      send(S.ROUTE, [from, current, how]);
    }
    const loadTime = load && nav ? nav.loadEventEnd || nav.domContentLoadedEventEnd || 0 : 0;
    send(S.PAGE_VIEW, [current, document.title, load ? document.referrer : from, loadTime, innerWidth, innerHeight, how]);
  };
  for (const method of ['pushState', 'replaceState']) {
    const original = history[method];
    const wrapper = function () {
      const result = original.apply(this, arguments);
      try {
        view(method);
      } catch (e) {}
      return result;
    };
    Object.defineProperty(wrapper, 'name', { value: original.name });
    Object.defineProperty(wrapper, 'length', { value: original.length });
    history[method] = wrapper;
    offs.push(() => history[method] === wrapper && (history[method] = original));
  }
  // a fragment change fires popstate before hashchange: a change of the fragment alone is a
  // hashchange route, whichever event tells first
  const page = (u) => u.split('#')[0];
  on(window, 'popstate', () => view(page(location.href) === page(current) ? 'hashchange' : 'popstate'));
  // a task later: js/perf.js has started the restored page's view (its id) by then
  on(window, 'pageshow', (ev) => ev.persisted && setTimeout(() => view('back-forward-cache')));
  on(window, 'hashchange', () => view('hashchange'));
  // the load's page view once the page has loaded (and, at the earliest, a task after `init` has
  // resolved: hooks.js `soon`)
  const loaded = () => view('load');
  if (document.readyState === 'complete') soon(sink, loaded);
  else on(window, 'load', () => soon(sink, loaded));

  // clicks: kept as (element, time) and described in a later task
  function flushClicks() {
    const batch = pending;
    pending = [];
    try {
      for (let i = 0; i < batch.length; i += 2) {
        const el = batch[i];
        if (!el || el.nodeType !== 1) continue;
        let id = ids.get(el);
        if (!id) ids.set(el, (id = ++lastId));
        const [tag, elId, sel, classes, text, data] = describeElement(el, clickText, dataAttrs);
        send(S.CLICK, [tag, elId, sel, classes, text, data, id, batch[i + 1]]);
      }
    } catch (e) {}
  }
  // the one listener on the page's click path: no wrapper, no allocation but the entry. Only the
  // user's clicks count: a script's `element.click()` is not a user action (and three of them
  // would make a rage click)
  // Described after the next paint, not in a task before it: the page's own response to the click
  // is painted first, so the SDK's work never adds to the interaction's latency (INP). A hidden
  // page paints no frames: then the page_hidden report flushes them (see `send`).
  const onClick = (ev) => {
    if (!ev.isTrusted) return;
    // the first one also ends LCP (js/perf.js)
    if (sink.firstClick) sink.firstClick(ev);
    if (pending.length < 200 && pending.push(ev.target, ev.timeStamp) === 2) requestAnimationFrame(() => setTimeout(flushClicks));
  };
  // the API's readers (sessionSummary, snapshot, flush) see every click made before the call
  sink.clicks = flushClicks;
  document.addEventListener('click', onClick, { capture: true, passive: true });
  offs.push(() => document.removeEventListener('click', onClick, { capture: true, passive: true }));

  on(document, 'submit', (ev) => {
    const form = ev.target;
    if (!form || form.localName !== 'form') return;
    const action = form.getAttribute('action');
    send(S.SUBMIT, [form.id, action ? new URL(action, location.href).href : location.href, form.getAttribute('method') || 'get', form.elements.length]);
  });

  // scroll depth, at most once per animation frame
  let frame = 0;
  on(window, 'scroll', () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      const doc = document.documentElement;
      send(S.SCROLL, [doc.scrollHeight <= innerHeight ? 100 : ((scrollY + innerHeight) / doc.scrollHeight) * 100]);
    });
  });

  // on window, capturing: before the page-hide flush of js/hooks.js, so page_hidden goes with it
  on(window, 'visibilitychange', () => send(S.VISIBILITY, [document.visibilityState === 'hidden']));

  return keep(sink, () => {
    sink.clicks = undefined;
    if (frame) cancelAnimationFrame(frame);
    offs.splice(0).forEach((off) => off());
  });
}
