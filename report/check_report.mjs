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
//     g.role-mark group: path for bars/areas/lines/symbols, line for rules, text); and,
//     for every chart, its data marks (not text) against the plot area each lies in: at least
//     one drawn with a size (not empty), none outside its plot (an axis that does not cover
//     the data), none with NaN or infinite coordinates, and the fullest plot cell covered to
//     at least 25% across or up (not squeezed into a corner by a mis-scaled axis);
//   * the value-of-information section (#voi-body) against window.MHSIM_DATA: a note when
//     there is nothing to show; "EVPI is £0" in words when it is; the EVPPI table has one
//     row per input or group; the charts the data call for are there (voi-evppi when some
//     EVPPI > 0, voi-inmb-share, voi-evppi-convergence unless every traced value is 0, one
//     risk-attribution-<arm>-<partner>-<output> per output with a share > 0) with the
//     right number of bars or traces, no bar, error bar, line or band outside its plot
//     area (a domain too narrow), the longest reaching at least 40% of it (a domain too
//     wide), and no NaN in any mark;
//   * the reserves over the agreement (#risk-body): with reserve paths in the data, the
//     risk-limits table's P(reserves exhausted) column, one reserve-paths line per arm and partner, and
//     a reserve-paths table row per partner with stated reserves listing every year; with
//     cash paths in the data, the risk-limits table's P(cash exhausted) column, one cash-paths line
//     per arm and partner with a point for the opening and every quarter, and a cash-paths
//     table row per partner with stated reserves listing every year.
//   * the limits on each partner (#risk-body, checkLimits): every cap in its row of the
//     risk-limits table, and per partner with a painshare an exceedance chart with a curve per
//     arm, a dashed line per reserve or cap, and its height at a reserve the table's
//     P(painshare > reserve);
//   * the over-time section (#overtime-body) against window.MHSIM_DATA.monthly: a service
//     selector; for the service shown, one fan chart per measure with two band paths and one
//     median line (a vertex a month) per arm, titled with the service, axis titles with the
//     month and the unit; the caption says what the bands are;
//   * the designing-terms section (#design-body, from `mhsim design --html`) against
//     window.MHSIM_DATA.design: hidden when the document has no design; else shown, with the
//     constraints, the reference sentence, the chart design-frontier drawing one point per
//     distinct (risk, saving, feasible) figure, a frontier line through every frontier point
//     and the reference diamond, and the frontier table with one row per frontier combination;
//   * with --design-csv FILE (the CSV of `mhsim design --out` on the same grid) and, optionally,
//     --design-printout FILE (what that command printed): the frontier table's terms and
//     figures against the CSV's frontier rows (and the printout's), in the same order, each
//     equal to within the rounding of the text shown, and every combination of the page's
//     data equal to the CSV's row (to 1e-9, relative) with the same feasible and frontier flags.
//   * the stress-tests section (#stress-body, from `mhsim stress --html`) against
//     window.MHSIM_DATA.stress: hidden when the document has none; else a sentence per case, the
//     same-people sentence and the threshold in words, the partners' and commissioner's tables
//     (a row per shown row and case, the threshold in words on every partner row), a chart of
//     P(painshare > reserves) per partner with stated reserves (a bar per case, the threshold
//     line, an accessible label) and a reserve-path chart per partner (a line per case);
//   * with --stress-csv FILE (stress.csv of the same `mhsim stress --out`): every figure of the
//     two tables against the CSV's row of the same case, arm and partner, within the rounding
//     of the text shown, and as many rows as the CSV has rows the terminal shows.
//   * the side-by-side section (#runs-body, from `mhsim report a.h5 b.h5 ...`) against
//     window.MHSIM_DATA.runs: hidden without it; else a row per file, a row per figure whose
//     "How" says paired exactly for files with the first's seed and replications, and a dot and
//     a range per file and arm in the charts runs-commissioner_spend and runs-cost;
//   * with --runs-csv FILE (side_by_side.csv of the same command): every figure and change of
//     the page's data equal to the CSV's (1e-12, relative), paired flags included.
//   * a thinned page (mhsim report --chart-samples: window.MHSIM_DATA.chart_samples, checkThinned):
//     its order statistics well formed, samples and payout_samples empty, paired_samples the
//     replications it says, and the cost-effectiveness plane saying "N of M replications shown";
//     with --expect-thinned M the page must be thinned and of M replications. The exceedance
//     check then brackets the table's P(painshare > reserve) between the curve's exact heights
//     at the order statistics either side of the reserve.
// Exit 0 when all pass; otherwise every failure is printed and the exit status is 1
// (2 for bad arguments). --screenshot writes a full-page PNG (cut at --max-height pixels
// when given). Environment: MHSIM_CHROMIUM overrides the browser path.

import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

