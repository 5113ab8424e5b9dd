// Shared by the end-to-end tests: a real dev collector on a free port with a fresh database, and
// Debian's Chromium driven by playwright-core. Everything stays on 127.0.0.1.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function startCollector() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sightline-e2e-'));
  const bin = path.join(ROOT, 'target/release/sightline-collector');
  const proc = spawn(bin, ['--port', '0', '--db', path.join(dir, 'events.sqlite'), '--root', ROOT], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const url = await new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    proc.on('exit', (code) => reject(new Error(`collector exited with ${code}: ${stderr}`)));
  });
  const json = async (p, body) => {
    const r = await fetch(url + p, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
    return r.json();
  };
  return {
    url,
    /** stored events of a channel, oldest first */
    events: async (channel = 'errors') => (await json(`/api/events?channel=${channel}&limit=10000`)).events,
    /** every ingest request the collector answered (status, time) */
    requests: async (channel = 'errors') => (await json(`/__admin/requests?channel=${channel}`)).requests,
    fail: (rule) => json('/__admin/fail', rule),
    /** what test pages posted to /__test/sink (a reference library's reports) */
    sink: async () => (await json('/__test/sink')).items,
    reset: () => json('/__admin/reset', {}),
    stop: () => {
      proc.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Which build the pages load: `SIGHTLINE_E2E_BUILD=core` runs a suite against the core build
 * (scripts/test.sh does, for the suites whose features it has): every page's `/dist/sightline.js`
 * and `/pkg/index.js` are answered with the core build's files. Tests of what only the full build
 * has skip themselves with `fullOnly`.
 */
export const BUILD = process.env.SIGHTLINE_E2E_BUILD === 'core' ? 'core' : 'full';
/** A test's options: skipped on the core build (the feature is not in it). */
export const fullOnly = { skip: BUILD === 'core' && 'not in the core build' };
const CORE_FILES = { '/dist/sightline.js': 'dist/sightline-core.js', '/pkg/index.js': 'pkg/core.js' };

async function coreContext(context) {
  await context.route(
    (url) => url.pathname in CORE_FILES,
    (route) => route.fulfill({ path: path.join(ROOT, CORE_FILES[new URL(route.request().url()).pathname]), headers: { 'access-control-allow-origin': '*' } }),
  );
  return context;
}

/** Debian's Chromium; `bfcache: true` keeps the back/forward cache on (Playwright turns it off). */
export async function launch({ bfcache = false } = {}) {
  const browser = await chromium.launch({
    ignoreDefaultArgs: bfcache ? ['--disable-back-forward-cache'] : [],
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  if (BUILD === 'full') return browser;
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => coreContext(await newContext(options));
  // a page in a context of its own, as Playwright's own newPage makes. The context stays open
  // until the browser closes: closing it with the page would cancel what the page sent as it
  // closed (keepalive requests, beacons) before it arrives.
  browser.newPage = async (options) => (await browser.newContext(options)).newPage();
  return browser;
}

/**
 * For a test file: a fresh collector and browser before its tests, both closed after them.
 * The returned object's `collector` and `browser` are set once `before` has run.
 */
export function useCollectorAndBrowser(options) {
  const env = {};
  before(async () => {
    env.collector = await startCollector();
    env.browser = await launch(options);
  });
  after(async () => {
    await env.browser?.close();
    env.collector?.stop();
  });
  return env;
}

/** Polls `fn` until it returns a truthy value; fails with `what` after `timeout` ms. */
export async function waitFor(fn, what, timeout = 15000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the page has rendered `n` more frames (what a scroll or an observer reports by then). */
export function frames(page, n = 3) {
  return page.evaluate(
    (k) =>
      new Promise((resolve) => {
        const next = () => (k-- > 0 ? requestAnimationFrame(next) : resolve());
        next();
      }),
    n,
  );
}

/** Collects console messages and uncaught page errors of a page. */
export function watch(page) {
  const log = { console: [], pageErrors: [] };
  page.on('console', (m) => log.console.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.pageErrors.push(e.message));
  return log;
}

/**
 * Throws `message` from a task of its own, as an app bug would; resolves once the page's error
 * listeners (the SDK's among them) have seen it.
 */
export function throwInPage(page, message, name = 'Error') {
  return page.evaluate(
    ([m, n]) =>
      new Promise((resolve) => {
        // removed by hand (a page that counts listeners does not see `once` end one)
        const seen = () => (removeEventListener('error', seen), setTimeout(resolve));
        addEventListener('error', seen);
        setTimeout(() => {
          throw n === 'TypeError' ? new TypeError(m) : new Error(m);
        });
      }),
    [message, name],
  );
}

/** Rejects a promise nobody handles; resolves once the page's `unhandledrejection` listeners ran. */
export function rejectInPage(page, message) {
  return page.evaluate(
    (m) =>
      new Promise((resolve) => {
        const seen = () => (removeEventListener('unhandledrejection', seen), setTimeout(resolve));
        addEventListener('unhandledrejection', seen);
        Promise.reject(new Error(m));
      }),
    message,
  );
}

/** The fields of the seed's error records that every stored error must have. */
export const SEED_FIELDS = ['id', 'type', 'message', 'timestamp', 'stack', 'url', 'userAgent', 'userId', 'sessionId', 'buildVersion', 'environment'];
