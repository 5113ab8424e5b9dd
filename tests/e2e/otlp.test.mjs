// `exporter: 'otlp'` to a cross-origin endpoint that behaves like the OpenTelemetry Collector's
// OTLP/HTTP receiver: JSON only (415 otherwise), CORS preflight, and every export read by the
// official protobuf definitions (a second dev collector, which refuses what they do not read).
// Errors raised while running and just before close, web vitals and spans all arrive and parse.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCollector, useCollectorAndBrowser, waitFor, throwInPage } from './harness.mjs';

const env = useCollectorAndBrowser();
let otlp;
before(async () => {
  otlp = await startCollector();
});
after(() => otlp?.stop());

async function openPage(extra = '') {
  const page = await env.browser.newPage();
  await page.goto(`${env.collector.url}/test-pages/otlp.html?otlp=${encodeURIComponent(otlp.url)}${extra}`);
  await waitFor(() => page.evaluate(() => typeof Sightline.stats() === 'object'), 'the SDK to load');
  return page;
}

const attr = (record, key) => {
  const v = record.attributes.find((a) => a.key === key)?.value;
  return v && (v.stringValue ?? v.intValue ?? v.doubleValue ?? v.boolValue);
};

/** Every log record stored from OTLP exports, with its resource. */
async function logRecords() {
  const out = [];
  for (const row of await otlp.events('otlp_logs')) {
    for (const rl of row.data.resourceLogs) {
      for (const sl of rl.scopeLogs) for (const l of sl.logRecords) out.push({ ...l, resource: rl.resource, scope: sl.scope });
    }
  }
  return out;
}

test('errors, vitals and spans reach a cross-origin OTLP endpoint as JSON the protobuf definitions read', { timeout: 60000 }, async () => {
  await otlp.reset();
  const page = await openPage();
  await throwInPage(page, 'otlp: while running', 'TypeError');
  // a traced request (to the page's own origin): a client span with the traceparent it carried
  await page.evaluate(() => fetch('/healthz').then((r) => r.text()));
  await page.click('#buy');
  await page.evaluate(() => new Promise((r) => setTimeout(r))); // a click is described a task after it
  assert.equal(await page.evaluate(() => Sightline.flush()), true, 'flush() delivered everything');
  const records = await waitFor(async () => {
    const r = await logRecords();
    return r.some((l) => l.eventName === 'exception') && r.some((l) => l.eventName === 'browser.web_vital') && r;
  }, 'the exception and web vitals');
  const error = records.find((l) => l.eventName === 'exception');
  assert.equal(attr(error, 'exception.type'), 'TypeError');
  assert.equal(attr(error, 'exception.message'), 'otlp: while running');
  assert.match(attr(error, 'exception.stacktrace'), /otlp: while running/);
  assert.equal(error.severityNumber, 17);
  assert.match(error.timeUnixNano, /^\d{19}$/);
  const res = Object.fromEntries(error.resource.attributes.map((a) => [a.key, a.value.stringValue]));
  assert.equal(res['service.name'], 'e2e-shop');
  assert.equal(res['service.version'], '1.2.3');
  assert.equal(res['deployment.environment.name'], 'test');
  assert.match(res['user_agent.original'], /Chrome/);
  assert.ok(res['browser.language'] && res['browser.platform'], JSON.stringify(res));
  assert.equal(error.scope.name, 'sightline');
  assert.match(attr(error, 'session.id'), /^[0-9a-f]{32}$/);
  const names = new Set(records.filter((l) => l.eventName === 'browser.web_vital').map((l) => attr(l, 'browser.web_vital.name')));
  assert.ok(names.has('ttfb') && names.has('fcp'), [...names].join(','));
  assert.ok(records.some((l) => l.eventName === 'browser.navigation'), 'the page view');
  assert.ok(records.some((l) => l.eventName === 'browser.user_action.click' && attr(l, 'browser.css_selector') === '#buy'), 'the click');

  const spans = await waitFor(async () => {
    const rows = await otlp.events('otlp_traces');
    const all = rows.flatMap((r) => r.data.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((s) => s.spans)));
    return all.some((s) => attr(s, 'url.full')?.endsWith('/healthz')) && all.some((s) => s.name === 'documentLoad') && all;
  }, 'the request span and the page load');
  const span = spans.find((s) => attr(s, 'url.full')?.endsWith('/healthz'));
  assert.ok(span, JSON.stringify(spans));
  assert.match(span.traceId, /^[0-9a-f]{32}$/);
  assert.match(span.spanId, /^[0-9a-f]{16}$/);
  assert.equal(span.kind, 3);
  assert.equal(attr(span, 'http.response.status_code'), '200');
  // the page load: documentLoad and its phases, in one trace
  const load = spans.find((s) => s.name === 'documentLoad');
  assert.ok(load, spans.map((s) => s.name).join(','));
  assert.equal(load.kind, 1);
  const phases = spans.filter((s) => s.parentSpanId === load.spanId);
  assert.ok(phases.some((s) => s.name === 'response') && phases.every((s) => s.traceId === load.traceId), JSON.stringify(phases));

  // the vitals' histograms
  const metrics = await waitFor(async () => {
    const rows = await otlp.events('otlp_metrics');
    const all = rows.flatMap((r) => r.data.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((s) => s.metrics)));
    return all.some((m) => m.name === 'sightline.web_vital.ttfb') && all;
  }, 'the vitals histograms');
  const ttfb = metrics.find((m) => m.name === 'sightline.web_vital.ttfb');
  assert.equal(ttfb.histogram.aggregationTemporality, 1);
  assert.equal(ttfb.histogram.dataPoints[0].count, '1');

  // JSON, cross-origin: preflighted; and the dashboard's native views show the same data
  const reqs = await otlp.requests('otlp_logs');
  assert.ok(reqs.length > 0 && reqs.every((r) => r.status === 200 && /^application\/json/.test(r.contentType)), JSON.stringify(reqs));
  const native = await otlp.events('errors');
  assert.ok(native.some((e) => e.data.message === 'otlp: while running' && e.data.buildVersion === '1.2.3'));
  const stats = await page.evaluate(() => Sightline.stats());
  assert.equal(stats.failedSends, 0);
  assert.equal(stats.rejectedEvents, 0);
  await page.close();
});