function usage(msg) {
  if (msg) console.error(`check_report: ${msg}`);
  console.error('usage: node check_report.mjs <report.html> [--screenshot out.png] [--max-height PX] [--timeout SECONDS] [--chromium PATH] [--allow-no-charts] [--design-csv design.csv [--design-printout design.txt]] [--stress-csv stress.csv] [--runs-csv side_by_side.csv]');
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
  const riskHead = [...box.querySelectorAll('table[data-table="risk-limits"] th')].map((t) => t.textContent);
  if (!riskHead.some((h) => h.startsWith('P(reserves exhausted)'))) problems.push('the risk-limits table has no P(reserves exhausted) column');
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
  if (!riskHead.some((h) => h.startsWith('P(cash exhausted)'))) problems.push('the risk-limits table has no P(cash exhausted) column');
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

/**
 * Runs in the page: checks the over-time section (#overtime-body) against
 * window.MHSIM_DATA.monthly: with monthly series in the data, a service selector, and for
 * the service shown one fan chart "overtime-<measure>" per measure with series for it, each
 * drawing two bands (area paths) and one median line per arm with series, the line having a
 * vertex for every month with a median; the chart's title names the measure and service,
 * its axis titles are the month axis and the measure with its unit, and the caption says
 * what the bands are. Without monthly series, a note and no chart.
 */
/**
 * A thinned page (mhsim report --chart-samples, window.MHSIM_DATA.chart_samples): samples and
 * payout_samples empty; paired_samples only the stated number of distinct replications; every
 * series' order statistics ascending with counts at or below them non-decreasing up to its n;
 * each arm's cost series of n = every replication; and the cost-effectiveness plane's caption
 * saying how many of how many replications it shows, with a dot for each. With
 * `expected` (--expect-thinned N) the page must be thinned and of N replications.
 */
function checkThinned(expected) {
  const problems = [], checked = [];
  const D = window.MHSIM_DATA && typeof window.MHSIM_DATA === 'object' ? window.MHSIM_DATA : {};
  const arr = (v) => (Array.isArray(v) ? v : []);
  const CS = D.chart_samples && typeof D.chart_samples === 'object' ? D.chart_samples : null;
  if (!CS) {
    if (expected !== null) problems.push(`no chart_samples: the page carries every replication, expected it thinned at ${expected}`);
    else checked.push('every replication carried (no chart_samples)');
    return { problems, checked };
  }
  if (expected !== null && CS.replications !== expected) problems.push(`chart_samples.replications ${CS.replications}, expected ${expected}`);
  if (!(CS.replications > CS.limit)) problems.push(`thinned at ${CS.limit} with only ${CS.replications} replications`);
  if (arr(D.samples).length || arr(D.payout_samples).length) problems.push('samples or payout_samples not empty on a thinned page');
  const reps = new Set(arr(D.paired_samples).map((r) => r.replication));
  if (reps.size !== CS.shown_replications || reps.size > CS.limit) problems.push(`paired_samples holds ${reps.size} replications, chart_samples says ${CS.shown_replications} (limit ${CS.limit})`);
  let bad = 0, costs = 0;
  for (const x of arr(CS.series)) {
    const v = arr(x.values), c = arr(x.at_most);
    let ok = v.length === c.length && v.length >= 1 && v.length <= CS.quantile_points + 1 && c[c.length - 1] === x.n && x.n <= CS.replications;
    for (let i = 1; ok && i < v.length; i++) ok = v[i] >= v[i - 1] && c[i] >= c[i - 1];
    if (!ok) { bad++; if (bad <= 3) problems.push(`series ${x.of}/${x.field}/${x.arm}/${x.partner || ''}: order statistics not ascending or counts not ending at n = ${x.n}`); }
    if (x.of === 'samples' && x.field === 'cost') { costs++; if (x.n !== CS.replications) problems.push(`cost of ${x.arm}: n ${x.n}, expected every replication (${CS.replications})`); }
  }
  if (costs !== arr(D.arms).length) problems.push(`${costs} cost series, expected one per arm (${arr(D.arms).length})`);
  const ce = document.querySelector('.chart[data-chart="ce-plane"]');
  if (arr(D.arms).length > 1) {
    const fmt = (n) => new Intl.NumberFormat('en-GB').format(n);
    const shown = Math.min(reps.size, 2000);
    const want = `${fmt(shown)} of ${fmt(CS.replications)} replications shown`;
    const text = ce ? (ce.closest('figure') || ce.parentElement).textContent : '';
    if (!ce) problems.push('no ce-plane chart');
    else if (!text.includes(want)) problems.push(`the cost-effectiveness plane does not say "${want}"`);
    const dots = ce ? ce.querySelectorAll('g.mark-symbol.role-mark > path').length : 0;
    const rows = arr(D.paired_samples).filter((r) => reps.size <= 2000 || r.replication <= [...reps].sort((a, b) => a - b)[1999]).length;
    if (ce && dots < rows) problems.push(`the cost-effectiveness plane draws ${dots} dots for ${rows} paired rows`);
    if (!problems.length) checked.push(`ce-plane: "${want}", ${dots} symbols for ${rows} paired rows`);
  }
  if (!problems.length) {
    checked.push(`${arr(CS.series).length} series of at most ${CS.quantile_points + 1} order statistics each, counts ending at n; samples and payout_samples empty; ${reps.size} replications in paired_samples`);
  }
  return { problems, checked };
}

/**
 * The limits that apply to each partner (#risk-body) against window.MHSIM_DATA.risk: the
 * risk-limits table shows every cap in the partner's row (its own, and its alliance's on the
 * pool), one "alliance-wide" cell per row with a shared cap; and for every partner with a
 * painshare in some replication an exceedance chart, drawing a line per arm and a dashed rule
 * per stated reserve or cap, whose curve at a reserve is the table's P(painshare > reserve)
 * (recomputed here from the per-replication painshares the curve is drawn from).
 */
function checkLimits() {
  const problems = [], checked = [];
  const D = window.MHSIM_DATA && typeof window.MHSIM_DATA === 'object' ? window.MHSIM_DATA : {};
  const arr = (v) => (Array.isArray(v) ? v : []);
  const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
  const slug = (s) => String(s).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'x';
  const box = document.getElementById('risk-body');
  const rows = arr(D.risk).filter((r) => r.partner !== 'commissioner');
  if (!box || !rows.length) return { problems, checked: ['no partner risk rows'] };
  const t = box.querySelector('table[data-table="risk-limits"]');
  if (!t) return { problems: ['no risk-limits table'], checked };
  const capCol = [...t.querySelectorAll('thead th')].findIndex((th) => th.textContent.trim() === 'Painshare cap');
  if (capCol < 0) problems.push('the risk-limits table has no Painshare cap column');
  const cells = [...t.querySelectorAll('tbody tr:not(.group)')].map((tr) => (tr.children[capCol] || {}).textContent || '');
  const shared = rows.filter((r) => isNum(r.shared_cap)).length, own = rows.filter((r) => isNum(r.cap)).length;
  const sharedShown = cells.filter((c) => c.includes('alliance-wide')).length, ownShown = cells.filter((c) => c.includes('own ')).length;
  if (sharedShown !== shared) problems.push(`${sharedShown} rows show an alliance-wide cap, expected ${shared}`);
  else if (ownShown !== own) problems.push(`${ownShown} rows show a cap of the partner's own, expected ${own}`);
  else checked.push(`risk-limits: ${shared} rows with the alliance-wide cap, ${own} with the partner's own`);
  // A thinned page (mhsim report --chart-samples) draws the curves from order statistics of the
  // painshares with the exact count at or below each (chart_samples.series): rows stand for them.
  const CS = D.chart_samples && typeof D.chart_samples === 'object' ? D.chart_samples : null;
  const series = (p, a) => arr(CS && CS.series).find((x) => x.of === 'payout_samples' && x.field === 'painshare' && x.partner === p && x.arm === a);
  const ps = CS ? arr(CS.series).filter((x) => x.of === 'payout_samples' && x.field === 'painshare')
    .flatMap((x) => arr(x.values).map((v) => ({ partner: x.partner, arm: x.arm, painshare: v })))
    : arr(D.payout_samples);
  const partners = [...new Set(ps.filter((r) => isNum(r.painshare) && r.painshare > 0).map((r) => r.partner))];
  for (const p of partners) {
    const c = box.querySelector(`.chart[data-chart="exceedance-${CSS.escape(slug(p))}"]`);
    if (!c) { problems.push(`no exceedance chart for ${p}`); continue; }
    const mine = rows.filter((r) => r.partner === p);
    const arms = new Set(ps.filter((r) => r.partner === p && isNum(r.painshare)).map((r) => r.arm));
    const lines = c.querySelectorAll('g.mark-line.role-mark > path').length;
    const limits = new Set();
    mine.forEach((r) => { if (arms.has(r.arm)) [r.reserve, r.cap, r.shared_cap].forEach((v, k) => { if (isNum(v)) limits.add(`${k}|${k ? r.arm : ''}|${v}`); }); });
    const rules = c.querySelectorAll('g.mark-rule.role-mark > line').length;
    if (lines !== arms.size) problems.push(`exceedance-${slug(p)}: ${lines} curves, expected one per arm: ${arms.size}`);
    if (rules !== limits.size) problems.push(`exceedance-${slug(p)}: ${rules} dashed lines, expected one per reserve or cap: ${limits.size}`);
    for (const r of mine) {
      if (!isNum(r.reserve) || !isNum(r.p_above_reserve) || !arms.has(r.arm)) continue;
      if (CS) {
        // Exact at the order statistics: the table's P(painshare > reserve), from every
        // replication, lies between the curve's heights at the points either side of the reserve.
        const q = series(p, r.arm);
        const v = arr(q && q.values), c = arr(q && q.at_most);
        let below = -1;
        for (let i = 0; i < v.length; i++) if (v[i] <= r.reserve) below = i;
        const hiP = below < 0 ? 1 : (q.n - c[below]) / q.n;
        const loP = below + 1 < v.length ? (q.n - c[below + 1]) / q.n : 0;
        if (!q || !(r.p_above_reserve <= hiP + 1e-12 && r.p_above_reserve >= loP - 1e-12) || (below >= 0 && v[below] === r.reserve && Math.abs(hiP - r.p_above_reserve) > 1e-12)) {
          problems.push(`exceedance-${slug(p)} (${r.arm}): the table's P(painshare > reserve) ${r.p_above_reserve} is not between the curve's ${loP} and ${hiP} either side of the reserve`);
        }
        continue;
      }
      const v = ps.filter((x) => x.partner === p && x.arm === r.arm).map((x) => x.painshare);
      const at = v.filter((x) => x > r.reserve).length / v.length;
      if (Math.abs(at - r.p_above_reserve) > 1e-12) problems.push(`exceedance-${slug(p)} (${r.arm}): the curve is at ${at} at the reserve, the table says ${r.p_above_reserve}`);
    }
    if (!problems.length) {
      checked.push(`exceedance-${slug(p)}: ${lines} curves, ${rules} limits, at each reserve the table's P(painshare > reserve)`
        + (CS ? ` (between the curve's heights at the ${CS.quantile_points} quantiles either side)` : ''));
    }
  }
  return { problems, checked };
}

/**
 * Several results side by side (#runs-body) against window.MHSIM_DATA.runs: hidden without it;
 * else a row per file in the runs table, a row per figure in runs-figures whose "How" cell says
 * paired exactly for the files with the first's seed and replications, and the charts
 * runs-commissioner_spend and runs-cost with a dot and a range per file and arm. Returns the
 * figures and changes for the comparison with side_by_side.csv.
 */
/**
 * Behaviour under the contracts (runs with [incentives] on): shown exactly when the document
 * has `behaviour` rows; one table row per document row with its stake, factor and parameter in
 * force as the document gives them; and the document's split of each difference from the base
 * arm adds up to the difference of stated x factor (docs/incentives.md).
 */
function checkBehaviour() {
  const problems = [], checked = [];
  const D = window.MHSIM_DATA && typeof window.MHSIM_DATA === 'object' ? window.MHSIM_DATA : {};
  const rows = Array.isArray(D.behaviour) ? D.behaviour : [];
  const sec = document.getElementById('sec-behaviour');
  if (!sec) return { problems: ['no #sec-behaviour in the page'], checked };
  if (!rows.length) {
    if (!sec.hidden) problems.push('the behaviour section is shown but the document has no behaviour rows');
    else checked.push('no behaviour rows; the section is hidden');
    return { problems, checked };
  }
  if (sec.hidden || !(sec.getBoundingClientRect().height > 0)) problems.push('the behaviour section is hidden');
  const trs = [...sec.querySelectorAll('table[data-table="behaviour"] tbody tr:not(.group)')];
  if (trs.length !== rows.length) problems.push(`the behaviour table has ${trs.length} rows, expected ${rows.length}`);
  const head = [...sec.querySelectorAll('table[data-table="behaviour"] thead th')].map((t) => t.textContent.trim());
  const col = (l) => head.indexOf(l);
  let wrong = 0, split = 0, compared = 0;
  rows.forEach((r, i) => {
    const tr = trs[i];
    if (!tr) return;
    for (const [label, v] of [['Stake', r.stake], ['Factor', r.factor], ['In force', r.in_force]]) {
      if (tr.children[col(label)].textContent.trim() !== Number(v).toFixed(3)) wrong += 1;
    }
    const base = rows.find((b) => b.arm === (D.settings || {}).base_arm && b.decision === r.decision && b.service === r.service);
    if (base && typeof r.explicit === 'number' && typeof r.response === 'number') {
      compared += 1;
      const want = r.stated * r.factor - base.stated * base.factor;
      if (Math.abs(r.explicit + r.response - want) > 1e-9 * Math.max(1, Math.abs(want))) split += 1;
    }
  });
  if (wrong) problems.push(`${wrong} stake, factor or in-force cells differ from the document`);
  if (split) problems.push(`${split} rows whose explicit and response parts do not add up to the difference from the base arm`);
  if (!compared) problems.push('no row has a split from the base arm');
  if (!problems.length) checked.push(`${rows.length} behaviour rows as the document gives them; ${compared} splits add up`);
  return { problems, checked };
}

function checkRuns() {
  const problems = [], checked = [];
  const D = window.MHSIM_DATA && typeof window.MHSIM_DATA === 'object' ? window.MHSIM_DATA : {};
  const X = D.runs;
  const sec = document.getElementById('sec-runs');
  const box = document.getElementById('runs-body');
  if (!sec || !box) return { problems: ['no #sec-runs or #runs-body in the page'], checked, figures: [], changes: [] };
  if (!X || typeof X !== 'object') {
    if (!sec.hidden) problems.push('the side-by-side section is shown but the document has no runs');
    else checked.push('no runs in the document; the section is hidden');
    return { problems, checked, figures: [], changes: [] };
  }
  if (sec.hidden || !(sec.getBoundingClientRect().height > 0)) problems.push('the side-by-side section is hidden');
  const runs = X.runs || [], figs = X.figures || [], changes = X.changes || [];
  const bodyRows = (name) => [...box.querySelectorAll(`table[data-table="${name}"] tbody tr:not(.group)`)];
  if (bodyRows('runs').length !== runs.length) problems.push(`the runs table has ${bodyRows('runs').length} rows, expected ${runs.length}`);
  const fr = bodyRows('runs-figures');
  if (fr.length !== figs.length) problems.push(`runs-figures has ${fr.length} rows, expected one per figure: ${figs.length}`);
  const head = [...box.querySelectorAll('table[data-table="runs-figures"] thead th')].map((t) => t.textContent.trim());
  const how = head.indexOf('How'), fileCol = head.indexOf('File');
  const first = runs[0] || {};
  const pairedRun = new Set(runs.slice(1).filter((r) => r.seed === first.seed && r.replications === first.replications).map((r) => r.label));
  let wrong = 0;
  for (const tr of fr) {
    const file = tr.children[fileCol].textContent.trim(), h = tr.children[how].textContent.trim();
    const want = file === first.label ? '\u2014' : (pairedRun.has(file) ? 'paired' : 'unpaired');
    if (h !== want) wrong += 1;
  }
  if (wrong) problems.push(`${wrong} runs-figures rows say the wrong "How" (paired only for files with the first's seed and replications)`);
  const arms = new Set(figs.map((f) => `${f.run}|${f.arm}`)).size;
  for (const m of ['commissioner_spend', 'cost']) {
    const c = box.querySelector(`.chart[data-chart="runs-${m}"]`);
    if (!c) { problems.push(`no chart runs-${m}`); continue; }
    const dots = c.querySelectorAll('g.mark-symbol.role-mark > path').length, ranges = c.querySelectorAll('g.mark-rule.role-mark > line').length;
    if (dots !== arms || ranges !== arms) problems.push(`chart runs-${m}: ${dots} dots and ${ranges} ranges, expected one each per file and arm: ${arms}`);
  }
  if (!problems.length) {
    checked.push(`${runs.length} files, ${fr.length} figure rows (paired: ${[...pairedRun].join(', ') || 'none'}), charts with a dot and range per file and arm (${arms})`);
  }
  return { problems, checked, figures: figs, changes };
}

/** The page's runs figures and changes against side_by_side.csv of the same command (1e-12, relative). */
function compareRuns(runs, text) {
  const problems = [], checked = [];
  const data = parseCsv(text);  // one object per row, by column name
  const num = (t) => (t === '' || t === undefined ? null : Number(t));
  const close = (a, b) => (a === null || b === null ? a === b : Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a), Math.abs(b)));
  if (data.length !== runs.figures.length) problems.push(`side_by_side.csv has ${data.length} rows, the page ${runs.figures.length} figures`);
  let bad = 0;
  for (const f of runs.figures) {
    const r = data.find((x) => x.run === f.run && x.arm === f.arm && x.metric === f.metric);
    if (!r) { bad += 1; continue; }
    for (const k of ['mean', 'ci_low', 'ci_high', 'q05', 'q95']) if (!close(num(r[k]), f[k])) bad += 1;
    const c = runs.changes.find((x) => x.run === f.run && x.arm === f.arm && x.metric === f.metric);
    if (c && (!close(num(r.change), c.mean) || !close(num(r.change_ci_low), c.ci_low) || r.paired !== (c.paired ? '1' : '0'))) bad += 1;
    if (!c && r.change !== '') bad += 1;
  }
  if (bad) problems.push(`${bad} figures or changes differ between the page and side_by_side.csv`);
  else checked.push(`${runs.figures.length} figures and ${runs.changes.length} changes equal side_by_side.csv`);
  return { problems, checked };
}

