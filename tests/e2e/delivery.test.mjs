// Delivery when the collector misbehaves: (c) 503 for a while, then 200: every event arrives once;
// (d) 429 with Retry-After: no request before it expires; (g) collector down when the page closes:
// the events are kept in localStorage and delivered by the next page load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { useCollectorAndBrowser, waitFor, throwInPage, watch } from './harness.mjs';

const env = useCollectorAndBrowser();

async function openPage(context) {
  const page = await (context || env.browser).newPage();
  await page.goto(`${env.collector.url}/test-pages/delivery.html`);
  await waitFor(() => page.evaluate(() => typeof Sightline.stats() === 'object'), 'the SDK to load');
  return page;
}

/** A port nothing listens on: bound, then closed again. */
const closedPort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const messagesOf = async (prefix) =>
  (await env.collector.events('errors')).map((e) => e.data.message).filter((m) => m.startsWith(prefix));

/** The backlog a page of this origin sees: localStorage's, and IndexedDB's records joined. */
const backlogSeenFrom = (page) =>
  page.evaluate(
    () =>
      new Promise((resolve) => {
        const open = indexedDB.open('sightline', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('backlog');
        open.onsuccess = () => {
          const all = open.result.transaction('backlog').objectStore('backlog').getAll();
          all.onsuccess = () => (open.result.close(), resolve({ local: localStorage.getItem('sightline:pending'), text: all.result.join('\\n') }));
        };
      }),
  );

/** The page's own keepalive request of 65,000 bytes (of the browser's 64 KiB quota), answered after 5 s. */
const holdKeepaliveQuota = (page) =>
  page.evaluate(() => {
    window.held = 'pending';
    fetch('/__test/status?delay=5000', { method: 'POST', body: 'x'.repeat(65000), keepalive: true }).then(
      () => (window.held = 'done'),
      () => (window.held = 'refused'),
    );
  });

test('(c) 503 for a while, then 200: every event arrives exactly once', { timeout: 60000 }, async () => {
  await env.collector.reset();
  await env.collector.fail({ channel: 'errors', status: 503, count: 3 });
  const page = await openPage();
  const sent = [];
  for (let i = 0; i < 5; i++) {
    sent.push(`c: error ${i}`);
    await throwInPage(page, `c: error ${i}`, 'TypeError'); // critical: sent at once, so it meets the 503s
  }
  await waitFor(async () => (await messagesOf('c: ')).length >= 5, 'all five errors', 30000);
  // flush() resolves once every batch was answered 200: a duplicate would have arrived by then
  assert.equal(await page.evaluate(() => Sightline.flush()), true);
  assert.deepEqual((await messagesOf('c: ')).sort(), sent);
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

test('(g) collector down when the page hides, then closes: kept in IndexedDB, delivered by the next page load, once', { timeout: 60000 }, async () => {
  await env.collector.reset();
  await env.collector.fail({ channel: 'errors', status: 503 }); // until reset
  const context = await env.browser.newContext();
  const page = await openPage(context);
  await throwInPage(page, 'g: raised while the collector is down', 'TypeError');
  // hidden, still alive (another tab in front), right after a failed attempt (the next is at
  // least half a second away; a batch in flight as the page hides is not kept then): the backlog
  // goes to IndexedDB
  await page.evaluate(
    () =>
      new Promise((resolve) => {
        const poll = () => {
          if (Sightline.stats().failedSends === 0) return setTimeout(poll, 5);
          Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
          document.dispatchEvent(new Event('visibilitychange'));
          resolve();
        };
        poll();
      }),
  );
  const look = await context.newPage();
  await look.goto(`${env.collector.url}/test-pages/elsewhere.html`);
  const read = () => backlogSeenFrom(look);
  const kept = await waitFor(async () => {
    const k = await read();
    return /g: raised/.test(k.text) && k;
  }, 'the record in IndexedDB');
  assert.equal(kept.local, null);
  // then closed: nothing new to keep (what it keeps at close goes to localStorage, written before
  // the page is gone: tests k and m); the record stays
  await page.close({ runBeforeUnload: true });
  const closed = await read();
  assert.equal(closed.local, null);
  assert.match(closed.text, /g: raised while the collector is down/);
  await look.close();
  assert.deepEqual(await messagesOf('g: '), []);
  await env.collector.reset(); // the collector is back
  const next = await openPage(context);
  await waitFor(async () => (await messagesOf('g: ')).length === 1, 'the persisted error', 20000);
  // an absence: a copy (from the other store, claimed a second later) would arrive meanwhile
  await next.waitForTimeout(1500);
  assert.deepEqual(await messagesOf('g: '), ['g: raised while the collector is down']);
  await context.close();
});

/** Occurrences of errors whose message starts with `prefix` that arrived (each record's `count`),
 * and the drops the batches that carried them reported (each batch once). */
async function accounted(prefix) {
  const stored = await env.collector.events('errors');
  const counted = stored.filter((e) => e.data.message.startsWith(prefix)).reduce((n, e) => n + (e.data.count ?? 1), 0);
  const batches = new Map(stored.map((e) => [e.batch.batchId, e.batch.dropped ?? 0]));
  const dropped = [...batches.values()].reduce((a, b) => a + b, 0);
  return { counted, dropped };
}

test('(e) the same error three times a second apart: one record, count 3', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const page = await openPage();
  for (let i = 0; i < 3; i++) {
    await throwInPage(page, 'e: again and again');
    if (i < 2) await page.waitForTimeout(1000); // the scenario: a second apart
  }
  await page.evaluate(() => Sightline.flush());
  const records = await waitFor(async () => {
    const r = (await env.collector.events('errors')).filter((e) => e.data.message === 'e: again and again');
    return r.length > 0 && r;
  }, 'the error');
  assert.deepEqual(records.map((e) => e.data.count), [3]);
  await page.close();
});

test('(f) a flood while the collector is down: every occurrence arrives or is counted as dropped', { timeout: 90000 }, async () => {
  await env.collector.reset();
  // down for a while: batches are held up to their limit, then the queue drops its oldest records
  await env.collector.fail({ channel: 'errors', status: 503, forMs: 3000 });
  const page = await openPage();
  const thrown = await page.evaluate(() => {
    // 700 errors of about 1 KB each, every one thrown three times in a row (folded into one record)
    const pad = 'x'.repeat(900);
    let n = 0;
    for (let k = 0; k < 700; k++) {
      for (let r = 0; r < 3; r++, n++) setTimeout(() => { throw new Error(`f: ${k} ${pad}`); });
    }
    return n;
  });
  await waitFor(() => page.evaluate(() => Sightline.stats().droppedEvents > 0), 'the queue to overflow', 30000);
  const settled = () =>
    page.evaluate(async () => {
      await Sightline.flush();
      const s = Sightline.stats();
      return s.queued[0] === 0 && s.inFlight[0] === 0;
    });
  await waitFor(settled, 'everything sent', 60000);
  const { counted, dropped } = await accounted('f: ');
  const stats = await page.evaluate(() => Sightline.stats());
  assert.ok(dropped > 0 && counted > 0, `counted ${counted}, dropped ${dropped}`);
  assert.equal(dropped, stats.droppedEvents, 'the drops the batches reported are the drops stats() saw');
  assert.equal(counted + dropped, thrown, 'every occurrence arrived, or was counted in a batch that arrived');
  await page.close();
});

test('(h) offline, then online: the batch that failed goes as soon as the browser is online again', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const context = await env.browser.newContext();
  const page = await openPage(context);
  await context.setOffline(true);
  await throwInPage(page, 'h: raised offline', 'TypeError'); // critical: sent at once, and fails
  await waitFor(() => page.evaluate(() => Sightline.stats().failedSends >= 1), 'a failed send');
  // backing off now: nothing goes until the next try (1 s, then 2 s, 4 s …) or the network returns
  const before = Date.now();
  await page.waitForTimeout(4000); // several backoffs pass while the browser stays offline
  assert.deepEqual(await messagesOf('h: '), []);
  const failed = await page.evaluate(() => Sightline.stats().failedSends);
  const back = Date.now();
  await context.setOffline(false);
  const sent = await waitFor(async () => (await messagesOf('h: ')).length === 1 && Date.now(), 'the error once online', 10000);
  // the collector has it at once: well before the next backoff could have come round
  const online = await page.evaluate(() => Sightline.stats());
  assert.equal(online.failedSends, failed, 'no failed attempt after coming online');
  assert.ok(sent - back < 1500, `arrived ${sent - back} ms after the network came back (${sent - before} ms in all)`);
  assert.equal(await page.evaluate(() => Sightline.flush()), true);
  assert.deepEqual(await messagesOf('h: '), ['h: raised offline']);
  await context.close();
});

for (const status of [400, 413]) {
  test(`(i) a ${status} answer: the batch is dropped and counted, onError hears it, the next batch reports it`, { timeout: 60000 }, async () => {
    await env.collector.reset();
    await env.collector.fail({ channel: 'errors', status, count: 1 });
    const page = await openPage();
    await throwInPage(page, `i${status}: refused`, 'TypeError');
    await waitFor(() => page.evaluate(() => Sightline.stats().rejectedEvents === 1), 'the refusal');
    assert.deepEqual(await page.evaluate(() => diagnostics), ['batch_rejected']);
    const stats = await page.evaluate(() => Sightline.stats());
    assert.equal(stats.failedSends, 0, 'not retried');
    await throwInPage(page, `i${status}: next`, 'TypeError');
    const next = await waitFor(async () => (await env.collector.events('errors')).find((e) => e.data.message === `i${status}: next`), 'the next error');
    assert.equal(next.batch.dropped, 1, 'the next batch reports the refused one');
    assert.deepEqual(await messagesOf(`i${status}: `), [`i${status}: next`]);
    assert.deepEqual((await env.collector.requests('errors')).map((r) => r.status), [status, 200]);
    await page.close();
  });
}

test('(j) corrupt stored data: ignored and cleared, the SDK starts and delivers', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const log = watch(page);
  await page.goto(`${env.collector.url}/test-pages/elsewhere.html`);
  await page.evaluate(() => {
    localStorage.setItem('sightline:pending', 'garbage\n0abc\n5{not json\n0d\nT\n0x:\n\u0000\u{1F600}\n9999999999999999999999:{}');
    localStorage.setItem('sightline:pending:otlp', '\n\n:::');
    sessionStorage.setItem('sightline:session', '{"broken": ');
  });
  await page.goto(`${env.collector.url}/test-pages/delivery.html`);
  await waitFor(() => page.evaluate(() => typeof Sightline.stats() === 'object'), 'the SDK');
  await throwInPage(page, 'j: after corrupt storage', 'TypeError');
  await waitFor(async () => (await messagesOf('j: ')).length === 1, 'the error');
  assert.equal(await page.evaluate(() => localStorage.getItem('sightline:pending')), null, 'the backlog was taken (and cleared)');
  const stats = await page.evaluate(() => Sightline.stats());
  assert.equal(stats.restored, 0);
  assert.equal(stats.internalErrors, 0);
  assert.match(stats.sessionId, /^[0-9a-f]{32}$/);
  assert.deepEqual(log.pageErrors, ['j: after corrupt storage']);
  assert.deepEqual(await page.evaluate(() => diagnostics), []);
  await context.close();
});

