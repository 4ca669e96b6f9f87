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
//     g.role-mark group: path for bars/areas/lines/symbols, line for rules, text);
//   * the value-of-information section (#voi-body) against window.MHSIM_DATA: a note when
//     there is nothing to show; "EVPI is £0" in words when it is; the EVPPI table has one
//     row per input or group; the charts the data call for are there (voi-evppi when some
//     EVPPI > 0, voi-inmb-share, voi-evppi-convergence unless every traced value is 0, one
//     risk-attribution-<arm>-<partner>-<output> per output with a share > 0) with the
//     right number of bars or traces, no bar, error bar, line or band outside its plot
//     area (a domain too narrow), the longest reaching at least 40% of it (a domain too
//     wide), and no NaN in any mark;
//   * the reserves over the agreement (#risk-body): with reserve paths in the data, the risk
//     table's P(reserves exhausted) column, one reserve-paths line per arm and partner, and
//     a reserve-paths table row per partner with stated reserves listing every year; with
//     cash paths in the data, the risk table's P(cash exhausted) column, one cash-paths line
//     per arm and partner with a point for the opening and every quarter, and a cash-paths
//     table row per partner with stated reserves listing every year.
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

/**
 * Runs in the page: checks the value-of-information section against window.MHSIM_DATA.
 * Returns {problems: [...], checked: [...]} (one line per check made, for the log).
 */
