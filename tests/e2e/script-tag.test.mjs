// (b) the script-tag page with the inline loader snippet, (e) a bad config, (f) the wasm or the SDK
// script missing, or blocked by CSP: the loader's plain-JS fallback still delivers early errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCollectorAndBrowser, waitFor, watch, throwInPage, rejectInPage, SEED_FIELDS } from './harness.mjs';

const env = useCollectorAndBrowser();

const byMessage = (events, m) => events.filter((e) => e.data.message === m);

async function waitForMessages(messages) {
  return waitFor(async () => {
    const ev = await env.collector.events('errors');
    return messages.every((m) => byMessage(ev, m).length > 0) && ev;
  }, `errors ${JSON.stringify(messages)}`);
}

test('loader snippet: early errors, queued calls in order, errors while running and at close', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const page = await env.browser.newPage();
  const log = watch(page);
  await page.goto(`${env.collector.url}/test-pages/loader.html`);
  await waitFor(() => page.evaluate(() => typeof window.Sightline.stats() === 'object'), 'the SDK to load');
  assert.equal(await page.evaluate(() => window.Sightline.q), undefined, 'the stub was replaced');
  await throwInPage(page, 'loader: thrown while running 1');
  await throwInPage(page, 'loader: thrown while running 2', 'TypeError');
  await rejectInPage(page, 'loader: rejected while running');
  await page.evaluate(() => Sightline.captureError(new Error('loader: captured'), { step: 3 }));
  await throwInPage(page, 'loader: thrown just before close');
  await page.close({ runBeforeUnload: true });

  const messages = [
    'loader: queued message',
    'loader: thrown before the SDK loaded',
    'loader: rejected before the SDK loaded',
    'loader: thrown while running 1',
    'loader: thrown while running 2',
    'loader: rejected while running',
    'loader: captured',
    'loader: thrown just before close',
  ];
  const events = await waitForMessages(messages);
  for (const m of messages) {
    const found = byMessage(events, m);
    assert.equal(found.length, 1, `exactly one "${m}"`);
    for (const f of SEED_FIELDS) assert.ok(f in found[0].data, `${m}: field ${f}`);
    assert.equal(found[0].batch.sdk.name, 'sightline', 'sent by the SDK, not the fallback');
    assert.equal(found[0].data.userId, 'user-42', `${m}: setUser was replayed before the rest`);
  }
  const early = byMessage(events, 'loader: thrown before the SDK loaded')[0].data;
  assert.equal(early.type, 'javascript');
  assert.match(early.source, /\/test-pages\/loader\.html$/);
  assert.equal(byMessage(events, 'loader: rejected before the SDK loaded')[0].data.type, 'promise_rejection');
  assert.equal(byMessage(events, 'loader: queued message')[0].data.level, 'warning');
  // the early error happened before the SDK existed: its timestamp is when it happened
  const t = (m) => Date.parse(byMessage(events, m)[0].data.timestamp);
  assert.ok(t('loader: thrown before the SDK loaded') <= t('loader: thrown while running 1'));
  assert.deepEqual(log.console.filter((c) => c.startsWith('error: sightline')), []);
});

test('a bad config leaves the page working, with a clear console message', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const page = await env.browser.newPage();
  const log = watch(page);
  await page.goto(`${env.collector.url}/test-pages/bad-config.html`);
  const message = await waitFor(() => log.console.find((c) => c.includes('sightline:')), 'the console message');
  assert.equal(message, 'error: sightline: unknown config key `bogus`');
  await page.click('#b');
  assert.equal(await page.textContent('#b'), 'clicked');
  assert.equal(await page.evaluate(() => Sightline.flush()), true, 'API calls are harmless no-ops');
  assert.equal(await page.evaluate(() => Sightline.captureMessage('x')), undefined);
  await throwInPage(page, 'bad-config: the page still throws normally');
  assert.deepEqual(log.pageErrors, ['bad-config: the page still throws normally']);
  await page.close({ runBeforeUnload: true });
  // anything sent at close would have reached the collector by the time another page loaded
  const after = await env.browser.newPage();
  await after.goto(`${env.collector.url}/test-pages/elsewhere.html`);
  await after.close();
  assert.deepEqual(await env.collector.requests('errors'), [], 'nothing was sent');
});