function checkOverTime() {
  const problems = [], checked = [];
  const D = window.MHSIM_DATA && typeof window.MHSIM_DATA === 'object' ? window.MHSIM_DATA : {};
  const M = D.monthly || {};
  const series = Array.isArray(M.series) ? M.series : [];
  const box = document.getElementById('overtime-body');
  if (!box) return { problems: ['no #overtime-body'], checked };
  const charts = [...box.querySelectorAll('.chart')];
  if (!series.length) {
    if (charts.length) problems.push('over-time charts although the data has no monthly series');
    if (!box.textContent.trim()) problems.push('the section is empty: it should say there is no monthly picture');
    checked.push('no monthly series in the data, and no chart');
    return { problems, checked };
  }
  const select = box.querySelector('select#overtime-service');
  if (!select) problems.push('no service selector (select#overtime-service)');
  const holder = box.querySelector('.overtime-charts');
  const service = holder ? holder.dataset.service : undefined;
  if (!service) return { problems: problems.concat(['no .overtime-charts with data-service']), checked };
  if (select && select.value !== service) problems.push(`the selector shows "${select.value}" but the charts are of "${service}"`);
  const units = {};
  (M.measures || []).forEach((q) => { units[q.name] = q.unit; });
  const measures = (M.measures || []).map((q) => q.name).filter((q) => series.some((x) => x.service === service && x.measure === q));
  const slug = (s) => String(s).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'x';
  const expected = measures.map((q) => `overtime-${slug(q)}`);
  const names = charts.map((c) => c.dataset.chart);
  for (const n of names) if (expected.indexOf(n) < 0) problems.push(`unexpected chart "${n}"`);
  for (const q of measures) {
    const name = `overtime-${slug(q)}`;
    const c = charts.find((x) => x.dataset.chart === name);
    if (!c) { problems.push(`no chart "${name}" for ${service}`); continue; }
    const here = series.filter((x) => x.service === service && x.measure === q);
    const arms = new Set(here.map((x) => x.arm));
    const areas = c.querySelectorAll('g.mark-area.role-mark > path').length;
    const lines = [...c.querySelectorAll('g.mark-line.role-mark > path')];
    if (areas !== 2 * arms.size) problems.push(`chart ${name}: ${areas} band paths, expected two (50% and 90%) per arm: ${2 * arms.size}`);
    if (lines.length !== arms.size) problems.push(`chart ${name}: ${lines.length} median lines, expected one per arm: ${arms.size}`);
    const vertices = lines.map((p) => ((p.getAttribute('d') || '').match(/[ML]/g) || []).length).sort((a, b) => a - b);
    const want = here.map((x) => x.p50.filter((v) => typeof v === 'number' && isFinite(v)).length).sort((a, b) => a - b);
    if (JSON.stringify(vertices) !== JSON.stringify(want)) problems.push(`chart ${name}: median lines with ${vertices.join(', ')} points, expected ${want.join(', ')} (one per month)`);
    const block = c.closest('.chart-block');
    const title = block ? block.querySelector('.chart-title').textContent : '';
    if (title.indexOf(service) < 0) problems.push(`chart ${name}: the title "${title}" does not name the service ${service}`);
    const axisTitles = [...c.querySelectorAll('g.role-axis-title text')].map((t) => t.textContent);
    const unit = units[q] === 'pounds' ? '\u00a3' : units[q];
    if (!axisTitles.some((t) => t === 'Month (1 = first month of year 1)')) problems.push(`chart ${name}: no month axis title (axis titles: ${axisTitles.join(' | ')})`);
    if (!axisTitles.some((t) => t.endsWith(`(${unit})`))) problems.push(`chart ${name}: no axis title with the unit (${unit}) (axis titles: ${axisTitles.join(' | ')})`);
    const svg = c.querySelector('svg');
    if (svg && /NaN/.test(svg.innerHTML)) problems.push(`NaN in chart ${name}`);
    if (!problems.length) checked.push(`chart ${name}: ${arms.size} arms x (2 bands + 1 median line of ${want[0]} months), labelled ${unit}`);
  }
  const text = box.textContent;
  for (const words of ['25th to 75th percentile', '5th to 95th percentile', 'median']) {
    if (text.indexOf(words) < 0) problems.push(`the section does not say what the bands are ("${words}")`);
  }
  return { problems, checked };
}

