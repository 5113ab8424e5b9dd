// The main end-to-end flows in Firefox (Debian's firefox-esr, by geckodriver) and WebKit
// (WebKitGTK's MiniBrowser, the Safari engine, by WebKitWebDriver under a virtual display), over
// plain W3C WebDriver (selenium-webdriver), against the real dev collector: the npm app, the loader
// snippet, delivery at close, and the web vitals each engine has, equal to Google's web-vitals.
//   ENGINE=firefox node --test tests/engines/        ENGINE=webkit xvfb-run -a node --test tests/engines/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Builder } from 'selenium-webdriver';
import { startCollector, waitFor } from '../e2e/harness.mjs';

const ENGINE = process.env.ENGINE || 'firefox';
const DRIVERS = {
  firefox: {
    bin: process.env.GECKODRIVER || path.join(os.homedir(), '.sightline-tools/bin/geckodriver'),
    args: (port) => ['--port', String(port)],
    caps: { browserName: 'firefox', 'moz:firefoxOptions': { binary: '/usr/bin/firefox-esr', args: ['-headless'] } },
  },
  webkit: {
    bin: process.env.SAFARIDRIVER || '/usr/bin/WebKitWebDriver',
    args: (port) => [`--port=${port}`],
    caps: { browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser', args: ['--automation'] } },
  },
};

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

let collector;
let driverProc;
let driverUrl;

before(async () => {
  collector = await startCollector();
  const port = await freePort();
  const d = DRIVERS[ENGINE];
  driverProc = spawn(d.bin, d.args(port), { stdio: 'ignore' });
  driverUrl = `http://127.0.0.1:${port}`;
  await waitFor(() => fetch(driverUrl + '/status').then((r) => r.ok, () => false), `${ENGINE}'s WebDriver`);
});

after(() => {
  driverProc?.kill();
  collector?.stop();
});

/** A fresh browser session (each test its own: no state shared between tests). */
async function browser() {
  return new Builder().usingServer(driverUrl).withCapabilities(DRIVERS[ENGINE].caps).build();
}

const run = (d, fn, ...args) => d.executeScript(`return (${fn}).apply(null, arguments)`, ...args);
const ready = (d) => waitFor(() => run(d, () => typeof Sightline === 'object' && typeof Sightline.stats() === 'object').catch(() => false), 'the SDK to start');
// thrown by the page's own code: a script element (a WebDriver script runs apart from the page in
// Firefox, and what it throws is not the page's error)
// Returns once the page's error listeners (the SDK's among them) have seen it.
const throwIn = async (d, message) => {
  await run(d, (m) => {
    const s = document.createElement('script');
    s.textContent = `{ const seen = (e) => e.message.includes(${JSON.stringify(m)}) && (removeEventListener('error', seen), window.__thrown = e.message);
      addEventListener('error', seen);
      setTimeout(() => { throw new Error(${JSON.stringify(m)}); }); }`;
    document.head.appendChild(s);
  }, message);
  await waitFor(() => run(d, (m) => String(window.__thrown).includes(m), message), `the page to throw ${message}`);
};
const messages = async () => (await collector.events('errors')).map((e) => e.data.message);

test(`${ENGINE}: the loader snippet: early errors, queued calls, errors while running and at close`, { timeout: 90000 }, async () => {
  await collector.reset();
  const d = await browser();
  try {
    await d.get(`${collector.url}/test-pages/loader.html`);
    await ready(d);
    await throwIn(d, 'engine: thrown while running');
    await run(d, () => Sightline.captureError(new Error('engine: captured'), { step: 3 }));
    // the last one is queued when the page is left: it goes as the page hides
    await throwIn(d, 'engine: thrown just before leaving');
    await d.get(`${collector.url}/test-pages/elsewhere.html`);
    const want = ['loader: queued message', 'loader: thrown before the SDK loaded', 'loader: rejected before the SDK loaded', 'engine: thrown while running', 'engine: captured', 'engine: thrown just before leaving'];
    await waitFor(async () => {
      const all = await messages();
      return want.every((m) => all.includes(m));
    }, 'every error', 30000).catch(async (e) => assert.fail(`${e.message}: ${JSON.stringify(await messages())}`));
    const events = await collector.events('errors');
    for (const m of want) {
      const found = events.filter((e) => e.data.message === m);
      assert.equal(found.length, 1, `exactly one "${m}"`);
      assert.equal(found[0].batch.sdk.name, 'sightline');
      assert.equal(found[0].data.userId, 'user-42');
    }
    const thrown = events.find((e) => e.data.message === 'engine: thrown while running').data;
    assert.ok(thrown.frames.length > 0 && thrown.frames[0].line > 0, JSON.stringify(thrown.frames));
  } finally {
    await d.quit();
  }
});

test(`${ENGINE}: the npm app (Vite): every error reaches the collector, the last one at close`, { timeout: 90000 }, async () => {
  await collector.reset();
  const d = await browser();
  try {
    await d.get(`${collector.url}/examples/npm-app/dist/`);
    await waitFor(() => run(d, () => !!window.monitor), 'the SDK to start');
    await run(d, () => ['throw', 'reject', 'type', 'manual'].forEach((id) => document.getElementById(id).click()));
    await throwIn(d, 'npm-app: thrown just before close');
    await d.get(`${collector.url}/test-pages/elsewhere.html`);
    const want = ['npm-app: error before the SDK finished loading', 'npm-app: demo error', 'npm-app: demo rejection', 'npm-app: handled error', 'npm-app: thrown just before close'];
    const events = await waitFor(async () => {
      const ev = await collector.events('errors');
      return want.every((m) => ev.some((e) => e.data.message === m)) && ev;
    }, 'every error', 30000).catch(async (e) => assert.fail(`${e.message}: ${JSON.stringify(await messages())}`));
    const types = events.map((e) => e.data.type).sort();
    // the TypeError's message is the engine's own
    assert.deepEqual(types, ['javascript', 'javascript', 'javascript', 'javascript', 'manual', 'promise_rejection']);
  } finally {
    await d.quit();
  }
});

test(`${ENGINE}: the web vitals this engine has equal web-vitals'`, { timeout: 90000 }, async () => {
  await collector.reset();
  const d = await browser();
  try {
    await d.get(`${collector.url}/test-pages/vitals.html`);
    await waitFor(() => run(d, () => window.__settled && typeof Sightline.stats() === 'object').catch(() => false), 'the page to settle', 30000);
    await d.get(`${collector.url}/test-pages/elsewhere.html`);
    const NAMES = { LCP: 'web_vitals_lcp', CLS: 'web_vitals_cls', FCP: 'web_vitals_fcp', TTFB: 'web_vitals_ttfb' };
    const pick = async () => {
      const ref = (await collector.sink()).filter((r) => r.name in NAMES);
      const ours = (await collector.events('metrics')).map((e) => e.data).filter((m) => Object.values(NAMES).includes(m.name));
      return { ref, ours };
    };
    // FCP at least, in every engine; then a moment for anything else
    await waitFor(async () => (await pick()).ref.some((r) => r.name === 'FCP') && (await pick()).ours.some((m) => m.name === NAMES.FCP), 'FCP from both', 30000);
    // an absence: both send what they have as the page hides; anything else would arrive meanwhile
    await new Promise((r) => setTimeout(r, 1500));
    const { ref, ours } = await pick();
    const table = [];
    for (const [name, ourName] of Object.entries(NAMES)) {
      const r = ref.filter((x) => x.name === name);
      const s = ours.filter((m) => m.name === ourName);
      assert.equal(s.length, r.length, `${name}: ${JSON.stringify(s)} from Sightline, ${JSON.stringify(r)} from web-vitals`);
      r.forEach((x, i) => {
        table.push(`${ENGINE} ${name}: web-vitals ${x.value}, Sightline ${s[i].value}`);
        assert.ok(Math.abs(s[i].value - x.value) <= (name === 'CLS' ? 0 : 1), `${name}: ${s[i].value} vs ${x.value}`);
        assert.equal(s[i].rating, x.rating, `${name} rating`);
      });
    }
    console.log(table.join('\n'));
  } finally {
    await d.quit();
  }
});
