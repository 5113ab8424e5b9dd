// The network instrumentation's page side, imported by the wasm (src/instrument/net.rs): wrappers
// of `fetch` and `XMLHttpRequest` that the page cannot tell from the natives. The wrappers call
// the natives with the very arguments they got (plus a `traceparent` header on sampled, allowed
// requests), return what the natives return, never read, clone or tee a body, and hand what they
// saw to `sink.c.net([...])` once the request has ended, inside try/catch.

/** `[api, method, url, status, ms, size, outcome, startEpochMs, traceId, spanId]` */
const report = (sink, rec, status, size, outcome) => {
  try {
    if (sink.c) sink.c.net([rec.api, rec.method, rec.url, status, performance.now() - rec.t, size, outcome, rec.at, rec.trace || '', rec.span || '']);
  } catch (e) {}
};

const hex = (bytes) => Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => (b < 16 ? '0' : '') + b.toString(16)).join('');

const sizeOf = (v) => (v == null || v === '' ? -1 : +v);

/**
 * Wraps `fetch` and `XMLHttpRequest.prototype.{open,setRequestHeader,send}` for `sink.c`.
 * `tracing` is null, or `[sampleRate, ...propagateTo]` (strings: URL prefixes; RegExps).
 * Returns the function that puts back each original that nothing else replaced since.
 */
export function patch(sink, tracing) {
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
    const rec = { api, method: String(method || 'GET').toUpperCase(), url: url.href, t: performance.now(), at: Date.now() };
    if (tracing && Math.random() < sampleRate) {
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
        if (rec.propagate) {
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
          (r) => report(sink, rec, r.status, sizeOf(r.headers.get('content-length')), 'load'),
          (e) => report(sink, rec, 0, -1, e && e.name === 'AbortError' ? 'abort' : e && e.name === 'TimeoutError' ? 'timeout' : 'error'),
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
          let outcome = 'load';
          const xhr = this;
          const ended = (ev) => {
            try {
              if (ev.type !== 'loadend') return void (outcome = ev.type);
              ['error', 'abort', 'timeout', 'loadend'].forEach((t) => xhr.removeEventListener(t, ended));
              state.delete(xhr);
              report(sink, rec, xhr.status, sizeOf(xhr.getResponseHeader('content-length')), outcome);
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