test('(k) an unreachable collector with a batch in flight at close: kept, and delivered by the next load', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const context = await env.browser.newContext();
  const nowhere = `http://127.0.0.1:${await closedPort()}`;
  const page = await context.newPage();
  await page.goto(`${env.collector.url}/test-pages/delivery.html?collector=${encodeURIComponent(nowhere)}`);
  await waitFor(() => page.evaluate(() => typeof Sightline.stats() === 'object'), 'the SDK');
  await throwInPage(page, 'k: nobody answers', 'TypeError');
  await waitFor(() => page.evaluate(() => Sightline.stats().failedSends >= 1), 'a failed send');
  await throwInPage(page, 'k: in flight at close', 'TypeError');
  await page.close({ runBeforeUnload: true });
  // kept at close: in localStorage, written before the page was gone
  const look = await context.newPage();
  await look.goto(`${env.collector.url}/test-pages/elsewhere.html`);
  assert.match(await look.evaluate(() => localStorage.getItem('sightline:pending')), /k: in flight at close/);
  await look.close();
  // the next page load, with a collector that answers
  const next = await context.newPage();
  await next.goto(`${env.collector.url}/test-pages/delivery.html`);
  await waitFor(async () => (await messagesOf('k: ')).length === 2, 'both errors from the backlog', 20000);
  assert.deepEqual((await messagesOf('k: ')).sort(), ['k: in flight at close', 'k: nobody answers']);
  assert.equal(await next.evaluate(() => Sightline.stats().restored), 2);
  await context.close();
});

