// Every signal the page side hands over has exactly the fields the Rust side reads: each call
// `….inbox(S.KIND, [fields])` or `send(S.KIND, [fields])` in js/ is checked against the field list
// that js/signals.js (generated from crates/core/src/signal.rs) gives for KIND. With the native test
// that holds the Rust reader to the same table, a field added on one side only fails `make test`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const JS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../js');

/** KIND -> { fixed, repeat } from the generated file's `export const KIND = n; // a, b, …c` lines. */
function table() {
  const kinds = new Map();
  for (const m of fs.readFileSync(path.join(JS, 'signals.js'), 'utf8').matchAll(/^export const (\w+) = \d+; \/\/ (.*)$/gm)) {
    const fields = m[2] === '(no fields)' ? [] : m[2].split(', ');
    kinds.set(m[1], { fixed: fields.filter((f) => !f.startsWith('…')).length, repeat: fields.filter((f) => f.startsWith('…')).length });
  }
  return kinds;
}

/** Every call in `file` whose first argument is `S.KIND`: [KIND, the second argument node, line]. */
function calls(file) {
  const text = fs.readFileSync(path.join(JS, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const found = [];
  const visit = (node) => {
    if (ts.isCallExpression(node) && node.arguments.length > 0) {
      const first = node.arguments[0];
      if (ts.isPropertyAccessExpression(first) && ts.isIdentifier(first.expression) && first.expression.text === 'S') {
        const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
        found.push([first.name.text, node.arguments[1], `${file}:${line}`]);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

test('every signal call passes the fields its kind declares', () => {
  const kinds = table();
  assert.ok(kinds.size > 20, 'js/signals.js lists the kinds');
  const files = fs.readdirSync(JS).filter((f) => f.endsWith('.js') && f !== 'signals.js');
  let checked = 0;
  for (const file of files) {
    for (const [kind, fields, where] of calls(file)) {
      if (kind === 'table') continue;
      const decl = kinds.get(kind);
      assert.ok(decl, `${where}: S.${kind} is not a signal of js/signals.js`);
      assert.ok(fields && ts.isArrayLiteralExpression(fields), `${where}: S.${kind}'s fields must be an array literal`);
      const spread = fields.elements.filter((e) => ts.isSpreadElement(e)).length;
      const plain = fields.elements.length - spread;
      if (decl.repeat) {
        assert.equal(plain, decl.fixed, `${where}: S.${kind} takes ${decl.fixed} fields before the repeated ones`);
        assert.ok(spread <= 1, `${where}: one spread of repeated fields at most`);
      } else {
        assert.equal(spread, 0, `${where}: S.${kind} has no repeated fields`);
        assert.equal(plain, decl.fixed, `${where}: S.${kind} takes ${decl.fixed} fields, the call passes ${plain}`);
      }
      checked++;
    }
  }
  assert.ok(checked > 30, `checked ${checked} calls`);
});

test('the page side reaches the SDK only through S.KIND calls', () => {
  for (const file of fs.readdirSync(JS).filter((f) => f.endsWith('.js') && f !== 'signals.js')) {
    const text = fs.readFileSync(path.join(JS, file), 'utf8');
    for (const m of text.matchAll(/\.inbox\(([^,)]*)/g)) {
      assert.ok(/^(S\.[A-Z_]+|kind)$/.test(m[1].trim()), `${file}: inbox(${m[1]}, …) takes a kind from js/signals.js`);
    }
  }
});
