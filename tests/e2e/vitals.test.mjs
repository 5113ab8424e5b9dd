// Performance monitoring against the references: Sightline's web vitals must equal what Google's
// web-vitals library reports on the same page (v6; v4 for FID), for the first load and again after a
// back/forward-cache restore; navigation, resource and long-task metrics must equal the browser's own
// entries. The page (tests/e2e/pages/vitals.html) sends the library's reports to the collector's
// test sink, so both arrive the same way, when the page is hidden.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCollectorAndBrowser, waitFor, watch, frames } from './harness.mjs';

const env = useCollectorAndBrowser({ bfcache: true });
const NAMES = { LCP: 'web_vitals_lcp', CLS: 'web_vitals_cls', INP: 'web_vitals_inp', FCP: 'web_vitals_fcp', TTFB: 'web_vitals_ttfb', FID: 'web_vitals_fid' };

async function openVitalsPage() {
  const page = await env.browser.newPage();
  const log = watch(page);
  await page.goto(`${env.collector.url}/test-pages/vitals.html`);
  await waitFor(() => page.evaluate(() => window.__settled && typeof Sightline.stats() === 'object'), 'the page to settle');
  await countEntries(page);
  return { page, log };
}

/**
 * Counts, in the page, the interactions and layout shifts the browser reports to an observer made
 * after web-vitals' and the SDK's (whose callbacks run before, in the same task): what a test waits
 * for before it goes on.
 */
const countEntries = (page) =>
  page.evaluate(() => {
    window.__interactions = window.__shifts = 0;
    const count = (type, name, opts) =>
      new PerformanceObserver((l) => (window[name] += l.getEntries().filter((e) => type !== 'event' || e.interactionId).length)).observe({ type, ...opts });
    count('event', '__interactions', { durationThreshold: 16 });
    count('layout-shift', '__shifts', {});
  });

/**
 * Clicks the 300 ms button and waits until the browser has reported the interaction, then until
 * web-vitals has handled it: in an idle callback capped at one second, asked for before ours.
 */
async function slowClick(page) {
  const before = await page.evaluate(() => __interactions);
  await page.click('#slow');
  await page.waitForFunction((n) => __interactions > n, before);
  await page.evaluate(() => new Promise((r) => requestIdleCallback(r, { timeout: 1000 })));
}

/** Leaves the page (which hides it, as closing the tab does) for another of the same origin. */
const leave = (page) => page.goto(`${env.collector.url}/test-pages/elsewhere.html`);

/** The reference reports and Sightline's vital metrics stored so far, for one navigation type. */
async function reports(navigationType, expected) {
  const pick = async () => {
    const ref = (await env.collector.sink()).filter((r) => r.navigationType === navigationType);
    const ours = (await env.collector.events('metrics'))
      .map((e) => e.data)
      .filter((m) => m.name.startsWith('web_vitals_') && m.tags.navigationType === navigationType);
    return ref.length >= expected && ours.length >= expected && { ref, ours };
  };
  const got = await waitFor(pick, `${expected} ${navigationType} reports from each`);
  // anything extra would arrive meanwhile (the page is gone: no flush() to wait on; both send
  // what they have as it hides, in the same task)
  await new Promise((r) => setTimeout(r, 500));
  return pick();
}

/** Asserts Sightline reported each reference value: CLS exactly, times within 1 ms (see below). */
function assertSame({ ref, ours }, names) {
  const table = [];
  for (const name of names) {
    const r = ref.filter((x) => x.name === name);
    const s = ours.filter((m) => m.name === NAMES[name]);
    assert.equal(s.length, r.length, `${name}: ${s.length} Sightline reports, ${r.length} from web-vitals`);
    assert.ok(r.length > 0, `${name} was reported`);
    r.forEach((x, i) => {
      const m = s[i];
      table.push(`${name} ${x.navigationType}: web-vitals ${x.value} (delta ${x.delta}), Sightline ${m.value} (delta ${m.delta}, ${m.rating})`);
      if (name === 'CLS') {
        assert.equal(m.value, x.value, `${name} value`);
        assert.equal(m.delta, x.delta, `${name} delta`);
      } else {
        // After a restore, FCP and LCP are "now" read by each library's own callback in the second
        // frame: whichever runs later also counts the other's work in that frame (a few ms on a
        // busy machine). Everything else comes from the same browser entries.
        const tolerance = x.navigationType === 'back-forward-cache' && (name === 'FCP' || name === 'LCP') ? 5 : 1;
        assert.ok(Math.abs(m.value - x.value) <= tolerance, `${name}: ${m.value} vs ${x.value}`);
        assert.ok(Math.abs(m.delta - x.delta) <= tolerance, `${name} delta: ${m.delta} vs ${x.delta}`);
      }
      assert.equal(m.rating, x.rating, `${name} rating`);
    });
  }
  console.log(table.join('\n'));
}

