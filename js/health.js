// Health checks' page side, imported by the wasm (src/instrument/health.rs): runs the built-in
// checks and the application's own (`registerHealthCheck`), each with a timeout and a measured
// response time, every `health.interval` while the page is visible and on demand; hands the
// results to `sink.c.health(...)`. Also calls the `onAlert` callbacks.

const STATUSES = ['healthy', 'degraded', 'unhealthy', 'unknown'];

/** What a check's function returned, as [status, message]. */
function verdict(r) {
  if (r === undefined || r === true) return ['healthy', ''];
  if (r === false) return ['unhealthy', ''];
  if (typeof r === 'string') return [STATUSES.includes(r) ? r : 'unknown', ''];
  if (r && typeof r === 'object') {
    const s = String(r.status);
    return [STATUSES.includes(s) ? s : 'unknown', r.message == null ? '' : String(r.message).slice(0, 200)];
  }
  return ['unknown', ''];
}

/**
 * Starts the checks for `sink.c`. `flags`: storage, memory, collector (built-ins on or off);
 * `probe` is the URL the collector check may send one light request to (with `fetch`, the page's
 * fetch as it was before any wrapper) when nothing was delivered within the interval. Custom checks
 * live in `sink.checks` ([name, fn] pairs). Sets `sink.run()` (runs them all now; resolves to the
 * status object) and returns the function that stops everything.
 */
export function start(sink, interval, timeout, flags, probe, fetch) {
  const [storage, memory, collector] = flags;
  sink.checks = sink.checks || [];
  const timed = async (name, fn) => {
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
      result = ['unhealthy', String((e && e.message) || e).slice(0, 200)];
    }
    clearTimeout(timer);
    return [name, result[0], performance.now() - t, result[1]];
  };
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
  // the last light request: at most one per interval, however often the checks run
  let probed = { at: -Infinity, result: null };
  if (collector)
    builtins.push(['collector', () => {
      // a batch delivered within the interval says enough; otherwise one light request
      const ago = sink.c ? sink.c.deliveredAgo() : -1;
      if (ago >= 0 && ago < interval) return { status: 'healthy', message: 'delivered ' + Math.round(ago / 1000) + ' s ago' };
      const since = performance.now() - probed.at;
      if (since < interval) return probed.result.then((r) => ({ ...r, message: (r.message ? r.message + ', ' : '') + 'checked ' + Math.round(since / 1000) + ' s ago' }));
      // any answer will do (a 405 too); CORS as for the batches, so a cross-origin-isolated page may send it
      const result = fetch(probe, { method: 'HEAD', mode: 'cors', cache: 'no-store', credentials: 'omit' }).then(
        () => ({ status: 'healthy' }),
        (e) => ({ status: 'unhealthy', message: 'unreachable: ' + String((e && e.message) || e).slice(0, 100) }),
      );
      probed = { at: performance.now(), result };
      return result;
    }]);
  const run = async () => {
    const all = builtins.concat(sink.checks);
    const results = await Promise.all(all.map(([name, fn]) => timed(name, fn)));
    const c = sink.c;
    return c ? JSON.parse(c.health(results.flat())) : undefined;
  };
  sink.run = run;
  const tick = () => {
    if (document.visibilityState === 'visible') run().catch(() => {});
  };
  const id = setInterval(tick, interval);
  return () => {
    clearInterval(id);
    sink.run = undefined;
  };
}

/** Calls every `onAlert` callback (`sink.alertFns`) with the alert; a throwing one is skipped. */
export function notify(sink, json) {
  const fns = sink.alertFns || [];
  if (!fns.length) return;
  const alert = JSON.parse(json);
  for (const fn of fns) {
    try {
      fn(alert);
    } catch (e) {}
  }
}
