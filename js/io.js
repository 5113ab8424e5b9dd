// Every browser call the wasm makes, as small plain functions it imports: the transport's POST and
// beacon, storage, page facts, the page's hooks. Fewer and simpler imports than web-sys bindings,
// and each one swallows the exceptions browsers throw (sandboxed storage, beacon quotas, odd URLs,
// hooks that throw). A request's outcome reaches the client through the `sent` signal, always
// from a later task.
import * as S from './signals.js';
import { closing, stringify } from './hooks.js';

// Captured when the SDK loads, as `fetch` is: a page that patches them later changes nothing here.
const Gzip = globalThis.CompressionStream;
const Res = globalThis.Response;
const Bytes = globalThis.Blob;
const assign = Object.assign;
const parse = JSON.parse;
const keys = Object.keys;
const earlyFetch = globalThis.fetch;
// XMLHttpRequest's own methods, before js/net.js wraps them: our requests are never the page's
const XHR = globalThis.XMLHttpRequest;
const xhr = XHR && XHR.prototype;
const [xOpen, xHeader, xSend] = xhr ? [xhr.open, xhr.setRequestHeader, xhr.send] : [];

/**
 * `fetch(url, init)` where there is a fetch that does not throw; else the same request by
 * XMLHttpRequest (a page without fetch, or whose fetch throws), resolving to what the transport
 * reads of a Response (`status`, `headers.get`, `text()`, `arrayBuffer()`), rejecting on a network
 * error as fetch does. No keepalive that way.
 */
export function request(fetch, url, init) {
  if (typeof fetch === 'function') {
    try {
      return fetch(url, init);
    } catch (e) {}
  }
  return new Promise((resolve, reject) => {
    const x = new XHR();
    xOpen.call(x, init.method || 'GET', url);
    const h = init.headers || {};
    for (const k of keys(h)) xHeader.call(x, k, h[k]);
    x.responseType = init.binary ? 'arraybuffer' : 'text';
    x.onload = () => {
      const body = () => Promise.resolve(x.response);
      resolve({ status: x.status, headers: { get: (n) => x.getResponseHeader(n) }, text: body, arrayBuffer: body });
    };
    x.onerror = x.onabort = x.ontimeout = () => reject(new TypeError('request failed'));
    xSend.call(x, init.body);
  });
}

// Set when the page's fetch threw, or failed where XMLHttpRequest then did not, as the wasm loaded:
// the transport does without it (and says so).
let broken = false;

/** The wasm for the glue: a fetch's Response (compiled while it streams), else its bytes by XHR. */
export function wasmSource(url) {
  const byXhr = () =>
    request(null, String(url), { binary: true }).then((r) => {
      if (r.status !== 200) throw new Error('sightline: the wasm did not load: HTTP ' + r.status);
      broken = typeof earlyFetch === 'function';
      return r.arrayBuffer();
    });
  try {
    if (typeof earlyFetch === 'function') return earlyFetch(url).then(undefined, byXhr);
  } catch (e) {}
  return byXhr();
}

export function post(fetch, url, body, keepalive, req, sink, otlp) {
  let told = false;
  // once, and never throwing into the page: every path below ends here
  const report = (status, retryAfter, rejected) => {
    if (told) return;
    told = true;
    try {
      if (sink.c) sink.c.inbox(S.SENT, [req, status, retryAfter, rejected || 0]);
    } catch (e) {}
  };
  const send = (data, headers) =>
    request(fetch, url, { method: 'POST', body: data, keepalive, headers }).then(
      (r) => {
        const done = (text) => report(r.status, r.headers.get('retry-after'), otlp && refused(text));
        // A keepalive request's answer is read to its end before the outcome counts: until then
        // the browser still holds its bytes against the page's keepalive quota (64 KiB). An
        // OTLP answer may say that part of the batch was refused.
        if (keepalive || otlp) return r.text().then(done, () => done());
        done();
      },
      () => report(0, null),
    );
  try {
    let sending;
    // without fetch there is no keepalive request: at close a native batch goes as a beacon
    if (keepalive && !otlp && typeof fetch !== 'function') sending = Promise.resolve().then(() => report(beacon(url, body) ? 200 : 0, null));
    else if (!otlp) sending = send(body);
    // gzip only without keepalive: compressing takes a few tasks, and a keepalive request must
    // leave while the page may be closing
    else if (otlp.gzip && !keepalive && body.length > 1024 && Gzip && Res && Bytes)
      sending = new Res(new Bytes([body]).stream().pipeThrough(new Gzip('gzip')))
        .arrayBuffer()
        .then(
          (gz) => send(gz, assign({ 'Content-Encoding': 'gzip' }, otlp.headers)),
          () => send(body, otlp.headers),
        );
    else sending = send(body, otlp.headers);
    // whatever throws on the way is a failed send, never an unhandled rejection in the page
    sending.then(undefined, () => report(0, null));
  } catch (e) {
    Promise.resolve().then(() => report(0, null));
  }
}

