// Main-thread cost of Sightline per click (issue #5 goal: under 1 µs over the page without the
// SDK). Two pages are open side by side, one with the SDK and one without, and take turns batch by
// batch, so a busy moment of the machine hits both alike. After one real (trusted) click, as a
// visitor's first input, each click is the sequence a mouse click dispatches (pointerdown,
// mousedown, pointerup, mouseup, click) on a button in a small tree.
//   - sync: time inside the dispatch loop (what the page's own click handling waits for): the
//     median over batches of each batch's difference between the two pages;
//   - total: all main-thread work per click over the whole run (CDP Performance.TaskDuration),
//     which also counts describing the clicks in a later task, handing them to the wasm and
//     sending the batches.
// Usage: node bench/click-overhead.mjs [clicks per batch] [batches]
import { startCollector, launch, waitFor } from '../tests/e2e/harness.mjs';

const PER_BATCH = Number(process.argv[2] || 100);
const BATCHES = Number(process.argv[3] || 200);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const collector = await startCollector();
const browser = await launch();
try {
  const pages = {};
  for (const mode of ['none', 'sightline']) {
    const page = await browser.newPage();
    await page.goto(`${collector.url}/test-pages/bench-net.html?sdk=${mode === 'none' ? 0 : 1}`);
    if (mode === 'sightline') await waitFor(() => page.evaluate(() => typeof Sightline.stats() === 'object'), 'the SDK');
    await page.evaluate(() => {
      document.body.insertAdjacentHTML('beforeend', '<div class="app"><section id="s"><button id="b" class="btn primary" data-action="go">Go on</button></section></div>');
      document.getElementById('b').addEventListener('click', () => {});
      const b = document.getElementById('b');
      const opts = { bubbles: true, cancelable: true, composed: true };
      const click = () => {
        b.dispatchEvent(new PointerEvent('pointerdown', opts));
        b.dispatchEvent(new MouseEvent('mousedown', opts));
        b.dispatchEvent(new PointerEvent('pointerup', opts));
        b.dispatchEvent(new MouseEvent('mouseup', opts));
        b.click();
      };
      // µs per click of one batch, then a task boundary so deferred work runs as between real clicks
      window.batch = async (n) => {
        const t = performance.now();
        for (let j = 0; j < n; j++) click();
        const us = ((performance.now() - t) * 1000) / n;
        await new Promise((r) => setTimeout(r, 0));
        return us;
      };
    });
    // one real click first, as a visitor's first input: the SDK's listeners that wait for it go
    await page.click('#b');
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const busy = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value;
    pages[mode] = { page, busy, sync: [], start: 0 };
  }
  for (const p of Object.values(pages)) await p.page.evaluate((n) => window.batch(n), PER_BATCH); // warm up
  await new Promise((r) => setTimeout(r, 300));
  for (const p of Object.values(pages)) p.start = await p.busy();
  for (let i = 0; i < BATCHES; i++) {
    for (const mode of i % 2 ? ['sightline', 'none'] : ['none', 'sightline']) {
      pages[mode].sync.push(await pages[mode].page.evaluate((n) => window.batch(n), PER_BATCH));
    }
  }
  await new Promise((r) => setTimeout(r, 300)); // the last batch's deferred work and sends
  const total = {};
  for (const [mode, p] of Object.entries(pages)) total[mode] = (((await p.busy()) - p.start) * 1e6) / (PER_BATCH * BATCHES);
  const sync = { none: median(pages.none.sync), sightline: median(pages.sightline.sync) };
  const diff = median(pages.sightline.sync.map((v, i) => v - pages.none.sync[i]));
  const fmt = (v) => v.toFixed(2).padStart(10);
  console.log(`\nClick cost, µs per click (${BATCHES} batches of ${PER_BATCH} clicks, pages taking turns)`);
  console.log('page            sync     total');
  console.log('none      ' + fmt(sync.none) + fmt(total.none));
  console.log('sightline ' + fmt(sync.sightline) + fmt(total.sightline));
  console.log('overhead  ' + fmt(diff) + fmt(total.sightline - total.none));
} finally {
  await browser.close();
  collector.stop();
}
