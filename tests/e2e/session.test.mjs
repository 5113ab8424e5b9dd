// Sessions: kept per tab across reloads, renewed after inactivity or age (with a page view that
// starts the new one), sampled once per session; sessionSummary() counts what happened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCollectorAndBrowser, waitFor, watch } from './harness.mjs';

const env = useCollectorAndBrowser();

async function open(page, query) {
  await page.goto(`${env.collector.url}/test-pages/session.html?${query}`);
  await waitFor(() => page.evaluate(() => typeof Sightline.sessionSummary === 'function' && !!Sightline.sessionSummary()).catch(() => false), 'the SDK');
  // the load's page view is reported a task after the load event
  await page.evaluate(() => new Promise((r) => (document.readyState === 'complete' ? setTimeout(r, 50) : addEventListener('load', () => setTimeout(r, 50)))));
}

// clicks are described a task after they happen: let that task run first
const summary = (page) => page.evaluate(() => new Promise((r) => setTimeout(() => r(Sightline.sessionSummary()), 20)));

/**
 * Stored events-channel records of `sessions` (with the batch's sessionId), in the page's order,
 * once `n` have arrived. (A page an earlier test closed may still deliver its `page_hidden`.)
 */
async function stored(page, n, sessions) {
  return waitFor(async () => {
    await page.evaluate(() => Sightline.flush()).catch(() => {});
    const e = (await env.collector.events('events')).filter((x) => sessions.includes(x.sessionId));
    // batches may arrive out of order: by time, then `seq` (a page's event number)
    const key = (x) => [Date.parse(x.data.timestamp), x.data.data.seq];
    return e.length >= n && e.sort((a, b) => key(a)[0] - key(b)[0] || key(a)[1] - key(b)[1]);
  }, `${n} events`);
}

test('a reload continues the session; its summary counts page views, actions and pages across loads', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const page = await env.browser.newPage();
  const log = watch(page);
  await open(page, 'a=1');
  const first = await summary(page);
  await page.click('#go');
  await page.click('#send'); // a submit: a click and a form_submit, two actions
  await open(page, 'a=2'); // loaded again, with another query string: the same page
  await page.click('#go');
  const s = await summary(page);
  assert.equal(s.sessionId, first.sessionId);
  assert.equal(s.pageViews, 2);
  assert.equal(s.userActions, 4);
  assert.equal(s.uniquePages, 1);
  assert.equal(s.sampled, true);
  assert.ok(s.duration >= 0 && s.duration < 60000, JSON.stringify(s));
  // the documented formula: min(40, 2 × minutes) + min(30, 10 × pageViews) + min(30, 5 × actions per minute (over ≥ 1 min))
  const minutes = s.duration / 60000;
  const expected = Math.min(40, 2 * minutes) + Math.min(30, 10 * s.pageViews) + Math.min(30, (5 * s.userActions) / Math.max(1, minutes));
  assert.ok(Math.abs(s.engagementScore - expected) <= 0.1, `${s.engagementScore} vs ${expected}`);
  const events = await stored(page, 7, [first.sessionId]);
  assert.deepEqual(
    events.map((e) => e.data.data.action || e.data.data.navigation),
    ['load', 'click', 'click', 'form_submit', 'page_hidden', 'load', 'click'],
    'everything the two loads reported, under one session id',
  );
  // another tab is another session
  const other = await env.browser.newPage();
  await open(other, 'b=1');
  assert.notEqual((await summary(other)).sessionId, first.sessionId);
  await other.close();
  assert.deepEqual(log.pageErrors, []);
  await page.close();
});

