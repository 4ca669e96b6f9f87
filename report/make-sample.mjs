#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Writes a synthetic analysis document (schema "mhsim-analysis/1", the JSON that
// `mhsim report` embeds in the HTML report) so the front-end can be built and tested
// without the C++ side. The numbers are plausible, not a model run: a seeded PRNG draws
// per-replication costs and effects with common random numbers, and the summaries,
// differences, ICER, NMB, CEAC, EVPI, risk metrics and tornado are computed from those
// draws the same way the analysis defines them (type-7 quantiles, Student-t CIs); EVPPI, its
// convergence and the risk attribution by a simplified regression method (polynomials, see
// "value of information" below), for the six inputs and two groups of them.
// Same arguments => byte-identical output.
//
//   node make-sample.mjs [--out sample-data.json] [--reps 200] [--seed 20240917]
//                        [--arms block,living_well] [--no-payouts] [--no-tornado]
//                        [--no-psa] [--no-kra] [--no-spend] [--description text]
//
//   --arms block                  a single arm (no comparisons: differences, ICER, NMB,
//                                 CEAC and EVPI come out empty)
//   --no-payouts                  no contracts: no partners, payouts, risk rows or spend
//   --no-tornado                  no tornado
//   --no-psa                      no uncertain parameters: no tornado, PSA table, EVPPI,
//                                 EVPPI convergence or risk attribution
//   --no-kra                      no key result areas
//   --design                      a `design` object, as `mhsim design --html` adds: a grid of
//                                 5 shares x 10 pain caps of the alliance, with made-up figures
//                                 (the frontier by its definition: feasible rows no feasible
//                                 row beats on both spend and risk)

import { writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';

// ---- arguments ----------------------------------------------------------------------------
const args = process.argv.slice(2);
const opt = { out: 'sample-data.json', reps: 200, seed: 20240917, arms: 'block,living_well',
  payouts: true, tornado: true, psa: true, kra: true, spend: true, design: false,
  description: 'Adult community mental health in one ICB place: the current block contract against the '
    + '"Living Well" alliance (capitation with a risk corridor and an outcomes withhold). Synthetic sample '
    + 'data for the report front-end, not a model run.' };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--out') opt.out = args[++i];
  else if (a === '--reps') opt.reps = parseInt(args[++i], 10);
  else if (a === '--seed') opt.seed = parseInt(args[++i], 10);
  else if (a === '--arms') opt.arms = args[++i];
  else if (a === '--no-payouts') { opt.payouts = false; opt.spend = false; }
  else if (a === '--no-tornado') opt.tornado = false;
  else if (a === '--no-psa') { opt.psa = false; opt.tornado = false; }
  else if (a === '--no-kra') opt.kra = false;
  else if (a === '--no-spend') opt.spend = false;
  else if (a === '--design') opt.design = true;
  else if (a === '--description') opt.description = args[++i];
  else { console.error(`make-sample: unknown argument ${a}`); process.exit(2); }
}
if (!(opt.reps >= 2)) { console.error('make-sample: --reps must be at least 2'); process.exit(2); }
const arms = opt.arms.split(',').map((s) => s.trim()).filter(Boolean);
const R = opt.reps;

// ---- seeded PRNG (mulberry32) and distributions -----------------------------------------
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(opt.seed);
let spare = null;
function normal() {
  if (spare !== null) { const s = spare; spare = null; return s; }
  let u = 0;
  while (u === 0) u = rand();
  const v = rand();
  const r = Math.sqrt(-2 * Math.log(u));
  spare = r * Math.sin(2 * Math.PI * v);
  return r * Math.cos(2 * Math.PI * v);
}