test('an error raised just before the page closes arrives (keepalive, preflighted)', { timeout: 60000 }, async () => {
  await otlp.reset();
  const page = await openPage();
  // CLS is reported once FCP was (as web-vitals does): let the page paint first
  await waitFor(() => page.evaluate(() => performance.getEntriesByName('first-contentful-paint').length > 0), 'the first paint');
  // The SDK sends the page's first event at once, so the endpoint's CORS preflight is cached when
  // the page closes (a keepalive request at close whose preflight is not cached yet can be lost
  // as the page is torn down: seen in Chromium under load; README, "Transport")
  await waitFor(async () => (await otlp.requests('otlp_logs')).length > 0, 'the first export');
  await throwInPage(page, 'otlp: just before close');
  // queued (not critical: it waits for the interval), and the page goes before that
  await waitFor(() => page.evaluate(() => Sightline.stats().queued[0] === 1), 'the error queued');
  await page.close({ runBeforeUnload: true });
  // the error, and CLS, which is reported when the page goes
  let seen = [];
  await waitFor(async () => {
    const r = await logRecords();
    seen = r.map((l) => l.eventName + ':' + (attr(l, 'exception.message') || attr(l, 'browser.web_vital.name') || ''));
    return seen.includes('exception:otlp: just before close') && seen.includes('browser.web_vital:cls');
  }, 'the error and CLS sent at close').catch(async (e) => {
    const reqs = (await otlp.requests('otlp_logs')).map((r) => `${r.status}/${r.bytes}`);
    assert.fail(`${e.message}; arrived: ${seen.join(', ')}; requests: ${reqs.join(' ')}`);
  });
});

