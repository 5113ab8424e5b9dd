// Privacy by default: a page full of passwords, e-mail addresses, tokens in URLs and inputs, masked
// regions and card numbers. The user clicks, types, submits, scrolls, errors and failed requests
// happen, the page is left; nothing secret may reach the collector on any channel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILD, useCollectorAndBrowser, waitFor, watch } from './harness.mjs';

const env = useCollectorAndBrowser();

test('no password, e-mail, token, input value, masked text or card number reaches the collector', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const page = await env.browser.newPage();
  const log = watch(page);
  await page.goto(`${env.collector.url}/test-pages/privacy.html?token=SECRET-url-token&email=secret.person@example.com`);
  await waitFor(() => page.evaluate(() => typeof Sightline.stats() === 'object'), 'the SDK');
  for (const id of ['#email', '#password', '#notes', '#editor', '#masked-button', '#card', '#mail', '#label', '#plan']) await page.click(id);
  await page.fill('#notes', 'SECRET more typing');
  await page.click('#submit');
  await page.evaluate(() => window.leak());
  await page.goto(`${env.collector.url}/test-pages/elsewhere.html`);

  // (the core build has no user actions: no events channel, no clicks or submits to check)
  if (BUILD === 'full') await waitFor(async () => (await env.collector.events('events')).some((e) => e.data.data.action === 'page_hidden'), 'the page-hide beacon');
  await waitFor(async () => (await env.collector.events('errors')).length >= 3, 'the error and the failed requests');
  const stored = await Promise.all(['errors', 'metrics', 'events'].map((c) => env.collector.events(c)));
  const everything = JSON.stringify(stored);
  for (const secret of ['SECRET', 'secret.person', '4111', 'eyJhbGci', 'hunter']) {
    const at = everything.indexOf(secret);
    assert.equal(at, -1, `${secret} reached the collector: …${everything.slice(Math.max(0, at - 120), at + 60)}…`);
  }
  // the encoded request was recorded, decoded and masked
  const urls = stored[0].map((e) => e.data.requestUrl).filter(Boolean);
  assert.ok(urls.some((u) => u.includes('/users/[email]?status=404&password=[Filtered]')), urls.join(' '));
  const error = stored[0].map((e) => e.data).find((e) => e.type === 'javascript');
  assert.match(error.message, /^login failed for \[email\] with card \[number\] and token \[jwt\]$/);
  assert.ok(stored[0].some((e) => e.data.type === 'http_error'));
  assert.deepEqual(log.pageErrors.map((m) => m.slice(0, 12)), ['login failed']);
  if (BUILD === 'core') return;
  // and what was recorded is still useful
  const events = stored[2].map((e) => e.data.data);
  // (the label's click lands on the label or on its input, depending on layout: left out here,
  // its text is empty either way, which the check above covers)
  const clicks = events.filter((e) => e.action === 'click' && e.element.id && e.element.id !== 'label').map((e) => [e.element.id, e.element.text || '']);
  assert.deepEqual(clicks, [
    ['email', ''],
    ['password', ''],
    ['notes', ''],
    ['editor', ''],
    ['masked-button', ''],
    ['card', 'Pay with [number]'],
    ['mail', 'Write to [email]'],
    ['plan', ''],
    ['submit', 'Create account'],
  ]);
  const submit = events.find((e) => e.action === 'form_submit').form;
  assert.deepEqual(submit, { id: 'signup', action: `${env.collector.url}/test-pages/privacy.html?session=[Filtered]&next=/home`, method: 'post', fields: 5 });
});
