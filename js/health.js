// Health checks' page side, imported by the wasm (src/lib.rs, src/browser.rs): runs the built-in
// checks and the application's own (`registerHealthCheck`), each with a timeout and a measured
// response time, when the Rust side asks (every `health.interval` while the page is visible, and
// `runHealthChecks()`), and hands the results over as the `health` signal. The collector check
// is decided on the Rust side; this only sends its light request when asked. Also calls the
// `onAlert` callbacks.
import * as S from './signals.js';
import { describe, keep } from './hooks.js';
import { request } from './io.js';

const STATUSES = ['healthy', 'degraded', 'unhealthy', 'unknown'];
const parse = JSON.parse;

/** What a check's function returned, as [status, message]; a result that throws as it is read
 * (a getter, a Proxy trap, a toString) throws, and the check is unhealthy with that error. */
function verdict(r) {
  if (r === undefined || r === true) return ['healthy', ''];
  if (r === false) return ['unhealthy', ''];
  if (typeof r === 'string') return [STATUSES.includes(r) ? r : 'unknown', ''];
  if (r && typeof r === 'object') {
    const s = String(r.status);
    const m = r.message;
    return [STATUSES.includes(s) ? s : 'unknown', m == null ? '' : String(m).slice(0, 200)];
  }
  return ['unknown', ''];
}

/** Runs `fn` within `timeout` ms: [status, message, response time]. */
async function timed(fn, timeout) {
  const t = performance.now();
  let timer;
  let result;
  try {
    result = verdict(
      await Promise.race([
        Promise.resolve().then(fn),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out after ' + timeout + ' ms')), timeout))),
      ]),
    );
  } catch (e) {
    // whatever was thrown, read without throwing again
    result = ['unhealthy', describe(e)[1].slice(0, 200)];
  }
  clearTimeout(timer);
  return [result[0], result[1], performance.now() - t];
}

/**
 * Sets up the checks for `sink.c`: `flags` turn the built-ins local_storage and memory on or off
 * (the third, collector, is decided on the Rust side); `probe` is the URL the collector check's
 * light request goes to, with `fetch` (the page's fetch as it was before any wrapper). Custom
 * checks live in `sink.checks` ([name, fn] pairs). Sets `sink.runChecks(probe)`, which runs them
 * all (and the light request when `probe`), hands the results to the client and leaves its
 * promise in `sink.pending`. Returns the function that removes it.
 */
export function start(sink, timeout, flags, probe, fetch) {
  const [storage, memory] = flags;
  sink.checks = sink.checks || [];
  const builtins = [];
  if (storage)
    builtins.push(['local_storage', () => {
      if (!self.localStorage) return { status: 'unknown', message: 'no localStorage' };
      localStorage.setItem('sightline:health', '1');
      const ok = localStorage.getItem('sightline:health') === '1';
      localStorage.removeItem('sightline:health');
      return ok ? true : { status: 'unhealthy', message: 'read back something else' };
    }]);
  if (memory)
    builtins.push(['memory', () => {
      const m = performance.memory;
      if (!m || !m.jsHeapSizeLimit) return { status: 'unknown', message: 'performance.memory is not available' };
      const share = m.usedJSHeapSize / m.jsHeapSizeLimit;
      const message = Math.round(m.usedJSHeapSize / 1048576) + ' of ' + Math.round(m.jsHeapSizeLimit / 1048576) + ' MB';
      return { status: share > 0.9 ? 'unhealthy' : share > 0.7 ? 'degraded' : 'healthy', message };
    }]);
  // any answer will do (a 405 too); CORS as for the batches, so a cross-origin-isolated page may send it
  const light = () =>
    request(fetch, probe, { method: 'HEAD', mode: 'cors', cache: 'no-store', credentials: 'omit' }).then(
      () => true,
      (e) => ({ status: 'unhealthy', message: describe(e)[1].slice(0, 100) }),
    );
  sink.runChecks = (withProbe) =>
    (sink.pending = (async () => {
      const all = builtins.concat(sink.checks);
      const [results, p] = await Promise.all([
        Promise.all(all.map(([name, fn]) => timed(fn, timeout).then((r) => [name, r[0], r[2], r[1]]))),
        withProbe ? timed(light, timeout) : null,
      ]);
      if (sink.c) sink.c.inbox(S.HEALTH, [!!p, !!p && p[0] === 'healthy', p ? p[1] : '', p ? p[2] : 0, ...results.flat()]);
    })().catch(() => {}));
  return keep(sink, () => {
    sink.runChecks = undefined;
  });
}

/** Runs the checks now, if they are set up (the Rust side calls this). */
export function run(sink, probe) {
  if (sink.runChecks) sink.runChecks(probe);
}

/** Calls every `onAlert` callback (`sink.alertFns`) with the alert; a throwing one is skipped. */
export function notify(sink, json) {
  const fns = sink.alertFns || [];
  if (!fns.length) return;
  const alert = parse(json);
  for (const fn of fns) {
    try {
      fn(alert);
    } catch (e) {}
  }
}
