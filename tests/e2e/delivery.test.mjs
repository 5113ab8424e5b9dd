// Delivery when the collector misbehaves: (c) 503 for a while, then 200: every event arrives once;
// (d) 429 with Retry-After: no request before it expires; (g) collector down when the page closes:
// the events are kept in localStorage and delivered by the next page load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCollectorAndBrowser, waitFor, throwInPage } from './harness.mjs';

const env = useCollectorAndBrowser();

async function openPage(context) {
  const page = await (context || env.browser).newPage();
  await page.goto(`${env.collector.url}/test-pages/delivery.html`);
  await waitFor(() => page.evaluate(() => typeof Sightline.stats() === 'object'), 'the SDK to load');
  return page;
}

const messagesOf = async (prefix) =>
  (await env.collector.events('errors')).map((e) => e.data.message).filter((m) => m.startsWith(prefix));

test('(c) 503 for a while, then 200: every event arrives exactly once', { timeout: 60000 }, async () => {
  await env.collector.reset();
  await env.collector.fail({ channel: 'errors', status: 503, count: 3 });
  const page = await openPage();
  const sent = [];
  for (let i = 0; i < 5; i++) {
    sent.push(`c: error ${i}`);
    await throwInPage(page, `c: error ${i}`, 'TypeError'); // critical: sent at once, so it meets the 503s
    await page.waitForTimeout(20);
  }
  const got = await waitFor(async () => {
    const m = await messagesOf('c: ');
    return m.length >= 5 && m;
  }, 'all five errors', 30000);
  await page.waitForTimeout(1500); // a duplicate would arrive in this time
  assert.deepEqual((await messagesOf('c: ')).sort(), sent);
  assert.equal(got.length, 5);
  const statuses = (await env.collector.requests('errors')).map((r) => r.status);
  assert.equal(statuses.filter((s) => s === 503).length, 3, statuses.join(','));
  assert.ok(statuses.includes(200));
  const stats = await page.evaluate(() => Sightline.stats());
  assert.equal(stats.failedSends, 3);
  assert.equal(stats.queued[0], 0);
  await page.close();
});

test('(d) 429 with Retry-After: the next request waits until it expires', { timeout: 60000 }, async () => {
  await env.collector.reset();
  await env.collector.fail({ channel: 'errors', status: 429, retryAfter: '2', count: 1 });
  const page = await openPage();
  await throwInPage(page, 'd: rate limited', 'TypeError');
  await waitFor(async () => (await messagesOf('d: ')).length === 1, 'the error after the retry', 20000);
  const reqs = await env.collector.requests('errors');
  assert.equal(reqs[0].status, 429);
  assert.equal(reqs[1].status, 200);
  const gap = reqs[1].at - reqs[0].at;
  assert.ok(gap >= 2000, `retried after ${gap} ms, before Retry-After (2 s) expired`);
  assert.ok(gap < 5000, `retried after ${gap} ms: much later than needed`);
  await page.close();
});

test('(g) collector down when the page closes: delivered by the next page load', { timeout: 60000 }, async () => {
  await env.collector.reset();
  await env.collector.fail({ channel: 'errors', status: 503 }); // until reset
  const context = await env.browser.newContext();
  const page = await openPage(context);
  await throwInPage(page, 'g: raised while the collector is down', 'TypeError');
  await waitFor(async () => (await env.collector.requests('errors')).some((r) => r.status === 503), 'a failed attempt');
  await page.close({ runBeforeUnload: true });
  assert.deepEqual(await messagesOf('g: '), []);
  await env.collector.reset(); // the collector is back
  const next = await openPage(context);
  await waitFor(async () => (await messagesOf('g: ')).length === 1, 'the persisted error', 20000);
  await next.waitForTimeout(500);
  assert.deepEqual(await messagesOf('g: '), ['g: raised while the collector is down']);
  const stats = await next.evaluate(() => Sightline.stats());
  assert.equal(stats.restored, 1);
  await context.close();
});
