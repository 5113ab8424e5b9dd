// The network source's page side, imported by the wasm (src/lib.rs): wrappers of `fetch` and
// `XMLHttpRequest` that the page cannot tell from the natives. The wrappers call the natives with
// the very arguments they got (plus a `traceparent` header on the requests the SDK traces), return
// what the natives return, never read, clone or tee a body, and hand what they saw to the client
// (the `request` signal) once the request has ended, inside try/catch. Which requests are the
// SDK's own, which are errors, and which get a trace, is decided on the Rust side.
import * as S from './signals.js';
import { counted, keep } from './hooks.js';

// captured at load: a page that patches `then` later does not see (or break) our observation
const then = Promise.prototype.then;

/** Hands an ended request to the client. */
const report = (sink, rec, status, size, outcome) => {
  try {
    const ms = performance.now() - rec.t;
    if (sink.c) sink.c.inbox(S.REQUEST, [rec.xhr, rec.method, rec.url, outcome, status, ms, size, Date.now() - ms, rec.tp]);
  } catch (e) {}
};

const sizeOf = (v) => (v == null || v === '' ? -1 : +v);

// Bytes of the page's own keepalive requests in flight: the browser's keepalive quota (64 KiB) is
// shared with the transport's, which asks before it sends one (a refusal would come too late at
// close). A body's size is read where it is known without reading the body (strings, blobs, buffers).
let held = 0;
export const pageKeepalive = () => held;
const keepaliveBytes = (init) => {
  // most requests stop at the first check (no init, or no keepalive)
  const b = init && init.keepalive && init.body;
  try {
    return !b ? 0 : typeof b === 'string' ? new Blob([b]).size : +(b.size || b.byteLength) || 0;
  } catch (e) {
    return 0; // a body of no known size (a FormData), or one whose getters throw: not counted
  }
};

const hex = (bytes) => Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => (b < 16 ? '0' : '') + b.toString(16)).join('');

/**
 * Wraps `fetch` and `XMLHttpRequest.prototype.{open,setRequestHeader,send}` for `sink.c`; with
 * `tracing`, each request asks the client for its `traceparent` as it starts. Returns the function
 * that puts back each original that nothing else replaced since.
 */
export function patch(sink, tracing) {
  const undo = [];
  /** What we record of a request about to start; `propagate` when its trace header may be sent. */
  const begin = (xhr, method, target) => {
    const url = new URL(target, location.href).href;
    const rec = { xhr, method: String(method || 'GET'), url, t: performance.now(), tp: '' };
    // traced (the Rust side decides: sampling, and where the header may go): ids from crypto
    const traced = tracing && sink.c ? sink.c.trace(url) : 0;
    if (traced) {
      rec.tp = '00-' + hex(16) + '-' + hex(8) + '-01';
      rec.propagate = traced > 1;
    }
    return rec;
  };
  const replace = (obj, name, wrapper) => {
    const original = obj[name];
    // the native's name, whatever a minifier did to ours
    Object.defineProperty(wrapper, 'name', { value: original.name });
    obj[name] = wrapper;
    undo.push(() => obj[name] === wrapper && (obj[name] = original));
    return original;
  };

  if (typeof fetch === 'function') {
    const nativeFetch = replace(globalThis, 'fetch', function fetch(input) {
      let rec;
      let args = arguments;
      try {
        const init = arguments[1];
        const req = input instanceof Request ? input : null;
        rec = begin(false, init && init.method !== undefined ? init.method : req ? req.method : 'GET', req ? req.url : input);
        // an abort is decided by the signal (its reason may be any value), not by the error's name
        rec.signal = init && init.signal ? init.signal : req ? req.signal : null;
        rec.held = keepaliveBytes(init);
        if (rec.propagate) {
          // headers are read only here, for a sampled request that may carry the trace; the
          // page's init stays as it was: ours inherits from it and only replaces `headers`
          const ours = new Headers(init && init.headers !== undefined ? init.headers : req ? req.headers : undefined);
          if (!ours.has('traceparent')) {
            ours.set('traceparent', rec.tp);
            const init2 = Object.create(init && typeof init === 'object' ? init : null);
            init2.headers = ours;
            args = [input, init2];
          } else rec.tp = ''; // the page traces it itself: no span of ours with ids never sent
        }
      } catch (e) {
        rec = undefined; // arguments the native will refuse: let it say so, untouched
        args = arguments;
      }
      const p = nativeFetch.apply(this, args);
      if (!rec) return p;
      // The page gets a promise chained on the native one that settles the same way, with the same
      // Response or error: observing the native promise itself would mark it handled, and a
      // failure the page never catches would no longer raise `unhandledrejection`.
      held += rec.held;
      try {
        return then.call(
          p,
          (r) => {
            held -= rec.held;
            try {
              report(sink, rec, r.status, sizeOf(r.headers.get('content-length')), 'load');
            } catch (x) {} // a response from a fetch patched below us may lack headers
            return r;
          },
          (e) => {
            held -= rec.held;
            let how = 'error';
            try {
              const s = rec.signal;
              const name = s && s.aborted ? (s.reason && s.reason.name) || 'AbortError' : e && e.name;
              how = name === 'TimeoutError' ? 'timeout' : (s && s.aborted) || name === 'AbortError' ? 'abort' : 'error';
            } catch (x) {}
            // a failure is recorded once: as the request's error, not again as an unhandled rejection
            if (how !== 'abort') counted(e);
            report(sink, rec, 0, -1, how);
            throw e;
          },
        );
      } catch (x) {
        held -= rec.held;
        return p; // a fetch patched below us that returns no promise: pass it on as it is
      }
    });
  }

  if (typeof XMLHttpRequest === 'function') {
    const proto = XMLHttpRequest.prototype;
    const state = new WeakMap();
    const nativeOpen = replace(proto, 'open', function open(method, url) {
      try {
        state.set(this, { method, url: String(url) });
      } catch (e) {}
      return nativeOpen.apply(this, arguments);
    });
    const nativeSetHeader = replace(proto, 'setRequestHeader', function setRequestHeader(name, value) {
      try {
        const s = state.get(this);
        if (s && /^traceparent$/i.test(name)) s.parent = true;
      } catch (e) {}
      return nativeSetHeader.apply(this, arguments);
    });
    const nativeSend = replace(proto, 'send', function send() {
      try {
        const s = state.get(this);
        if (s && !s.rec && this.readyState === 1) {
          const rec = (s.rec = begin(true, s.method, s.url));
          let outcome = 'load';
          const xhr = this;
          // the listeners stay with the object; once this request has ended they do nothing
          const ended = (ev) => {
            try {
              if (!outcome) return;
              if (ev.type !== 'loadend') return void (outcome = ev.type);
              const o = outcome;
              outcome = '';
              state.delete(xhr);
              report(sink, rec, xhr.status, sizeOf(xhr.getResponseHeader('content-length')), o);
            } catch (e) {}
          };
          ['error', 'abort', 'timeout', 'loadend'].forEach((t) => this.addEventListener(t, ended));
          if (rec.propagate && !s.parent) nativeSetHeader.call(this, 'traceparent', rec.tp);
          else if (rec.propagate) rec.tp = ''; // the page's own traceparent went instead
        }
      } catch (e) {}
      return nativeSend.apply(this, arguments);
    });
  }
  return keep(sink, () => undo.splice(0).forEach((f) => f()));
}