/**
 * Runs in the page: checks the designing-terms section (#design-body) against
 * window.MHSIM_DATA.design, and returns what the frontier table shows for the comparison
 * with `mhsim design`'s own output: {problems, checked, table: {head: [...], rows: [[...]]}, data}.
 */
function checkDesign() {
  const problems = [], checked = [];
  const D = window.MHSIM_DATA && typeof window.MHSIM_DATA === 'object' ? window.MHSIM_DATA : {};
  const Z = D.design;
  const sec = document.getElementById('sec-design');
  const box = document.getElementById('design-body');
  if (!sec || !box) return { problems: ['no #sec-design or #design-body in the page (template.html lacks the section)'], checked };
  const shown = !sec.hidden && sec.getBoundingClientRect().height > 0;
  if (!Z || typeof Z !== 'object') {
    if (shown) problems.push('the designing-terms section is shown but the document has no design');
    if (box.querySelector('.chart')) problems.push('a chart in the designing-terms section without a design');
    if (!problems.length) checked.push('no design in the document; the section is hidden');
    return { problems, checked };
  }
  if (!shown) problems.push('the document has a design but its section is hidden');
  const rows = Array.isArray(Z.rows) ? Z.rows : [];
  const C = Z.constraints || {};
  const text = box.textContent;
  const pctText = (p) => (p === 0 ? '0%' : p === 1 ? '100%' : `${(p * 100).toFixed(1)}%`);
  const cons = box.querySelector('[data-design="constraints"]');
  if (!cons) problems.push('no list of the constraints');
  else {
    const want = [`P(reserves exhausted) \u2264 ${pctText(C.max_p_exhausted)}`];
    if (typeof C.budget_per_year === 'number') want.push('budget');
    else want.push('no budget was stated');
    const missing = want.filter((w) => !cons.textContent.includes(w));
    if (missing.length) problems.push(`the constraints do not say: ${missing.join('; ')}`);
    else checked.push(`constraints in words: ${cons.querySelectorAll('li').length} items, with P(reserves exhausted) \u2264 ${pctText(C.max_p_exhausted)}`);
  }
  const ref = box.querySelector('[data-design="reference"]');
  if (!ref || !/The scenario\u2019s own terms/.test(ref.textContent)) problems.push('no sentence on the scenario\u2019s own terms');
  const verdict = box.querySelector('[data-design="verdict"]');
  const feasible = rows.filter((r) => r.feasible).length, frontier = rows.filter((r) => r.frontier);
  if (!verdict || !verdict.textContent.includes(`${feasible.toLocaleString('en-GB')} of ${rows.length.toLocaleString('en-GB')} combinations meet every constraint`)) {
    problems.push(`the verdict does not say "${feasible} of ${rows.length} combinations meet every constraint"`);
  }
  if (Z.feasible !== feasible || Z.frontier !== frontier.length || Z.combinations !== rows.length) {
    problems.push(`the design's counts (${Z.combinations}, ${Z.feasible}, ${Z.frontier}) disagree with its rows (${rows.length}, ${feasible}, ${frontier.length})`);
  }
  // The chart: one point per distinct (risk, saving, feasible), the frontier's line, the reference.
  const c = box.querySelector('.chart[data-chart="design-frontier"]');
  if (!c) problems.push('no chart "design-frontier"');
  else {
    const distinct = new Set(rows.map((r) => `${r.worst_p_exhausted}|${r.saving}|${r.feasible ? 1 : 0}`)).size;
    const frontierPts = new Set(frontier.map((r) => `${r.worst_p_exhausted}|${r.saving}`)).size;
    const count = (cls) => c.querySelectorAll(`g.${cls} > path`).length;
    const points = count('combinations_marks');
    if (distinct <= 5000 && points !== distinct) problems.push(`chart design-frontier draws ${points} points, expected one per distinct figure: ${distinct}`);
    const lines = count('frontier_marks');
    if (frontier.length && lines !== 1) problems.push(`chart design-frontier draws ${lines} frontier lines, expected 1`);
    if (!frontier.length && lines) problems.push('a frontier line although no combination is feasible');
    const vertices = c.querySelectorAll('g.mark-symbol.role-mark path').length - points - (count('reference_marks'));
    if (frontier.length && vertices !== frontierPts) problems.push(`the frontier line has ${vertices} points, expected ${frontierPts}`);
    if (count('reference_marks') !== 1) problems.push('no diamond for the scenario\u2019s own terms');
    const svg = c.querySelector('svg');
    if (svg && /NaN/.test(svg.innerHTML)) problems.push('NaN in the chart design-frontier');
    if (!problems.length) checked.push(`chart design-frontier: ${points} points for ${rows.length} combinations, a frontier of ${frontierPts} point${frontierPts === 1 ? "" : "s"}, the reference`);
  }
  // Two terms searched: the grid draws a cell per combination and ticks exactly the feasible ones.
  const hm = box.querySelector('.chart[data-chart="design-heatmap"]');
  const axesN = Array.isArray(Z.axes) ? Z.axes.length : 0;
  if (axesN === 2 && !hm) problems.push('two terms were searched but there is no chart "design-heatmap"');
  if (axesN !== 2 && hm) problems.push(`a design-heatmap although ${axesN} terms were searched`);
  if (hm) {
    const rects = hm.querySelectorAll('g.mark-rect.role-mark > path').length;
    const ticks = [...hm.querySelectorAll('g.mark-text.role-mark > text')].filter((x) => x.textContent === '\u2713').length;
    if (rects !== rows.length) problems.push(`chart design-heatmap draws ${rects} cells, expected one per combination: ${rows.length}`);
    else if (ticks !== feasible) problems.push(`chart design-heatmap ticks ${ticks} cells, expected the ${feasible} feasible combinations`);
    else checked.push(`chart design-heatmap: ${rects} cells, ${ticks} ticked as feasible`);
  }
  const t = box.querySelector('table[data-table="design-frontier"]');
  const table = { head: [], rows: [] };
  if (frontier.length && !t) problems.push('no frontier table (table[data-table="design-frontier"])');
  if (!frontier.length && t) problems.push('a frontier table although no combination is feasible');
  if (t) {
    table.head = [...t.querySelectorAll('thead th')].map((th) => th.textContent.trim());
    table.rows = [...t.querySelectorAll('tbody tr:not(.group)')].map((tr) => [...tr.children].map((td) => td.textContent.trim()));
    if (table.rows.length !== frontier.length) problems.push(`the frontier table has ${table.rows.length} rows, expected ${frontier.length}`);
    else checked.push(`table design-frontier: ${table.rows.length} rows, one per frontier combination`);
  }
  return { problems, checked, table, data: Z };
}

