#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Browser test of the report's terms explorer (issue 17 item 1): opens an mhsim HTML report
// in headless Chromium (playwright-core, Debian's /usr/bin/chromium, offline) and checks:
//   * the explorer loaded (#explorer-body data-state="ready"; "missing" fails: a build with
//     em++ must put the explorer in the report), with no console error and no request other
//     than file:/data:/blob:/about:;
//   * at the run's own terms, every figure the page shows for a partner (mean payment, mean
//     painshare, VaR, ES, P(painshare > reserves), P(reserves exhausted)) and the
//     commissioner (spend over the horizon, its VaR and ES) EQUALS the report's own risk row
//     (window.MHSIM_DATA.risk, which mhsim computed natively from the file's payouts/*):
//     the WebAssembly settlement reproduces the native one exactly;
//   * after setting the control KEY to VALUE (the number input, as a reader types it), every
//     figure equals the row of the same arm and partner in SWEEP_CSV (`mhsim sweep <results>
//     --set KEY=VALUE --out SWEEP_CSV`), to 1e-9 relative (sweep prints %.10g), and at least
//     one figure differs from the run's terms (the control moved something);
//   * the reset button brings back the run's figures exactly.
// Prints the milliseconds of each re-settlement (in the page, JSON included) and writes a
// screenshot of the explorer section with --screenshot.
//
//   node check_explorer.mjs <report.html> --set KEY=VALUE --sweep-csv SWEEP_CSV [--screenshot out.png]
//                           [--timeout SECONDS] [--chromium PATH]
// Exit 0 when all pass; else every failure is printed and the exit status is 1 (2: bad arguments).

import { chromium } from 'playwright-core';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

function usage(message) {
  if (message) console.error(`check_explorer: ${message}`);
  console.error('usage: node check_explorer.mjs <report.html> --set KEY=VALUE --sweep-csv FILE [--screenshot PNG] [--timeout S] [--chromium PATH]');
  process.exit(2);
}

const argv = process.argv.slice(2);
let file = null, set = null, sweepCsv = null, screenshot = null, timeoutS = 120, expectMissing = false;
let chromiumPath = process.env.MHSIM_CHROMIUM || '/usr/bin/chromium';
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--set') set = argv[++i];
  else if (a === '--sweep-csv') sweepCsv = argv[++i];
  else if (a === '--screenshot') screenshot = argv[++i];
  else if (a === '--timeout') timeoutS = parseFloat(argv[++i]);
  else if (a === '--chromium') chromiumPath = argv[++i];
  else if (a === '--expect-missing') expectMissing = true;
  else if (a.startsWith('--')) usage(`unknown option ${a}`);
  else if (file === null) file = a;
  else usage(`unexpected argument ${a}`);
}
if (!file || !existsSync(file)) usage('no report given');
if (!expectMissing && (!set || !set.includes('='))) usage('--set KEY=VALUE is required');
if (!expectMissing && (!sweepCsv || !existsSync(sweepCsv))) usage('--sweep-csv FILE is required');
const key = expectMissing ? '' : set.slice(0, set.indexOf('='));
const value = expectMissing ? NaN : Number(set.slice(set.indexOf('=') + 1));

// sweep.csv: combination 0's rows by (arm, partner).
const lines = expectMissing ? ['combination', '0'] : readFileSync(sweepCsv, 'utf8').trim().split('\n');
const header = lines[0].split(',');
const sweep = new Map();
for (const line of lines.slice(1)) {
  const f = line.split(','), row = {};
  header.forEach((h, i) => { row[h] = f[i]; });
  if (row.combination === '0') sweep.set(`${row.arm}/${row.partner}`, row);
}
if (!expectMissing && sweep.size === 0) usage(`${sweepCsv} has no row of combination 0`);

