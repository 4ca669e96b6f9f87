#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Browser test of an mhsim HTML report: opens it in headless Chromium (playwright-core,
// the system's /usr/bin/chromium; no browser download) and checks that it renders offline.
//
//   node check_report.mjs <report.html> [--screenshot out.png] [--max-height PX]
//                         [--timeout SECONDS] [--chromium PATH] [--allow-no-charts]
//
// Checks:
//   * no request other than file: / data: / blob: / about: (the page must be self-contained),
//     and no failed request;
//   * no console message of type "error" and no uncaught page error;
//   * <body data-report-ready="true"> within the timeout (default 60 s);
//   * nothing written into #report-errors or .chart-error, and at least one .chart
//     (unless --allow-no-charts: a document whose every data array is empty);
//   * every .chart has data-rendered="true" and holds an <svg> with non-zero width and
//     height containing at least one drawn data mark (a child element of a Vega
//     g.role-mark group: path for bars/areas/lines/symbols, line for rules, text).
// Exit 0 when all pass; otherwise every failure is printed and the exit status is 1
// (2 for bad arguments). --screenshot writes a full-page PNG (cut at --max-height pixels
// when given). Environment: MHSIM_CHROMIUM overrides the browser path.

import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

function usage(msg) {
  if (msg) console.error(`check_report: ${msg}`);
  console.error('usage: node check_report.mjs <report.html> [--screenshot out.png] [--max-height PX] [--timeout SECONDS] [--chromium PATH] [--allow-no-charts]');
  process.exit(2);
}

const argv = process.argv.slice(2);
let file = null, screenshot = null, maxHeight = 0, timeoutS = 60, allowNoCharts = false;
let chromiumPath = process.env.MHSIM_CHROMIUM || '/usr/bin/chromium';
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--screenshot') screenshot = argv[++i];
  else if (a === '--max-height') maxHeight = parseInt(argv[++i], 10);
  else if (a === '--timeout') timeoutS = parseFloat(argv[++i]);
  else if (a === '--chromium') chromiumPath = argv[++i];
  else if (a === '--allow-no-charts') allowNoCharts = true;
  else if (a === '-h' || a === '--help') usage();
  else if (a.startsWith('--')) usage(`unknown option ${a}`);
  else if (file === null) file = a;
  else usage(`unexpected argument ${a}`);
}
if (!file) usage('no report given');
if (!existsSync(file)) usage(`no such file: ${file}`);
if (screenshot === undefined) usage('--screenshot needs a file name');
if (!existsSync(chromiumPath)) usage(`no Chromium at ${chromiumPath} (apt-get install -y chromium, or --chromium PATH)`);

const url = pathToFileURL(resolve(file)).href;
const failures = [];
const warnings = [];
const fail = (m) => failures.push(m);