test('(m) without IndexedDB the backlog goes to localStorage, and a load with IndexedDB still sends it', { timeout: 60000 }, async () => {
  await env.collector.reset();
  await env.collector.fail({ channel: 'errors', status: 503 }); // until reset
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${env.collector.url}/test-pages/delivery.html?idb=none`);
  await waitFor(() => page.evaluate(() => typeof Sightline.stats() === 'object'), 'the SDK');
  await throwInPage(page, 'm: kept in localStorage', 'TypeError');
  // closed right after a failed attempt (a batch in flight at close goes by beacon instead)
  await waitFor(() => page.evaluate(() => Sightline.stats().failedSends > 0), 'a failed attempt');
  await page.close({ runBeforeUnload: true });
  const look = await context.newPage();
  await look.goto(`${env.collector.url}/test-pages/elsewhere.html`);
  assert.match(await look.evaluate(() => localStorage.getItem('sightline:pending')), /m: kept in localStorage/);
  await look.close();
  await env.collector.reset();
  const next = await context.newPage();
  await next.goto(`${env.collector.url}/test-pages/delivery.html`);
  await waitFor(async () => (await messagesOf('m: ')).length === 1, 'the error', 20000);
  assert.equal(await next.evaluate(() => Sightline.flush()), true);
  assert.deepEqual(await messagesOf('m: '), ['m: kept in localStorage']);
  assert.equal(await next.evaluate(() => localStorage.getItem('sightline:pending')), null);
  await context.close();
});

test("(l) the page's own keepalive request holds the quota: the SDK sends without keepalive at once", { timeout: 60000 }, async () => {
  await env.collector.reset();
  const page = await openPage();
  await holdKeepaliveQuota(page);
  await throwInPage(page, 'l: while the page holds the quota', 'TypeError');
  await waitFor(async () => (await messagesOf('l: ')).length === 1, 'the error');
  assert.equal(await page.evaluate(() => held), 'pending', 'the page still holds the quota');
  // the fetch wrapper saw the page's request: no keepalive attempt for the browser to refuse
  assert.equal(await page.evaluate(() => Sightline.stats().failedSends), 0);
  assert.deepEqual((await env.collector.requests('errors')).map((r) => r.status), [200]);
  assert.equal(await page.evaluate(() => held), 'pending');
  await page.close();
});

test('(l) a beacon of the page holds the quota: the refused keepalive request goes again at once without keepalive', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const page = await openPage();
  // the fetch wrapper does not see beacons: the browser refuses the SDK's keepalive request
  assert.equal(await page.evaluate(() => navigator.sendBeacon('/__test/status?delay=5000', 'x'.repeat(65000))), true);
  await throwInPage(page, 'l: while a beacon holds the quota', 'TypeError');
  await waitFor(async () => (await messagesOf('l: ')).length === 1, 'the error');
  // the browser's refusal is no failed send: no backoff, the batch went again without keepalive
  assert.equal(await page.evaluate(() => Sightline.stats().failedSends), 0);
  assert.deepEqual((await env.collector.requests('errors')).map((r) => r.status), [200], 'the refused request never left');
  assert.equal(await page.evaluate(() => Sightline.flush()), true);
  assert.deepEqual(await messagesOf('l: '), ['l: while a beacon holds the quota']);
  await page.close();
});

test('(n) the page holds the keepalive quota as it closes: the beacon the browser refuses is kept, and the next load sends it', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const context = await env.browser.newContext();
  const page = await openPage(context);
  await holdKeepaliveQuota(page);
  await throwInPage(page, 'n: queued at close', 'Error'); // not urgent: it waits for the interval
  await waitFor(() => page.evaluate(() => Sightline.stats().queued[0] === 1), 'the error queued');
  await page.close({ runBeforeUnload: true });
  const look = await context.newPage();
  await look.goto(`${env.collector.url}/test-pages/elsewhere.html`);
  const kept = await waitFor(async () => {
    const k = await backlogSeenFrom(look);
    return /n: queued at close/.test((k.local || '') + k.text) && k;
  }, 'the error in the backlog');
  assert.ok(kept, 'kept');
  await look.close();
  assert.deepEqual(await messagesOf('n: '), []);
  const next = await openPage(context);
  await waitFor(async () => (await messagesOf('n: ')).length === 1, 'the kept error', 20000);
  // an absence: a copy (from the other store, claimed a second later) would arrive meanwhile
  await next.waitForTimeout(1500);
  assert.deepEqual(await messagesOf('n: '), ['n: queued at close']);
  await context.close();
});

test('(o) a hidden tab whose record another tab claimed sends nothing more once visible: each kept batch goes once', { timeout: 60000 }, async () => {
  await env.collector.reset();
  await env.collector.fail({ channel: 'errors', status: 503 }); // until reset
  const context = await env.browser.newContext();
  const a = await openPage(context);
  await throwInPage(a, 'o: kept by a hidden tab', 'TypeError');
  // hidden right after a failed attempt: its backlog goes to its IndexedDB record
  await waitFor(() => a.evaluate(() => Sightline.stats().failedSends > 0), 'a failed attempt');
  const setVisibility = (page, state) =>
    page.evaluate((s) => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => s });
      document.dispatchEvent(new Event('visibilitychange'));
    }, state);
  await setVisibility(a, 'hidden');
  const look = await context.newPage();
  await look.goto(`${env.collector.url}/test-pages/elsewhere.html`);
  await waitFor(async () => /o: kept by a hidden tab/.test((await backlogSeenFrom(look)).text), 'the record in IndexedDB');
  await look.close();
  // the collector is back; another tab loads and claims the record of the hidden one
  await env.collector.reset();
  const b = await openPage(context);
  await waitFor(async () => (await messagesOf('o: ')).length === 1, 'the kept error, from the other tab');
  assert.equal(await b.evaluate(() => Sightline.stats().restored), 1);
  // the hidden tab comes back: it claims what its record still holds (nothing) and sends nothing
  await setVisibility(a, 'visible');
  assert.equal(await a.evaluate(() => Sightline.flush()), true);
  assert.equal(await a.evaluate(() => Sightline.stats().restored), 0, 'nothing of its own copy');
  assert.deepEqual((await env.collector.requests('errors')).map((r) => r.status), [200], 'one request: no copy reached the collector');
  await context.close();
});
