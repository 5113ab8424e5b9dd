// Prints raw / gzip / brotli bytes of every artifact and of what a page downloads, and fails when
// that total passes the budget in size-budget.json.
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
const rows = ['dist/sightline.js', 'dist/sightline_bg.wasm', 'dist/loader.min.js', 'pkg/index.js', 'pkg/sightline_bg.wasm'].map(measure);
const page = rows.slice(0, 2);
const total = { file: 'total a page downloads (dist js + wasm)', raw: 0, gzip: 0, brotli: 0 };
for (const r of page) for (const k of ['raw', 'gzip', 'brotli']) total[k] += r[k];
const pad = (s, n) => String(s).padStart(n);
console.log(`\n${'artifact'.padEnd(44)}${pad('raw', 9)}${pad('gzip', 9)}${pad('brotli', 9)}`);
for (const r of [...rows, total]) console.log(`${r.file.padEnd(44)}${pad(r.raw, 9)}${pad(r.gzip, 9)}${pad(r.brotli, 9)}`);
const loader = rows[2].brotli;
console.log(`budget: total ${total.brotli} / ${budget.totalBrotli} B brotli; loader snippet ${loader} / ${budget.loaderBrotli} B brotli`);
fs.mkdirSync('build', { recursive: true });
fs.writeFileSync('build/size.json', JSON.stringify({ rows, total, budget }, null, 2));
if (total.brotli > budget.totalBrotli || loader > budget.loaderBrotli) {
  console.error('size budget exceeded');
  process.exit(1);
}