for (const [what, setup, pagePath, earlyMessage] of [
  ['the wasm answers 404', (p) => p.route(/sightline(-core)?_bg\.wasm$/, (r) => r.fulfill({ status: 404, body: 'nope' })), 'loader.html', 'loader: thrown before the SDK loaded'],
  ['the SDK script answers 404', (p) => p.route('**/dist/sightline.js', (r) => r.fulfill({ status: 404, body: 'nope' })), 'loader.html', 'loader: thrown before the SDK loaded'],
  ['a CSP forbids compiling wasm', () => {}, 'csp.html', 'csp: thrown before the SDK loaded'],
  ['Trusted Types allow no policy of ours', () => {}, 'trusted-types-other.html', 'tt: thrown before the SDK loaded'],
]) {
  test(`fallback when ${what}: early errors still delivered, page unaffected`, { timeout: 60000 }, async () => {
    await env.collector.reset();
    const page = await env.browser.newPage();
    const log = watch(page);
    await setup(page);
    await page.goto(`${env.collector.url}/test-pages/${pagePath}`);
    const events = await waitForMessages([earlyMessage]);
    const e = byMessage(events, earlyMessage)[0];
    assert.equal(e.batch.sdk.name, 'sightline-loader');
    assert.equal(e.data.type, 'javascript');
    for (const f of ['type', 'message', 'timestamp', 'url', 'userAgent']) assert.ok(f in e.data, f);
    // after falling back, later errors are still delivered, one beacon each
    await throwInPage(page, `${what}: later error`);
    await waitForMessages([`${what}: later error`]);
    await page.click('#b');
    assert.equal(await page.textContent('#b'), 'clicked');
    assert.ok(log.pageErrors.every((m) => !/sightline|Sightline/.test(m)), log.pageErrors.join('; '));
    await page.close();
  });
}

test('under Trusted Types with the sightline policy allowed, the SDK loads and runs', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const page = await env.browser.newPage();
  const log = watch(page);
  await page.goto(`${env.collector.url}/test-pages/trusted-types.html`);
  await waitFor(() => page.evaluate(() => typeof Sightline.stats() === 'object').catch(() => false), 'the SDK');
  await throwInPage(page, 'tt: thrown while the SDK runs');
  await page.evaluate(() => Sightline.flush());
  const events = await waitForMessages(['tt: thrown before the SDK loaded', 'tt: thrown while the SDK runs']);
  // the SDK itself sent them, the early one replayed from the snippet's queue
  assert.ok(events.every((e) => e.batch.sdk.name === 'sightline'), JSON.stringify(events.map((e) => e.batch.sdk)));
  assert.deepEqual(log.pageErrors, ['tt: thrown before the SDK loaded', 'tt: thrown while the SDK runs']);
  await page.close();
});

test('closed before the SDK has loaded: the snippet sends the early errors itself', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const page = await env.browser.newPage();
  // the SDK script takes 5 s to arrive: the page is gone long before
  await page.route('**/dist/sightline.js', async (r) => {
    await new Promise((res) => setTimeout(res, 5000));
    await r.continue().catch(() => {});
  });
  await page.goto(`${env.collector.url}/test-pages/loader.html`, { waitUntil: 'domcontentloaded' });
  // the user leaves for another page (page.close() would not run unload handlers while Playwright
  // holds the intercepted request)
  await page.goto('about:blank');
  const events = await waitForMessages(['loader: thrown before the SDK loaded', 'loader: rejected before the SDK loaded']);
  const e = byMessage(events, 'loader: thrown before the SDK loaded')[0];
  assert.equal(e.batch.sdk.name, 'sightline-loader');
  assert.equal(byMessage(events, 'loader: rejected before the SDK loaded')[0].data.type, 'promise_rejection');
  await page.close();
});

test('in a sandboxed iframe, where storage throws, errors still arrive with a session', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const page = await env.browser.newPage();
  const log = watch(page);
  await page.goto(`${env.collector.url}/test-pages/sandboxed.html`);
  const events = await waitForMessages(['sandboxed: thrown where storage throws']);
  const e = byMessage(events, 'sandboxed: thrown where storage throws')[0];
  assert.equal(e.batch.sdk.name, 'sightline', 'sent by the SDK itself');
  assert.equal(e.data.tags.storage, 'SecurityError', 'storage really throws in this frame');
  assert.match(e.data.sessionId, /^[0-9a-f]{32}$/);
  assert.deepEqual(log.pageErrors.filter((m) => /sightline/i.test(m)), []);
  await page.close();
});

test('an error in a cross-origin script without CORS is marked crossOrigin', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const page = await env.browser.newPage();
  await page.goto(`${env.collector.url}/test-pages/cross-origin.html`);
  const events = await waitForMessages(['Script error.']);
  const e = byMessage(events, 'Script error.')[0].data;
  assert.equal(e.type, 'javascript');
  assert.equal(e.crossOrigin, true);
  assert.equal(JSON.stringify(e).includes('a detail the browser must hide'), false);
  await page.close();
});
