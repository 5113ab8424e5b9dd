// shutdown() observed from the page itself: every listener the SDK (and its loader snippet) added
// is removed, every PerformanceObserver disconnected, no timer or animation frame of its left
// pending, and fetch, XMLHttpRequest and history are the natives again; nothing arrives after.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILD, useCollectorAndBrowser, waitFor, watch, throwInPage } from './harness.mjs';

const env = useCollectorAndBrowser();

test('shutdown leaves nothing behind in the page', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const page = await env.browser.newPage();
  const log = watch(page);
  await page.goto(`${env.collector.url}/test-pages/instrumented.html`);
  await waitFor(() => page.evaluate(() => typeof Sightline.stats() === 'object').catch(() => false), 'the SDK');
  // running: it has installed things, and they work
  const running = await page.evaluate(() => leftBehind());
  assert.ok(running.listeners.length >= 8, JSON.stringify(running.listeners));
  assert.ok(running.observers >= 1);
  // (the history wrappers are the user-experience source's: the full build's)
  const history = BUILD === 'full' ? ['pushState', 'replaceState'] : [];
  assert.deepEqual(running.wrappers.sort(), ['fetch', 'open', ...history, 'send', 'setRequestHeader'].sort());
  await page.click('#b');
  await page.evaluate(async () => {
    await fetch('/__test/status?status=200');
    history.pushState({}, '', '?moved');
    scrollTo(0, 100);
  });
  await throwInPage(page, 'shutdown: before');
  // timers of the SDK's are pending (the error's channel, the metrics interval; the health run in the full build)
  await waitFor(() => page.evaluate((n) => leftBehind().timers.length >= n, BUILD === 'full' ? 3 : 2), 'timers of the SDK');
  // what is queued is sent first: what shutdown itself hands to the browser would still be in
  // flight when the count below is taken
  assert.equal(await page.evaluate(() => Sightline.flush()), true);
  await page.evaluate(() => Sightline.shutdown());
  const after = await page.evaluate(() => leftBehind());
  assert.deepEqual(after, { listeners: [], observers: 0, timers: [], wrappers: [] });
  // nothing more arrives: an error, a click, a request after shutdown are not the SDK's business
  const count = async () => (await Promise.all(['errors', 'events', 'metrics', 'health'].map((c) => env.collector.events(c)))).flat().length;
  const before = await count();
  await throwInPage(page, 'shutdown: after');
  await page.click('#b');
  await page.evaluate(() => fetch('/__test/status?status=500'));
  await page.waitForTimeout(1500); // an absence: whatever the SDK still sent would arrive meanwhile
  assert.equal(await count(), before);
  assert.equal(await page.evaluate(() => leftBehind().timers.length), 0);
  assert.deepEqual(log.pageErrors, ['shutdown: before', 'shutdown: after']);
  await page.close();
});
