// The core build (dist/sightline-core.js + sightline-core_bg.wasm, loaded by the loader snippet):
// errors, failed requests and web vitals reach the collector; what it leaves out (user actions,
// health checks, alerts, snapshot()) sends nothing, its methods are harmless no-ops that say so
// in the debug log, and config keys of it are named once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCollectorAndBrowser, waitFor, watch, throwInPage } from './harness.mjs';

const env = useCollectorAndBrowser();

test('core build: errors, network and vitals arrive; the full build\'s methods and keys do nothing', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const page = await env.browser.newPage();
  const log = watch(page);
  const wasm = [];
  page.on('request', (r) => r.url().endsWith('.wasm') && wasm.push(new URL(r.url()).pathname));
  await page.goto(`${env.collector.url}/test-pages/core.html`);
  await waitFor(() => page.evaluate(() => typeof Sightline.stats() === 'object').catch(() => false), 'the SDK');
  assert.deepEqual(wasm, ['/dist/sightline-core_bg.wasm']);
  assert.deepEqual(await page.evaluate(() => diagnostics), ['not_in_build: config keys of features this build leaves out (the core build) do nothing: `health` `privacy.clickText`']);
  await throwInPage(page, 'core: thrown', 'TypeError');
  await page.evaluate(() => fetch('/__test/status?status=500').then((r) => r.text()));
  await page.click('#b');
  // the full build's methods: no-ops, each logged in debug mode
  const calls = await page.evaluate(async () => [
    Sightline.snapshot(),
    Sightline.registerHealthCheck('x', () => true),
    await Sightline.runHealthChecks(),
    Sightline.onAlert(() => {}),
    Sightline.resolveAlert('high_error_rate'),
  ]);
  assert.deepEqual(calls, [null, undefined, undefined, undefined, false]);
  for (const m of ['snapshot', 'registerHealthCheck', 'runHealthChecks', 'onAlert', 'resolveAlert']) {
    assert.ok(log.console.includes(`debug: sightline: ${m}() is not in the core build: it does nothing`), `${m}: ${log.console.join('\n')}`);
  }
  assert.equal(await page.evaluate(() => Sightline.flush()), true);
  const errors = (await env.collector.events('errors')).map((e) => [e.data.type, e.data.message.replace(env.collector.url, '')]);
  assert.deepEqual(errors.sort(), [['http_error', 'GET /__test/status?status=500 answered 500'], ['javascript', 'core: thrown']]);
  // leaving: the vitals go; no user action, page view, health report or alert ever does
  await page.goto(`${env.collector.url}/test-pages/elsewhere.html`);
  const vitals = await waitFor(async () => {
    const m = (await env.collector.events('metrics')).map((e) => e.data.name).filter((n) => n.startsWith('web_vitals_'));
    return m.includes('web_vitals_fcp') && m.includes('web_vitals_ttfb') && m;
  }, 'FCP and TTFB');
  assert.ok(vitals.length >= 2);
  assert.deepEqual(await env.collector.events('events'), []);
  assert.deepEqual(await env.collector.events('health'), []);
  assert.deepEqual(await env.collector.events('alerts'), []);
  assert.deepEqual(log.pageErrors, ['core: thrown']);
});