/** The items an OTLP `partialSuccess` answer refused (its counts are 64-bit: strings or numbers). */
function refused(text) {
  try {
    const p = parse(text).partialSuccess;
    return +(p.rejectedLogRecords || p.rejectedDataPoints || p.rejectedSpans) || 0;
  } catch (e) {
    return 0;
  }
}

/** The OTLP exporter's request options: JSON, the config's headers (`name\nvalue\n…`), gzip. */
export function otlpOptions(text, gzip) {
  const headers = { 'Content-Type': 'application/json' };
  const pairs = text.split('\n');
  for (let i = 0; i + 1 < pairs.length; i += 2) headers[pairs[i]] = pairs[i + 1];
  return { headers, gzip };
}

export function beacon(url, body) {
  try {
    return navigator.sendBeacon(url, body);
  } catch (e) {
    return false;
  }
}

const store = (session) => (session ? sessionStorage : localStorage);

// The backlog of unsent batches (keys `sightline:pending…`) lives in IndexedDB where it opens,
// in localStorage otherwise. The core reads storage synchronously, IndexedDB answers later: what
// the records hold is claimed (read and deleted in one transaction, so no other tab sends it too)
// and held here: as the SDK loads, a second and five seconds later, and before what was kept goes
// (the page visible or online again, the `backlog` signal). This tab writes its own record,
// committed at once (a page that is closing may not finish a task); another tab may claim it
// while this one is hidden, so the copy kept here (`own`) is never sent: it is only what the next
// record is made of, and a claim replaces it with what the record still held.
const BACKLOG = 'sightline:pending';
const tab = '#' + Math.random().toString(36).slice(2);
let db;
const held = {};
let own = {};

const backlog = (session, key) => !session && db && key.startsWith(BACKLOG);
/** Two backlog texts as one (either may be empty). */
const joined = (a, b) => (a && b ? a + '\n' + b : a || b);

export function save(session, key, value) {
  if (backlog(session, key)) {
    // what was held here (and localStorage's) is part of `value` now
    delete held[key];
    // at close: localStorage, written before the page is gone; this tab's record stays where
    // it is (`value` does not have it), for whichever page claims it
    if (closing()) return localSave(key, value);
    own[key] = value;
    record(key, value);
    remove(session, key, true);
    return true;
  }
  try {
    store(session).setItem(key, value);
    return true;
  } catch (e) {
    return false;
  }
}

/** Opens the backlog's database and claims what it holds; settles within a second, whatever
 * happens, with whether it found anything. */
export function claimBacklog() {
  return new Promise((resolve) => {
    const limit = after(resolve, 1000);
    const done = (found) => (cancel(limit), resolve(found));
    try {
      if (db) return take(db, done);
      const open = indexedDB.open('sightline', 1);
      open.onupgradeneeded = () => open.result.createObjectStore('backlog');
      open.onerror = open.onblocked = () => done();
      open.onsuccess = () => take(open.result, done);
    } catch (e) {
      done(); // no IndexedDB (or it throws): localStorage it is
    }
  });
}

/** Once `claim` settles, the client sends what the backlog holds now (the `backlog` signal). */
export const refill = (sink, claim) => claim.then(() => sink.c && sink.c.inbox(S.BACKLOG, []));

// What the first claim (`first`, as the SDK loaded) found goes once the client runs. A page that
// closes as the next one loads writes its record a moment later: once this one runs, what arrived
// since is claimed again (after one and five seconds), and sent.
export function claimLate(sink, first) {
  refill(sink, first).then(() => {
    // cleared at shutdown with the client's timers
    if (db && sink.c) sink.later = [1000, 5000].map((ms) => after(() => refill(sink, claimBacklog()), ms));
  });
}

function take(d, done) {
  try {
    const tx = d.transaction('backlog', 'readwrite');
    const s = tx.objectStore('backlog');
    const values = s.getAll();
    const names = s.getAllKeys();
    // every record, this tab's own too (another tab may have taken it), in this same transaction
    names.onsuccess = () => names.result.forEach((k) => s.delete(k));
    tx.oncomplete = () => {
      // this tab's record, if no other tab took it, is among them: the copy kept here goes
      own = {};
      names.result.forEach((k, i) => {
        const key = String(k).split('#')[0];
        held[key] = joined(held[key], values.result[i]);
      });
      db = d;
      done(names.result.length > 0);
    };
    tx.onerror = tx.onabort = () => done();
  } catch (e) {
    done();
  }
}

