// The page hooks of the errors source, imported by the wasm (src/lib.rs). Listeners stay in plain
// JS: reading an event's fields here is smaller and faster than one wasm import per field. Each
// hook hands plain values to the client through js/signals.js, inside try/catch.
import * as S from './signals.js';

// Failures already recorded another way (a failed fetch is a network error): when the page leaves
// them unhandled, they are not recorded again as a promise rejection. Built-ins captured at load.
const recorded = new WeakSet();
const add = recorded.add;
const has = recorded.has;

/** Marks `v` (the error a failed request rejected with) as recorded. */
export function counted(v) {
  try {
    if (v && typeof v === 'object') add.call(recorded, v);
  } catch (e) {}
}

/** [name, message, stack] of any thrown or rejected value. */
export function describe(v) {
  try {
    if (v && typeof v === 'object' && typeof v.message === 'string') {
      return [String(v.name || 'Error'), v.message, typeof v.stack === 'string' ? v.stack : undefined];
    }
    if (v && typeof v === 'object') {
      let json;
      try {
        json = JSON.stringify(v);
      } catch (e) {} // circular, or a throwing toJSON
      return ['', json === undefined ? Object.prototype.toString.call(v) : json, undefined];
    }
    return ['', String(v), undefined]; // strings, numbers, null, undefined, symbols, bigints, functions
  } catch (e) {
    return ['', '[unreadable value]', undefined];
  }
}

/**
 * Hands an `error` or `unhandledrejection` event to client `c` as the `error` signal. For
 * `resource_error` (a failed <script>, <img>, <link> … load, seen on the element in the capture
 * phase) `name` is the tag.
 */
export function reportEvent(ev, at, c) {
  try {
    const t = ev.target;
    if (ev.type === 'unhandledrejection') {
      const r = ev.reason;
      if (r && typeof r === 'object' && has.call(recorded, r)) return;
      const [name, message, stack] = describe(r);
      c.inbox(S.ERROR, [1, name, message, stack, undefined, 0, 0, at, undefined, undefined]);
    } else if (t && t.nodeType === 1) {
      const url = t.currentSrc || t.src || t.href || '';
      const tag = t.tagName.toLowerCase();
      c.inbox(S.ERROR, [2, tag, 'Failed to load ' + tag + ': ' + url, undefined, url, 0, 0, at, undefined, undefined]);
    } else if (ev.type === 'error') {
      const [name, message, stack] = ev.error != null && typeof ev.error === 'object' ? describe(ev.error) : ['Error', '', undefined];
      c.inbox(S.ERROR, [0, name || 'Error', message || String(ev.message || ''), stack, ev.filename || undefined, ev.lineno >>> 0, ev.colno >>> 0, at, undefined, undefined]);
    }
  } catch (e) {}
}

/** Adds the listeners, reporting to `sink.c`; returns the function that removes them. */
export function install(sink) {
  const onError = (ev) => sink.c && reportEvent(ev, Date.now(), sink.c);
  const onHide = (ev) => {
    try {
      if (sink.c && (ev.type === 'pagehide' || document.visibilityState === 'hidden')) sink.c.inbox(S.PAGE_HIDE, [ev.type === 'pagehide']);
    } catch (e) {}
  };
  const hooks = [
    [window, 'error', onError, true],
    [window, 'unhandledrejection', onError, false],
    [document, 'visibilitychange', onHide, false],
    [window, 'pagehide', onHide, false],
  ];
  for (const [target, type, fn, capture] of hooks) target.addEventListener(type, fn, { capture, passive: true });
  return () => {
    for (const [target, type, fn, capture] of hooks) target.removeEventListener(type, fn, capture);
  };
}
