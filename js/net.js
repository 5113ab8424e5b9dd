// The network instrumentation's page side, imported by the wasm (src/instrument/net.rs): wrappers
// of `fetch` and `XMLHttpRequest` that the page cannot tell from the natives. The wrappers call
// the natives with the very arguments they got (plus a `traceparent` header on sampled, allowed
// requests), return what the natives return, never read, clone or tee a body, and hand what they
// saw to `sink.c.net([...])` once the request has ended, inside try/catch.

/**
 * Hands an ended request to the client: `net(origin, ms, status, size, detail)`. The common case (a
 * fast success, not traced) crosses with numbers and the origin only; `detail` —
 * `[api, method, url, outcome, startEpochMs, traceId, spanId]` — comes for the rest.
 */
const report = (sink, slowMs, rec, status, size, outcome) => {
  try {
    const ms = performance.now() - rec.t;
    const detail = status >= 400 || outcome !== 'load' || ms > slowMs || rec.trace ? [rec.api, rec.method, rec.url, outcome, Date.now() - ms, rec.trace, rec.span] : undefined;
    if (sink.c) sink.c.net(rec.origin, ms, status, size, detail);
  } catch (e) {}
};

const hex = (bytes) => Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => (b < 16 ? '0' : '') + b.toString(16)).join('');

const sizeOf = (v) => (v == null || v === '' ? -1 : +v);

/**
 * Wraps `fetch` and `XMLHttpRequest.prototype.{open,setRequestHeader,send}` for `sink.c`.
 * `tracing` is null, or `[sampleRate, ...propagateTo]` (strings: URL prefixes; RegExps);
 * `slowMs` is `errors.slowRequestMs`; `own` the collector endpoints (absolute URLs), never recorded.
 * Returns the function that puts back each original that nothing else replaced since.
 */
export function patch(sink, tracing, slowMs, own) {
  const undo = [];
  const sampleRate = tracing ? tracing[0] : 0;
  const targets = tracing ? tracing.slice(1) : [];
  // `traceparent` goes only to the page's origin and to `propagateTo` matches: a string is a URL
  // prefix ending at a boundary (`https://api.example.com` does not match `…example.com.evil`)
  const allowed = (url) =>
    url.origin === location.origin ||
    targets.some((p) =>
      typeof p === 'string'
        ? url.href.startsWith(p) && (/[/?#]$/.test(p) || /^(?:$|[/?#:])/.test(url.href.slice(p.length)))
        : p.test(url.href),
    );
  /** What we record of a request about to start; `propagate` when a sampled trace may add its header. */
  const begin = (api, method, target) => {
    const url = new URL(target, location.href);
    if (own.includes(url.origin + url.pathname)) return null;
    const rec = { api, method: String(method || 'GET').toUpperCase(), url: url.href, origin: url.origin, t: performance.now() };
    // traced only in a sampled session: a trace the SDK would not report is not started either
    if (tracing && Math.random() < sampleRate && sink.c && sink.c.sampled()) {
      rec.trace = hex(16);
      rec.span = hex(8);
      rec.propagate = allowed(url);
    }
    return rec;
  };
  const traceparent = (rec) => '00-' + rec.trace + '-' + rec.span + '-01';
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
        rec = begin('fetch', init && init.method !== undefined ? init.method : req ? req.method : 'GET', req ? req.url : input);
        if (rec && rec.propagate) {
          // headers are read only here, for a sampled request that may carry the trace; the
          // page's init stays as it was: ours inherits from it and only replaces `headers`
          const ours = new Headers(init && init.headers !== undefined ? init.headers : req ? req.headers : undefined);
          if (!ours.has('traceparent')) {
            ours.set('traceparent', traceparent(rec));
            const init2 = Object.create(init && typeof init === 'object' ? init : null);
            init2.headers = ours;
            args = [input, init2];
          }
        }
      } catch (e) {
        rec = undefined; // arguments the native will refuse: let it say so, untouched
        args = arguments;
      }
      const p = nativeFetch.apply(this, args);
      if (rec) {
        p.then(
          (r) => report(sink, slowMs, rec, r.status, sizeOf(r.headers.get('content-length')), 'load'),
          (e) => report(sink, slowMs, rec, 0, -1, e && e.name === 'AbortError' ? 'abort' : e && e.name === 'TimeoutError' ? 'timeout' : 'error'),
        );
      }
      return p;
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
          const rec = (s.rec = begin('xhr', s.method, s.url));
          if (!rec) return nativeSend.apply(this, arguments);
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
              report(sink, slowMs, rec, xhr.status, sizeOf(xhr.getResponseHeader('content-length')), o);
            } catch (e) {}
          };
          ['error', 'abort', 'timeout', 'loadend'].forEach((t) => this.addEventListener(t, ended));
          if (rec.propagate && !s.parent) nativeSetHeader.call(this, 'traceparent', traceparent(rec));
        }
      } catch (e) {}
      return nativeSend.apply(this, arguments);
    });
  }
  return () => undo.splice(0).forEach((f) => f());
}
