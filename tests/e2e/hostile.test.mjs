// A hostile page: built-ins polluted and patched before the SDK loads (Object.prototype,
// Array.prototype.toJSON, JSON, Promise, EventTarget, fetch, XMLHttpRequest), and hostile values
// (throwing getters and toString, Proxies whose traps throw, revoked Proxies, symbols, bigints,
// circular objects) through every API. In each case: the SDK loads (script tag and npm module), no
// exception or unhandled rejection of the SDK's reaches the page, the page's own onerror sees only
// the page's errors, and a normal error raised afterwards still arrives, intact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILD, useCollectorAndBrowser, waitFor, watch } from './harness.mjs';

const env = useCollectorAndBrowser();

/** Every API with hostile values; returns what the calls returned, described. */
function hostileCalls() {
  const trap = () => {
    throw new Error('trap');
  };
  const proxy = new Proxy({}, { get: trap, has: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, getPrototypeOf: trap });
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  const revoked = revocable.proxy;
  const getter = { get message() { throw new Error('getter'); }, get name() { throw new Error('getter'); } };
  const badString = { toString: trap, valueOf: trap, [Symbol.toPrimitive]: trap };
  const circular = { a: [1, 2] };
  circular.self = circular;
  const values = [proxy, revoked, getter, badString, circular, Symbol('s'), 10n, Object.create(null), () => {}, undefined, null, NaN];
  const out = [];
  const call = (what, f) => {
    try {
      const r = f();
      out.push([what, r instanceof Promise ? 'promise' : typeof r]);
      if (r instanceof Promise) r.then(() => {}, () => out.push([what, 'REJECTED']));
    } catch (e) {
      out.push([what, 'THREW ' + e]);
    }
  };
  const S = window.sdk;
  values.forEach((v, i) => {
    call('captureError ' + i, () => S.captureError(v, v));
    call('captureError context ' + i, () => S.captureError(new Error('with a context ' + i), v));
    call('captureMessage ' + i, () => S.captureMessage(v, v));
    call('setUser ' + i, () => S.setUser(v));
    call('setTag ' + i, () => S.setTag(v, v));
    call('resolveAlert ' + i, () => S.resolveAlert(v));
    call('onAlert ' + i, () => S.onAlert(v));
    call('registerHealthCheck ' + i, () => S.registerHealthCheck(v, () => { throw v; }));
  });
  call('check returning a Proxy', () => S.registerHealthCheck('proxy result', () => proxy));
  call('check returning a getter', () => S.registerHealthCheck('getter result', () => ({ get status() { throw getter; } })));
  call('check throwing a revoked Proxy', () => S.registerHealthCheck('revoked', () => Promise.reject(revoked)));
  return out;
}

for (const load of ['script', 'npm']) {
  for (const patch of ['0', '1']) {
    test(`hostile values (load=${load}, patched built-ins=${patch}): the page is unaffected and errors still arrive`, { timeout: 60000 }, async () => {
      await env.collector.reset();
      const page = await env.browser.newPage();
      const log = watch(page);
      await page.goto(`${env.collector.url}/test-pages/hostile.html?load=${load}&patch=${patch}`);
      assert.equal(await page.evaluate(() => window.ready), true);
      const calls = await page.evaluate(hostileCalls);
      assert.deepEqual(calls.filter(([, r]) => /THREW|REJECTED/.test(r)), [], 'no call threw or rejected');
      // the health report: every check there, whatever its function threw or returned (the core
      // build has no health checks: its runHealthChecks() resolves to undefined)
      const report = await page.evaluate(() => window.sdk.runHealthChecks());
      if (BUILD === 'core') assert.equal(report, undefined);
      else {
        const checks = Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
        assert.equal(checks['proxy result'], 'unhealthy');
        assert.equal(checks['getter result'], 'unhealthy');
        assert.equal(checks.revoked, 'unhealthy');
        assert.equal(checks['[unreadable value]'], 'unhealthy', JSON.stringify(report.checks));
      }
      // the page's own hostile throws and rejections: the page sees them, the SDK records them
      await page.evaluate(() => {
        setTimeout(() => { throw new Proxy({}, { get() { throw new Error('trap'); } }); });
        Promise.reject(Object.assign(Object.create(null), { why: 'null prototype' }));
        setTimeout(() => (window.hostileDone = true)); // a task after the throw's (promises may be patched here)
      });
      await page.waitForFunction(() => window.hostileDone);
      // and then a normal error, which arrives intact (frames an array through beforeSend's round trip)
      await page.evaluate(() => setTimeout(() => { throw new Error('hostile: a normal error afterwards'); }));
      const after = await waitFor(async () => (await env.collector.events('errors')).find((e) => e.data.message === 'hostile: a normal error afterwards'), 'the normal error');
      assert.ok(Array.isArray(after.data.frames) && after.data.frames.length > 0, JSON.stringify(after.data.frames));
      assert.equal(typeof after.data.frames[0].line, 'number');
      const seen = await page.evaluate(() => window.seen);
      assert.equal(seen.onerror.length, 2, seen.onerror.join(' | '));
      assert.match(seen.onerror[1], /hostile: a normal error afterwards/);
      assert.deepEqual(seen.rejections, ['object']);
      // Playwright's view: the page's two uncaught errors only, nothing of the SDK's
      assert.equal(log.pageErrors.length, 2, log.pageErrors.join(' | '));
      assert.deepEqual(log.console.filter((m) => /^error/.test(m) && /sightline/i.test(m)), []);
      // what the SDK recorded of the hostile values: errors with a message it could read
      const messages = (await env.collector.events('errors')).map((e) => e.data.message);
      assert.ok(messages.includes('{"why":"null prototype"}'), messages.join(' | '));
      assert.ok(messages.includes('[unreadable value]'), messages.join(' | '));
      assert.ok((await page.evaluate(() => window.hooked)) > 0, 'beforeSend ran');
      const stats = await page.evaluate(() => window.sdk.stats());
      assert.equal(stats.hookErrors, 0);
      await page.close();
    });
  }
}

