// Shared by the npm entry and the script-tag build: loads the wasm once, starts a client, and wraps
// every method so that nothing the SDK does can throw into the page.
// the wasm-bindgen glue of this build (scripts/build.sh aliases it: build/wb or build/wb-core)
import loadWasm, { start, inbox, timer, trace, report, resolveAlert, shutdown, free } from 'sightline-glue';
import { describe, reportEvent, stringify, text } from './hooks.js';
import * as S from './signals.js';
import { claimBacklog, claimLate, wasmSource } from './io.js';

let loading;
let claiming;
let current; // the running monitor: a new init shuts it down

function load(url) {
  if (!loading) {
    // fetched with the fetch the page had when the SDK loaded, or by XMLHttpRequest without one
    loading = loadWasm({ module_or_path: wasmSource(url) }).catch((e) => {
      loading = undefined; // a later init may try again (e.g. after a network blip)
      throw e;
    });
    // meanwhile, what earlier page loads kept in IndexedDB is claimed; the client does not wait
    // for it (opening the database can take longer than the wasm): it is sent once claimed
    claiming = claimBacklog();
  }
  return loading;
}

/** Clears the client's timers (js/io.js `setTimer`) and the backlog's late claims. */
const stopTimers = (sink) => (sink.timers || []).concat(sink.later || []).forEach((t) => clearTimeout(t));

/**
 * Takes a client that failed (a wasm trap, or an exception out of it: its state can no longer be
 * trusted) out of the page, once: everything it installed is removed without calling into it,
 * its timers cleared, later calls are no-ops; `onError` (or the console) hears it once.
 */
function disable(sink, e, onError) {
  if (sink.dead) return;
  sink.dead = true;
  sink.c = undefined;
  for (const undo of (sink.undo || []).splice(0)) {
    try {
      undo();
    } catch (x) {}
  }
  stopTimers(sink);
  const message = 'sightline: disabled after an internal error (' + describe(e)[1] + '); the page is unaffected';
  try {
    if (typeof onError === 'function') onError({ code: 'internal_error', message });
    else console.warn(message);
  } catch (x) {}
}

/** Client `id` as the page side calls it: a call that throws disables the SDK (see `disable`). */
function guard(id, sink, onError) {
  const g = {};
  for (const [name, f, fallback] of [['inbox', inbox], ['timer', timer], ['trace', trace, 0], ['report', report, 'null'], ['resolveAlert', resolveAlert, false], ['shutdown', shutdown], ['free', free]]) {
    g[name] = (...args) => {
      if (sink.dead) return fallback;
      try {
        return f(id, ...args);
      } catch (e) {
        disable(sink, e, onError);
        return fallback;
      }
    };
  }
  return g;
}