const userDataDir = mkdtempSync(join(tmpdir(), 'mhsim-check-'));
let context;
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1200, height: 900 },
    offline: true,
  });
  const page = context.pages()[0] || await context.newPage();

  page.on('console', (msg) => {
    if (msg.type() === 'error') fail(`console error: ${msg.text()}`);
    else if (msg.type() === 'warning') warnings.push(`console warning: ${msg.text()}`);
  });
  page.on('pageerror', (err) => fail(`page error: ${err.stack || err.message || err}`));
  page.on('request', (req) => {
    const u = req.url();
    if (!/^(file|data|blob|about):/i.test(u)) fail(`network request (the page must be self-contained): ${req.method()} ${u}`);
  });
  page.on('requestfailed', (req) => fail(`failed request: ${req.url()} (${req.failure()?.errorText ?? 'unknown'})`));

  const t0 = Date.now();
  await page.goto(url, { waitUntil: 'load', timeout: timeoutS * 1000 });
  const tLoad = Date.now() - t0;
  let ready = true;
  try {
    await page.waitForSelector('body[data-report-ready="true"]', { state: 'attached', timeout: Math.max(1000, timeoutS * 1000 - tLoad) });
  } catch {
    ready = false;
    fail(`the report did not set body[data-report-ready="true"] within ${timeoutS} s`);
  }
  const tReady = Date.now() - t0;

  const result = await page.evaluate(() => {
    const out = { charts: [], errors: [], timing: window.MHSIM_TIMING || null };
    const box = document.getElementById('report-errors');
    if (box && box.textContent.trim()) out.errors.push(`#report-errors: ${box.textContent.trim()}`);
    document.querySelectorAll('.chart-error').forEach((e) => out.errors.push(`.chart-error: ${e.textContent.trim()}`));
    document.querySelectorAll('.chart').forEach((c) => {
      const svg = c.querySelector('svg');
      const r = svg ? svg.getBoundingClientRect() : null;
      const marks = svg ? svg.querySelectorAll('g.role-mark > path, g.role-mark > line, g.role-mark > text, g.role-mark > rect, g.role-mark > circle').length : 0;
      out.charts.push({
        name: c.dataset.chart || '(no data-chart)',
        rendered: c.dataset.rendered === 'true',
        svg: !!svg,
        width: svg ? Number(svg.getAttribute('width')) : 0,
        height: svg ? Number(svg.getAttribute('height')) : 0,
        boxW: r ? r.width : 0, boxH: r ? r.height : 0,
        marks,
        markTypes: svg ? [...new Set([...svg.querySelectorAll('g.role-mark')].map((g) => [...g.classList].find((k) => k.startsWith('mark-'))))] : [],
      });
    });
    return out;
  });

  result.errors.forEach(fail);
  if (ready && result.charts.length === 0 && !allowNoCharts) fail('no .chart element in the page (--allow-no-charts if the data really has none)');
  for (const c of result.charts) {
    const problems = [];
    if (!c.rendered) problems.push('not data-rendered="true"');
    if (!c.svg) problems.push('no <svg>');
    else {
      if (!(c.width > 0 && c.height > 0)) problems.push(`svg size ${c.width}x${c.height}`);
      if (!(c.boxW > 0 && c.boxH > 0)) problems.push(`svg box ${c.boxW}x${c.boxH} on the page`);
      if (c.marks < 1) problems.push('no drawn marks');
    }
    if (problems.length) fail(`chart "${c.name}": ${problems.join(', ')}`);
  }

  if (screenshot) {
    const opts = { path: screenshot, fullPage: true };
    if (maxHeight > 0) {
      const h = await page.evaluate(() => document.documentElement.scrollHeight);
      if (h > maxHeight) {  // the top of the page: a viewport that tall, not the full page
        await page.setViewportSize({ width: 1200, height: maxHeight });
        opts.fullPage = false;
      }
    }
    await page.screenshot(opts);
  }

  const t = result.timing;
  console.log(`check_report: ${file}: ${result.charts.length} charts, loaded in ${tLoad} ms, ready in ${tReady} ms`
    + (t ? ` (report.js build and render ${Math.round(t.build_and_render_ms)} ms)` : ''));
  for (const c of result.charts) {
    console.log(`  ${c.rendered && c.marks ? 'ok  ' : 'FAIL'} ${c.name} ${Math.round(c.width)}x${Math.round(c.height)} marks=${c.marks} [${c.markTypes.join(' ')}]`);
  }
} catch (err) {
  fail(`check_report: ${err.stack || err}`);
} finally {
  if (context) await context.close().catch(() => {});
  rmSync(userDataDir, { recursive: true, force: true });
}

for (const w of warnings) console.log(`  note: ${w}`);
if (failures.length) {
  console.error(`check_report: FAILED (${failures.length} problem${failures.length === 1 ? '' : 's'}):`);
  for (const f of failures) console.error(`  - ${f}`);
  process.exit(1);
}
console.log('check_report: OK');
