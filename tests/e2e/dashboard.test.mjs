// The dev collector's dashboard after a short demo run: every plot is drawn with data points, from
// what the pages sent (web vitals, errors, requests, health, alerts, sessions and page views).
// The screenshot goes to test-results/dashboard.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, useCollectorAndBrowser, waitFor, watch } from './harness.mjs';

const env = useCollectorAndBrowser();

test('the dashboard plots what a demo run sent', { timeout: 90000 }, async () => {
  await env.collector.reset();
  const page = await env.browser.newPage();
  // a page with requests (some failing: alerts), errors and health checks
  await page.goto(`${env.collector.url}/test-pages/alerts.html`);
  await waitFor(() => page.evaluate(() => typeof Sightline.snapshot === 'function' && !!Sightline.snapshot()).catch(() => false), 'the SDK');
  await page.mouse.click(5, 5); // the first input: LCP is final
  await page.evaluate(async () => {
    await requests(12, 'status=200');
    await requests(3, 'status=500');
    setTimeout(() => { throw new Error('demo error'); });
    Promise.reject(new TypeError('demo rejection'));
    Sightline.registerHealthCheck('api', () => ({ status: 'degraded', message: 'slow' }));
    await Sightline.runHealthChecks();
    Sightline.resolveAlert('high_error_rate');
    await Sightline.flush();
  });
  // the single-page app: page views and clicks; leaving each page sends its vitals
  await page.goto(`${env.collector.url}/examples/spa/`);
  await page.click('#nav-products');
  await page.goto(`${env.collector.url}/test-pages/elsewhere.html`);
  const has = async (channel, pred) => (await env.collector.events(channel)).some((e) => pred(e.data));
  await waitFor(() => has('metrics', (m) => m.name === 'web_vitals_lcp'), 'LCP at the collector');
  await waitFor(() => has('metrics', (m) => m.name === 'http_requests'), 'the request metric');
  await waitFor(() => has('alerts', (a) => a.status === 'resolved'), 'the alerts');

  const dash = await env.browser.newPage({ viewport: { width: 1280, height: 1800 } });
  const log = watch(dash);
  await dash.goto(`${env.collector.url}/`);
  await waitFor(() => dash.evaluate(() => document.body.dataset.plotsReady === '1'), 'the plots');
  const drawn = await dash.evaluate(() =>
    [...document.querySelectorAll('figure.plot')].map((f) => [f.id, Number(f.dataset.points), f.querySelector('canvas') !== null]),
  );
  assert.deepEqual(drawn.map((d) => d[0]), ['plot-vitals', 'plot-cls', 'plot-errors', 'plot-error-rate', 'plot-latency', 'plot-health', 'plot-alerts', 'plot-sessions']);
  for (const [id, points, canvas] of drawn) {
    assert.ok(points > 0, `${id} has no data points`);
    assert.ok(canvas, `${id} is drawn`);
  }
  // the drawn data is what was sent
  const plots = await dash.evaluate(() =>
    Object.fromEntries(Object.entries(window.sightlinePlots).map(([k, p]) => [k, { labels: p.labels, sums: p.data.slice(1).map((s) => s.reduce((a, v) => a + (v || 0), 0)) }])),
  );
  const sum = (id, label) => plots[id].sums[plots[id].labels.indexOf(label)];
  assert.equal(sum('alerts', 'resolved'), 1);
  assert.ok(sum('alerts', 'raised') >= 2, 'high_error_rate and low_availability');
  assert.ok(sum('errors', 'http_error') >= 3);
  assert.ok(sum('errors', 'javascript') >= 1 && sum('errors', 'promise_rejection') >= 1);
  assert.equal(sum('health', 'degraded'), 1);
  assert.ok(sum('sessions', 'page views') >= 3);
  assert.ok(sum('vitals', 'LCP') > 0 && sum('vitals', 'TTFB') > 0);
  fs.mkdirSync(path.join(ROOT, 'test-results'), { recursive: true });
  await dash.screenshot({ path: path.join(ROOT, 'test-results/dashboard.png'), fullPage: true });
  assert.deepEqual(log.pageErrors, []);
});