/** "£118.60m", "−£607,840", "£607.8k", "£1.2bn", "-£3" -> {value, tol} (tol: half the last digit shown). */
function parseMoney(text) {
  const m = /^([-\u2212]?)£([\d,]+(?:\.(\d+))?)(bn|m|k)?$/.exec(text.trim());
  if (!m) return null;
  const scale = { bn: 1e9, m: 1e6, k: 1e3 }[m[4]] || 1;
  const digits = m[3] ? m[3].length : 0;
  const v = Number(m[2].replace(/,/g, '')) * scale * (m[1] ? -1 : 1);
  return { value: v, tol: 0.5 * scale * 10 ** -digits + 1e-9 * Math.abs(v) };
}
/** "2.0%", "0%", "<0.1%", ">99.9%" -> {value, tol}. */
function parsePercent(text) {
  const t = text.trim();
  if (t === '<0.1%') return { value: 0.0005, tol: 0.0005 };
  if (t === '>99.9%') return { value: 0.9995, tol: 0.0005 };
  const m = /^(\d+(?:\.(\d+))?)%$/.exec(t);
  if (!m) return null;
  return { value: Number(m[1]) / 100, tol: 0.5 * 10 ** -(m[2] ? m[2].length : 0) / 100 + 1e-12 };
}
/** A term as shown ("0.3", "1,000,000", "£500,000", "none") -> a number (Infinity for none). */
function parseTerm(text) {
  const t = text.trim().replace(/\u2212/g, '-');
  if (t === 'none' || t === 'inf') return Infinity;
  const v = Number(t.replace(/[£,]/g, ''));
  return Number.isFinite(v) ? v : NaN;
}
/** "2.0% (slam)" -> {text: "2.0%", partner: "slam"}. */
function splitPartner(text) {
  const m = /^(.*?)\s*\(([^()]*)\)$/.exec(text.trim());
  return m ? { text: m[1], partner: m[2] } : { text: text.trim(), partner: '' };
}
function parseCsv(text) {
  const lines = text.split(/\r?\n/).filter((l) => l.length);
  // RFC 4180 fields: side_by_side.csv quotes labels with commas; design.csv has none.
  const split = (line) => {
    const out = []; let cur = '', q = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (q) { if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (ch === '"') q = false; else cur += ch; }
      else if (ch === '"') q = true; else if (ch === ',') { out.push(cur); cur = ''; } else cur += ch;
    }
    out.push(cur);
    return out;
  };
  const head = split(lines[0]);
  return lines.slice(1).map((l) => {
    const f = split(l), o = {};
    head.forEach((h, i) => { o[h] = f[i]; });
    return o;
  }).map((o) => Object.assign(o, { _head: head }));
}

/**
 * Compares the page's frontier table and data with `mhsim design`'s CSV (and printout).
 * Returns a list of problems and a list of checks made.
 */
