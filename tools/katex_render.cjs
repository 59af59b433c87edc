// Render TeX to HTML with KaTeX, for tools/site_katex.py (the docs build), one formula a line.
//
// Reads JSON lines {"tex": "...", "display": true|false} on stdin and answers each with one
// JSON line: {"html": "..."} or {"error": "..."} (a formula KaTeX cannot typeset). KaTeX is
// the version package-lock.json pins (node_modules/katex). Output "htmlAndMathml": the HTML
// is what the reader sees, the MathML is what screen readers read.
"use strict";
const katex = require("katex");
const readline = require("readline");

const lines = readline.createInterface({ input: process.stdin, terminal: false });
lines.on("line", (line) => {
  const { tex, display } = JSON.parse(line);
  let answer;
  try {
    answer = {
      html: katex.renderToString(tex, {
        displayMode: display,
        throwOnError: true,
        strict: "error",
        output: "htmlAndMathml",
      }),
    };
  } catch (err) {
    answer = { error: String(err.message || err) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
});
