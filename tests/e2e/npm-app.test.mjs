// (a) An app that imports the npm package through a bundler (Vite) and calls init(): errors before
// the SDK finished loading, while it runs, and just before the page closes all reach the env.collector.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCollectorAndBrowser, waitFor, watch, throwInPage, rejectInPage, SEED_FIELDS } from './harness.mjs';

const env = useCollectorAndBrowser();

test('npm app bundled with Vite: every error reaches the collector', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const page = await env.browser.newPage();
  const log = watch(page);
  await page.goto(`${env.collector.url}/examples/npm-app/dist/`);
  await waitFor(() => page.evaluate(() => !!window.monitor), 'the SDK to start');
  await page.click('#throw');
  await page.click('#reject');
  await page.click('#type');
  await page.click('#manual');
  await throwInPage(page, 'npm-app: thrown while running');
  await rejectInPage(page, 'npm-app: rejected while running');
  // the last one: raised, then the page closes before any interval could send it
  await throwInPage(page, 'npm-app: thrown just before close');
  await page.close({ runBeforeUnload: true });

  const expected = [
    ['javascript', 'npm-app: error before the SDK finished loading'],
    ['javascript', 'npm-app: demo error'],
    ['promise_rejection', 'npm-app: demo rejection'],
    ['javascript', "Cannot read properties of null (reading 'demo')"],
    ['manual', 'npm-app: handled error'],
    ['javascript', 'npm-app: thrown while running'],
    ['promise_rejection', 'npm-app: rejected while running'],
    ['javascript', 'npm-app: thrown just before close'],
  ];
  const events = await waitFor(async () => {
    const ev = await env.collector.events('errors');
    return expected.every(([, m]) => ev.some((e) => e.data.message === m)) && ev;
  }, 'all errors at the collector');
  for (const [type, message] of expected) {
    const matches = events.filter((e) => e.data.message === message);
    assert.equal(matches.length, 1, `exactly one "${message}"`);
    const e = matches[0].data;
    assert.equal(e.type, type, message);
    for (const f of SEED_FIELDS) assert.ok(f in e, `${message}: field ${f}`);
    assert.equal(e.buildVersion, 'npm-app@1.0.0');
    assert.equal(e.environment, 'example');
    assert.match(e.url, /\/examples\/npm-app\/dist\/$/);
  }
  const manual = events.find((e) => e.data.message === 'npm-app: handled error').data;
  assert.deepEqual(manual.context, { orderId: 42 });
  assert.equal(manual.tags.example, 'npm-app');
  const typeError = events.find((e) => e.data.name === 'TypeError').data;
  assert.ok(typeError.frames.length > 0 && typeError.frames[0].file.includes('/examples/npm-app/dist/assets/'));
  assert.deepEqual(log.console.filter((c) => c.startsWith('warning: sightline')), []);
});
