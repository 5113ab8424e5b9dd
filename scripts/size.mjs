// Prints raw / gzip / brotli bytes of every artifact, and per build (full, core) what a page
// downloads (its script and its wasm); fails when a build passes its ratchet in size-budget.json.
// Each budget has a goal (DESIGN §5) and a ratchet just above what the build reaches: the ratchet
// only moves down, or up by what an issue that adds a feature states.
import fs from 'node:fs';
import zlib from 'node:zlib';

const budget = JSON.parse(fs.readFileSync('size-budget.json', 'utf8'));
const measure = (file) => {
  const raw = fs.readFileSync(file);
  return {
    file,
    raw: raw.length,
    gzip: zlib.gzipSync(raw, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(raw, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
    }).length,
  };
};
const builds = {
  full: ['dist/sightline.js', 'dist/sightline_bg.wasm'],
  core: ['dist/sightline-core.js', 'dist/sightline-core_bg.wasm'],
};
const others = ['dist/loader.min.js', 'pkg/index.js', 'pkg/core.js'];
const rows = [...Object.values(builds).flat(), ...others].map(measure);
const row = (file) => rows.find((r) => r.file === file);
const totals = {};
for (const [name, files] of Object.entries(builds)) {
  totals[name] = { file: `${name} build: what a page downloads`, raw: 0, gzip: 0, brotli: 0 };
  for (const f of files) for (const k of ['raw', 'gzip', 'brotli']) totals[name][k] += row(f)[k];
}
const pad = (s, n) => String(s).padStart(n);
console.log(`\n${'artifact'.padEnd(44)}${pad('raw', 9)}${pad('gzip', 9)}${pad('brotli', 9)}`);
for (const r of [...rows, ...Object.values(totals)]) console.log(`${r.file.padEnd(44)}${pad(r.raw, 9)}${pad(r.gzip, 9)}${pad(r.brotli, 9)}`);
const checks = [
  ['full build', totals.full.brotli, budget.full],
  ['core build', totals.core.brotli, budget.core],
  ['loader snippet', row('dist/loader.min.js').brotli, budget.loader],
];
let over = false;
for (const [what, bytes, b] of checks) {
  console.log(`budget: ${what} ${bytes} B brotli; ratchet ${b.ratchet}, goal ${b.goal}${bytes > b.goal ? ` (${bytes - b.goal} B over the goal)` : ''}`);
  if (bytes > b.ratchet) {
    console.error(`size budget exceeded: the ${what} is ${bytes} B, its ratchet ${b.ratchet} B`);
    over = true;
  }
}
fs.mkdirSync('build', { recursive: true });
fs.writeFileSync('build/size.json', JSON.stringify({ rows, totals, budget }, null, 2));
if (over) process.exit(1);