function monitor(client, sink, debug) {
  let live = true;
  const safe = (f, fallback) => (...args) => {
    try {
      return live && !sink.dead ? f(...args) : fallback;
    } catch (e) {
      return fallback;
    }
  };
  const str = (v) => (v == null ? undefined : text(v));
  const absent =
    SIGHTLINE_CORE &&
    ((name, fallback) =>
      safe(() => {
        if (debug) console.debug('sightline: ' + name + '() is not in the core build: it does nothing');
        return fallback;
      }, fallback));
  // clicks waiting to be described (js/ux.js) count before anything is read or sent
  const clicks = () => sink.clicks && sink.clicks();
  const m = {
    captureError: safe((error, context) => {
      const [name, message, stack] = describe(error);
      // a context that cannot be serialized (circular, throwing) is dropped, the error is not
      client.inbox(S.ERROR, [3, name, message, stack, undefined, 0, 0, Date.now(), 'error', context === undefined ? undefined : stringify(context)]);
    }),
    captureMessage: safe((message, level) => client.inbox(S.ERROR, [3, '', text(message), undefined, undefined, 0, 0, Date.now(), str(level) || 'info', undefined])),
    setUser: safe((id) => client.inbox(S.USER, [str(id)])),
    setTag: safe((key, value) => client.inbox(S.TAG, [text(key), text(value)])),
    flush: safe(() => {
      clicks();
      // settled by the wasm through `flushed` (js/io.js)
      const done = new Promise((resolve) => (sink.flushes = sink.flushes || []).push(resolve));
      client.inbox(S.FLUSH, []);
      return done;
    }, Promise.resolve(true)),
    stats: safe(() => JSON.parse(client.report(0))),
    sessionSummary: safe(() => (clicks(), JSON.parse(client.report(1)))),
    // The full build's methods. In the core build (SIGHTLINE_CORE, scripts/build.sh) they are
    // documented no-ops that say so in the debug log.
    snapshot: SIGHTLINE_CORE ? absent('snapshot', null) : safe(() => (clicks(), JSON.parse(client.report(2)))),
    /** `fn` may return true/false, a status string or `{status, message}`, or throw; sync or async */
    registerHealthCheck: SIGHTLINE_CORE
      ? absent('registerHealthCheck')
      : safe((name, fn) => {
          if (typeof fn !== 'function') return;
          const checks = (sink.checks = sink.checks || []);
          const key = text(name);
          const i = checks.findIndex((c) => c[0] === key);
          if (i >= 0) checks[i][1] = fn;
          else if (checks.length < 50) checks.push([key, fn]);
        }),
    runHealthChecks: SIGHTLINE_CORE
      ? absent('runHealthChecks', Promise.resolve(undefined))
      : safe(() => {
          sink.pending = undefined;
          client.inbox(S.RUN_HEALTH, []);
          const run = sink.pending;
          return run ? run.then(() => (live ? JSON.parse(client.report(3)) : undefined)) : Promise.resolve(undefined);
        }, Promise.resolve(undefined)),
    onAlert: SIGHTLINE_CORE
      ? absent('onAlert')
      : safe((fn) => {
          if (typeof fn === 'function') sink.alertFns.push(fn);
        }),
    resolveAlert: SIGHTLINE_CORE ? absent('resolveAlert', false) : safe((key) => client.resolveAlert(text(key)), false),
    shutdown: safe(() => {
      live = false;
      client.shutdown();
      sink.c = undefined; // late request callbacks find nothing to call
      stopTimers(sink);
      if (current === m) current = undefined;
      client.free();
    }),
    /** @internal the loader hands over events it buffered before the SDK loaded */
    _replay: safe((event, at) => reportEvent(event, at, client)),
  };
  return m;
}

/**
 * Validates `config`, loads the wasm (from `config.wasmUrl` or `defaultWasmUrl()`) and starts
 * monitoring. A previous client is shut down once the new one has started. Rejects, having
 * installed nothing, when the config is invalid or the wasm cannot load.
 */
export async function boot(config, defaultWasmUrl, buffer = true) {
  if (typeof window === 'undefined') throw new Error('sightline: init() must run in a browser');
  // Errors raised while the wasm loads are buffered here and replayed once the client runs
  // (unless the loader snippet already does that).
  const early = [];
  const record = (event) => early.length < 50 && early.push([event, Date.now()]);
  const listen = (on) => {
    if (!buffer) return;
    window[on]('error', record, true);
    window[on]('unhandledrejection', record);
  };
  listen('addEventListener');
  let client;
  // how the wasm's timers, requests and hooks call back into the client; also the health checks
  // and alert callbacks the page registers
  const sink = { checks: [], alertFns: [] };
  let onError;
  let debug = false;
  try {
    debug = !!(config && config.debug);
    const onAlert = config && config.onAlert;
    if (typeof onAlert === 'function') sink.alertFns.push(onAlert);
    onError = config && config.onError;
    let wasmUrl = config && config.wasmUrl;
    if (wasmUrl instanceof URL) config = { ...config, wasmUrl: (wasmUrl = String(wasmUrl)) };
    await load(typeof wasmUrl === 'string' ? wasmUrl : defaultWasmUrl());
    try {
      client = start(config, sink);
    } catch (e) {
      disable(sink, e, onError); // what it installed before it failed goes again
      throw e;
    }
  } finally {
    listen('removeEventListener');
  }
  if (typeof client === 'string') {
    const error = new Error(client);
    error.name = 'SightlineConfigError';
    throw error;
  }
  client = sink.c = guard(client, sink, onError);
  claimLate(sink, claiming);
  if (current) current.shutdown();
  const m = (current = monitor(client, sink, debug));
  for (const [event, at] of early) m._replay(event, at);
  return m;
}
