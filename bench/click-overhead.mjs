// Main-thread cost of Sightline per click (issue #5 goal: under 1 µs over the page without the
// SDK), in the same run with pages alternating round by round. Clicks are dispatched with
// `element.click()` on a button in a small tree:
//   - sync: time inside the dispatch loop (what the page's own click handling waits for);
//   - total: all main-thread work per click over the phase (CDP Performance.TaskDuration), which
//     also counts describing the clicks in the later task and handing them to the wasm.
// Usage: node bench/click-overhead.mjs [clicks] [rounds]
import { startCollector, launch, waitFor } from '../tests/e2e/harness.mjs';

const N = Number(process.argv[2] || 5000);
const ROUNDS = Number(process.argv[3] || 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const collector = await startCollector();
const browser = await launch();
const results = { none: [], sightline: [] };
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of round % 2 ? ['sightline', 'none'] : ['none', 'sightline']) {
      const page = await browser.newPage();
      await page.goto(`${collector.url}/test-pages/bench-net.html?sdk=${mode === 'none' ? 0 : 1}`);
      if (mode === 'sightline') await waitFor(() => page.evaluate(() => typeof Sightline.stats() === 'object'), 'the SDK');
      await page.evaluate(() => {
        document.body.insertAdjacentHTML('beforeend', '<div class="app"><section id="s"><button id="b" class="btn primary" data-action="go">Go on</button></section></div>');
        document.getElementById('b').addEventListener('click', () => {});
      });
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      const busy = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value;
      const run = (n) =>
        page.evaluate(async (n) => {
          const b = document.getElementById('b');
          let inside = 0;
          for (let i = 0; i < n; i += 100) {
            const t = performance.now();
            for (let j = 0; j < 100; j++) b.click();
            inside += performance.now() - t;
            await new Promise((r) => setTimeout(r, 0)); // let deferred work run, as between real clicks
          }
          return (inside * 1000) / n;
        }, n);
      await run(500); // warm up
      await page.waitForTimeout(200);
      const before = await busy();
      const sync = await run(N);
      await page.waitForTimeout(200);
      const total = (((await busy()) - before) * 1e6) / N;
      results[mode].push({ sync, total });
      await page.close();
    }
  }
  const row = (mode) => ['sync', 'total'].map((k) => median(results[mode].map((r) => r[k])));
  const [base, ours] = [row('none'), row('sightline')];
  const fmt = (v) => v.toFixed(2).padStart(10);
  console.log(`\nClick cost, µs per click (medians of ${ROUNDS} rounds of ${N} clicks; total includes 200 ms of idle per phase, the same on both pages)`);
  console.log('page            sync     total');
  console.log('none      ' + base.map(fmt).join(''));
  console.log('sightline ' + ours.map(fmt).join(''));
  console.log('overhead  ' + ours.map((v, i) => fmt(v - base[i])).join(''));
} finally {
  await browser.close();
  collector.stop();
}
