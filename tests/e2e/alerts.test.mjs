// Alerts, health and snapshot() end to end: a page whose requests start failing crosses the
// error-rate threshold (exactly one alert within the cooldown, a new one after resolveAlert); a
// failing custom health check posts an unhealthy status and an alert; snapshot() equals what the
// test computes itself from the events the collector stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCollectorAndBrowser, waitFor, watch } from './harness.mjs';

const env = useCollectorAndBrowser();

async function open(page) {
  await page.goto(`${env.collector.url}/test-pages/alerts.html`);
  await waitFor(() => page.evaluate(() => typeof Sightline.snapshot === 'function' && !!Sightline.snapshot()).catch(() => false), 'the SDK');
}

/** Stored records of `channel` from the page's session. */
async function stored(page, channel) {
  const session = await page.evaluate(() => Sightline.sessionSummary().sessionId);
  return (await env.collector.events(channel)).filter((e) => e.sessionId === session).map((e) => e.data);
}

test('failing requests raise one error-rate alert per cooldown, and another after resolveAlert', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const page = await env.browser.newPage();
  const log = watch(page);
  await open(page);
  // the collector refuses the first two alert batches: alerts wait and retry like any event
  await env.collector.fail({ channel: 'alerts', status: 503, count: 2 });
  await page.evaluate(() => requests(20, 'status=200'));
  assert.deepEqual(await page.evaluate(() => alerts), []);
  assert.equal((await page.evaluate(() => Sightline.snapshot())).errors.errorRate, 0);
  await page.evaluate(() => requests(2, 'status=500')); // 2 of 22: 9 % > 5 %
  const keys = async () => (await page.evaluate(() => alerts)).map((a) => a.key);
  assert.deepEqual((await keys()).filter((k) => k === 'high_error_rate'), ['high_error_rate']);
  const first = (await page.evaluate(() => alerts)).find((a) => a.key === 'high_error_rate');
  assert.equal(first.status, 'active');
  assert.equal(first.severity, 'warning');
  assert.equal(first.threshold, 0.05);
  assert.ok(Math.abs(first.value - 2 / 22) < 1e-4, String(first.value));
  assert.match(first.description, /above 0\.05 over the last 5 minutes \(22 requests\)/);
  // the two 500s were also unavailable (5xx): availability 20/22 < 0.99 is its own, critical, key
  assert.deepEqual((await keys()).filter((k) => k === 'low_availability'), ['low_availability']);
  await page.evaluate(() => requests(5, 'status=503'));
  assert.equal((await keys()).filter((k) => k === 'high_error_rate').length, 1, 'none within the cooldown');
  assert.equal(await page.evaluate(() => Sightline.resolveAlert('high_error_rate')), true);
  assert.deepEqual((await page.evaluate(() => Sightline.snapshot())).alerts.active, ['low_availability']);
  await page.evaluate(() => requests(1, 'status=500'));
  assert.equal((await keys()).filter((k) => k === 'high_error_rate').length, 2, 'a new one after resolve');
  await page.evaluate(() => Sightline.flush());
  const sent = await waitFor(async () => {
    const a = await stored(page, 'alerts');
    return a.length >= 4 && a;
  }, 'the alerts at the collector');
  assert.deepEqual((await env.collector.requests('alerts')).slice(0, 2).map((r) => r.status), [503, 503]);
  const summary = sent.map((a) => `${a.key} ${a.status}`).sort();
  assert.deepEqual(summary, ['high_error_rate active', 'high_error_rate active', 'high_error_rate resolved', 'low_availability active']);
  assert.deepEqual(log.pageErrors, []);
  await page.close();
});

test('a failing custom health check posts an unhealthy status and raises an alert', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const page = await env.browser.newPage();
  await open(page);
  const status = await page.evaluate(async () => {
    Sightline.registerHealthCheck('api', async () => {
      const r = await fetch('/__test/status?status=503');
      return r.ok ? true : { status: 'unhealthy', message: 'api answered ' + r.status };
    });
    Sightline.registerHealthCheck('cache', () => 'degraded');
    return Sightline.runHealthChecks();
  });
  assert.equal(status.status, 'unhealthy');
  const api = status.checks.find((c) => c.name === 'api');
  assert.deepEqual([api.status, api.message], ['unhealthy', 'api answered 503']);
  assert.ok(api.responseTime > 0);
  assert.equal(status.checks.find((c) => c.name === 'cache').status, 'degraded');
  assert.deepEqual((await page.evaluate(() => alerts)).map((a) => [a.key, a.severity]), [['health_unhealthy', 'critical']]);
  await page.evaluate(() => Sightline.flush());
  const posted = await waitFor(async () => (await stored(page, 'health')).find((h) => h.status === 'unhealthy'), 'the status at the collector');
  assert.deepEqual(posted.summary, { healthy: 3, degraded: 1, unhealthy: 1, unknown: 0, total: 5 });
  await waitFor(async () => (await stored(page, 'alerts')).some((a) => a.key === 'health_unhealthy'), 'the alert at the collector');
  // fixed: healthy again, and no new alert
  const again = await page.evaluate(() => {
    Sightline.registerHealthCheck('api', () => true);
    Sightline.registerHealthCheck('cache', () => true);
    return Sightline.runHealthChecks();
  });
  assert.equal(again.status, 'healthy');
  assert.equal((await page.evaluate(() => alerts)).length, 1);
  await page.close();
});

