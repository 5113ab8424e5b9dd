// The npm package itself: importing it where there is no page (server-side rendering) must not
// throw, init() there rejects clearly instead of touching globals that do not exist, the manifest
// names files that exist, and the TypeScript declarations accept the documented usage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './harness.mjs';

for (const entry of ['index.js', 'core.js']) {
  test(`the npm entry ${entry} imports cleanly under Node (SSR) and init rejects there`, async () => {
    const mod = await import(pathToFileURL(path.join(ROOT, 'pkg', entry)).href);
    assert.equal(typeof mod.init, 'function');
    assert.equal(mod.default, mod.init);
    await assert.rejects(mod.init({ collector: 'https://collect.example.com' }), /must run in a browser/);
  });
}

test('the npm package manifest points at files that exist', async () => {
  const fs = await import('node:fs');
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'pkg/package.json'), 'utf8'));
  assert.equal(manifest.name, 'sightline');
  assert.equal(manifest.sideEffects, false);
  for (const f of manifest.files) assert.ok(fs.existsSync(path.join(ROOT, 'pkg', f)), f);
  for (const f of [manifest.module, manifest.types, ...Object.values(manifest.exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e)))]) {
    assert.ok(fs.existsSync(path.join(ROOT, 'pkg', f)), f);
  }
});

test('the TypeScript declarations accept the documented usage and refuse mistakes', async () => {
  const { execFileSync } = await import('node:child_process');
  // tests/types/usage.ts also holds @ts-expect-error lines: tsc fails if those compile
  execFileSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', path.join(ROOT, 'tests/types')], { stdio: 'pipe' });
});