test('load, interaction, hidden: every vital equals web-vitals, and the timings equal the browser entries', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const { page, log } = await openVitalsPage();
  await slowClick(page); // a 300 ms handler: INP, FID, and the end of LCP
  const facts = await page.evaluate(() => ({
    nav: performance.getEntriesByType('navigation')[0].toJSON(),
    longtasks: window.__longtasks,
    slow: performance.getEntriesByType('resource').find((e) => e.name.includes('slow.js')).toJSON(),
  }));
  await leave(page);
  const got = await reports('navigate', 6);
  assertSame(got, Object.keys(NAMES));

  const pick = (name) => got.ours.find((m) => m.name === NAMES[name]);
  const lcp = pick('LCP');
  assert.ok(lcp.value >= 700, `LCP ${lcp.value} is the delayed image`);
  assert.equal(lcp.tags.element, '#hero');
  assert.match(lcp.tags.resource, /\/test-pages\/hero\.png\?delay=700$/);
  assert.ok(pick('INP').value >= 300, 'INP covers the 300 ms handler');
  assert.equal(pick('INP').tags.element, '#slow');
  assert.equal(pick('CLS').tags.element, '#shift-here>div.block');
  assert.equal(pick('INP').rating, 'needs-improvement');
  const pv = lcp.tags.pageViewId;
  assert.match(pv, /^[0-9a-f]{16}$/);

  const metrics = (await env.collector.events('metrics')).map((e) => e.data);
  for (const m of metrics) assert.equal(m.tags.pageViewId, pv, `${m.name} carries the page view`);
  const value = (name) => metrics.find((m) => m.name === name)?.value;
  const n = facts.nav;
  assert.equal(value('navigation_dns_lookup'), n.domainLookupEnd - n.domainLookupStart);
  assert.equal(value('navigation_tcp_connect'), n.connectEnd - n.connectStart);
  assert.equal(value('navigation_ssl_handshake'), undefined, 'no TLS, no handshake metric');
  assert.equal(value('navigation_request_response'), n.responseEnd - n.requestStart);
  assert.equal(value('navigation_dom_processing'), n.domComplete - n.responseEnd);
  assert.equal(value('navigation_total_load_time'), n.loadEventEnd);
  const navTags = metrics.find((m) => m.name === 'navigation_total_load_time').tags;
  assert.equal(navTags.navigation_type, n.type);
  assert.equal(navTags.protocol, n.nextHopProtocol);

  const tasks = metrics.filter((m) => m.name === 'long_task_duration').map((m) => m.value);
  assert.deepEqual(tasks, facts.longtasks, 'one long_task_duration per longtask entry');
  assert.ok(tasks.some((d) => d >= 150));
  const frames = metrics.filter((m) => m.name === 'long_animation_frame');
  assert.ok(frames.some((f) => f.value >= 300 && f.tags.scriptDuration >= 300 && f.tags.script.endsWith('/test-pages/vitals.html')), 'the slow click handler is attributed');

  const resources = metrics.filter((m) => m.name === 'resource_load_time');
  assert.deepEqual(resources.map((r) => r.tags.resource_url).sort(), [`${env.collector.url}/test-pages/slow.js?delay=1300`], 'only resources over 1000 ms');
  const slow = resources[0];
  assert.equal(slow.value, facts.slow.duration);
  assert.equal(slow.tags.resource_type, 'script');
  assert.equal(slow.tags.resource_size, facts.slow.transferSize);
  assert.equal(slow.tags.cache_hit, false);
  assert.equal(slow.tags.render_blocking, facts.slow.renderBlockingStatus === 'blocking');
  assert.ok(!metrics.some((m) => /\/api\//.test(m.tags.resource_url || '')), 'never the collector requests');
  assert.deepEqual(log.pageErrors, []);
});

test('back/forward cache: the restored page starts every vital over, equal to web-vitals again', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const { page, log } = await openVitalsPage();
  await slowClick(page);
  await leave(page);
  await page.goBack({ waitUntil: 'commit' });
  await waitFor(() => page.evaluate(() => window.__restores === 1).catch(() => false), 'a back/forward-cache restore');
  await frames(page); // the restored page's first paint (its FCP, two frames after pageshow)
  const shifts = await page.evaluate(() => __shifts);
  await page.click('#shift-after-restore'); // a layout shift 600 ms later, outside the input window
  await page.waitForFunction((n) => __shifts > n, shifts);
  await slowClick(page);
  await leave(page);

  const first = await reports('navigate', 6);
  assertSame(first, Object.keys(NAMES));
  const restored = await reports('back-forward-cache', 6);
  assertSame(restored, Object.keys(NAMES));
  const pick = (name) => restored.ours.find((m) => m.name === NAMES[name]);
  assert.equal(pick('TTFB').value, 0);
  assert.ok(pick('FCP').value > 0 && pick('FCP').value < 1000);
  assert.ok(pick('CLS').value > 0, 'the shift after the restore counts for the restored page');
  assert.notEqual(pick('LCP').tags.pageViewId, first.ours[0].tags.pageViewId, 'a restore is a new page view');
  assert.deepEqual(log.pageErrors, []);
});

test('a reload: the navigation type reaches every vital, as in web-vitals', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const { page, log } = await openVitalsPage();
  await page.reload();
  await waitFor(() => page.evaluate(() => window.__settled && typeof Sightline.stats() === 'object'), 'the reloaded page to settle');
  await countEntries(page);
  await slowClick(page);
  await leave(page);
  const got = await reports('reload', 6);
  assertSame(got, Object.keys(NAMES));
  assert.deepEqual(log.pageErrors, []);
});
