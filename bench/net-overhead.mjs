// Main-thread cost of Sightline's fetch and XMLHttpRequest wrappers (issue #4 goal: under 30 µs per
// call), against the same page without the SDK in the same run (pages alternate round by round):
//   - fetch: `await fetch(url)` in a loop over a fetch that answers at once (installed before the
//     SDK), so the time is the wrapper's own work — the call, and the report into the wasm when the
//     promise settles — without the network stack's noise;
//   - xhr: `open` + `send` of an XMLHttpRequest whose native send (replaced before the SDK) goes
//     nowhere, then a `loadend` event: the wrappers' work and our listener's report;
//   - real fetch / real xhr: whole requests to the dev collector, for scale (noisy).
// Prints medians per request in µs and the difference to the page without the SDK.
// Usage: node bench/net-overhead.mjs [iterations] [rounds]
import { startCollector, launch, waitFor } from '../tests/e2e/harness.mjs';

const N = Number(process.argv[2] || 2000);
const ROUNDS = Number(process.argv[3] || 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(page, n) {
  return page.evaluate(async (n) => {
    const url = '/__test/status?status=200';
    const out = {};
    let t = performance.now();
    for (let i = 0; i < n; i++) await fetch(url);
    out.fetch = ((performance.now() - t) * 1000) / n;
    // xhr: open + send (the stub send goes nowhere), then the request's end as our listener sees
    // it: a `loadend` event
    t = performance.now();
    for (let i = 0; i < n; i++) {
      const x = new XMLHttpRequest();
      x.__stub = true;
      x.open('GET', url);
      x.send();
      x.dispatchEvent(new ProgressEvent('loadend'));
    }
    out.xhr = ((performance.now() - t) * 1000) / n;
    return out;
  }, n);
}

async function real(page) {
  return page.evaluate(async () => {
    const url = '/__test/status?status=200';
    const run = async (one) => {
      const t = performance.now();
      for (let i = 0; i < 200; i += 10) await Promise.all(Array.from({ length: 10 }, one));
      return ((performance.now() - t) * 1000) / 200;
    };
    return {
      realFetch: await run(() => fetch(url).then((r) => r.text())),
      realXhr: await run(() => new Promise((done) => { const x = new XMLHttpRequest(); x.open('GET', url); x.onloadend = done; x.send(); })),
    };
  });
}

const collector = await startCollector();
const browser = await launch();
const results = { none: [], sightline: [] };
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of round % 2 ? ['sightline', 'none'] : ['none', 'sightline']) {
      const sdk = mode === 'none' ? 0 : 1;
      const stubbed = await browser.newPage();
      await stubbed.goto(`${collector.url}/test-pages/bench-net.html?sdk=${sdk}&stub=1`);
      if (sdk) await waitFor(() => stubbed.evaluate(() => typeof Sightline.stats() === 'object'), 'the SDK');
      await measure(stubbed, 200); // warm up the JIT
      const m = await measure(stubbed, N);
      await stubbed.close();
      const plain = await browser.newPage();
      await plain.goto(`${collector.url}/test-pages/bench-net.html?sdk=${sdk}`);
      if (sdk) await waitFor(() => plain.evaluate(() => typeof Sightline.stats() === 'object'), 'the SDK');
      results[mode].push({ ...m, ...(await real(plain)) });
      await plain.close();
    }
  }
  const keys = ['fetch', 'xhr', 'realFetch', 'realXhr'];
  const row = (mode) => keys.map((k) => median(results[mode].map((r) => r[k])));
  const base = row('none');
  const ours = row('sightline');
  const fmt = (v) => v.toFixed(1).padStart(12);
  console.log(`\nNetwork wrapper cost, µs per request (medians of ${ROUNDS} rounds; fetch and xhr: ${N} calls each over natives that skip the network)`);
  console.log('page          ' + ['fetch', 'xhr', 'real fetch', 'real xhr'].map((k) => k.padStart(12)).join(''));
  console.log('none          ' + base.map(fmt).join(''));
  console.log('sightline     ' + ours.map(fmt).join(''));
  console.log('overhead      ' + ours.map((v, i) => fmt(v - base[i])).join(''));
} finally {
  await browser.close();
  collector.stop();
}
