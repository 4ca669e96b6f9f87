#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Times the terms explorer's WebAssembly module outside a browser (docs/benchmarks.md): loads
// the MHSIM_EXPLORER data of a report written by `mhsim report --html`, then re-settles every
// replication N times with KEY=VALUE and N times with the run's terms, printing the median
// and the range of the milliseconds (settlement, risk and the JSON out and parsed).
//   node bench_explorer.mjs <report.html> <mhsim_explorer.js> KEY=VALUE [N]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';

const [file, modulePath, set, n = '20'] = process.argv.slice(2);
const html = readFileSync(file, 'utf8');
const start = html.indexOf('window.MHSIM_EXPLORER = {"') + 'window.MHSIM_EXPLORER = '.length;
const end = html.indexOf('};\n', start) + 1;
const data = JSON.parse(html.slice(start, end));
const factory = createRequire(import.meta.url)(modulePath);
const mod = await factory();
let t = performance.now();
const raw = inflateSync(Buffer.from(data.ledgers_deflated, 'base64'));
const ledgers = new Float64Array(raw.buffer, raw.byteOffset, raw.length / 8);
const problem = mod.load(data.scenario_text, data.scenario_file, data.settings, ledgers, data.targets, data.reserves,
                         data.risk_level, data.horizon);
if (problem) throw new Error(problem);
console.log(`load: ${(performance.now() - t).toFixed(0)} ms; ${data.replications} replications; ledgers ${(raw.length / 1e6).toFixed(1)} MB, ${(data.ledgers_deflated.length / 1e6).toFixed(1)} MB deflated in base64`);
const b64 = (v) => Buffer.from(new Float64Array([v]).buffer).toString('base64');
const [key, value] = set.split('=');
for (const [label, keys, values] of [['run\'s terms', '', ''], [set, key, b64(Number(value))]]) {
  const ms = [];
  for (let i = 0; i < Number(n); i++) {
    t = performance.now();
    const out = JSON.parse(mod.settle(keys, values));
    ms.push(performance.now() - t);
    if (out.error || out.problems.length) throw new Error(out.error || out.problems.join('; '));
  }
  ms.sort((a, b) => a - b);
  console.log(`${label}: ${n} re-settlements, median ${ms[ms.length >> 1].toFixed(1)} ms (min ${ms[0].toFixed(1)}, max ${ms[ms.length - 1].toFixed(1)})`);
}
