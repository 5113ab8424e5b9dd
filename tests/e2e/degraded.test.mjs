// Pages without what the SDK would use: no fetch (deleted, or throwing), no storage, no
// PerformanceObserver, no sendBeacon. In each the SDK loads (the wasm by XMLHttpRequest when
// fetch is missing), says so once when it runs degraded, delivers errors while the page runs and
// when it closes, and nothing of it reaches the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCollectorAndBrowser, waitFor, watch, throwInPage } from './harness.mjs';

const env = useCollectorAndBrowser();

const messages = async () => (await env.collector.events('errors')).map((e) => e.data.message);

for (const without of ['fetch', 'throwing-fetch', 'storage', 'observer', 'beacon', 'fetch,storage,observer']) {
  test(`without ${without}: the SDK loads, delivers while running and at close`, { timeout: 60000 }, async () => {
    await env.collector.reset();
    const context = await env.browser.newContext();
    const page = await context.newPage();
    const log = watch(page);
    await page.goto(`${env.collector.url}/test-pages/degraded.html?without=${without}`);
    await waitFor(() => page.evaluate(() => typeof Sightline.stats() === 'object').catch(() => false), 'the SDK to start');
    const noFetch = without.includes('fetch');
    assert.deepEqual(await page.evaluate(() => window.diagnostics), noFetch ? ['no_fetch'] : []);
    // while running: flush() sends it
    await throwInPage(page, 'degraded: while running');
    assert.equal(await page.evaluate(() => Sightline.flush()), true);
    await waitFor(async () => (await messages()).includes('degraded: while running'), 'the error sent while running');
    // at close: the queued error leaves as the page goes (a beacon, or a keepalive fetch)
    await throwInPage(page, 'degraded: at close');
    assert.equal(await page.evaluate(() => Sightline.stats().queued[0]), 1);
    await page.close({ runBeforeUnload: true });
    await waitFor(async () => (await messages()).includes('degraded: at close'), 'the error sent at close');
    assert.deepEqual(log.pageErrors, ['degraded: while running', 'degraded: at close']);
    assert.deepEqual((await messages()).sort(), ['degraded: at close', 'degraded: while running']);
    await context.close();
  });
}
