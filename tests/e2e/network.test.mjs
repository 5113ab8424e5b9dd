// Network capture: the fetch and XMLHttpRequest wrappers must be invisible (the same cases give the
// same observable results in a page with and without Sightline), the collector must receive exactly
// the expected events, and sampled requests carry `traceparent` only where they may.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { useCollectorAndBrowser, waitFor, watch } from './harness.mjs';

const env = useCollectorAndBrowser();

/** A port nothing listens on: bound, then closed again. */
const closedPort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function open(query) {
  const page = await env.browser.newPage();
  const log = watch(page);
  await page.goto(`${env.collector.url}/test-pages/network.html?${query}`);
  if (!query.includes('sdk=0')) await waitFor(() => page.evaluate(() => typeof Sightline.stats() === 'object'), 'the SDK');
  return { page, log };
}

test('transparency: every case gives the same result with and without Sightline', { timeout: 120000 }, async () => {
  await env.collector.reset();
  const closed = await closedPort();
  const results = {};
  for (const sdk of ['0', '1']) {
    const { page, log } = await open(`sdk=${sdk}&closed=${closed}`);
    const names = await page.evaluate(() => Object.keys(window.__cases));
    results[sdk] = {};
    for (const name of names) {
      results[sdk][name] = await page.evaluate((n) => Promise.resolve(window.__cases[n]()).then((v) => JSON.parse(JSON.stringify(v))), name);
    }
    assert.deepEqual(log.pageErrors, []);
    await page.close();
  }
  const names = Object.keys(results['0']);
  assert.ok(names.length >= 25, `${names.length} cases`);
  for (const name of names) assert.deepEqual(results['1'][name], results['0'][name], name);

  // and the cases check what they mean to: the very objects the native fetch produced
  const r = results['1'];
  assert.deepEqual([r['fetch: string URL, 200'].isPromise, r['fetch: string URL, 200'].sameResponse], [true, true]);
  for (const name of ['fetch: an uncaught failure raises unhandledrejection with the very error', 'fetch: an uncaught failure after then() raises it too']) {
    assert.deepEqual(r[name], { raised: 1, sameError: true, error: { name: 'TypeError', message: 'Failed to fetch', type: 'TypeError' } }, name);
  }
  assert.deepEqual(r['fetch: an uncaught abort raises it with the reason'], { raised: 1, sameError: true, error: { name: 'Error', message: 'gone', type: 'Error' } });
  assert.equal(r['fetch: a refused connection is a TypeError'].sameError, true);
  assert.equal(r['fetch: a refused connection is a TypeError'].error.type, 'TypeError');
  assert.deepEqual(r['fetch: abort with a reason rejects with that very reason'], { rejected: true, same: true });
  assert.equal(r['fetch: abort without a reason is an AbortError'].error.name, 'AbortError');
  assert.equal(r['fetch: Request with a body'].response.body.bodyBytes, 10);
  assert.deepEqual(r['fetch: a streaming response arrives chunk by chunk'], { text: 'chunk 0\nchunk 1\nchunk 2\nchunk 3\n', chunks: 4, spread: true });
  assert.deepEqual(r['fetch: cancelling a streaming response releases the connection'], { status: 200, quick: true });
  assert.deepEqual(r['fetch: the function looks native'], { name: 'fetch', length: 1, type: 'function' });
  assert.deepEqual(r['xhr: timeout'].log.slice(-2), ['timeout:4', 'loadend:4']);
  assert.deepEqual(r['xhr: upload events'].upload, ['loadstart', 'progress', 'load', 'loadend']);
});

