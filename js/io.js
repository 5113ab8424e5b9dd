// Every browser call the wasm makes, as small plain functions it imports: timers, the transport's
// POST and beacon, storage, page facts. Fewer and simpler imports than web-sys bindings, and each
// one swallows the exceptions browsers throw (sandboxed storage, beacon quotas, odd URLs).
// Callbacks reach the client as `sink.c.method(...)` (exported methods, no wasm closures), always
// from a later task.

export function post(fetch, url, body, keepalive, channel, sink) {
  const report = (status, retryAfter) => sink && sink.c && sink.c.done(channel, status, retryAfter);
  try {
    fetch(url, { method: 'POST', body, keepalive }).then(
      (r) => report(r.status, r.headers.get('retry-after')),
      () => report(0, null),
    );
  } catch (e) {
    Promise.resolve().then(() => report(0, null));
  }
}

export function beacon(url, body) {
  try {
    return navigator.sendBeacon(url, body);
  } catch (e) {
    return false;
  }
}

export function timer(ms, channel, sink) {
  return setTimeout(() => sink.c && sink.c.tick(channel), ms);
}

export function cancel(id) {
  clearTimeout(id);
}

const store = (session) => (session ? sessionStorage : localStorage);

export function load(session, key) {
  try {
    return store(session).getItem(key);
  } catch (e) {}
}

export function save(session, key, value) {
  try {
    store(session).setItem(key, value);
    return true;
  } catch (e) {
    return false;
  }
}

export function remove(session, key) {
  try {
    store(session).removeItem(key);
  } catch (e) {}
}

export function href() {
  return location.href;
}

export function agent() {
  return navigator.userAgent;
}

/** `url` resolved against the page, or undefined when it is not a URL. */
export function resolve(url) {
  try {
    return new URL(url, location.href).href;
  } catch (e) {}
}

const kind = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : v instanceof RegExp ? 'regexp' : typeof v);

/**
 * The config object as flat `[path, kind, value, ...]` triples, parents before their fields
 * (`{errors: {maxQueueSize: 5}}` gives `'errors', 'object', {…}, 'errors.maxQueueSize', 'number', 5`);
 * an array's value is `[[kind, item], ...]`. Undefined fields are skipped. Not an object: null.
 */
export function flatten(config, path = '', out = [], depth = 0) {
  try {
    if (kind(config) !== 'object') return null;
    for (const key of Object.keys(config)) {
      const v = config[key];
      const k = kind(v);
      if (k === 'undefined') continue;
      out.push(path + key, k, k === 'array' ? v.map((i) => [kind(i), i]) : v);
      if (k === 'object' && depth < 4) flatten(v, path + key + '.', out, depth + 1);
    }
    return out;
  } catch (e) {
    return null; // a throwing getter or Proxy: not a config we can read
  }
}

/** The page's `fetch` as it is now: the transport keeps it, so wrappers added later are bypassed. */
export function nativeFetch() {
  return globalThis.fetch;
}

/** `[promise, resolve]` */
export function deferred() {
  let resolve;
  const promise = new Promise((r) => (resolve = r));
  return [promise, resolve];
}

export function num(v) {
  return isFinite(v) ? String(v) : '0';
}

export function debug(what, detail) {
  console.debug(what, detail);
}