test('a 400 is not retried and its events are counted as dropped; a 503 is retried', { timeout: 60000 }, async () => {
  await otlp.reset();
  const page = await openPage();
  // after the page's first export (it goes at once), so the refusal meets the error's
  await waitFor(async () => (await otlp.requests('otlp_logs')).length > 0, 'the first export');
  await otlp.fail({ channel: 'otlp_logs', status: 400, count: 1 });
  await throwInPage(page, 'otlp: refused', 'TypeError');
  await waitFor(async () => (await otlp.requests('otlp_logs')).some((r) => r.status === 400), 'the refused export');
  await page.waitForTimeout(1500); // an absence: a retry (after 0.5 to 1 s) would come in this time
  const refused = (await otlp.requests('otlp_logs')).filter((r) => r.status === 400);
  assert.equal(refused.length, 1);
  assert.ok(!(await logRecords()).some((l) => attr(l, 'exception.message') === 'otlp: refused'), 'the refused error was not sent again');
  let stats = await page.evaluate(() => Sightline.stats());
  assert.ok(stats.rejectedEvents >= 1, JSON.stringify(stats));
  await otlp.fail({ channel: 'otlp_logs', status: 503, count: 1 });
  await throwInPage(page, 'otlp: after the refusal', 'TypeError');
  const records = await waitFor(async () => {
    const r = await logRecords();
    return r.some((l) => attr(l, 'exception.message') === 'otlp: after the refusal') && r;
  }, 'the next error, after a 503 and a retry', 20000);
  const statuses = (await otlp.requests('otlp_logs')).map((r) => r.status);
  assert.ok(statuses.includes(503), statuses.join(','));
  // the drop is reported on the scope of a later export
  const scopes = records.map((l) => l.scope.attributes.find((a) => a.key === 'sightline.dropped')?.value.intValue).filter(Boolean);
  assert.ok(scopes.length >= 1, 'a sightline.dropped count');
  stats = await page.evaluate(() => Sightline.stats());
  assert.ok(stats.failedSends >= 1);
  await page.close();
});

test('with compression: gzip, a burst too big for keepalive goes gzipped, and every error arrives', { timeout: 90000 }, async () => {
  await otlp.reset();
  const page = await openPage('&gzip');
  // 400 distinct errors of about 1 KB, 50 per task: more than the keepalive budget takes at once
  await page.evaluate(async () => {
    const pad = 'x'.repeat(900);
    for (let t = 0; t < 8; t++) {
      await new Promise((r) => setTimeout(r));
      for (let i = 0; i < 50; i++) Sightline.captureError(new Error(`otlp gzip ${t * 50 + i} ${pad}`));
    }
  });
  assert.equal(await page.evaluate(() => Sightline.flush()), true);
  const got = await waitFor(async () => {
    const m = new Set((await otlp.events('errors')).map((e) => e.data.message).filter((m) => m.startsWith('otlp gzip ')));
    return m.size === 400 && m;
  }, 'all 400 errors', 60000);
  assert.equal(got.size, 400);
  const reqs = await otlp.requests('otlp_logs');
  assert.ok(reqs.some((r) => r.contentEncoding === 'gzip' && r.status === 200), JSON.stringify(reqs.map((r) => [r.status, r.bytes, r.contentEncoding])));
  assert.ok(reqs.every((r) => r.status === 200));
  await page.close();
});

test("a partialSuccess answer's rejected records are counted and reported", { timeout: 60000 }, async () => {
  await otlp.reset();
  const page = await openPage();
  await waitFor(async () => (await otlp.requests('otlp_logs')).length > 0, 'the first export');
  // as the OpenTelemetry Collector writes it: 64-bit counts are strings
  await otlp.fail({ channel: 'otlp_logs', status: 200, count: 1, body: { partialSuccess: { rejectedLogRecords: '1', errorMessage: 'one was invalid' } } });
  await throwInPage(page, 'otlp: partly refused', 'TypeError');
  await waitFor(async () => (await page.evaluate(() => Sightline.stats())).rejectedEvents === 1, 'the rejected count in stats()', 30000);
  // the count goes with the next export of the lane that lost it
  await throwInPage(page, 'otlp: after the partial success', 'TypeError');
  await page.evaluate(() => Sightline.flush());
  await waitFor(async () => {
    const r = await logRecords();
    return r.some((l) => l.scope.attributes.some((a) => a.key === 'sightline.dropped' && a.value.intValue === '1'));
  }, 'sightline.dropped on a later export', 30000);
  await page.close();
});
