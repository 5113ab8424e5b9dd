// Writes pkg/package.json and pkg/README.md from pkg-template/, with the crate's version.
import fs from 'node:fs';

const version = /^version = "([^"]+)"/m.exec(fs.readFileSync('Cargo.toml', 'utf8'))[1];
const manifest = fs.readFileSync('pkg-template/package.json', 'utf8').replaceAll('0.0.0-template', version);
JSON.parse(manifest); // fail the build on a broken template
fs.writeFileSync('pkg/package.json', manifest);
fs.copyFileSync('pkg-template/README.md', 'pkg/README.md');
