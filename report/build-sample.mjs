#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Builds a self-contained report page the way `mhsim report --html` does, so the
// front-end can be tested without the C++ side:
//
//   node build-sample.mjs <data.json> <out.html>
//
// template.html + the three Vega libraries + report.js + the analysis JSON -> out.html.
// The substitution rules (documented at the top of template.html):
//   * each token occurs exactly once in the template; the tokens are found in the untouched
//     template and spliced in one pass, so inserted text is never searched;
//   * "</script" (any case) in the libraries and report.js becomes "<\/script";
//   * in the JSON every "<" becomes \u003c (and U+2028/U+2029 are escaped too).

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [dataPath, outPath] = process.argv.slice(2);
if (!dataPath || !outPath) {
  console.error('usage: node build-sample.mjs <data.json> <out.html>');
  process.exit(2);
}

const LIBS = [
  'node_modules/vega/build/vega.min.js',
  'node_modules/vega-lite/build/vega-lite.min.js',
  'node_modules/vega-embed/build/vega-embed.min.js',
];
const TOKENS = { libs: '/*MHSIM_VEGA_LIBS*/', data: '"MHSIM_DATA"', js: '/*MHSIM_REPORT_JS*/', explorer: '/*MHSIM_EXPLORER_JS*/' };

const escapeScript = (s) => s.replace(/<\/script/gi, '<\\/script');
const escapeJson = (s) => s.replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

const template = readFileSync(join(here, 'template.html'), 'utf8');
const libs = LIBS.map((p) => escapeScript(readFileSync(join(here, p), 'utf8')) + '\n').join('');
const reportJs = escapeScript(readFileSync(join(here, 'report.js'), 'utf8'));
// Parse and re-serialise: proves the document is JSON (no NaN) before it is embedded.
const json = escapeJson(JSON.stringify(JSON.parse(readFileSync(dataPath, 'utf8'))));

// The sample has no run's ledgers: no terms explorer (its section hides).
const explorerJs = 'window.MHSIM_EXPLORER = null;\n' + escapeScript(readFileSync(join(here, 'explorer.js'), 'utf8'));
const replacement = { libs, data: json, js: reportJs, explorer: explorerJs };
// Not needed for a one-pass splice, but a token inside inserted text means a mistake.
for (const [name, text] of [['the libraries', libs], ['report.js', reportJs]]) {
  for (const token of Object.values(TOKENS)) {
    if (text.includes(token)) { console.error(`build-sample: ${name} contain(s) the token ${token}`); process.exit(1); }
  }
}
const found = [];
for (const [name, token] of Object.entries(TOKENS)) {
  const first = template.indexOf(token);
  if (first < 0 || template.indexOf(token, first + 1) >= 0) {
    console.error(`build-sample: the token ${token} must occur exactly once in template.html`);
    process.exit(1);
  }
  found.push({ name, token, at: first });
}
found.sort((a, b) => a.at - b.at);
let out = '', pos = 0;
for (const f of found) {
  out += template.slice(pos, f.at) + replacement[f.name];
  pos = f.at + f.token.length;
}
out += template.slice(pos);
mkdirSync(dirname(outPath), { recursive: true });
writeFileSync(outPath, out);
console.log(`build-sample: wrote ${outPath} (${(out.length / 1e6).toFixed(2)} MB; libraries ${(libs.length / 1e3).toFixed(0)} kB, data ${(json.length / 1e3).toFixed(0)} kB)`);