// ---- statistics (as the analysis defines them) -------------------------------------------
const mean = (x) => x.reduce((s, v) => s + v, 0) / x.length;
function sd(x) {
  const m = mean(x);
  return Math.sqrt(x.reduce((s, v) => s + (v - m) * (v - m), 0) / (x.length - 1));
}
function quantile(x, p) {  // type 7
  const s = [...x].sort((a, b) => a - b);
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  return lo + 1 < s.length ? s[lo] + (h - lo) * (s[lo + 1] - s[lo]) : s[lo];
}
function tCrit(df) {  // two-sided 95%; Cornish-Fisher expansion, good to ~1e-4 for df >= 3
  const z = 1.959963984540054;
  const g1 = (z ** 3 + z) / 4;
  const g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96;
  const g3 = (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3;
}
const round = (v, d = 6) => (v === null ? null : Number(v.toFixed(d)));
function summary(x) {
  const n = x.length, m = mean(x), s = sd(x), se = s / Math.sqrt(n), t = tCrit(n - 1);
  return { n, mean: m, sd: s, se, ci_low: m - t * se, ci_high: m + t * se,
    q05: quantile(x, 0.05), q25: quantile(x, 0.25), q50: quantile(x, 0.5),
    q75: quantile(x, 0.75), q95: quantile(x, 0.95) };
}
const roundAll = (o, d = 6) => Object.fromEntries(Object.entries(o).map(([k, v]) =>
  [k, typeof v === 'number' && !Number.isInteger(v) ? round(v, d) : v]));

// ---- uncertain parameters (PSA draws, one set per replication) ---------------------------
const params = [
  { name: 'Referrals per 1,000 adults a year', key: 'demand.referral_rate', distribution: 'lognormal',
    base: 24, sd: 3, source: 'NHS Talking Therapies annual report 2023-24' },
  { name: 'Cost of a talking-therapy session (£)', key: 'costs.session', distribution: 'gamma',
    base: 112, sd: 14, source: 'NHS National Cost Collection 2022-23' },
  { name: 'Recovery probability at step 2', key: 'pathway.step2.recovery', distribution: 'beta',
    base: 0.48, sd: 0.04, source: 'Local audit, 2019-2023' },
  { name: 'Utility gain on recovery', key: 'utilities.recovered', distribution: 'beta',
    base: 0.12, sd: 0.025, source: 'Published EQ-5D mapping study' },
  { name: 'Crisis admission cost (£)', key: 'costs.crisis_admission', distribution: 'gamma',
    base: 6200, sd: 900, source: 'PSSRU Unit Costs 2023' },
  { name: 'Peer-support uptake', key: 'living_well.peer_uptake', distribution: 'beta',
    base: 0.35, sd: 0.06, source: 'Expert elicitation (SHELF), 2024' },
];
const P = params.length;
// Standardised draws z[p][r]; the parameter value is base + sd * z (close enough for a sample).
const z = params.map(() => Array.from({ length: R }, () => normal()));
const pval = (p, r) => params[p].base + params[p].sd * z[p][r];

// ---- per-replication outcomes --------------------------------------------------------------
// Arm effects relative to the block contract (index 0).
const armShift = {
  block: { cost: 0, qalys: 0, wemwbs: 0, spend: 0 },
  living_well: { cost: 1.45e6, qalys: 118, wemwbs: 2.1, spend: 1.2e6 },
  stepped_care: { cost: 0.55e6, qalys: 52, wemwbs: 0.9, spend: 0.4e6 },
};
const shiftFor = (arm, i) => armShift[arm] ?? { cost: 0.8e6 * i, qalys: 70 * i, wemwbs: 1.2 * i, spend: 0.6e6 * i };

const cost = arms.map(() => []), qalys = arms.map(() => []), wemwbs = arms.map(() => []);
const spend = arms.map(() => []), crisis = arms.map(() => []);
for (let r = 0; r < R; r++) {
  const common = normal(), commonE = normal();
  arms.forEach((arm, a) => {
    const s = shiftFor(arm, a);
    const lw = a > 0 ? 1 : 0;
    const c = 40.2e6 + s.cost + 0.9e6 * z[0][r] + 0.7e6 * z[1][r] + 0.35e6 * z[4][r] + 0.55e6 * common
      + lw * (0.45e6 * z[0][r] - 0.3e6 * z[2][r] + 0.35e6 * z[5][r]) + (0.25e6 + 0.2e6 * lw) * normal();
    const q = 11820 + s.qalys + 140 * z[2][r] + 170 * z[3][r] + 45 * commonE
      + lw * (28 * z[2][r] + 40 * z[3][r] + 30 * z[5][r]) + (18 + 12 * lw) * normal();
    const w = 3.4 + s.wemwbs + 0.35 * z[2][r] + 0.2 * commonE + lw * 0.25 * z[5][r] + 0.15 * normal();
    const adm = Math.max(0, Math.round(410 - 40 * lw + 25 * z[0][r] - 15 * z[2][r] + 12 * normal()));
    const sp = 38.0e6 + s.spend + 0.25e6 * z[0][r] + lw * (0.45e6 * common + 0.3e6 * normal()) + 0.05e6 * normal();
    cost[a].push(c); qalys[a].push(q); wemwbs[a].push(w); crisis[a].push(adm); spend[a].push(sp);
  });
}

const settings = {
  discount_rate: 0.035, discount_timing: 'year_start', horizon_years: 5,
  willingness_to_pay: [20000, 30000], effect: 'qalys', effect_label: 'QALYs',
  cost_basis: 'ledger', base_arm: arms[0], risk_level: 0.95,
  // Value of information: the decision informs 3 commissioning decisions a year for 5 years,
  // discounted like everything else (year start: the first year is not discounted).
  voi_decisions_per_year: 3, voi_years: 5,
};
settings.voi_population_factor = round(Array.from({ length: settings.voi_years },
  (_, t) => settings.voi_decisions_per_year / (1 + settings.discount_rate) ** t).reduce((s, v) => s + v, 0));
const partners = opt.payouts ? ['mh_trust', 'vcse_alliance', 'gp_federation'] : [];

const metricDefs = [
  { metric: 'cost', label: 'Cost (discounted)', unit: '£', data: cost },
  { metric: 'qalys', label: 'QALYs (discounted)', unit: 'QALYs', data: qalys },
  { metric: 'wemwbs_points', label: 'WEMWBS gain per person treated', unit: 'points', data: wemwbs },
  { metric: 'crisis_admissions', label: 'Crisis admissions', unit: 'admissions', data: crisis },
];
if (opt.spend) metricDefs.push({ metric: 'commissioner_spend', label: 'Commissioner spend', unit: '£', data: spend });

const metrics = [];
for (const m of metricDefs) {
  arms.forEach((arm, a) => metrics.push({ metric: m.metric, label: m.label, unit: m.unit, arm, ...roundAll(summary(m.data[a])) }));
}

const differences = [];
function paired(x, y) {  // y - x
  const d = y.map((v, i) => v - x[i]);
  const s = summary(d);
  return { n: s.n, mean: s.mean, se: s.se, ci_low: s.ci_low, ci_high: s.ci_high,
    prob_lower: d.filter((v) => v < 0).length / d.length, prob_higher: d.filter((v) => v > 0).length / d.length };
}
for (let a = 1; a < arms.length; a++) {
  for (const m of metricDefs) {
    differences.push({ metric: m.metric, label: m.label, unit: m.unit, arm: arms[a], base_arm: arms[0],
      ...roundAll(paired(m.data[0], m.data[a])) });
  }
}

const samples = [], paired_samples = [];
for (let r = 0; r < R; r++) {
  arms.forEach((arm, a) => samples.push({ replication: r, arm, cost: round(cost[a][r], 2), effect: round(qalys[a][r], 4),
    commissioner_spend: opt.spend ? round(spend[a][r], 2) : null }));
  for (let a = 1; a < arms.length; a++) {
    paired_samples.push({ replication: r, arm: arms[a], base_arm: arms[0],
      delta_cost: round(cost[a][r] - cost[0][r], 2), delta_effect: round(qalys[a][r] - qalys[0][r], 4) });
  }
}

const icer = [];
for (let a = 1; a < arms.length; a++) {
  const dc = mean(cost[a]) - mean(cost[0]), de = mean(qalys[a]) - mean(qalys[0]);
  let kind, ratio = null;
  if (dc === 0 && de === 0) kind = 'identical';
  else if (dc <= 0 && de >= 0) kind = 'dominates';
  else if (dc >= 0 && de <= 0) kind = 'dominated';
  else { kind = dc > 0 ? 'north_east' : 'south_west'; ratio = dc / de; }
  icer.push({ arm: arms[a], base_arm: arms[0], delta_cost: round(dc, 2), delta_effect: round(de, 4), kind, ratio: round(ratio, 2) });
}

const nmb = [];
for (let a = 1; a < arms.length; a++) {
  for (const w of settings.willingness_to_pay) {
    const d = cost[a].map((_, r) => (w * qalys[a][r] - cost[a][r]) - (w * qalys[0][r] - cost[0][r]));
    const s = summary(d);
    nmb.push({ arm: arms[a], base_arm: arms[0], wtp: w, incremental_nmb: round(s.mean, 2), ci_low: round(s.ci_low, 2),
      ci_high: round(s.ci_high, 2), prob_positive: round(d.filter((v) => v > 0).length / R) });
  }
}

const ceac = [], evpi = [];
if (arms.length > 1) {
  for (let i = 0; i <= 50; i++) {
    const w = i * 2000;
    const wins = arms.map(() => 0);
    let sumMax = 0;
    const sums = arms.map(() => 0);
    for (let r = 0; r < R; r++) {
      let best = 0, bestV = -Infinity;
      arms.forEach((_, a) => {
        const v = w * qalys[a][r] - cost[a][r];
        sums[a] += v;
        if (v > bestV) { bestV = v; best = a; }
      });
      wins[best]++;
      sumMax += bestV;
    }
    arms.forEach((arm, a) => ceac.push({ wtp: w, arm, probability: round(wins[a] / R) }));
    evpi.push({ wtp: w, evpi: round(sumMax / R - Math.max(...sums) / R, 2) });
  }
}

// ---- contracts: partners' gain/pain over the horizon ------------------------------------
// gain_pain > 0: the partner receives a gainshare; < 0: it pays a painshare (capped).
const contract = {  // per arm: share of the over/underspend, cap (null = no cap), reserve
  mh_trust: { share: [0.45, 0.5, 0.4], cap: [400e3, 650e3, 500e3], reserve: 300e3, payment: 22.4e6 },
  vcse_alliance: { share: [0.0, 0.2, 0.15], cap: [null, null, 150e3], reserve: 120e3, payment: 5.1e6 },
  gp_federation: { share: [0.2, 0.3, 0.25], cap: [null, 250e3, 200e3], reserve: null, payment: 10.5e6 },
};
const payout_samples = [], risk = [];
const payoutSeries = [];  // {arm, partner, gp, reserve}: for the risk attribution
if (opt.payouts) {
  arms.forEach((arm, a) => {
    const k = Math.min(a, 2);
    for (const p of partners) {
      const c = contract[p];
      const gp = [], margin = [], binds = [];
      const meanCost = mean(cost[a]);
      for (let r = 0; r < R; r++) {
        const overspend = (cost[a][r] - meanCost) * 0.8 - 0.15e6 + 0.35e6 * normal();
        let g = -c.share[k] * overspend;
        let bound = false;
        if (c.cap[k] !== null && g < -c.cap[k]) { g = -c.cap[k]; bound = true; }
        const m = 0.012 * c.payment + g + 0.08e6 * normal();
        gp.push(g); margin.push(m); binds.push(bound);
        payout_samples.push({ replication: r, arm, partner: p, gain_pain: round(g, 2), margin: round(m, 2) });
      }
      payoutSeries.push({ arm, partner: p, gp, reserve: c.reserve });
      const loss = gp.map((g) => Math.max(0, -g));
      const varv = quantile(loss, settings.risk_level);
      const tail = loss.filter((v) => v >= varv);
      risk.push({ arm, partner: p, mean_payment: round(c.payment + (a > 0 ? 0.3e6 : 0) + mean(gp), 2),
        mean_margin: round(mean(margin), 2), mean_painshare: round(mean(loss), 2), var: round(varv, 2),
        es: round(mean(tail), 2), reserve: c.reserve,
        p_above_reserve: c.reserve === null ? null : round(loss.filter((v) => v > c.reserve).length / R),
        p_any_painshare: round(loss.filter((v) => v > 0).length / R),
        p_cap_binds: c.cap[k] === null ? null : round(binds.filter(Boolean).length / R), cap: c.cap[k] });
    }
    // The commissioner: its loss is its spend; its "reserve" is the budget over the horizon.
    const budget = 5 * 7.9e6;
    const varv = quantile(spend[a], settings.risk_level);
    risk.push({ arm, partner: 'commissioner', mean_payment: round(mean(spend[a]), 2), mean_margin: null,
      mean_painshare: round(mean(spend[a]), 2), var: round(varv, 2),
      es: round(mean(spend[a].filter((v) => v >= varv)), 2), reserve: budget,
      p_above_reserve: round(spend[a].filter((v) => v > budget).length / R), p_any_painshare: 1,
      p_cap_binds: null, cap: null });
  });
}

// ---- key result areas -------------------------------------------------------------------
const kra_bands = [];
if (opt.kra) {
  const bands = ['failure', 'poor', 'minimum', 'stretch', 'game_breaking'];
  const kras = ['Access within 6 weeks', 'Recovery rate', 'Crisis avoided', 'Patient experience'];
  arms.forEach((arm, a) => kras.forEach((kra, j) => {
    const w = bands.map((_, b) => Math.exp(-0.5 * ((b - (1.6 + 0.7 * a + 0.3 * j + 0.2 * rand())) / 1.1) ** 2));
    const tot = w.reduce((s, v) => s + v, 0);
    let acc = 0;
    bands.forEach((band, b) => {
      const share = b < bands.length - 1 ? round(w[b] / tot, 4) : round(1 - acc, 4);
      acc += share;
      kra_bands.push({ arm, kra, band, share });
    });
  }));
}

// ---- PSA table and tornado (linear metamodel, as the analysis does) --------------------
const psa = opt.psa ? params.map((p, j) => ({ name: p.name, key: p.key, distribution: p.distribution, base: p.base,
  mean: round(p.base + 0.01 * p.sd, 6), sd: p.sd, q05: round(p.base - 1.6449 * p.sd, 6),
  q95: round(p.base + 1.6449 * p.sd, 6), source: p.source })) : [];

function ols(X, y) {  // y = b0 + sum b_j (x_j - mean_j); returns {b0, b, means}
  const k = X.length, n = y.length;
  const means = X.map(mean);
  const A = Array.from({ length: k + 1 }, () => new Array(k + 2).fill(0));
  for (let r = 0; r < n; r++) {
    const row = [1, ...X.map((x, j) => x[r] - means[j])];
    for (let i = 0; i <= k; i++) {
      for (let j = 0; j <= k; j++) A[i][j] += row[i] * row[j];
      A[i][k + 1] += row[i] * y[r];
    }
  }
  for (let c = 0; c <= k; c++) {  // Gauss-Jordan with partial pivoting
    let piv = c;
    for (let i = c + 1; i <= k; i++) if (Math.abs(A[i][c]) > Math.abs(A[piv][c])) piv = i;
    [A[c], A[piv]] = [A[piv], A[c]];
    for (let i = 0; i <= k; i++) {
      if (i === c) continue;
      const f = A[i][c] / A[c][c];
      for (let j = c; j <= k + 1; j++) A[i][j] -= f * A[c][j];
    }
  }
  const coef = A.map((row, i) => row[k + 1] / row[i]);
  return { b0: coef[0], b: coef.slice(1), means };
}
const tornado = [];
if (opt.tornado && arms.length > 1) {
  const X = params.map((_, j) => Array.from({ length: R }, (_, r) => pval(j, r)));
  const outputs = [];
  for (let a = 1; a < arms.length; a++) {
    const sfx = arms.length > 2 ? `:${arms[a]}` : '';
    const lbl = arms.length > 2 ? ` (${arms[a]} vs ${arms[0]})` : '';
    outputs.push({ output: `incremental_cost${sfx}`, output_label: `Incremental cost (£)${lbl}`, y: cost[a].map((v, r) => v - cost[0][r]) });
    outputs.push({ output: `incremental_qalys${sfx}`, output_label: `Incremental QALYs${lbl}`, y: qalys[a].map((v, r) => v - qalys[0][r]) });
    outputs.push({ output: `incremental_nmb${sfx}`, output_label: `Incremental NMB at £20,000/QALY (£)${lbl}`,
      y: qalys[a].map((v, r) => 20000 * (v - qalys[0][r]) - (cost[a][r] - cost[0][r])) });
  }
  for (const o of outputs) {
    const fit = ols(X, o.y);
    params.forEach((p, j) => {
      const lo = p.base - 1.6449 * p.sd, hi = p.base + 1.6449 * p.sd;
      tornado.push({ output: o.output, output_label: o.output_label, parameter: p.name, key: p.key,
        low_value: round(lo), high_value: round(hi), base_output: round(fit.b0, 4),
        output_at_low: round(fit.b0 + fit.b[j] * (lo - fit.means[j]), 4),
        output_at_high: round(fit.b0 + fit.b[j] * (hi - fit.means[j]), 4) });
    });
  }
}

// ---- convergence and replications needed --------------------------------------------------
const convergence = [], replications_needed = [];
const convSeries = [];
if (arms.length > 1) {
  convSeries.push({ metric: 'incremental_cost', label: `Incremental cost, ${arms[1]} vs ${arms[0]} (£)`, y: cost[1].map((v, r) => v - cost[0][r]), hw: 100e3 });
  convSeries.push({ metric: 'incremental_qalys', label: `Incremental QALYs, ${arms[1]} vs ${arms[0]}`, y: qalys[1].map((v, r) => v - qalys[0][r]), hw: 5 });
  convSeries.push({ metric: 'incremental_nmb', label: `Incremental NMB at £20,000/QALY, ${arms[1]} vs ${arms[0]} (£)`,
    y: qalys[1].map((v, r) => 20000 * (v - qalys[0][r]) - (cost[1][r] - cost[0][r])), hw: 150e3 });
}
convSeries.push({ metric: 'cost', label: `Cost, ${arms[0]} (£)`, y: cost[0], hw: 100e3 });
convSeries.push({ metric: 'qalys', label: `QALYs, ${arms[0]}`, y: qalys[0], hw: 10 });
const step = Math.max(1, Math.ceil(R / 100));
for (const s of convSeries) {
  let sum = 0, sum2 = 0;
  for (let n = 1; n <= R; n++) {
    const v = s.y[n - 1];
    sum += v; sum2 += v * v;
    if (n >= 2 && (n % step === 0 || n === R)) {
      const m = sum / n;
      const var_ = Math.max(0, (sum2 - n * m * m) / (n - 1));
      convergence.push({ metric: s.metric, label: s.label, n, mean: round(m, 4), se: round(Math.sqrt(var_ / n), 4) });
    }
  }
  const s_ = sd(s.y);
  replications_needed.push({ metric: s.metric, half_width: s.hw, sd: round(s_, 4),
    needed: Math.ceil((1.96 * s_ / s.hw) ** 2), have: R });
}

// ---- value of information: EVPPI, its convergence, risk attribution ----------------------
// The analysis's regression method, simplified: E[y | input] is a cubic polynomial of one input
// ("gam") or a quadratic surface in a group's inputs ("gp"), fitted by least squares. EVPPI is
// the mean over replications of (best fitted INB) - (fitted INB of the arm best on average); its
// SE is that of this mean (a stand-in for the analysis's posterior draws). Shares of variance
// are adjusted R-squared, clipped to [0, 1] (first-order: each input or group alone).
const voiGroups = [
  { name: 'unit_costs', description: 'Unit costs of a talking-therapy session and of a crisis admission (National Cost Collection, PSSRU)', members: [1, 4] },
  { name: 'recovery_and_its_value', description: 'Whether people recover at step 2 and the utility gain when they do', members: [2, 3] },
];
const voiInputs = opt.psa ? [
  ...params.map((p, j) => ({ name: p.name, kind: 'parameter', parameters: [p.name], description: '', method: 'gam', members: [j] })),
  ...voiGroups.map((g) => ({ name: g.name, kind: 'group', parameters: g.members.map((j) => params[j].name),
    description: g.description, method: 'gp', members: g.members })),
] : [];
function voiFeatures(members, n) {
  const xs = members.map((j) => z[j].slice(0, n));
  if (xs.length === 1) return [xs[0], xs[0].map((v) => v * v), xs[0].map((v) => v * v * v)];
  const f = [...xs, ...xs.map((x) => x.map((v) => v * v))];
  for (let i = 0; i < xs.length; i++) for (let j = i + 1; j < xs.length; j++) f.push(xs[i].map((v, r) => v * xs[j][r]));
  return f;
}
function fittedValues(X, y) {
  const fit = ols(X, y);
  return y.map((_, r) => X.reduce((s, x, j) => s + fit.b[j] * (x[r] - fit.means[j]), fit.b0));
}
function firstOrderShare(X, y) {
  const n = y.length, k = X.length, m = mean(y);
  const sst = y.reduce((s, v) => s + (v - m) ** 2, 0);
  if (!(sst > 0) || n <= k + 1) return 0;
  const g = fittedValues(X, y);
  const sse = y.reduce((s, v, r) => s + (v - g[r]) ** 2, 0);
  return Math.min(1, Math.max(0, 1 - (sse / (n - k - 1)) / (sst / (n - 1))));
}
/** Incremental net benefit of arm a over the base arm at w, first n replications. */
const incNb = (w, a, n) => Array.from({ length: n }, (_, r) => w * (qalys[a][r] - qalys[0][r]) - (cost[a][r] - cost[0][r]));
/** Value of knowing the g's: gs holds one INB series (fitted or not) per non-base arm. */
function voiValue(gs) {
  const n = gs[0].length;
  const means = gs.map(mean);
  const b = means.reduce((bi, v, i) => (v > (bi < 0 ? 0 : means[bi]) ? i : bi), -1);  // -1: the base arm
  const regret = Array.from({ length: n }, (_, r) => Math.max(0, ...gs.map((g) => g[r])) - (b < 0 ? 0 : gs[b][r]));
  return { value: Math.max(0, mean(regret)), se: n > 1 ? sd(regret) / Math.sqrt(n) : 0 };
}
const evppi = [], evppi_convergence = [], risk_attribution = [];
if (voiInputs.length && arms.length > 1) {
  for (const w of settings.willingness_to_pay) {
    const ys = arms.slice(1).map((_, i) => incNb(w, i + 1, R));
    const evpiW = voiValue(ys).value;
    // The decisive difference: between the two arms with the highest mean net benefit.
    const order = arms.map((_, a) => ({ a, m: a === 0 ? 0 : mean(ys[a - 1]) })).sort((x, y) => y.m - x.m);
    const nbOf = (a) => (a === 0 ? new Array(R).fill(0) : ys[a - 1]);
    const decisive = nbOf(order[0].a).map((v, r) => v - nbOf(order[1].a)[r]);
    const rows = voiInputs.map((inp) => {
      const X = voiFeatures(inp.members, R);
      const v = voiValue(ys.map((y) => fittedValues(X, y)));
      return { name: inp.name, kind: inp.kind, parameters: inp.parameters, description: inp.description, method: inp.method,
        wtp: w, evppi: v.value, se: v.se, evpi: evpiW, population_evppi: v.value * settings.voi_population_factor,
        inmb_share: firstOrderShare(X, decisive) };
    });
    rows.sort((x, y) => y.evppi - x.evppi || y.inmb_share - x.inmb_share);
    for (const r of rows) {
      evppi.push({ ...r, evppi: round(r.evppi, 2), se: round(r.se, 2), evpi: round(r.evpi, 2),
        population_evppi: round(r.population_evppi, 2), inmb_share: round(r.inmb_share) });
    }
  }
  // Convergence at the first willingness to pay: from the first R/8, R/4, ... R replications.
  const w0 = settings.willingness_to_pay[0];
  for (let k = 1; k <= 8; k++) {
    const n = Math.round((R * k) / 8);
    if (n < 12) continue;
    const ys = arms.slice(1).map((_, i) => incNb(w0, i + 1, n));
    for (const inp of voiInputs) {
      const X = voiFeatures(inp.members, n);
      const v = voiValue(ys.map((y) => fittedValues(X, y)));
      evppi_convergence.push({ name: inp.name, n, evppi: round(v.value, 2), se: round(v.se, 2) });
    }
  }
}
if (voiInputs.length) {
  // What drives each partner's gain/pain over the horizon, and whether its painshare exceeds its reserves.
  for (const s of payoutSeries) {
    const outputs = [];
    if (sd(s.gp) > 0) outputs.push(['gain_pain', s.gp]);
    if (s.reserve !== null) {
      const above = s.gp.map((g) => (-g > s.reserve ? 1 : 0));
      const p = mean(above);
      if (p > 0 && p < 1) outputs.push(['painshare_above_reserve', above]);
    }
    for (const [output, y] of outputs) {
      const rows = voiInputs.map((inp) => ({ arm: s.arm, partner: s.partner, output, name: inp.name, kind: inp.kind,
        share: firstOrderShare(voiFeatures(inp.members, R), y) }));
      rows.sort((x, y2) => y2.share - x.share);
      rows.forEach((r) => risk_attribution.push({ ...r, share: round(r.share) }));
    }
  }
}

// ---- assemble ------------------------------------------------------------------------------
const scenarioText = `# synthetic sample scenario, seed ${opt.seed}, arms ${arms.join(',')}\n`;
const doc = {
  schema: 'mhsim-analysis/1',
  meta: {
    scenario_name: 'default',
    scenario_description: opt.description,
    scenario_file: 'scenarios/default.toml',
    scenario_sha256: createHash('sha256').update(scenarioText).digest('hex'),
    seed: opt.seed, replications: R, years: 5,
    mhsim_version: 'v0.9.0-41-gc4ba171', created_utc: '2025-06-02T09:14:07Z',
    results_file: 'results/default.h5', analysed_utc: '2025-06-02T09:20:51Z',
  },
  settings, arms, partners, metrics, differences, samples, paired_samples, icer, nmb, risk,
  payout_samples, kra_bands, ceac, evpi, tornado, psa, convergence, evppi, evppi_convergence, risk_attribution,
  replications_needed,
};
if (opt.design) {
  // Saving rises with the pain cap and falls with the providers' share; so does the trust's
  // risk, in steps of 1/R; the charity's expected gain falls with the cap.
  const C = { max_p_exhausted: 0.1, min_expected_gain: 0, budget_per_year: 4.1e7, budget_over_horizon: 4.1e7 * 5 };
  const shares = [0.3, 0.4, 0.5, 0.6, 0.7], caps = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
  const refSpend = 2.05e8;
  const rowsD = [];
  shares.forEach((sh) => caps.forEach((cap) => {
    const spend = refSpend + 8e5 * (sh - 0.5) - 6e5 * Math.min(cap, 0.75) + 2e5 * normal();
    const worst = Math.round(R * Math.max(0, 0.25 * Math.min(cap, 0.75) * (1.6 - sh) - 0.02 + 0.01 * normal())) / R;
    const gain = 4e4 * (1 - cap) + 2e4 * (sh - 0.4) + 5e3 * normal();
    rowsD.push({ combination: rowsD.length, terms: [sh, cap], commissioner_spend: round(spend), saving: round(refSpend - spend),
      worst_p_exhausted: worst, worst_partner: 'trust', lowest_expected_gain: round(gain), lowest_gain_partner: 'charity' });
  }));
  rowsD.forEach((r) => { r.feasible = r.worst_p_exhausted <= C.max_p_exhausted && r.lowest_expected_gain >= C.min_expected_gain
    && r.commissioner_spend <= C.budget_over_horizon; });
  rowsD.forEach((r) => { r.frontier = r.feasible && !rowsD.some((o) => o.feasible && o.commissioner_spend <= r.commissioner_spend
    && o.worst_p_exhausted <= r.worst_p_exhausted && (o.commissioner_spend < r.commissioner_spend || o.worst_p_exhausted < r.worst_p_exhausted)); });
  doc.design = {
    arm: arms[arms.length - 1], scenario_file: 'scenarios/default.toml', results_file: 'results/default.h5', horizon_years: 5,
    constraints: C,
    axes: [{ path: 'arms.living_well.contracts.living_well_alliance.share', values: shares },
      { path: 'arms.living_well.contracts.living_well_alliance.pain_cap', values: caps }],
    reserves: [{ partner: 'trust', reserve: 3e6 }],
    combinations: rowsD.length, feasible: rowsD.filter((r) => r.feasible).length, frontier: rowsD.filter((r) => r.frontier).length,
    reference: { terms: [0.5, 1], commissioner_spend: refSpend, saving: 0, worst_p_exhausted: 0.14, worst_partner: 'trust',
      lowest_expected_gain: 21000, lowest_gain_partner: 'charity', feasible: false },
    rows: rowsD,
  };
}
writeFileSync(opt.out, JSON.stringify(doc) + '\n');
console.log(`make-sample: wrote ${opt.out} (${arms.length} arm(s), ${R} replications, ${(JSON.stringify(doc).length / 1e6).toFixed(2)} MB)`);