function checkVoi() {
  const problems = [], checked = [];
  const D = window.MHSIM_DATA && typeof window.MHSIM_DATA === 'object' ? window.MHSIM_DATA : {};
  const arr = (v) => (Array.isArray(v) ? v : []);
  const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
  const slug = (s) => String(s).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'x';
  const TOL = 2;  // px: strokes and rounding
  const UNIT = { bars_marks: 'bars', trace_marks: 'traces' };
  const box = document.getElementById('voi-body');
  if (!box) return { problems: ['no #voi-body in the page (template.html lacks the section)'], checked };
  const charts = [...box.querySelectorAll('.chart')].map((c) => c.dataset.chart);
  const expected = [];

  /**
   * The drawn marks of a chart, each against the plot area it lies in (the background of its
   * Vega group: the whole view, or one facet cell). `count`: marks in groups named countName;
   * `reach`: how far the marks of the reachNames groups get along `axis` ('x': from the left
   * edge, 'y': from the bottom), as a fraction of the plot area, at most.
   */
  function geometry(name, countName, reachNames, axis) {
    const c = box.querySelector(`.chart[data-chart="${CSS.escape(name)}"]`);
    const g = { count: 0, reach: 0, outside: [], nan: 0 };
    const svg = c && c.querySelector('svg');
    if (!svg) return g;
    for (const grp of svg.querySelectorAll('g.role-mark')) {
      if (grp.classList.contains('mark-text') || grp.classList.contains('mark-symbol')) continue;
      const item = grp.parentElement && grp.parentElement.parentElement;
      const bg = item && item.querySelector(':scope > path.background');
      if (!bg) continue;
      const f = bg.getBoundingClientRect();
      const name_ = [...grp.classList].find((k) => k.endsWith('_marks')) || grp.getAttribute('class');
      for (const m of grp.children) {
        if (/NaN|Infinity/.test((m.getAttribute('d') || '') + (m.getAttribute('transform') || '')
          + (m.getAttribute('x1') || '') + (m.getAttribute('x2') || ''))) g.nan += 1;
        const r = m.getBoundingClientRect();
        if (r.left < f.left - TOL || r.right > f.right + TOL || r.top < f.top - TOL || r.bottom > f.bottom + TOL) {
          g.outside.push(`${name_} at ${Math.round(r.left - f.left)}..${Math.round(r.right - f.left)} x ${Math.round(r.top - f.top)}..${Math.round(r.bottom - f.top)}`
            + ` in a ${Math.round(f.width)}x${Math.round(f.height)} plot`);
        }
        if (grp.classList.contains(countName)) g.count += 1;
        if (reachNames.some((k) => grp.classList.contains(k)) && f.width > 0 && f.height > 0) {
          g.reach = Math.max(g.reach, axis === 'x' ? (r.right - f.left) / f.width : (f.bottom - r.top) / f.height);
        }
      }
    }
    return g;
  }
  function expectChart(name, what, countName, want, reachNames, axis) {
    expected.push(name);
    if (charts.indexOf(name) < 0) { problems.push(`no chart "${name}" (${what})`); return; }
    const g = geometry(name, countName, reachNames, axis);
    const bad = [];
    if (g.count !== want) bad.push(`${g.count} ${UNIT[countName]} drawn, expected ${want}`);
    if (g.outside.length) bad.push(`${g.outside.length} mark(s) outside the plot area (the axis does not cover the data), e.g. ${g.outside[0]}`);
    if (g.nan) bad.push(`${g.nan} mark(s) with NaN or infinite coordinates`);
    if (!(g.reach >= 0.4)) bad.push(`the longest ${axis === 'x' ? 'bar' : 'trace'} reaches only ${Math.round(g.reach * 100)}% of the plot (the axis is far too long for the data)`);
    if (bad.length) problems.push(`chart "${name}": ${bad.join('; ')}`);
    else checked.push(`${name}: ${g.count} ${UNIT[countName]}, all inside the plot, reaching ${Math.round(g.reach * 100)}% of it`);
  }

  const ev = arr(D.evppi).filter((r) => isNum(r.wtp) && isNum(r.evppi));
  const ra = arr(D.risk_attribution);
  const evc = arr(D.evppi_convergence);
  if (!ev.length && !ra.length) {
    if (!box.textContent.trim()) problems.push('the section is empty: it should say why there is no value-of-information analysis');
    else checked.push('no EVPPI or risk attribution in the data; the section says so');
  }
  if (ev.length) {
    const wtps = [...new Set(ev.map((r) => r.wtp))];
    const settingsW = arr(D.settings && D.settings.willingness_to_pay);
    const w0 = settingsW.length && wtps.indexOf(settingsW[0]) >= 0 ? settingsW[0] : wtps[0];
    const rows0 = ev.filter((r) => r.wtp === w0).sort((a, b) => b.evppi - a.evppi || (b.inmb_share || 0) - (a.inmb_share || 0));
    const names = [...new Set(rows0.map((r) => r.name))];

    const t = box.querySelector('table[data-table="evppi"]');
    if (!t) problems.push('no EVPPI table (table[data-table="evppi"])');
    else {
      const n = t.querySelectorAll('tbody tr:not(.group)').length;
      if (n !== names.length) problems.push(`the EVPPI table has ${n} rows, expected one per input or group: ${names.length}`);
      else checked.push(`table evppi: ${n} rows, one per input or group`);
    }

    const evpi0 = rows0.length && isNum(rows0[0].evpi) ? rows0[0].evpi : null;
    const anyEvppi = rows0.some((r) => r.evppi > 0);
    if (evpi0 === 0 && !anyEvppi) {
      if (!/EVPI is £0 at /.test(box.textContent)) problems.push('EVPI is 0 but the section does not say "EVPI is £0 at ..."');
      else checked.push('EVPI is £0, and the section says so');
      if (charts.indexOf('voi-evppi') >= 0) problems.push('chart "voi-evppi" drawn although every EVPPI is 0 (it can only be empty)');
    }
    if (anyEvppi) {
      const bars = Math.min(15, rows0.filter((r) => r.evppi > 0 || r.se > 0).length);
      expectChart('voi-evppi', 'some EVPPI is above 0', 'bars_marks', bars, ['bars_marks', 'errorbars_marks', 'errorcaps_marks'], 'x');
    }
    const shares = rows0.filter((r) => isNum(r.inmb_share) && r.inmb_share > 0).length;
    if (shares) expectChart('voi-inmb-share', 'some input explains part of the iNMB', 'bars_marks', Math.min(15, shares), ['bars_marks'], 'x');

    const traced = names.filter((n) => evc.some((c) => c.name === n && isNum(c.n) && isNum(c.evppi))).slice(0, 5);
    const nonzero = evc.some((c) => traced.indexOf(c.name) >= 0 && (c.evppi > 0 || c.se > 0));
    if (traced.length && nonzero) {
      expectChart('voi-evppi-convergence', 'EVPPI traces of the leading inputs', 'trace_marks', traced.length, ['band_marks', 'trace_marks'], 'y');
    } else if (charts.indexOf('voi-evppi-convergence') >= 0) {
      problems.push('chart "voi-evppi-convergence" drawn although every traced EVPPI and SE is 0');
    }
  }
  const keys = new Map();
  for (const r of ra) {
    const k = `risk-attribution-${slug(r.arm)}-${slug(r.partner)}-${slug(r.output)}`;
    keys.set(k, (keys.get(k) || 0) + (isNum(r.share) && r.share > 0 ? 1 : 0));
  }
  for (const [k, n] of keys) {
    if (n > 0) expectChart(k, 'an input explains part of this partner risk', 'bars_marks', Math.min(8, n), ['bars_marks'], 'x');
  }
  for (const c of charts) if (expected.indexOf(c) < 0) problems.push(`unexpected chart "${c}" in the section`);
  return { problems, checked };
}

/**
 * Runs in the page: checks the reserves over the agreement (#risk-body) against
 * window.MHSIM_DATA: with reserve paths in the data, the risk table has the P(reserves
 * exhausted) column; the chart reserve-paths draws one line per arm and partner; the
 * reserve-paths table has one row per partner row with stated reserves, each listing
 * P(exhausted) for every year of its path. The same for the cash by quarter (cash_paths):
 * the P(cash exhausted) column, the cash-paths chart (a line per arm and partner, a point
 * per quarter and the opening) and table.
 */