const failures = [];
const fail = (m) => failures.push(m);
const userDataDir = mkdtempSync(join(tmpdir(), 'mhsim-explorer-'));
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
  page.on('console', (msg) => { if (msg.type() === 'error') fail(`console error: ${msg.text()}`); });
  page.on('pageerror', (e) => fail(`page error: ${e.message}`));
  page.on('request', (req) => {
    if (!/^(file|data|blob|about):/i.test(req.url())) fail(`network request: ${req.url()}`);
  });
  await page.goto(pathToFileURL(resolve(file)).href, { waitUntil: 'load', timeout: timeoutS * 1000 });
  await page.waitForSelector('#explorer-body[data-state="ready"], #explorer-body[data-state="error"], #explorer-body[data-state="missing"]',
    { state: 'attached', timeout: timeoutS * 1000 });
  const state = await page.getAttribute('#explorer-body', 'data-state');
  if (expectMissing) {  // a build without em++: the page must say the explorer was not built
    const text = await page.textContent('#explorer-body');
    if (state !== 'missing' || !/not built/.test(text)) fail(`expected the explorer to be reported as not built; data-state="${state}"`);
    throw new Error('stop');
  }
  if (state !== 'ready') {
    fail(`the explorer is not ready: data-state="${state}": ${await page.textContent('#explorer-body')}`);
    throw new Error('stop');
  }

  // The page's figures: { "arm/partner": { field: value } } and the last settlement's ms.
  const read = () => page.evaluate(() => {
    const out = {};
    for (const tr of document.querySelectorAll('#explorer-body table.explorer-risk tr[data-partner]')) {
      const row = {};
      for (const td of tr.querySelectorAll('td[data-field]')) row[td.dataset.field] = td.dataset.value === '' ? null : Number(td.dataset.value);
      out[`${tr.dataset.arm}/${tr.dataset.partner}`] = row;
    }
    return { rows: out, ms: Number(document.getElementById('explorer-body').dataset.ms),
             settled: Number(document.getElementById('explorer-body').dataset.settled) };
  });
  const settledAfter = async (n) => {
    await page.waitForFunction((k) => Number(document.getElementById('explorer-body').dataset.settled) > k, n,
                               { timeout: timeoutS * 1000 });
    return read();
  };

  // 1. The run's own terms against the report's native risk rows, exactly.
  const base = await read();
  const data = await page.evaluate(() => window.MHSIM_DATA.risk);
  const native = new Map(data.map((r) => [`${r.arm}/${r.partner}`, r]));
  const partnerFields = [['mean_payment', 'mean_payment'], ['mean_painshare', 'mean_painshare'], ['var_painshare', 'var'],
                         ['es_painshare', 'es'], ['p_painshare_above_reserve', 'p_above_reserve'], ['p_reserves_exhausted', 'p_exhausted']];
  const commissionerFields = [['commissioner_spend_horizon', 'mean_payment'], ['var_commissioner_spend', 'var'], ['es_commissioner_spend', 'es']];
  let compared = 0;
  for (const [where, row] of Object.entries(base.rows)) {
    const commissioner = where.endsWith('/commissioner');
    const n = native.get(where);
    if (!n) { fail(`${where}: in the explorer but not in the report's risk rows`); continue; }
    for (const [field, json] of commissioner ? commissionerFields : partnerFields) {
      const got = row[field], want = n[json] === undefined ? null : n[json];
      compared++;
      if (!(got === want)) fail(`run's terms, ${where} ${field}: page ${got}, report (native payouts) ${want}`);
    }
  }
  if (compared === 0) fail('no figure of the explorer to compare with the report');
  console.log(`check_explorer: run's terms: ${compared} figures compared with the report's native risk rows; settled in ${base.ms} ms`);

  // 2. A control moved: the page against mhsim sweep's CSV.
  const input = await page.$(`#explorer-body input[type="number"][data-key="${key}"]`);
  if (!input) {
    fail(`no control for ${key}`);
    throw new Error('stop');
  }
  // Open its group, as a reader would, and close the others (the screenshot shows that one).
  await page.evaluate((k) => {
    for (const d of document.querySelectorAll('#explorer-body details')) {
      d.open = !!d.querySelector(`input[data-key="${k}"]`);
    }
  }, key);
  await input.fill(String(value));
  await input.dispatchEvent('change');
  const moved = await settledAfter(base.settled);
  const rel = (a, b) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
  let checked = 0, differs = 0;
  for (const [where, row] of Object.entries(moved.rows)) {
    const commissioner = where.endsWith('/commissioner');
    const arm = where.slice(0, where.indexOf('/'));
    const s = commissioner ? [...sweep.values()].find((r) => r.arm === arm) : sweep.get(where);
    if (!s) { fail(`${where}: in the explorer but not in ${sweepCsv}`); continue; }
    const fields = commissioner ? [['commissioner_spend_horizon'], ['var_commissioner_spend']]
      : [['mean_painshare'], ['var_painshare'], ['es_painshare'], ['p_painshare_above_reserve'], ['p_reserves_exhausted']];
    for (const [field] of fields) {
      const got = row[field], text = s[field];
      const want = text === '' || text === undefined ? null : Number(text);
      checked++;
      if (want === null ? got !== null : !(got !== null && rel(got, want))) {
        fail(`${key}=${value}, ${where} ${field}: page ${got}, mhsim sweep ${text}`);
      }
      if (base.rows[where] && base.rows[where][field] !== got) differs++;
    }
  }
  if (checked === 0) fail('no figure to compare with mhsim sweep');
  if (differs === 0) fail(`${key}=${value} changed no figure (the control moved nothing)`);
  console.log(`check_explorer: ${key}=${value}: ${checked} figures compared with mhsim sweep's (${differs} moved by the control); settled in ${moved.ms} ms`);

  // 3. Reset: the run's figures again, exactly.
  await page.click('#explorer-reset');
  const again = await settledAfter(moved.settled);
  if (JSON.stringify(again.rows) !== JSON.stringify(base.rows)) fail('reset did not bring back the run\'s figures');

  // Screenshot of the explorer with the control moved (what the README shows).
  if (screenshot) {
    await input.fill(String(value));
    await input.dispatchEvent('change');
    await settledAfter(again.settled);
    await page.waitForTimeout(500);  // the charts draw after the table
    const section = await page.$('#sec-explorer');
    await section.screenshot({ path: screenshot });
    console.log(`check_explorer: wrote ${screenshot}`);
  }
} catch (e) {
  if (e.message !== 'stop') fail(`error: ${e.message}`);
} finally {
  if (context) await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
if (failures.length) {
  for (const f of failures) console.error(`FAIL: ${f}`);
  process.exit(1);
}
console.log('check_explorer: all checks passed');
