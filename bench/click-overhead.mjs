// Main-thread cost of Sightline per click (issue #5 goal: under 1 µs over the page without the
// SDK). Two pages are open side by side, one with the SDK and one without, and take turns batch by
// batch, so a busy moment of the machine hits both alike. The clicks are real: trusted mouse
// clicks through the DevTools protocol (the SDK records only those; a script's `element.click()`
// is not a user action), each the full pointerdown … click sequence on a button in a small tree.
// Per click: all main-thread work of the renderer (CDP Performance.TaskDuration) during the batch
// and until its deferred work is done — the input's dispatch, describing the click in a later
// task, the wasm record, and the share of a batch's `fetch`.
// Usage: node bench/click-overhead.mjs [clicks per batch] [batches]
import { startCollector, launch, waitFor } from '../tests/e2e/harness.mjs';

const PER_BATCH = Number(process.argv[2] || 20);
const BATCHES = Number(process.argv[3] || 30);
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
      document.body.insertAdjacentHTML('afterbegin', '<div class="app"><section id="s"><button id="b" class="btn primary" data-action="go">Go on</button></section></div>');
      document.getElementById('b').addEventListener('click', () => {});
    });
    const box = await page.locator('#b').boundingBox();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const busy = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value;
    const x = box.x + box.width / 2;
    const y = box.y + box.height / 2;
    // one batch: µs of main-thread work per click, deferred work included
    const batch = async (n) => {
      const before = await busy();
      for (let i = 0; i < n; i++) await page.mouse.click(x, y);
      await page.evaluate(() => new Promise((r) => setTimeout(() => requestAnimationFrame(() => setTimeout(r)), 0)));
      return (((await busy()) - before) * 1e6) / n;
    };
    pages[mode] = { batch, runs: [] };
  }
  for (const p of Object.values(pages)) await p.batch(PER_BATCH); // warm up (and the first input)
  for (let i = 0; i < BATCHES; i++) {
    for (const mode of i % 2 ? ['sightline', 'none'] : ['none', 'sightline']) pages[mode].runs.push(await pages[mode].batch(PER_BATCH));
  }
  const fmt = (v) => v.toFixed(1).padStart(10);
  const diff = median(pages.sightline.runs.map((v, i) => v - pages.none.runs[i]));
  console.log(`\nClick cost, µs of main-thread work per real click (${BATCHES} batches of ${PER_BATCH}, pages taking turns; medians)`);
  console.log('none      ' + fmt(median(pages.none.runs)));
  console.log('sightline ' + fmt(median(pages.sightline.runs)));
  console.log('overhead  ' + fmt(diff));
} finally {
  await browser.close();
  collector.stop();
}
