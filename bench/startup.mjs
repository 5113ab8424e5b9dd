// Where the SDK's start goes, from a Chromium trace of fresh page loads (not a guess): the npm
// module's import, then init() to ready, split into the wasm's download, its compilation and
// instantiation, and the main-thread work of the rest (wasm functions compiled on first call,
// JS, wasm). Medians of --reps loads per build. Run by `make bench`; `node bench/startup.mjs
// --reps 15`. Needs `make build collector`.
import { startCollector, launch } from '../tests/e2e/harness.mjs';

const at = process.argv.indexOf('--reps');
const reps = at > 0 ? +process.argv[at + 1] : 9;
const collector = await startCollector();
const browser = await launch();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const build of ['full', 'core']) {
  const rows = [];
  for (let i = 0; i < reps + 1; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const events = [];
    cdp.on('Tracing.dataCollected', (d) => events.push(...d.value));
    const complete = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
    await cdp.send('Tracing.start', { traceConfig: { includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.wasm', 'blink.user_timing'] }, transferMode: 'ReportEvents' });
    await page.goto(`${collector.url}/test-pages/startup.html?build=${build}`);
    await page.waitForFunction(() => window.monitor);
    const marks = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime])));
    const [wasm, module] = await page.evaluate(() => ['.wasm', 'index.js', 'core.js'].map((x) => performance.getEntriesByType('resource').find((r) => r.name.endsWith(x))).filter(Boolean).map((r) => r.toJSON()));
    await cdp.send('Tracing.end');
    await complete;
    await context.close();
    if (i === 0) continue; // a warm-up load
    const entry = events.find((e) => e.name === 'imported' && e.cat.includes('user_timing'));
    const ready = events.find((e) => e.name === 'ready' && e.cat.includes('user_timing'));
    const main = events.filter((e) => e.ph === 'X' && e.pid === entry.pid && e.tid === entry.tid && e.ts >= entry.ts && e.ts <= ready.ts);
    const sum = (pred) => main.filter(pred).reduce((n, e) => n + (e.dur || 0) / 1000, 0);
    rows.push({
      'import (download, parse, evaluate)': marks.imported - marks.entry,
      '  module request to response end': module.responseEnd - module.startTime,
      '  response end to imported (parse, evaluate)': marks.imported - module.responseEnd,
      'init() to ready': marks.ready - marks.imported,
      '  wasm request to response end': wasm.responseEnd - wasm.startTime,
      '  response end to ready': marks.ready - wasm.responseEnd,
      '  main thread: wasm compiled on first call': sum((e) => e.name === 'wasm.CompileLazy'),
      '  main thread: wasm module compile and instantiate': sum((e) => /^(v8\.wasm\.|wasm\.(SyncInstantiate|AsyncInstantiate|FinishStreaming|OnBytesReceived))/.test(e.name)),
      '  main thread: all tasks': sum((e) => e.name === 'RunTask'),
    });
  }
  console.log(`\nstartup, ${build} build: ms, medians of ${reps} fresh loads (Chromium, dev collector on 127.0.0.1)`);
  for (const k of Object.keys(rows[0])) console.log(`${k.padEnd(52)}${median(rows.map((r) => r[k])).toFixed(1).padStart(8)}`);
}
await browser.close();
collector.stop();
