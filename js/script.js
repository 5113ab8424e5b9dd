// dist/sightline.js, the script-tag build. Loads sightline_bg.wasm from next to itself; with
// `data-collector` it starts by itself. When the inline loader snippet came first, it replays the
// snippet's queue (calls and buffered error events, in order), or tells the snippet to fall back
// to its own plain-JS delivery if the wasm cannot load.
import { boot } from './core.js';

(function () {
  const self = document.currentScript;
  const base = (self && self.src) || location.href;
  // next to this script: sightline_bg.wasm, or sightline-core_bg.wasm for dist/sightline-core.js
  const wasmUrl = () => new URL(SIGHTLINE_WASM, base);
  const stub = window.Sightline && window.Sightline.q ? window.Sightline : null;
  const methods = ['captureError', 'captureMessage', 'setUser', 'setTag', 'flush', 'stats', 'sessionSummary', 'snapshot', 'registerHealthCheck', 'runHealthChecks', 'onAlert', 'resolveAlert', 'shutdown', '_replay'];
  let active = null;
  let booting = null;
  const waiting = []; // calls made while init is in progress
  let consumed = 0; // entries of the snippet's queue already replayed

  function call(name, args) {
    try {
      if (api[name]) api[name](...args);
    } catch (e) {}
  }
  function drainStub() {
    if (!stub) return;
    const entries = stub.q.slice(consumed);
    consumed += entries.length;
    // entries the snippet already sent itself (it fell back at pagehide) are marked: skip them
    for (const [name, args, sent] of entries) if (!sent) call(name, args);
  }

  const api = {
    init(config) {
      const p = boot(config, wasmUrl, !stub).then(
        (m) => {
          active = m;
          for (const [name, args, done] of waiting.splice(0)) done(m[name](...args));
          if (stub) {
            stub.s(); // the snippet stops listening: the SDK's own listeners capture from here on
            drainStub(); // errors it recorded while the wasm was loading
          }
          return m;
        },
        (e) => {
          console.error(e && e.message ? e.message : e);
          // The wasm did not load or compile (404, CSP without 'wasm-unsafe-eval'): the snippet
          // delivers what it buffered by itself. A config error is the developer's to fix: the
          // SDK stays inert, the snippet included.
          if (stub) e && e.name === 'SightlineConfigError' ? stub.s() : stub.f();
          booting = null; // calls are harmless no-ops again
          for (const [name, , done] of waiting.splice(0)) done(name === 'flush' ? true : undefined);
          return null; // never an unhandled rejection in the page
        },
      );
      booting = p;
      return p;
    },
  };
  for (const name of methods) {
    api[name] = (...args) => {
      if (active) return active[name](...args);
      if (!booting) return name === 'flush' ? Promise.resolve(true) : undefined;
      const done = new Promise((resolve) => waiting.push([name, args, resolve]));
      return name === 'flush' ? done : undefined;
    };
  }
  window.Sightline = api;

  const collector = self && self.dataset && self.dataset.collector;
  if (!stub && collector) api.init({ collector });
  drainStub();
})();