function compareDesign(page, csvText, printout) {
  const problems = [], checked = [];
  const Z = page.data;
  if (!Z) return { problems: ['--design-csv given but the report has no design'], checked };
  const csv = parseCsv(csvText);
  const head = csv.length ? csv[0]._head : [];
  const axes = (Z.axes || []).map((a) => a.path);
  const termCols = head.slice(1, head.indexOf('arm'));
  if (JSON.stringify(termCols) !== JSON.stringify(axes)) problems.push(`the CSV's terms ${termCols.join(',')} are not the report's ${axes.join(',')}`);
  const num = (s) => (s === undefined || s === '' ? null : s === 'inf' ? Infinity : Number(s));
  const close = (a, b) => (a === b) || (a !== null && b !== null && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)));
  // Every combination of the page's data against the CSV's row.
  if (csv.length !== (Z.rows || []).length) problems.push(`the CSV has ${csv.length} combinations, the report ${(Z.rows || []).length}`);
  let same = 0;
  (Z.rows || []).forEach((r, i) => {
    const c = csv[i];
    if (!c) return;
    const bad = [];
    if (Number(c.combination) !== r.combination) bad.push('combination');
    axes.forEach((p, k) => { const t = r.terms[k] === null ? Infinity : r.terms[k]; if (!close(num(c[p]), t)) bad.push(p); });
    for (const [col, v] of [['commissioner_spend', r.commissioner_spend], ['saving', r.saving], ['worst_p_exhausted', r.worst_p_exhausted], ['lowest_expected_gain', r.lowest_expected_gain]]) {
      if (!close(num(c[col]), v)) bad.push(`${col} ${c[col]} vs ${v}`);
    }
    if (c.worst_partner !== r.worst_partner || c.lowest_gain_partner !== r.lowest_gain_partner) bad.push('partners');
    if ((c.feasible === '1') !== r.feasible || (c.frontier === '1') !== r.frontier) bad.push('feasible/frontier flags');
    if (bad.length) problems.push(`combination ${r.combination}: the report's data differ from the CSV: ${bad.join(', ')}`);
    else same += 1;
  });
  if (same) checked.push(`${same} combinations in the report's data equal the CSV's rows`);
  // The frontier table against the CSV's frontier rows, in the order mhsim design prints them.
  const want = csv.filter((c) => c.frontier === '1').sort((a, b) => num(a.commissioner_spend) - num(b.commissioner_spend)
    || num(a.worst_p_exhausted) - num(b.worst_p_exhausted) || num(a.combination) - num(b.combination));
  if (!want.length) problems.push('the CSV has no frontier row: the comparison would be empty (choose a grid with feasible terms)');
  const shown = page.table.rows;
  if (shown.length !== want.length) problems.push(`the frontier table has ${shown.length} rows, the CSV ${want.length} frontier rows`);
  const within = (parsed, exact, what) => {
    if (!parsed) return `${what}: cannot read the text`;
    return Math.abs(parsed.value - exact) <= parsed.tol ? null : `${what}: shows ${parsed.value}, the CSV ${exact}`;
  };
  let agreed = 0;
  want.forEach((c, i) => {
    const cells = shown[i];
    if (!cells) return;
    const bad = [];
    axes.forEach((p, k) => { if (!(parseTerm(cells[k]) === num(c[p]) || close(parseTerm(cells[k]), num(c[p])))) bad.push(`${p}: shows ${cells[k]}, the CSV ${c[p]}`); });
    const n = axes.length;
    bad.push(within(parseMoney(cells[n]), num(c.commissioner_spend), 'spend'));
    bad.push(within(parseMoney(cells[n + 1]), num(c.saving), 'saving'));
    const w = splitPartner(cells[n + 2]);
    bad.push(within(parsePercent(w.text), num(c.worst_p_exhausted), 'worst P(exhausted)'));
    if (w.partner !== c.worst_partner) bad.push(`worst partner ${w.partner} vs ${c.worst_partner}`);
    if (c.lowest_gain_partner) {
      const g = splitPartner(cells[n + 3]);
      bad.push(within(parseMoney(g.text), num(c.lowest_expected_gain), 'lowest expected gain'));
      if (g.partner !== c.lowest_gain_partner) bad.push(`lowest-gain partner ${g.partner} vs ${c.lowest_gain_partner}`);
    }
    const errs = bad.filter(Boolean);
    if (errs.length) problems.push(`frontier row ${i + 1} (combination ${c.combination}): ${errs.join('; ')}`);
    else agreed += 1;
  });
  if (agreed) checked.push(`${agreed} frontier rows of the page equal the CSV's frontier rows (terms exactly, figures to the rounding shown)`);
  if (printout !== null) {
    // The printed frontier: the lines after "The frontier:", cells split at two or more spaces.
    const lines = printout.split(/\r?\n/);
    const at = lines.findIndex((l) => l.startsWith('The frontier:'));
    if (at < 0) problems.push('the printout has no frontier');
    else {
      const printed = [];
      for (let i = at + 2; i < lines.length && /\S/.test(lines[i]) && lines[i].split(/\s{2,}/).filter(Boolean).length === axes.length + 4; i++) {
        printed.push(lines[i].trim().split(/\s{2,}/));
      }
      if (printed.length !== shown.length) problems.push(`the printout's frontier has ${printed.length} rows, the page's ${shown.length}`);
      let ok = 0;
      printed.forEach((p, i) => {
        const cells = shown[i];
        if (!cells) return;
        const n = axes.length, bad = [];
        axes.forEach((_, k) => { if (!close(parseTerm(p[k]), parseTerm(cells[k]))) bad.push(`term ${k + 1}: printed ${p[k]}, shown ${cells[k]}`); });
        const pair = (a, b, what) => {
          if (!a || !b) return `${what}: cannot read "${!a ? 'printed' : 'shown'}"`;
          return Math.abs(a.value - b.value) <= a.tol + b.tol ? null : `${what}: printed ${a.value}, shown ${b.value}`;
        };
        bad.push(pair(parseMoney(p[n]), parseMoney(cells[n]), 'spend'));
        bad.push(pair(parseMoney(p[n + 1]), parseMoney(cells[n + 1]), 'saving'));
        const pw = splitPartner(p[n + 2]), sw = splitPartner(cells[n + 2]);
        bad.push(pair(parsePercent(pw.text), parsePercent(sw.text), 'worst P(exhausted)'));
        if (pw.partner !== sw.partner) bad.push(`worst partner printed ${pw.partner}, shown ${sw.partner}`);
        if (p[n + 3] !== '-') {
          const pg = splitPartner(p[n + 3]), sg = splitPartner(cells[n + 3]);
          bad.push(pair(parseMoney(pg.text), parseMoney(sg.text), 'lowest expected gain'));
          if (pg.partner !== sg.partner) bad.push(`lowest-gain partner printed ${pg.partner}, shown ${sg.partner}`);
        }
        const errs = bad.filter(Boolean);
        if (errs.length) problems.push(`printed frontier row ${i + 1}: ${errs.join('; ')}`);
        else ok += 1;
      });
      if (ok) checked.push(`${ok} printed frontier rows equal the page's, to the rounding of each`);
    }
  }
  return { problems, checked };
}

/**
 * Runs in the page: checks the stress-tests section (#stress-body, from `mhsim stress --html`)
 * against window.MHSIM_DATA.stress: hidden when the document has none; else shown, with a
 * sentence per case (its description), the same-people sentence, the threshold in words, the
 * partners' table with one row per shown partner row and case, the commissioner's table, one
 * chart of P(painshare > reserves) per partner with stated reserves (a bar per case and the
 * threshold line) and one reserve-path chart per partner with a path (a line per case).
 * Returns {problems, checked, tables: {name: {head, rows}}}.
 */
function checkStress() {
  const problems = [], checked = [];
  const D = window.MHSIM_DATA && typeof window.MHSIM_DATA === 'object' ? window.MHSIM_DATA : {};
  const X = D.stress;
  const sec = document.getElementById('sec-stress');
  const box = document.getElementById('stress-body');
  if (!sec || !box) return { problems: ['no #sec-stress or #stress-body in the page (template.html lacks the section)'], checked, tables: {} };
  const shown = !sec.hidden && sec.getBoundingClientRect().height > 0;
  if (!X || typeof X !== 'object') {
    if (shown) problems.push('the stress-tests section is shown but the document has no stress tests');
    if (box.querySelector('.chart')) problems.push('a chart in the stress-tests section without stress tests');
    if (!problems.length) checked.push('no stress tests in the document; the section is hidden');
    return { problems, checked, tables: {} };
  }
  if (!shown) problems.push('the document has stress tests but their section is hidden');
  const arr = (v) => (Array.isArray(v) ? v : []);
  const cases = arr(X.cases), rows = arr(X.rows);
  const items = [...box.querySelectorAll('[data-stress="cases"] li')];
  if (items.length !== cases.length) problems.push(`the case list has ${items.length} items, expected ${cases.length}`);
  cases.forEach((c, i) => {
    const t = items[i] ? items[i].textContent : '';
    if (!t.startsWith(c.name + ':') || (i > 0 && c.description && !t.includes(c.description))) problems.push(`case ${c.name}: its sentence does not name it and say what it changes`);
  });
  const same = box.querySelector('[data-stress="same-people"]');
  if (!same || !/same people/.test(same.textContent) || !/common random numbers/.test(same.textContent) || !/held at the base case/.test(same.textContent)) {
    problems.push('no sentence saying every case runs on the same people with the targets held at the base case\u2019s');
  }
  const limit = 1 - X.risk_level;
  const thr = box.querySelector('[data-stress="threshold"]');
  const limitText = `${(limit * 100).toFixed(1)}%`;
  if (!thr || !thr.textContent.includes(limitText)) problems.push(`the threshold (${limitText}) is not stated in words`);
  if (!problems.length) checked.push(`${cases.length} cases described, the same people and the threshold ${limitText} in words`);
  const tables = {};
  for (const name of ['stress-partners', 'stress-commissioner']) {
    const t = box.querySelector(`table[data-table="${name}"]`);
    if (!t) continue;
    tables[name] = {
      head: [...t.querySelectorAll('thead th')].map((th) => th.textContent.trim()),
      rows: [...t.querySelectorAll('tbody tr:not(.group)')].map((tr) => [...tr.children].map((td) => td.textContent.trim())),
    };
  }
  const partnerRows = rows.filter((r) => r.shown && !r.commissioner).length;
  const spendRows = rows.filter((r) => r.shown && r.commissioner).length;
  const got = (n) => (tables[n] ? tables[n].rows.length : 0);
  if (got('stress-partners') !== partnerRows) problems.push(`the partners' table has ${got('stress-partners')} rows, expected ${partnerRows}`);
  if (got('stress-commissioner') !== spendRows) problems.push(`the commissioner's table has ${got('stress-commissioner')} rows, expected ${spendRows}`);
  // Threshold words on every partner row: never colour alone.
  if (tables['stress-partners']) {
    const col = tables['stress-partners'].head.indexOf('Against the threshold');
    const bad = tables['stress-partners'].rows.filter((r) => !/^(above|within) the .*threshold$|^no reserves stated$/.test(r[col] || '')).length;
    if (col < 0 || bad) problems.push('the partners\u2019 table does not say, row by row, whether the case is above or within the threshold');
  }
  const slug = (s) => String(s).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'x';
  const keys = [...new Set(rows.filter((r) => r.shown && !r.commissioner && typeof r.p_above_reserve === 'number').map((r) => `${r.arm}\u0000${r.partner}`))];
  let bars = 0;
  for (const k of keys) {
    const [arm, partner] = k.split('\u0000');
    const name = `stress-p-above-${slug(arm)}-${slug(partner)}`;
    const c = box.querySelector(`.chart[data-chart="${name}"]`);
    const want = rows.filter((r) => r.arm === arm && r.partner === partner && typeof r.p_above_reserve === 'number').length;
    if (!c) { problems.push(`no chart "${name}"`); continue; }
    const n = c.querySelectorAll('g.bars_marks > path').length;
    if (n !== want) problems.push(`chart "${name}" draws ${n} bars, expected one per case: ${want}`);
    if (c.querySelectorAll('g.threshold_marks > line, g.threshold_marks > path').length !== 1) problems.push(`chart "${name}" has no threshold line`);
    // vega-embed labels the container with the spec's description ("Vega visualization" without one).
    if (!/threshold/.test(c.getAttribute('aria-label') || '')) problems.push(`chart "${name}" has no accessible label (the spec's description) stating the threshold`);
    bars += n;
  }
  const paths = arr(X.reserve_paths);
  const pathKeys = [...new Set(paths.filter((r) => rows.some((x) => x.shown && x.arm === r.arm && x.partner === r.partner)).map((r) => `${r.arm}\u0000${r.partner}`))];
  for (const k of pathKeys) {
    const [arm, partner] = k.split('\u0000');
    const name = `stress-reserve-paths-${slug(arm)}-${slug(partner)}`;
    const c = box.querySelector(`.chart[data-chart="${name}"]`);
    const want = new Set(paths.filter((r) => r.arm === arm && r.partner === partner).map((r) => r.case)).size;
    if (!c) { problems.push(`no chart "${name}"`); continue; }
    const n = c.querySelectorAll('g.mark-line.role-mark > path').length;
    if (n !== want) problems.push(`chart "${name}" draws ${n} lines, expected one per case: ${want}`);
  }
  if (!problems.length) {
    checked.push(`tables: ${partnerRows} partner rows, ${spendRows} commissioner rows; ${keys.length} P(painshare > reserves) charts with ${bars} bars and the threshold; ${pathKeys.length} reserve-path charts`);
  }
  return { problems, checked, tables };
}

