// User experience: the single-page example app (examples/spa, history routing) driven in Chromium.
// The collector must receive exactly the expected page views and user actions, in order, each with
// the right page view id, and nothing private: no input value, no masked text, no e-mail address,
// no token in a URL, no card number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCollectorAndBrowser, waitFor, watch, frames } from './harness.mjs';

const env = useCollectorAndBrowser({ bfcache: true }); // hidden and shown again: left, then restored

test('SPA: page views, routes, clicks, a rage click, a submit, scrolling, back and hiding', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const page = await env.browser.newPage();
  const log = watch(page);
  const base = `${env.collector.url}/examples/spa`;
  await page.goto(`${base}/?q=shoes&email=jane.doe@example.com`);
  await waitFor(() => page.evaluate(() => window.Sightline && typeof Sightline.stats() === 'object').catch(() => false), 'the SDK');
  await waitFor(async () => (await env.collector.events('events')).length || page.evaluate(() => Sightline.flush()).then(() => false), 'the first page view');
  await page.click('#nav-products');
  await page.click('#buy');
  await page.click('#buy', { delay: 10 });
  await page.click('#buy', { delay: 10 }); // three within a second: a rage click
  // the scroll event comes with the next frame, its depth at most once a frame after that
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await frames(page);
  await page.evaluate(() => window.scrollTo(0, 0)); // milestones are reported once per page view
  await frames(page);
  await page.click('#nav-account');
  await page.click('#sign-in'); // submits the form (the app prevents the real post)
  await page.click('#private');
  await page.goBack(); // popstate back to /products
  await page.waitForFunction(() => location.pathname === '/examples/spa/products');
  const left = await page.evaluate(() => Sightline.stats().pageViewId);
  await page.goto(`${env.collector.url}/test-pages/elsewhere.html`); // hides the page: the rest goes by beacon
  await waitFor(async () => (await env.collector.events('events')).some((x) => x.data.data.action === 'page_hidden'), 'page_hidden');
  await page.goBack({ waitUntil: 'commit' }); // back from the back/forward cache: shown again
  // restored: a new page view
  await waitFor(() => page.evaluate((id) => location.pathname === '/examples/spa/products' && Sightline.stats().pageViewId !== id, left).catch(() => false), 'the restored page view');
  await page.goto(`${env.collector.url}/test-pages/elsewhere.html`); // and hidden again

  const events = await waitFor(async () => {
    const e = (await env.collector.events('events')).map((x) => x.data);
    // the restored page's own events may come in a request that lands after the last page_hidden
    const restored = e.some((x) => x.type === 'page_view' && x.data.navigation === 'back-forward-cache');
    return restored && e.filter((x) => x.data.action === 'page_hidden').length === 2 && e;
  }, 'the restored page view and the second page_hidden');
  // batches may arrive out of order (the page-hide beacon can overtake a request in flight): `seq`
  // numbers the page's events
  events.sort((a, b) => a.data.seq - b.data.seq);
  const summary = events.map((e) => {
    const d = e.data;
    if (e.type === 'page_view') return ['page_view', d.url.replace(env.collector.url, ''), d.navigation];
    if (d.action === 'route_change') return ['route_change', d.from.replace(base, ''), d.to.replace(base, ''), d.trigger];
    if (d.action === 'click' || d.action === 'rage_click') return [d.action, d.element.tag, d.element.id || '', d.element.text || ''];
    if (d.action === 'form_submit') return ['form_submit', d.form.id, d.form.action.replace(base, ''), d.form.method, d.form.fields];
    if (d.action === 'scroll') return ['scroll', d.depth];
    return [d.action];
  });
  assert.deepEqual(summary, [
    ['page_view', '/examples/spa/?q=shoes&email=[Filtered]', 'load'],
    ['click', 'a', 'nav-products', 'Products'],
    ['route_change', '/?q=shoes&email=[Filtered]', '/products', 'pushState'],
    ['page_view', '/examples/spa/products', 'pushState'],
    ['click', 'button', 'buy', 'Buy the red shoes'],
    ['click', 'button', 'buy', 'Buy the red shoes'],
    ['click', 'button', 'buy', 'Buy the red shoes'],
    ['rage_click', 'button', 'buy', 'Buy the red shoes'],
    ['scroll', 25],
    ['scroll', 50],
    ['scroll', 75],
    ['scroll', 100],
    ['click', 'a', 'nav-account', 'Account'],
    ['route_change', '/products', '/account', 'pushState'],
    ['page_view', '/examples/spa/account', 'pushState'],
    ['click', 'button', 'sign-in', 'Sign in'],
    ['form_submit', 'login', '/account?token=[Filtered]', 'post', 3],
    ['click', 'p', 'private', ''],
    ['route_change', '/account', '/products', 'popstate'],
    ['page_view', '/examples/spa/products', 'popstate'],
    ['page_hidden'],
    ['page_visible'],
    ['page_view', '/examples/spa/products', 'back-forward-cache'],
    ['page_hidden'],
  ]);
  // each event carries the page view it happened in: a new id per page view (showing the page
  // again belongs to the view it shows until the restore's view starts)
  const views = events.filter((e) => e.type === 'page_view').map((e) => e.data.pageViewId);
  assert.equal(new Set(views).size, 5);
  let current = null;
  for (const e of events) {
    if (e.type === 'page_view') current = e.data.pageViewId;
    else if (e.data.action !== 'route_change') assert.equal(e.data.pageViewId, current, JSON.stringify(e));
  }
  const buy = events.find((e) => e.data.action === 'click' && e.data.element.id === 'buy').data.element;
  assert.deepEqual(buy.data, { 'data-action': 'buy' }, 'only allow-listed data attributes');
  assert.equal(buy.classes, 'btn primary');
  const first = events[0].data;
  assert.ok(first.viewport.width > 0 && first.viewport.height > 0);
  assert.ok(first.loadTime > 0);
  assert.match(first.title, /Sightline SPA/);
  // nothing private anywhere in what the collector stored
  const everything = JSON.stringify(await Promise.all(['errors', 'metrics', 'events'].map((c) => env.collector.events(c))));
  for (const secret of ['jane.doe@example.com', 'hunter2', '4111', 'abc123', 'not sent']) {
    assert.ok(!everything.includes(secret), `${secret} reached the collector`);
  }
  assert.deepEqual(log.pageErrors, []);
});

test("the load's page view waits for a task after init, and a page hidden before it still has it", { timeout: 60000 }, async () => {
  await env.collector.reset();
  const page = await env.browser.newPage();
  const log = watch(page);
  await page.goto(`${env.collector.url}/test-pages/startup.html`);
  await page.waitForFunction(() => window.monitor);
  const counts = await page.evaluate(async () => {
    const { init } = await import('/pkg/index.js');
    const m = await init({ collector: location.origin }); // a second init: a client of its own
    const atReady = m.sessionSummary().pageViews;
    // the hide listener runs what waits first (js/hooks.js drain), in this same task
    document.dispatchEvent(new Event('visibilitychange'));
    const afterHide = m.sessionSummary().pageViews;
    await new Promise((r) => setTimeout(r));
    return { atReady, afterHide, later: m.sessionSummary().pageViews };
  });
  // none when init resolves; the hide runs it at once, and the task then finds nothing left
  assert.deepEqual(counts, { atReady: 0, afterHide: 1, later: 1 });
  assert.deepEqual(log.pageErrors, []);
  await page.close();
});