test('snapshot() equals what the stored events say', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const page = await env.browser.newPage();
  await open(page);
  await page.evaluate(async () => {
    await requests(12, 'status=200');
    await requests(3, 'status=404');
    await requests(2, 'status=200&delay=300'); // slow
    await requests(1, 'status=502');
    await fetch('http://127.0.0.1:1/unreachable').catch(() => {}); // a network error
    for (let i = 0; i < 3; i++) setTimeout(() => { throw new TypeError('x is undefined'); });
    Promise.reject(new Error('rejected once'));
    Sightline.captureMessage('hello');
    await new Promise((r) => setTimeout(r)); // after the three throws' tasks
    await Sightline.runHealthChecks(); // sends the http_requests metric for the requests so far
    await Sightline.flush();
  });
  // everything is delivered before the snapshot is taken
  await waitFor(async () => (await stored(page, 'metrics')).some((m) => m.name === 'http_requests'), 'http_requests');
  await page.evaluate(() => Sightline.flush());
  const snap = await page.evaluate(() => Sightline.snapshot());
  const [errors, metrics, events] = [await stored(page, 'errors'), await stored(page, 'metrics'), await stored(page, 'events')];

  // first against what the test itself did: 19 requests (12 ok, 3 × 404, 2 slow, 1 × 502, one that
  // could not connect), 3 failing (404s), 2 unavailable (the 502 and the network error), 2 slow;
  // three TypeErrors, a rejection, a message, the three 404s, the 502 and the network error
  assert.equal(snap.performance.requests, 19);
  assert.equal(snap.errors.windowRequests, 19);
  assert.equal(snap.errors.windowFailed, 5);
  assert.equal(snap.errors.errorRate, 5 / 19);
  assert.equal(snap.performance.slowRequests, 2);
  assert.deepEqual(snap.errors.errorsByType, { javascript: 3, promise_rejection: 1, manual: 1, http_error: 4, network_error: 1, slow_request: 2 });
  assert.equal(snap.errors.topErrors.reduce((a, t) => a + t.count, 0), 12);
  assert.equal(snap.userMetrics.pageViews, 1);

  // errors: counts by type and by fingerprint (a repeat within 5 s is folded into `count`)
  const byType = {};
  const byPrint = {};
  for (const e of errors) {
    byType[e.type] = (byType[e.type] || 0) + (e.count || 1);
    byPrint[e.fingerprint] = (byPrint[e.fingerprint] || 0) + (e.count || 1);
  }
  assert.deepEqual(snap.errors.errorsByType, byType);
  assert.deepEqual(Object.fromEntries(snap.errors.topErrors.map((t) => [t.fingerprint, t.count])), byPrint);
  assert.equal(snap.errors.topErrors[0].count, 3, 'the TypeError, three times');

  // requests: every one is a span (tracing sampleRate 1) with its duration and status
  const spans = events.filter((e) => e.type === 'span').map((e) => e.data);
  const durations = spans.map((s) => s.duration).sort((a, b) => a - b);
  const failed = spans.filter((s) => s.status === 'error').length;
  assert.equal(snap.performance.requests, spans.length);
  assert.equal(snap.errors.windowRequests, spans.length);
  assert.equal(snap.errors.windowFailed, failed);
  assert.equal(snap.errors.errorRate, failed / spans.length);
  const unavailable = spans.filter((s) => s.attributes['http.response.status_code'] >= 500 || !s.attributes['http.response.status_code']).length;
  assert.equal(snap.health.availability, 1 - unavailable / spans.length);
  const avg = durations.reduce((a, b) => a + b, 0) / durations.length;
  assert.ok(Math.abs(snap.health.averageResponseTime - avg) < 1e-6, `${snap.health.averageResponseTime} vs ${avg}`);
  const p = (q) => durations[Math.floor(q * (durations.length - 1))];
  for (const [q, got] of [[0.5, snap.performance.requestDuration.p50], [0.95, snap.performance.requestDuration.p95]]) {
    assert.ok(Math.abs(got - p(q)) <= 0.01 * p(q), `p${q * 100}: ${got} vs ${p(q)} (1 % allowed)`);
  }
  assert.equal(snap.performance.slowRequests, errors.filter((e) => e.type === 'slow_request').length);
  // the http_requests metric agrees
  const hr = metrics.filter((m) => m.name === 'http_requests');
  assert.equal(hr.reduce((a, m) => a + m.value, 0), spans.length);
  assert.equal(hr.reduce((a, m) => a + m.tags.failed, 0), failed);

  // load time and vitals known so far: the latest value of each
  const latest = (name) => metrics.filter((m) => m.name === name).at(-1)?.value;
  assert.equal(snap.performance.averageLoadTime, latest('navigation_total_load_time'));
  assert.equal(snap.performance.webVitals.fcp, latest('web_vitals_fcp'));
  assert.equal(snap.performance.webVitals.ttfb, latest('web_vitals_ttfb'));

  // health and the user's session
  assert.equal(snap.health.overallStatus, (await stored(page, 'health')).at(-1).status);
  assert.equal(snap.userMetrics.pageViews, events.filter((e) => e.type === 'page_view').length);
  assert.equal(snap.userMetrics.sessionId, (await page.evaluate(() => Sightline.sessionSummary())).sessionId);
  assert.ok(snap.userMetrics.sessionDuration >= 0 && Math.abs(snap.userMetrics.sessionDuration - snap.userMetrics.duration) <= 5);
  await page.close();
});