/**
 * Compares the page's stress tables with stress.csv (mhsim stress --out): the rows the
 * terminal shows (a commissioner, or a partner with a painshare or a binding cap in some case),
 * every figure equal to the CSV's within the rounding of the text shown.
 */
function compareStress(page, csvText) {
  const problems = [], checked = [];
  const csv = parseCsv(csvText);
  const num = (s) => (s === undefined || s === '' ? null : Number(s));
  const shownKeys = new Set(csv.filter((r) => r.commissioner === '1' || num(r.p_any_painshare) > 0 || num(r.p_cap_binds) > 0)
    .map((r) => `${r.arm}\u0000${r.partner}`));
  const want = (commissioner) => csv.filter((r) => shownKeys.has(`${r.arm}\u0000${r.partner}`) && (r.commissioner === '1') === commissioner);
  const find = (c, arm, partner) => csv.find((r) => r.case === c && r.arm === arm && r.partner === partner);
  const near = (shown, value, parse, what) => {
    if (value === null) return shown === '\u2014' || shown === 'not stated' ? null : `${what}: shown "${shown}", the CSV has none`;
    const p = parse(shown);
    if (!p) return `${what}: cannot read "${shown}"`;
    return Math.abs(p.value - value) <= p.tol ? null : `${what}: shown ${shown}, the CSV has ${value}`;
  };
  const compare = (name, commissioner, figures) => {
    const t = page.tables[name];
    const rows = want(commissioner);
    if (!t) { if (rows.length) problems.push(`no table ${name} for ${rows.length} CSV rows`); return; }
    if (t.rows.length !== rows.length) problems.push(`table ${name} has ${t.rows.length} rows, the CSV ${rows.length} shown rows`);
    const col = (label) => t.head.findIndex((h) => h.startsWith(label));
    let ok = 0;
    t.rows.forEach((cells) => {
      const caseCol = col('Case'), arm = cells[col('Arm')], partner = cells[commissioner ? col('Commissioner') : col('Partner')];
      const r = find(cells[caseCol], arm, partner);
      if (!r) { problems.push(`table ${name}: row ${cells.join(' | ')} is not in the CSV`); return; }
      const errs = figures.map(([label, get, parse]) => {
        const k = col(label);
        return k < 0 ? `no column "${label}"` : near(cells[k], get(r), parse, label);
      }).filter(Boolean);
      if (errs.length) problems.push(`table ${name}, ${r.case} ${arm} ${partner}: ${errs.join('; ')}`);
      else ok += 1;
    });
    if (ok) checked.push(`table ${name}: ${ok} rows equal stress.csv's (to the rounding shown)`);
  };
  const money = (t) => parseMoney(t.replace(/^\+/, ''));
  compare('stress-partners', false, [
    ['Reserves', (r) => num(r.reserve), money],
    ['P(painshare > reserves)', (r) => num(r.p_above_reserve), parsePercent],
    ['Painshare VaR', (r) => num(r.var), money],
    ['Painshare ES', (r) => num(r.es), money],
    ['P(reserves exhausted)', (r) => num(r.p_exhausted), parsePercent],
    ['Lowest reserve (mean)', (r) => num(r.lowest_reserve_mean), money],
  ]);
  const interval = (which) => (t) => { const parts = t.split(' and '); return parts.length === 2 ? money(parts[which]) : null; };
  compare('stress-commissioner', true, [
    ['Mean spend', (r) => num(r.mean_payment), money],
    ['90% of replications between', (r) => num(r.spend_q05), interval(0)],
    ['90% of replications between', (r) => num(r.spend_q95), interval(1)],
    ['Spend VaR', (r) => num(r.var), money],
    ['Change in mean from base', (r) => {
      const b = find('base', r.arm, r.partner);
      return r.case === 'base' || !b ? null : num(r.mean_payment) - num(b.mean_payment);
    }, money],
  ]);
  return { problems, checked };
}