/** This tab's record of `key`: written (`value`) or deleted, committed at once. */
function record(key, value) {
  try {
    const tx = db.transaction('backlog', 'readwrite');
    const s = tx.objectStore('backlog');
    if (value === undefined) s.delete(key + tab);
    else s.put(value, key + tab);
    // what IndexedDB refuses (its quota) goes to localStorage instead
    if (value !== undefined) tx.onerror = tx.onabort = () => localSave(key, value);
    if (tx.commit) tx.commit();
  } catch (e) {
    if (value !== undefined) localSave(key, value);
  }
}

function localSave(key, value) {
  try {
    localStorage.setItem(key, value);
    return true;
  } catch (e) {
    return false;
  }
}

export function load(session, key) {
  let local;
  try {
    local = store(session).getItem(key);
  } catch (e) {}
  if (!backlog(session, key)) return local;
  // held here, and what an SDK without IndexedDB left in localStorage; and to make the next record
  // of, this tab's own (not at close: that record stays in IndexedDB)
  return joined(joined(held[key], closing() ? '' : own[key]), local);
}

export function remove(session, key, localOnly) {
  if (!localOnly && backlog(session, key)) {
    delete held[key];
    delete own[key];
    record(key);
  }
  try {
    store(session).removeItem(key);
  } catch (e) {}
}

export function href() {
  try {
    return String(location.href);
  } catch (e) {
    return '';
  }
}

// a page may redefine these getters, even to throw: nothing thrown here may cross the wasm
export function visible() {
  try {
    return document.visibilityState === 'visible';
  } catch (e) {
    return true;
  }
}

export function agent() {
  try {
    return String(navigator.userAgent);
  } catch (e) {
    return '';
  }
}

const after = setTimeout;
const cancel = clearTimeout;

/** Timer `slot` of `sink`'s client fires in `ms`, replacing one pending; cleared at shutdown. */
export function setTimer(sink, slot, ms) {
  const t = (sink.timers = sink.timers || []);
  cancel(t[slot]);
  t[slot] = after(() => sink.c && sink.c.timer(slot), ms);
}

export function clearTimer(sink, slot) {
  if (sink.timers) cancel(sink.timers[slot]);
}


/** For OTLP's resource: `navigator.language`, and where User-Agent Client Hints exist the platform, mobile and brands, a line each. */
export function browser() {
  try {
    const d = navigator.userAgentData;
    const brands = d ? d.brands.map((b) => b.brand + ' ' + b.version).join(',') : '';
    return [navigator.language || '', d ? d.platform : '', d ? (d.mobile ? '1' : '0') : '', brands].join('\n');
  } catch (e) {
    return '';
  }
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

/** The page's `fetch` as it is now (or as it was when the SDK loaded, if it is gone since): the
 * transport keeps it, so wrappers added later are bypassed. Not a function: no fetch at all. */
export function nativeFetch() {
  return broken ? undefined : typeof globalThis.fetch === 'function' ? globalThis.fetch : earlyFetch;
}

/**
 * `beforeSend`: calls `f` with the item (JSON) as an object. `null` or `false` drops it (0); an
 * object replaces it (its JSON); a throw keeps it and is counted (1); anything else keeps it.
 */
export function hook(f, item) {
  let r;
  try {
    r = f(parse(item));
  } catch (e) {
    return 1;
  }
  if (r === null || r === false) return 0;
  if (r && typeof r === 'object') {
    const json = stringify(r);
    if (typeof json === 'string') return json;
  }
}

/** Settles the `flush()` promises waiting in `sink.flushes`. */
export function flushed(sink, done) {
  for (const resolve of (sink.flushes || []).splice(0)) resolve(done);
}

/** `onError({code, message})`; false when it threw. */
export function tell(f, code, message) {
  try {
    f({ code, message });
    return true;
  } catch (e) {
    return false;
  }
}

// A signal's fields, read one at a time by the inbox (one call each, no value handles).
export const argStr = (a, i) => (typeof a[i] === 'string' ? a[i] : undefined);
export const argNum = (a, i) => (typeof a[i] === 'number' && a[i] === a[i] ? a[i] : 0);
export const argBool = (a, i) => !!a[i];

export function num(v) {
  return isFinite(v) ? String(v) : '0';
}

export function debug(what, detail) {
  try {
    console.debug(what, detail);
  } catch (e) {}
}
