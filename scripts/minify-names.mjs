// Shortens the names wasm-bindgen gives the wasm's imports and exports (`__wbg_flatten_68e83fbf…`,
// `client_capture`, …) to a few characters, in the .wasm and in its JS glue together. The hashed
// names appear in both files and brotli cannot share them across files: this saves about 1 KB
// brotli of what every page downloads. Usage: node scripts/minify-names.mjs <dir with sightline.js
// and sightline_bg.wasm>. Fails (and the build with it) when a name is not found in the glue.
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
const wasmPath = path.join(dir, 'sightline_bg.wasm');
const jsPath = path.join(dir, 'sightline.js');
const wasm = fs.readFileSync(wasmPath);
let js = fs.readFileSync(jsPath, 'utf8');

let pos = 8;
const leb = () => {
  let result = 0;
  let shift = 0;
  let byte;
  do {
    byte = wasm[pos++];
    result |= (byte & 127) << shift;
    shift += 7;
  } while (byte & 128);
  return result >>> 0;
};
const uleb = (n) => {
  const out = [];
  do {
    let byte = n & 127;
    n >>>= 7;
    if (n) byte |= 128;
    out.push(byte);
  } while (n);
  return out;
};
const name = () => {
  const n = leb();
  const s = wasm.subarray(pos, pos + n).toString('utf8');
  pos += n;
  return s;
};
const bytes = (s) => {
  const b = Buffer.from(s, 'utf8');
  return [...uleb(b.length), ...b];
};

const escape = (s) => s.replace(/[$]/g, '\\$&');
const usedAsExport = (field) => new RegExp(`\\bwasm\\.${escape(field)}\\b`).test(js);

let counter = 0;
const short = () => '_' + (counter++).toString(36);
const imports = new Map(); // old -> new, imports from the glue module
const exports = new Map();
const GLUE = './sightline_bg.js';

const out = [wasm.subarray(0, 8)];
while (pos < wasm.length) {
  const id = wasm[pos++];
  const size = leb();
  const start = pos;
  const end = start + size;
  if (id === 2) {
    const body = [];
    const count = leb();
    body.push(...uleb(count));
    for (let i = 0; i < count; i++) {
      let module = name();
      let field = name();
      if (module === GLUE) {
        if (!imports.has(field)) imports.set(field, short());
        field = imports.get(field);
        module = 'a';
      }
      const kind = wasm[pos++];
      const descStart = pos;
      if (kind === 0) leb(); // function: type index
      else if (kind === 1) {
        pos++; // table: reftype, limits
        const flags = wasm[pos++];
        leb();
        if (flags & 1) leb();
      } else if (kind === 2) {
        const flags = wasm[pos++]; // memory: limits
        leb();
        if (flags & 1) leb();
      } else if (kind === 3) pos += 2; // global: valtype, mutability
      else throw new Error(`minify-names: unknown import kind ${kind}`);
      body.push(...bytes(module), ...bytes(field), kind, ...wasm.subarray(descStart, pos));
    }
    if (pos !== end) throw new Error('minify-names: import section misread');
    out.push(Buffer.from([2, ...uleb(body.length)]), Buffer.from(body));
  } else if (id === 7) {
    const body = [];
    const count = leb();
    body.push(...uleb(count));
    for (let i = 0; i < count; i++) {
      const field = name();
      const kind = wasm[pos++];
      const index = leb();
      // only exports the glue reads as `wasm.name` are renamed; others keep their names
      if (!exports.has(field) && usedAsExport(field)) exports.set(field, short());
      body.push(...bytes(exports.get(field) ?? field), kind, ...uleb(index));
    }
    if (pos !== end) throw new Error('minify-names: export section misread');
    out.push(Buffer.from([7, ...uleb(body.length)]), Buffer.from(body));
  } else {
    out.push(Buffer.from([id, ...uleb(size)]), wasm.subarray(start, end));
  }
  pos = end;
}

// imports are the keys of the glue's import object: `name: function(...)`
for (const [from, to] of imports) {
  const re = new RegExp(`(^|[\\s{,])${escape(from)}(?=\\s*:)`, 'gm');
  if (!re.test(js)) throw new Error(`minify-names: import ${from} not found in the glue`);
  js = js.replace(re, `$1${to}`);
}
// the glue module is the import object's `"./sightline_bg.js"` key
if (!js.includes(`"${GLUE}":`)) throw new Error('minify-names: the glue module key was not found');
js = js.replace(`"${GLUE}":`, '"a":');
// exports are read as `wasm.name`
for (const [from, to] of exports) {
  js = js.replace(new RegExp(`\\bwasm\\.${escape(from)}\\b`, 'g'), `wasm.${to}`);
}

const result = Buffer.concat(out);
if (!WebAssembly.validate(result)) throw new Error('minify-names: the rewritten wasm does not validate');
fs.writeFileSync(wasmPath, result);
fs.writeFileSync(jsPath, js);