test('inactivity ends the session: the next click starts a new one with a page view', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const page = await env.browser.newPage();
  await open(page, 'timeout=1500');
  const before = await summary(page);
  await page.click('#go');
  await page.waitForTimeout(1000); // the scenario's time: inactive for less than the timeout
  await page.click('#go'); // active again within the timeout: same session
  assert.equal((await summary(page)).sessionId, before.sessionId);
  await page.waitForTimeout(1700); // inactive for longer than the timeout
  await page.click('#go');
  const after = await summary(page);
  assert.notEqual(after.sessionId, before.sessionId);
  assert.deepEqual([after.pageViews, after.userActions, after.uniquePages], [1, 1, 1]);
  const events = (await stored(page, 5, [before.sessionId, after.sessionId])).map((e) => [e.sessionId === before.sessionId ? 'old' : e.sessionId === after.sessionId ? 'new' : e.sessionId, e.data.type, e.data.data.action || e.data.data.navigation]);
  assert.deepEqual(events, [
    ['old', 'page_view', 'load'],
    ['old', 'user_action', 'click'],
    ['old', 'user_action', 'click'],
    ['new', 'page_view', 'session'],
    ['new', 'user_action', 'click'],
  ]);
  const [oldView, newView] = (await stored(page, 5, [before.sessionId, after.sessionId])).filter((e) => e.data.type === 'page_view').map((e) => e.data.data.pageViewId);
  assert.notEqual(oldView, newView);
  // an error in the new session carries its id
  await page.evaluate(() => Sightline.captureMessage('after renewal'));
  const [err] = await waitFor(async () => {
    await page.evaluate(() => Sightline.flush());
    const e = await env.collector.events('errors');
    return e.length && e;
  }, 'the error');
  assert.equal(err.data.sessionId, after.sessionId);
  // a route change after the timeout: the route belongs to the old session, its page view starts the next
  await page.waitForTimeout(1700);
  await page.evaluate(() => history.pushState(null, '', location.pathname + '?timeout=1500&step=2'));
  const third = await summary(page);
  assert.notEqual(third.sessionId, after.sessionId);
  const ids = [before.sessionId, after.sessionId, third.sessionId];
  const tail = (await stored(page, 7, ids)).slice(5).map((e) => [ids.indexOf(e.sessionId), e.data.data.action || e.data.data.navigation]);
  assert.deepEqual(tail, [[1, 'route_change'], [2, 'pushState']]);
  await page.close();
});

test('a session ends at its maximum age even while the user is active', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const page = await env.browser.newPage();
  await open(page, 'timeout=60000&max=2000');
  const first = (await summary(page)).sessionId;
  const ids = new Set([first]);
  for (let i = 0; i < 6; i++) {
    await page.click('#go');
    ids.add((await summary(page)).sessionId);
    await page.waitForTimeout(500);
  }
  assert.equal(ids.size, 2, 'one renewal in about 3 s of clicks with a 2 s maximum');
  await page.close();
});

test('an unsampled session sends nothing, every method still works, and the decision holds for the session', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const page = await env.browser.newPage();
  const log = watch(page);
  await open(page, 'rate=0&trace=1');
  await page.click('#go');
  const results = await page.evaluate(async () => {
    Sightline.captureError(new Error('unsampled'));
    Sightline.captureMessage('unsampled message');
    Sightline.setUser('u1');
    Sightline.setTag('k', 'v');
    setTimeout(() => { throw new Error('unsampled uncaught'); });
    await new Promise((r) => setTimeout(r, 50));
    await fetch('/__test/status?status=500');
    const echo = await (await fetch('/__test/echo')).json();
    return { flushed: await Sightline.flush(), stats: Sightline.stats(), summary: Sightline.sessionSummary(), echo };
  });
  assert.equal(results.flushed, true);
  assert.equal(results.stats.sampled, false);
  assert.equal(results.summary.sampled, false);
  assert.equal(results.summary.userActions, 1);
  assert.equal(results.echo.traceparent, null, 'no trace is started in an unsampled session');
  // sampleRate 1 on the next load does not change a decision already made for this session
  await open(page, 'rate=1');
  const s = await summary(page);
  assert.equal(s.sessionId, results.summary.sessionId);
  assert.equal(s.sampled, false);
  assert.equal(s.pageViews, 2);
  // flush() resolves once whatever was queued has been answered: after it, nothing is on its way
  assert.equal(await page.evaluate(() => (Sightline.captureMessage('still unsampled'), Sightline.flush())), true);
  for (const channel of ['errors', 'metrics', 'events']) {
    const mine = (await env.collector.events(channel)).filter((e) => e.sessionId === s.sessionId);
    assert.deepEqual(mine, [], channel);
  }
  assert.deepEqual(log.pageErrors, ['unsampled uncaught']);
  await page.close();
});