test('a wasm trap disables the SDK cleanly: wrappers and listeners gone, one diagnostic, the page unaffected', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const page = await env.browser.newPage();
  const log = watch(page);
  await page.goto(`${env.collector.url}/test-pages/trap.html`);
  await waitFor(() => page.evaluate(() => typeof Sightline.stats() === 'object').catch(() => false), 'the SDK');
  // running: its wrappers are in place, errors arrive
  assert.equal(await page.evaluate(() => window.fetch === natives.fetch), false);
  await page.evaluate(() => setTimeout(() => { throw new Error('trap: before'); }));
  await waitFor(async () => (await env.collector.events('errors')).some((e) => e.data.message === 'trap: before'), 'the error before');
  assert.equal(await page.evaluate(() => corrupt()), 1);
  // the next thing the SDK hears (an error of the page's) makes it call into the broken wasm
  await page.evaluate(() => setTimeout(() => { throw new Error('trap: after'); }));
  await waitFor(() => page.evaluate(() => diagnostics.length > 0), 'the diagnostic');
  const state = await page.evaluate(async () => ({
    diagnostics: diagnostics.map((d) => d.code),
    restored: window.fetch === natives.fetch && XMLHttpRequest.prototype.open === natives.open && XMLHttpRequest.prototype.send === natives.send && history.pushState === natives.pushState && history.replaceState === natives.replaceState,
    // later calls: no-ops that neither throw nor reject
    calls: [Sightline.captureError(new Error('x')), Sightline.stats(), Sightline.snapshot(), await Sightline.flush(), await Sightline.runHealthChecks()],
    status: (await fetch('/__test/status?status=204')).status,
  }));
  assert.deepEqual(state, { diagnostics: ['internal_error'], restored: true, calls: [undefined, undefined, BUILD === 'core' ? null : undefined, true, undefined], status: 204 });
  await page.evaluate(() => history.pushState({}, '', '#moved'));
  await page.click('#b');
  assert.equal(await page.textContent('#b'), 'clicked');
  await page.evaluate(() => {
    setTimeout(() => { throw new Error('trap: later'); });
    setTimeout(() => (window.laterDone = true));
  });
  await page.waitForFunction(() => window.laterDone);
  assert.equal((await page.evaluate(() => diagnostics)).length, 1, 'one diagnostic');
  // the page's own errors reached its onerror, and nothing of the SDK's did
  assert.deepEqual(await page.evaluate(() => seen), ['Uncaught Error: trap: before', 'Uncaught Error: trap: after', 'Uncaught Error: trap: later']);
  assert.deepEqual(log.pageErrors, ['trap: before', 'trap: after', 'trap: later']);
  assert.match((await page.evaluate(() => diagnostics[0].message)), /disabled after an internal error/);
  await page.close();
});

test('a strict CSP (no inline script, no eval, Trusted Types) with wasm-unsafe-eval: the SDK runs without a violation', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const page = await env.browser.newPage();
  const log = watch(page);
  await page.goto(`${env.collector.url}/test-pages/csp-strict.html`);
  await waitFor(() => page.evaluate(() => !!window.Sightline).catch(() => false), 'the SDK script');
  assert.equal(await page.evaluate(async () => !!(await Sightline.init({ collector: location.origin, errors: { flushInterval: 100 } }))), true);
  await page.click('#b');
  await page.evaluate(() => setTimeout(() => { throw new Error('csp-strict: an error'); }));
  await waitFor(async () => (await env.collector.events('errors')).some((e) => e.data.message === 'csp-strict: an error'), 'the error');
  await page.evaluate(() => Sightline.flush());
  assert.deepEqual(await page.evaluate(() => window.violations), []);
  assert.deepEqual(log.pageErrors, ['csp-strict: an error']);
  await page.close();
});

test('in an iframe (same origin, and sandboxed without storage): no error reaches either page, errors arrive', { timeout: 60000 }, async () => {
  await env.collector.reset();
  const page = await env.browser.newPage();
  const log = watch(page);
  await page.goto(`${env.collector.url}/test-pages/elsewhere.html`);
  await page.evaluate((url) => {
    for (const [id, sandbox] of [['same', null], ['boxed', 'allow-scripts']]) {
      const f = document.createElement('iframe');
      f.id = id;
      if (sandbox) f.setAttribute('sandbox', sandbox);
      f.src = url + '?frame=' + id;
      document.body.appendChild(f);
    }
  }, `${env.collector.url}/test-pages/hostile.html?load=script&patch=1`);
  for (const id of ['same', 'boxed']) {
    const frame = page.frames().find((f) => f.url().includes(`frame=${id}`)) || (await waitFor(() => page.frames().find((f) => f.url().includes(`frame=${id}`)), id));
    await waitFor(() => frame.evaluate(() => window.ready).catch(() => false), `the SDK in ${id}`);
    assert.equal(await frame.evaluate(() => window.ready), true, id);
    await frame.evaluate((m) => setTimeout(() => { throw new Error(m); }), `iframe: ${id}`);
  }
  await waitFor(async () => {
    const m = (await env.collector.events('errors')).map((e) => e.data.message);
    return m.includes('iframe: same') && m.includes('iframe: boxed');
  }, 'both errors');
  assert.deepEqual(log.pageErrors.sort(), ['iframe: boxed', 'iframe: same']);
  await page.close();
});
