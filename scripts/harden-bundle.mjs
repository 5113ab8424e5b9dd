// Rewrites the one `for…in` loop esbuild puts in our bundles (its `__export` helper, which builds
// the module namespace objects the wasm glue imports) to iterate own keys only. As generated, a
// page that adds an enumerable property to Object.prototype makes that loop define a getter from
// the polluted value, which throws: the npm module rejects on import and the script tag throws into
// the page. Fails the build if the helper is not found exactly once, or if any other `for…in` is
// left (a loop over inherited keys is never what we mean).
//   node scripts/harden-bundle.mjs pkg/index.js dist/sightline.js
import fs from 'node:fs';

const HELPER = /for\s*\(var ([\w$]+) in ([\w$]+)\)(\s*[\w$]+\([\w$]+,\s*\1,\s*\{\s*get:\s*\2\[\1\],\s*enumerable:\s*(?:true|!0)\s*\}\))/g;
const ANY_FOR_IN = /for\s*\((?:var|let|const)\s+[\w$]+\s+in\s/g;

let failed = false;
for (const file of process.argv.slice(2)) {
  const src = fs.readFileSync(file, 'utf8');
  const found = src.match(HELPER) || [];
  if (found.length !== 1) {
    console.error(`${file}: expected esbuild's __export helper once, found it ${found.length} times`);
    failed = true;
    continue;
  }
  const out = src.replace(HELPER, (_, key, all, rest) => `for(var ${key} of Object.keys(${all}))${rest}`);
  const left = out.match(ANY_FOR_IN);
  if (left) {
    console.error(`${file}: a for…in loop is left: ${left.join(', ')}`);
    failed = true;
    continue;
  }
  fs.writeFileSync(file, out);
}
process.exit(failed ? 1 : 0);
