// Parse every ```mermaid block of the given Markdown files with the real Mermaid parser, the way
// GitHub renders them. Optional: docs/check.py (standard library only) does the rest of the docs
// check; this needs Node.js and two npm packages, installed anywhere:
//
//   npm install --prefix /tmp/mermaid-check mermaid@11 jsdom@24
//   node docs/validate-mermaid.mjs --modules /tmp/mermaid-check docs/**/*.md labs/*/README.md
//
// Prints file:line: error for each block that does not parse; exits 1 if any, 0 otherwise.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const at = args.indexOf('--modules');
if (at < 0 || at + 1 >= args.length || args.length < 3) {
  console.error('usage: node docs/validate-mermaid.mjs --modules DIR FILE.md...');
  process.exit(2);
}
const modules = path.resolve(args[at + 1]);
const files = args.filter((_, i) => i !== at && i !== at + 1);
const load = createRequire(modules + '/');
const importFrom = (name) => import(pathToFileURL(load.resolve(name)).href);

// Mermaid's parser wants a DOM (for sanitizing labels): give it jsdom's.
const { JSDOM } = await importFrom('jsdom');
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const mermaid = (await importFrom('mermaid')).default;
mermaid.initialize({ startOnLoad: false });

let total = 0;
let invalid = 0;
for (const file of files) {
  const text = fs.readFileSync(file, 'utf8');
  const block = /^```mermaid\n([\s\S]*?)^```/gm;
  for (let match; (match = block.exec(text));) {
    total++;
    const line = text.slice(0, match.index).split('\n').length;
    try {
      await mermaid.parse(match[1]);
    } catch (error) {
      invalid++;
      const message = String(error.message || error).split('\n').slice(0, 3).join(' | ');
      console.log(`${file}:${line}: ${message}`);
    }
  }
}
console.error(`validate-mermaid: ${total} diagrams, ${invalid} invalid`);
process.exit(invalid ? 1 : 0);