test('the collector receives exactly the expected events', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const closed = await closedPort();
  const { page, log } = await open(`closed=${closed}`);
  await page.evaluate(async (closed) => {
    const quiet = (p) => p.then((r) => r.text(), () => null);
    await quiet(fetch('/__test/status?status=200'));
    await quiet(fetch('/__test/status?status=404'));
    await quiet(fetch('/__test/status?status=500', { method: 'POST', body: 'x' }));
    await quiet(fetch('/__test/status?status=200&delay=1700')); // slowRequestMs is 1500 on this page
    await quiet(fetch('/__test/stream?chunks=3&interval=100'));
    await quiet(fetch(`http://127.0.0.1:${closed}/down`));
    // a failure the page never catches: recorded once, as the request's error (the page's own
    // unhandledrejection handler sees it, and keeps it out of the console)
    await new Promise((done) => {
      addEventListener('unhandledrejection', (ev) => (ev.preventDefault(), setTimeout(done, 200)), { once: true });
      fetch(`http://127.0.0.1:${closed}/uncaught`);
    });
    const c = new AbortController();
    const aborted = quiet(fetch('/__test/status?status=200&delay=2000', { signal: c.signal }));
    c.abort();
    await aborted;
    // aborted with a reason of the page's own: still an abort, not a network error
    const c2 = new AbortController();
    const aborted2 = quiet(fetch('/__test/status?status=200&delay=2000', { signal: c2.signal }));
    c2.abort(new Error('the user left'));
    await aborted2;
    await quiet(fetch('/api/metrics', { method: 'POST', body: 'not json' })); // the collector: never recorded
    const xhr = (method, url, timeout) =>
      new Promise((done) => {
        const x = new XMLHttpRequest();
        x.open(method, url);
        if (timeout) x.timeout = timeout;
        x.onloadend = done;
        x.send();
      });
    await xhr('GET', '/__test/status?status=503');
    await xhr('GET', '/__test/status?status=200&delay=1000', 100);
    await xhr('GET', '/__test/status?status=204');
  }, closed);
  assert.equal(await page.evaluate(() => Sightline.flush()), true);
  // this page's: what an earlier test's page sent as it closed may arrive after the reset
  const here = `${env.collector.url}/test-pages/network.html?closed=${closed}`;
  const errors = (await env.collector.events('errors')).map((e) => e.data).filter((e) => e.url === here);
  const summary = errors.map((e) => [e.type, e.api, e.method, e.status, e.requestUrl.replace(env.collector.url, '').replace(String(closed), 'CLOSED')]);
  assert.deepEqual(summary.sort(), [
    ['http_error', 'fetch', 'GET', 404, '/__test/status?status=404'],
    ['http_error', 'fetch', 'POST', 500, '/__test/status?status=500'],
    ['network_error', 'fetch', 'GET', 0, 'http://127.0.0.1:CLOSED/down'],
    ['network_error', 'fetch', 'GET', 0, 'http://127.0.0.1:CLOSED/uncaught'],
    ['slow_request', 'fetch', 'GET', 200, '/__test/status?status=200&delay=1700'],
    ['xhr_error', 'xhr', 'GET', 0, '/__test/status?status=200&delay=1000'],
    ['xhr_http_error', 'xhr', 'GET', 503, '/__test/status?status=503'],
  ].sort());
  assert.equal(errors.length, 7);
  const slow = errors.find((e) => e.type === 'slow_request');
  assert.ok(slow.duration >= 1700 && slow.duration < 5000, `${slow.duration}`);
  assert.match(errors.find((e) => e.type === 'xhr_error').message, /failed: timeout$/);
  const stats = await page.evaluate(() => Sightline.stats());
  // 5 fetches and 3 XHRs to this origin: the aborts and the collector's own /api/metrics are not counted
  assert.deepEqual(stats.requests[env.collector.url].count, 8, JSON.stringify(stats.requests));
  assert.deepEqual(stats.requests[env.collector.url].failed, 4);
  assert.deepEqual(stats.requests[env.collector.url].aborted, 2);
  assert.deepEqual(log.pageErrors, []);
});

