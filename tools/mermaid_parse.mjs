// Parse every ```mermaid block of the given Markdown files with the site's pinned Mermaid,
// under node, without a browser: a syntax error fails here instead of in a reader's browser.
// Usage: node tools/mermaid_parse.mjs docs/*.md   (prints "ok FILE N" or "FAIL FILE N: why")
//
// Mermaid sanitizes labels with DOMPurify, which needs a DOM; parsing needs no sanitizing,
// so the bundled DOMPurify instance is given pass-through methods (nothing is rendered).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = path.resolve('node_modules/mermaid/dist');
const chunks = path.join(dist, 'chunks/mermaid.esm');
for (const name of fs.readdirSync(chunks)) {
  if (!name.endsWith('.mjs')) continue;
  const text = fs.readFileSync(path.join(chunks, name), 'utf8');
  if (!/^export \{[^}]*\bpurify,/m.test(text)) continue;
  const { purify } = await import(pathToFileURL(path.join(chunks, name)));
  Object.assign(purify, {
    sanitize: (x) => x, addHook() {}, removeHook() {}, removeHooks() {}, removeAllHooks() {},
  });
}
const mermaid = (await import(pathToFileURL(path.join(dist, 'mermaid.esm.mjs')))).default;
mermaid.initialize({ startOnLoad: false, securityLevel: 'loose' });

let failed = 0;
for (const file of process.argv.slice(2)) {
  const text = fs.readFileSync(file, 'utf8');
  const fence = /^```mermaid\n([\s\S]*?)^```/gm;
  let match;
  let number = 0;
  while ((match = fence.exec(text))) {
    number += 1;
    try {
      await mermaid.parse(match[1]);
      console.log(`ok ${file} ${number}`);
    } catch (error) {
      failed += 1;
      console.log(`FAIL ${file} ${number}: ${String(error.message || error).split('\n').join(' | ')}`);
    }
  }
}
process.exit(failed ? 1 : 0);