function checkReserves() {
  const problems = [], checked = [];
  const D = window.MHSIM_DATA && typeof window.MHSIM_DATA === 'object' ? window.MHSIM_DATA : {};
  const arr = (v) => (Array.isArray(v) ? v : []);
  const paths = arr(D.reserve_paths), cash = arr(D.cash_paths);
  const box = document.getElementById('risk-body');
  const chart = box ? box.querySelector('.chart[data-chart="reserve-paths"]') : null;
  const cashChart = box ? box.querySelector('.chart[data-chart="cash-paths"]') : null;
  if (!cash.length && cashChart) problems.push('a cash-paths chart with no cash paths in the data');
  if (!paths.length) {
    if (chart) problems.push('a reserve-paths chart with no reserve paths in the data');
    else checked.push('no reserve paths in the data, and no chart');
    return { problems, checked };
  }
  if (!box) return { problems: ['no #risk-body in the page'], checked };
  const riskHead = [...box.querySelectorAll('table[data-table="risk"] th')].map((t) => t.textContent);
  if (!riskHead.some((h) => h.startsWith('P(reserves exhausted)'))) problems.push('the risk table has no P(reserves exhausted) column');
  const series = new Set(paths.map((r) => `${r.arm}\u0000${r.partner}`));
  if (!chart) problems.push('no reserve-paths chart although the data has reserve paths');
  else {
    const lines = chart.querySelectorAll('g.mark-line.role-mark > path').length;
    if (lines !== series.size) problems.push(`the reserve-paths chart draws ${lines} lines, expected one per arm and partner: ${series.size}`);
    else checked.push(`chart reserve-paths: ${lines} lines, one per arm and partner`);
  }
  const rows = [...box.querySelectorAll('table[data-table="reserve-paths"] tbody tr:not(.group)')];
  const want = arr(D.risk).filter((r) => r.partner !== 'commissioner' && typeof r.p_exhausted === 'number').length;
  if (rows.length !== want) problems.push(`the reserve-paths table has ${rows.length} rows, expected ${want}`);
  else {
    const years = Math.max(...paths.map((r) => r.year));
    const short = rows.filter((tr) => (tr.children[2]?.textContent.match(/%/g) || []).length !== years).length;
    if (short) problems.push(`${short} reserve-paths rows do not list P(exhausted) for each of ${years} years`);
    else checked.push(`table reserve-paths: ${rows.length} rows, P(exhausted) for each of ${years} years`);
  }
  if (!cash.length) {
    checked.push('no cash paths in the data, and no chart');
    return { problems, checked };
  }
  if (!riskHead.some((h) => h.startsWith('P(cash exhausted)'))) problems.push('the risk table has no P(cash exhausted) column');
  const cashSeries = new Set(cash.map((r) => `${r.arm}\u0000${r.partner}`));
  if (!cashChart) problems.push('no cash-paths chart although the data has cash paths');
  else {
    const lines = cashChart.querySelectorAll('g.mark-line.role-mark > path').length;
    const points = cashChart.querySelectorAll('g.mark-symbol.role-mark > path').length;
    const want = cash.length + cashSeries.size;  // every quarter, and the opening of each series
    if (lines !== cashSeries.size) problems.push(`the cash-paths chart draws ${lines} lines, expected one per arm and partner: ${cashSeries.size}`);
    else if (points !== want) problems.push(`the cash-paths chart draws ${points} points, expected ${want} (the opening and every quarter)`);
    else checked.push(`chart cash-paths: ${lines} lines, ${points} points (the opening and every quarter)`);
  }
  const cashRows = [...box.querySelectorAll('table[data-table="cash-paths"] tbody tr:not(.group)')];
  const wantRows = arr(D.risk).filter((r) => r.partner !== 'commissioner' && typeof r.p_cash_exhausted === 'number').length;
  if (cashRows.length !== wantRows) problems.push(`the cash-paths table has ${cashRows.length} rows, expected ${wantRows}`);
  else {
    const years = Math.max(...paths.map((r) => r.year));
    const short = cashRows.filter((tr) => (tr.children[2]?.textContent.match(/%/g) || []).length !== years).length;
    if (short) problems.push(`${short} cash-paths rows do not list P(cash exhausted) for each of ${years} years`);
    else checked.push(`table cash-paths: ${cashRows.length} rows, P(cash exhausted) for each of ${years} years`);
  }
  return { problems, checked };
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
  const voi = await page.evaluate(checkVoi);
  voi.problems.forEach((m) => fail(`value of information: ${m}`));
  const reserves = await page.evaluate(checkReserves);
  reserves.problems.forEach((m) => fail(`reserves: ${m}`));
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
  for (const line of voi.checked) console.log(`  voi  ${line}`);
  for (const line of reserves.checked) console.log(`  reserves  ${line}`);
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