test('tracing: traceparent only to the page origin and propagateTo, spans recorded', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const other = env.collector.url.replace('127.0.0.1', 'localhost');
  const run = (query) =>
    open(query).then(async ({ page }) => {
      const seen = await page.evaluate(async (other) => {
        const echo = (url, init) => fetch(url, init).then((r) => r.json());
        const xhrEcho = (url) =>
          new Promise((done) => {
            const x = new XMLHttpRequest();
            x.open('GET', url);
            x.onload = () => done(JSON.parse(x.responseText));
            x.send();
          });
        return {
          same: await echo('/__test/echo'),
          other: await echo(other + '/__test/echo'),
          own: await echo('/__test/echo', { headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'app=1' } }),
          xhr: await xhrEcho('/__test/echo'),
        };
      }, other);
      // resolves once every span was answered: nothing of this page is on its way after it
      assert.equal(await page.evaluate(() => Sightline.flush()), true);
      await page.close();
      return seen;
    });
  const parent = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;
  const allowed = await run('trace=1'); // propagateTo: http://localhost:<port>
  assert.match(allowed.same.traceparent, parent);
  assert.match(allowed.other.traceparent, parent);
  assert.match(allowed.xhr.traceparent, parent);
  assert.equal(allowed.own.traceparent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', "the page's own header is left alone");
  assert.equal(allowed.own.tracestate, 'app=1');
  // a span for each request that carried our header; the one with the page's own header has none
  // (its ids were never sent)
  const spans = (await env.collector.events('events')).filter((e) => e.data.type === 'span').map((e) => e.data.data);
  assert.equal(spans.length, 3);
  assert.ok(!spans.some((s) => s.traceId === '0af7651916cd43dd8448eb211c80319c'));
  const [, traceId, spanId] = parent.exec(allowed.same.traceparent);
  const span = spans.find((s) => s.traceId === traceId);
  assert.ok(span, 'the span of the request that carried the header');
  assert.equal(span.spanId, spanId);
  assert.equal(span.kind, 'client');
  assert.equal(span.attributes['http.request.method'], 'GET');
  assert.equal(span.attributes['http.response.status_code'], 200);
  assert.equal(span.status, 'ok');
  assert.ok(span.endTime >= span.startTime);

  const notListed = await run('trace=1&propagate=none');
  assert.equal(notListed.other.traceparent, null, 'no header to another origin that is not listed');
  assert.match(notListed.same.traceparent, parent);

  const { page } = await open('');
  assert.equal((await page.evaluate(() => fetch('/__test/echo').then((r) => r.json()))).traceparent, null, 'tracing off: no header');
  await page.close();
});

test('other wrappers keep working, and shutdown puts back what nothing wrapped on top of', { timeout: 60000 }, async () => {
  const { page } = await open('');
  const r = await page.evaluate(async () => {
    const ours = window.fetch; // Sightline's wrapper over the spy library's
    const before = window.__native;
    let libCalls = 0;
    const lib = window.fetch;
    window.fetch = function libFetch(...a) {
      libCalls++;
      return lib.apply(this, a);
    };
    const spyBefore = __spy.promises.length;
    const status = (await fetch('/__test/status?status=200')).status;
    const out = { status, libCalls, spyCalls: __spy.promises.length - spyBefore, sightlineWasThere: ours !== before.fetch };
    const requestsBefore = Sightline.stats().requests[location.origin].count;
    out.sightlineSaw = requestsBefore >= 1;
    Sightline.shutdown();
    out.fetchKept = window.fetch.name === 'libFetch'; // wrapped on top of ours: left as it is
    out.xhrRestored = XMLHttpRequest.prototype.open === before.open && XMLHttpRequest.prototype.send === before.send;
    out.stillWorks = (await fetch('/__test/status?status=201')).status;
    return out;
  });
  assert.deepEqual(r, { status: 200, libCalls: 1, spyCalls: 1, sightlineWasThere: true, sightlineSaw: true, fetchKept: true, xhrRestored: true, stillWorks: 201 });
  await page.close();

  const { page: plain } = await open('');
  const restored = await plain.evaluate(() => {
    Sightline.shutdown();
    return window.fetch === window.__native.fetch && XMLHttpRequest.prototype.open === window.__native.open;
  });
  assert.equal(restored, true, 'with nothing on top, shutdown restores the originals');
  await plain.close();
});
