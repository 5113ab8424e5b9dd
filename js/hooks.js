// The page hooks of the errors source, imported by the wasm (src/lib.rs). Listeners stay in plain
// JS: reading an event's fields here is smaller and faster than one wasm import per field. Each
// hook hands plain values to the client through js/signals.js, inside try/catch.
import * as S from './signals.js';
import { claimBacklog, refill } from './io.js';

// Built-ins captured at load: a page that patches them later changes nothing here.
const toJson = JSON.stringify;
const protoOf = Object.getPrototypeOf;
const isArray = Array.isArray;
const ObjectProto = Object.prototype;

// A replacer that serializes plain objects and arrays as they are: an inherited `toJSON` (a page
// that patches `Array.prototype.toJSON`, as old Prototype.js did) would turn them into strings.
// JSON.stringify calls `toJSON` before the replacer, and serializes what the replacer returns.
function plain(k, v) {
  const raw = this[k];
  if (raw && typeof raw === 'object') {
    const proto = protoOf(raw);
    if (proto === null || proto === ObjectProto || isArray(raw)) return raw;
  }
  return v;
}

/** Records `undo` (what removes something installed in the page) on the sink, so that a client
 * that failed can be taken out of the page without calling into it; returns it. */
export function keep(sink, undo) {
  (sink.undo = sink.undo || []).push(undo);
  return undo;
}

/**
 * Runs `fn` in a later task, off `init`'s path: what a source does first (reading the buffered
 * performance entries, the load's page view and navigation timing) waits for the page's own
 * start. Nothing is lost by waiting: the observers are `buffered`, and a page hidden before the
 * task runs it first (`drain`, from the hide listener below). Guarded; after a shutdown (`sink.c`
 * gone) it does nothing.
 */
export function soon(sink, fn) {
  if ((sink.soon = sink.soon || []).push(fn) < 2) setTimeout(() => drain(sink));
}

/** Runs what `soon` holds, now. (What it runs adds nothing more to it.) */
export function drain(sink) {
  for (const fn of (sink.soon || []).splice(0)) {
    try {
      if (sink.c) fn();
    } catch (e) {}
  }
}

/** JSON of a page's value, or undefined (circular, a throwing getter, toJSON or Proxy trap). */
export function stringify(v) {
  try {
    return toJson(v, plain);
  } catch (e) {}
}

/** `String(v)`, or a placeholder when that throws (a throwing `toString`, a revoked Proxy). */
export function text(v) {
  try {
    return String(v);
  } catch (e) {
    return '[unreadable value]';
  }
}

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
    if (v && typeof v === 'object') {
      // each field read once (a getter may answer differently, or throw, the second time)
      const message = v.message;
      if (typeof message === 'string') {
        const stack = v.stack;
        return [text(v.name || 'Error'), message, typeof stack === 'string' ? stack : undefined];
      }
      const json = stringify(v); // circular, or a throwing toJSON: undefined
      return ['', json === undefined ? ObjectProto.toString.call(v) : json, undefined];
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

// The page is going away (`pagehide`, until it is shown again): what is kept now must be written
// before the page is gone, so it goes to localStorage (js/io.js), not to IndexedDB, whose writes
// finish later (a record written at close may land after the next page has looked).
let leaving = false;
export const closing = () => leaving;

/** Adds the listeners, reporting to `sink.c`; returns the function that removes them. */
export function install(sink) {
  const onError = (ev) => sink.c && reportEvent(ev, Date.now(), sink.c);
  const onHide = (ev) => {
    leaving = ev.type === 'pagehide';
    try {
      drain(sink);
      if (sink.c && (ev.type === 'pagehide' || document.visibilityState === 'hidden')) sink.c.inbox(S.PAGE_HIDE, [ev.type === 'pagehide']);
      // visible again: what was kept goes once claimed (another tab may have taken this tab's record)
      else refill(sink, claimBacklog());
    } catch (e) {}
  };
  const onOnline = () => {
    try {
      if (sink.c) sink.c.inbox(S.ONLINE, []);
      refill(sink, claimBacklog());
    } catch (e) {}
  };
  const hooks = [
    [window, 'error', onError, true],
    [window, 'unhandledrejection', onError, false],
    [document, 'visibilitychange', onHide, false],
    [window, 'pagehide', onHide, false],
    [window, 'online', onOnline, false],
  ];
  for (const [target, type, fn, capture] of hooks) target.addEventListener(type, fn, { capture, passive: true });
  return keep(sink, () => {
    for (const [target, type, fn, capture] of hooks) target.removeEventListener(type, fn, capture);
  });
}