const argv = process.argv.slice(2);
let file = null, screenshot = null, maxHeight = 0, timeoutS = 60, allowNoCharts = false;
let designCsv = null, designPrintout = null, stressCsv = null, runsCsv = null, expectThinned = null;
let chromiumPath = process.env.MHSIM_CHROMIUM || '/usr/bin/chromium';
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--screenshot') screenshot = argv[++i];
  else if (a === '--max-height') maxHeight = parseInt(argv[++i], 10);
  else if (a === '--timeout') timeoutS = parseFloat(argv[++i]);
  else if (a === '--chromium') chromiumPath = argv[++i];
  else if (a === '--allow-no-charts') allowNoCharts = true;
  else if (a === '--design-csv') designCsv = argv[++i];
  else if (a === '--design-printout') designPrintout = argv[++i];
  else if (a === '--stress-csv') stressCsv = argv[++i];
  else if (a === '--runs-csv') runsCsv = argv[++i];
  else if (a === '--expect-thinned') expectThinned = parseInt(argv[++i], 10);
  else if (a === '-h' || a === '--help') usage();
  else if (a.startsWith('--')) usage(`unknown option ${a}`);
  else if (file === null) file = a;
  else usage(`unexpected argument ${a}`);
}
if (!file) usage('no report given');
if (!existsSync(file)) usage(`no such file: ${file}`);
if (screenshot === undefined) usage('--screenshot needs a file name');
for (const f of [designCsv, designPrintout, stressCsv, runsCsv]) if (f !== null && (f === undefined || !existsSync(f))) usage(`no such file: ${f}`);
if (designPrintout !== null && designCsv === null) usage('--design-printout needs --design-csv');
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
    /**
     * Every chart's data marks (not text) against the plot area each lies in (the background of
     * its Vega group: the whole view or one facet cell): how many are drawn with a size, how
     * many fall outside their plot (an axis that does not cover the data), how many have NaN
     * or infinite coordinates, and how much of its plot the marks of the fullest cell cover
     * across and up (data squeezed into a corner: a mis-scaled axis).
     */
    function chartGeometry(svg) {
      const TOL = 2;  // px: strokes and rounding
      const g = { drawn: 0, outside: [], nan: 0, cover_x: 0, cover_y: 0 };
      const cells = new Map();
      for (const grp of svg.querySelectorAll('g.role-mark')) {
        if (grp.classList.contains('mark-text')) continue;
        const item = grp.parentElement && grp.parentElement.parentElement;
        const bg = item && item.querySelector(':scope > path.background');
        if (!bg) continue;
        const f = bg.getBoundingClientRect();
        if (!(f.width > 0 && f.height > 0)) continue;
        const kind = [...grp.classList].find((k) => k.startsWith('mark-')) || 'mark';
        for (const m of grp.children) {
          const attrs = (m.getAttribute('d') || '') + (m.getAttribute('transform') || '') + (m.getAttribute('x1') || '')
            + (m.getAttribute('x2') || '') + (m.getAttribute('y1') || '') + (m.getAttribute('y2') || '');
          if (/NaN|Infinity/.test(attrs)) { g.nan += 1; continue; }
          const r = m.getBoundingClientRect();
          if (r.width === 0 && r.height === 0) continue;
          g.drawn += 1;
          // A point is placed by its centre: one on the axis's edge may overhang by its radius.
          const pt = kind === 'mark-symbol';
          const cx = (r.left + r.right) / 2, cy = (r.top + r.bottom) / 2;
          if (pt ? (cx < f.left - TOL || cx > f.right + TOL || cy < f.top - TOL || cy > f.bottom + TOL)
            : (r.left < f.left - TOL || r.right > f.right + TOL || r.top < f.top - TOL || r.bottom > f.bottom + TOL)) {
            g.outside.push(`${kind} at x ${Math.round(r.left - f.left)}..${Math.round(r.right - f.left)}, y ${Math.round(r.top - f.top)}..${Math.round(r.bottom - f.top)}`
              + ` in a ${Math.round(f.width)}x${Math.round(f.height)} plot`);
          }
          const c = cells.get(bg) || { f, l: Infinity, r: -Infinity, t: Infinity, b: -Infinity };
          c.l = Math.min(c.l, r.left); c.r = Math.max(c.r, r.right); c.t = Math.min(c.t, r.top); c.b = Math.max(c.b, r.bottom);
          cells.set(bg, c);
        }
      }
      for (const c of cells.values()) {
        g.cover_x = Math.max(g.cover_x, (Math.min(c.r, c.f.right) - Math.max(c.l, c.f.left)) / c.f.width);
        g.cover_y = Math.max(g.cover_y, (Math.min(c.b, c.f.bottom) - Math.max(c.t, c.f.top)) / c.f.height);
      }
      return g;
    }
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
        label: c.getAttribute('aria-label') || '',
        rendered: c.dataset.rendered === 'true',
        svg: !!svg,
        width: svg ? Number(svg.getAttribute('width')) : 0,
        height: svg ? Number(svg.getAttribute('height')) : 0,
        boxW: r ? r.width : 0, boxH: r ? r.height : 0,
        marks,
        markTypes: svg ? [...new Set([...svg.querySelectorAll('g.role-mark')].map((g) => [...g.classList].find((k) => k.startsWith('mark-'))))] : [],
        geometry: svg ? chartGeometry(svg) : null,
      });
    });
    return out;
  });

  result.errors.forEach(fail);
  // Every chart keeps its own accessible label (vega-embed would put "Vega visualization").
  result.charts.forEach((c) => {
    if (!c.label || /^vega visualization$/i.test(c.label)) fail(`chart "${c.name}" has no accessible label of its own (got "${c.label}")`);
  });
  const voi = await page.evaluate(checkVoi);
  voi.problems.forEach((m) => fail(`value of information: ${m}`));
  const reserves = await page.evaluate(checkReserves);
  reserves.problems.forEach((m) => fail(`reserves: ${m}`));
  const behaviour = await page.evaluate(checkBehaviour);
  behaviour.problems.forEach((m) => fail(`behaviour: ${m}`));
  const runs = await page.evaluate(checkRuns);
  runs.problems.forEach((m) => fail(`side by side: ${m}`));
  if (runsCsv !== null) {
    const cmp = compareRuns(runs, readFileSync(runsCsv, 'utf8'));
    cmp.problems.forEach((m) => fail(`side by side against side_by_side.csv: ${m}`));
    runs.checked.push(...cmp.checked);
  }
  const thinned = await page.evaluate(checkThinned, expectThinned);
  thinned.problems.forEach((m) => fail(`thinned charts: ${m}`));
  const limits = await page.evaluate(checkLimits);
  limits.problems.forEach((m) => fail(`limits: ${m}`));
  const overTime = await page.evaluate(checkOverTime);
  overTime.problems.forEach((m) => fail(`over time: ${m}`));
  const design = await page.evaluate(checkDesign);
  design.problems.forEach((m) => fail(`designing terms: ${m}`));
  if (designCsv !== null) {
    const cmp = compareDesign(design, readFileSync(designCsv, 'utf8'), designPrintout === null ? null : readFileSync(designPrintout, 'utf8'));
    cmp.problems.forEach((m) => fail(`designing terms against mhsim design's output: ${m}`));
    design.checked.push(...cmp.checked);
  }
  const stress = await page.evaluate(checkStress);
  stress.problems.forEach((m) => fail(`stress tests: ${m}`));
  if (stressCsv !== null) {
    const cmp = compareStress(stress, readFileSync(stressCsv, 'utf8'));
    cmp.problems.forEach((m) => fail(`stress tests against stress.csv: ${m}`));
    stress.checked.push(...cmp.checked);
  }
  if (ready && result.charts.length === 0 && !allowNoCharts) fail('no .chart element in the page (--allow-no-charts if the data really has none)');
  for (const c of result.charts) {
    const problems = [];
    if (!c.rendered) problems.push('not data-rendered="true"');
    if (!c.svg) problems.push('no <svg>');
    else {
      if (!(c.width > 0 && c.height > 0)) problems.push(`svg size ${c.width}x${c.height}`);
      if (!(c.boxW > 0 && c.boxH > 0)) problems.push(`svg box ${c.boxW}x${c.boxH} on the page`);
      if (c.marks < 1) problems.push('no drawn marks');
      const g = c.geometry;
      if (g) {
        if (g.drawn < 1) problems.push('empty: no data mark with a size');
        if (g.nan) problems.push(`${g.nan} mark(s) with NaN or infinite coordinates`);
        if (g.outside.length) problems.push(`${g.outside.length} mark(s) outside the plot area (the axis does not cover the data), e.g. ${g.outside[0]}`);
        if (g.drawn >= 1 && g.cover_x < 0.25 && g.cover_y < 0.25) {
          problems.push(`mis-scaled: the marks cover only ${Math.round(g.cover_x * 100)}% of the plot across and ${Math.round(g.cover_y * 100)}% up`);
        }
      }
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
    const g = c.geometry;
    console.log(`  ${c.rendered && c.marks ? 'ok  ' : 'FAIL'} ${c.name} ${Math.round(c.width)}x${Math.round(c.height)} marks=${c.marks} [${c.markTypes.join(' ')}]`
      + (g ? ` drawn=${g.drawn} outside=${g.outside.length} cover=${Math.round(g.cover_x * 100)}%x${Math.round(g.cover_y * 100)}%` : ''));
  }
  for (const line of voi.checked) console.log(`  voi  ${line}`);
  for (const line of reserves.checked) console.log(`  reserves  ${line}`);
  for (const line of behaviour.checked) console.log(`  behaviour  ${line}`);
  for (const line of runs.checked) console.log(`  runs  ${line}`);
  for (const line of thinned.checked) console.log(`  thinned  ${line}`);
  for (const line of limits.checked) console.log(`  limits  ${line}`);
  for (const line of overTime.checked) console.log(`  over time  ${line}`);
  for (const line of design.checked) console.log(`  design  ${line}`);
  for (const line of stress.checked) console.log(`  stress  ${line}`);
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
