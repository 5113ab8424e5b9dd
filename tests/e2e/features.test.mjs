// README features that had no test of their own, end to end: errors.ignore (a substring and a
// RegExp), privacy.maskText: false, privacy.clickText: false, custom privacy.dataAttributes,
// replaceState and hashchange routes, health checks paused while the page is hidden, the memory
// check's thresholds, and a second init() shutting the first down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fullOnly, useCollectorAndBrowser, waitFor, watch, throwInPage } from './harness.mjs';

const env = useCollectorAndBrowser();

async function open() {
  const page = await env.browser.newPage();
  const log = watch(page);
  await page.goto(`${env.collector.url}/test-pages/features.html`);
  await waitFor(() => page.evaluate(() => typeof Sightline.stats() === 'object').catch(() => false), 'the SDK');
  return { page, log };
}

const stored = async (channel) => (await env.collector.events(channel)).map((e) => e.data);

test('errors.ignore, maskText: false, clickText: false, dataAttributes, replaceState and hashchange routes', { ...fullOnly, timeout: 60000 }, async () => {
  await env.collector.reset();
  const { page, log } = await open();
  await throwInPage(page, 'ResizeObserver loop completed with undelivered notifications.');
  await throwInPage(page, 'Third.Party: the widget failed');
  await throwInPage(page, 'features: kept, for jo@example.com');
  assert.equal(await page.evaluate(() => Sightline.flush()), true);
  // ignored ones are neither sent nor counted; the address stays (maskText: false)
  assert.deepEqual((await stored('errors')).map((e) => e.message), ['features: kept, for jo@example.com']);
  assert.deepEqual((await page.evaluate(() => Sightline.snapshot())).errors.errorsByType, { javascript: 1 });
  await page.click('#buy');
  await page.evaluate(() => history.replaceState({}, '', '?step=2'));
  // hashchange is dispatched from a task of its own: wait for it, then flush
  await page.evaluate(() => new Promise((r) => (addEventListener('hashchange', () => setTimeout(r), { once: true }), (location.hash = '#reviews'))));
  await page.evaluate(() => Sightline.flush());
  const events = await waitFor(async () => {
    const e = await stored('events');
    return e.filter((x) => x.data.action === 'route_change').length >= 2 && e.some((x) => x.data.action === 'click') && e;
  }, 'the click and both routes');
  const click = events.find((e) => e.data.action === 'click').data.element;
  assert.equal(click.id, 'buy');
  assert.equal(click.text, undefined, 'clickText: false');
  assert.deepEqual(click.data, { 'data-track': 'buy-button' }, 'only the configured data attribute');
  const routes = events.filter((e) => e.data.action === 'route_change').map((e) => [e.data.trigger, new URL(e.data.to).search + new URL(e.data.to).hash]);
  assert.deepEqual(routes, [['replaceState', '?step=2'], ['hashchange', '?step=2#reviews']]);
  assert.deepEqual(log.pageErrors.length, 3);
  await page.close();
});

test('health checks pause while the page is hidden; the memory check goes by its thresholds', { ...fullOnly, timeout: 60000 }, async () => {
  await env.collector.reset();
  const { page } = await open();
  await page.evaluate(() => {
    window.runs = 0;
    Sightline.registerHealthCheck('counter', () => (window.runs++, true));
  });
  await waitFor(() => page.evaluate(() => window.runs >= 2), 'two runs (every 300 ms)');
  await page.evaluate(() => setHidden(true));
  await page.waitForTimeout(350); // a run that was due as it hid
  const hiddenAt = await page.evaluate(() => window.runs);
  await page.waitForTimeout(1500); // five intervals
  assert.equal(await page.evaluate(() => window.runs), hiddenAt, 'no run while hidden');
  await page.evaluate(() => setHidden(false));
  await waitFor(() => page.evaluate((n) => window.runs > n, hiddenAt), 'runs again once visible');
  const memory = async (used) => {
    const r = await page.evaluate((u) => ((window.heap.used = u), Sightline.runHealthChecks()), used);
    const m = r.checks.find((c) => c.name === 'memory');
    return [m.status, m.message];
  };
  assert.deepEqual(await memory(60), ['healthy', '60 of 100 MB']);
  assert.deepEqual(await memory(75), ['degraded', '75 of 100 MB']);
  assert.deepEqual(await memory(95), ['unhealthy', '95 of 100 MB']);
  assert.deepEqual(await memory(10), ['healthy', '10 of 100 MB']);
  await page.close();
});

test('a second init() shuts the first down: one wrapper, one listener, the new config', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const { page } = await open();
  await page.evaluate(() => Sightline.init({ ...window.options, release: 'second', health: { interval: 600000 } }));
  await waitFor(() => page.evaluate(() => Sightline.stats().sessionId !== undefined), 'the second client');
  await throwInPage(page, 'features: after the second init');
  // the request is reported as its response arrives, before the page reads the body
  await page.evaluate(() => fetch('/__test/status?status=404').then((r) => r.text()));
  assert.equal(await page.evaluate(() => Sightline.flush()), true);
  const errors = await stored('errors');
  assert.ok(errors.some((x) => x.message === 'features: after the second init') && errors.some((x) => x.type === 'http_error'), JSON.stringify(errors));
  const again = errors;
  assert.equal(again.filter((x) => x.message === 'features: after the second init').length, 1, 'recorded once');
  assert.equal(again.filter((x) => x.type === 'http_error').length, 1, 'one fetch wrapper');
  assert.equal(errors.find((x) => x.message === 'features: after the second init').buildVersion, 'second');
  assert.equal((await page.evaluate(() => Sightline.stats())).requests[env.collector.url].count, 1);
  await page.close();
});
