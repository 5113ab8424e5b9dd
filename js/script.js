// dist/sightline.js, the script-tag build. Loads sightline_bg.wasm from next to itself; with
// `data-collector` it starts by itself. When the inline loader snippet came first, it takes over
// the snippet's queue and buffered errors, or tells the snippet to fall back if the wasm fails.
import { boot } from './core.js';

(function () {
  const self = document.currentScript;
  const base = (self && self.src) || location.href;
  const wasmUrl = () => new URL('sightline_bg.wasm', base);
  const stub = window.Sightline && window.Sightline.q ? window.Sightline : null;
  const methods = ['captureError', 'captureMessage', 'setUser', 'setTag', 'flush', 'stats', 'shutdown'];
  let active = null;
  let waiting = []; // calls made while init is in progress
  let booting = null;

  function replayLoaderErrors(m) {
    if (!stub) return;
    try {
      stub.s(); // the snippet stops listening: from here on the SDK's own listeners capture
      for (const [event, at] of stub.e.splice(0)) m._replay(event, at);
    } catch (e) {}
  }

  const api = {
    init(config) {
      const p = boot(config, wasmUrl).then(
        (m) => {
          active = m;
          replayLoaderErrors(m);
          for (const [name, args, done] of waiting.splice(0)) done(m[name](...args));
          return m;
        },
        (e) => {
          console.error(e && e.message ? e.message : e);
          // The wasm did not load or compile (404, CSP without 'wasm-unsafe-eval'): let the
          // snippet deliver what it buffered by itself. A config error is the developer's to fix.
          if (stub && !(e && e.name === 'SightlineConfigError')) stub.f();
          for (const [, , done] of waiting.splice(0)) done(undefined);
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

  const queued = stub ? stub.q.splice(0) : [];
  const collector = self && self.dataset && self.dataset.collector;
  if (collector && !queued.some((c) => c[0] === 'init')) queued.unshift(['init', [{ collector }]]);
  for (const [name, args] of queued) {
    try {
      if (api[name]) api[name](...args);
    } catch (e) {}
  }
})();
