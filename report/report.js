// SPDX-License-Identifier: MIT
// mhsim HTML report: builds every section of the page from window.MHSIM_DATA (the analysis
// document, schema "mhsim-analysis/1") with plain DOM calls and Vega-Lite charts.
// Embedded verbatim by `mhsim report --html` (see the comment at the top of template.html).
//
// Contract with the test (check_report.mjs):
//   * every chart container is <div class="chart" data-chart="NAME">;
//   * after its vegaEmbed promise resolves the container gets data-rendered="true";
//   * when every chart has settled, <body data-report-ready="true"> (also after errors);
//   * errors go to #report-errors (or into the chart's container) and to console.error,
//     and <body data-report-errors="N"> counts them.
// No network access: data are inline, no fonts or images are loaded.

(function () {
  'use strict';

  var T0 = performance.now();
  window.MHSIM_REPORT_STARTED = true;
  var pending = [];
  var errorCount = 0;

  // ---- errors --------------------------------------------------------------------------
  /** The message of an error (the page shows this; the console also gets the stack). */
  function errorText(err) {
    if (err && err.message) return String(err.message);
    return String(err);
  }
  function reportError(where, err) {
    errorCount += 1;
    document.body.dataset.reportErrors = String(errorCount);
    var msg = 'mhsim report: ' + where + ': ' + errorText(err);
    console.error(err && err.stack && String(err.stack).indexOf(errorText(err)) >= 0 ? 'mhsim report: ' + where + ': ' + err.stack : msg);
    var box = document.getElementById('report-errors');
    if (box) {
      var line = document.createElement('div');
      line.textContent = msg;
      box.appendChild(line);
    }
  }
  window.addEventListener('error', function (ev) { reportError('uncaught error', ev.error || ev.message); });
  window.addEventListener('unhandledrejection', function (ev) { reportError('unhandled promise rejection', ev.reason); });

  // ---- DOM helpers ------------------------------------------------------------------------
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === 'text') e.textContent = v;
        else if (k === 'html') e.innerHTML = v;  // only for fixed strings written in this file
        else e.setAttribute(k, v === true ? '' : String(v));
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return e;
  }
  function body(id) { return document.getElementById(id); }
  function note(parent, text) { parent.appendChild(el('p', { 'class': 'note', text: text })); }
  function caption(parent, text) { parent.appendChild(el('p', { 'class': 'caption', text: text })); }
  function h3(parent, text) { parent.appendChild(el('h3', { text: text })); }
  function isNum(v) { return typeof v === 'number' && isFinite(v); }
  function arr(v) { return Array.isArray(v) ? v : []; }
  function uniq(xs) { var s = []; xs.forEach(function (x) { if (s.indexOf(x) < 0) s.push(x); }); return s; }
  function slug(s) { return String(s).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'x'; }

  // ---- number formats ---------------------------------------------------------------------
  var MINUS = '\u2212';
  var nf0 = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
  function fixed(v, d) { return new Intl.NumberFormat('en-GB', { minimumFractionDigits: d, maximumFractionDigits: d }).format(v); }
  function trimFixed(v, d) { return String(+v.toFixed(d)); }
  /** £ with thousands separators; £1.23m / £1.23bn for large values; "—" for null. */
  function money(v) {
    if (!isNum(v)) return '\u2014';
    if (Math.abs(v) < 0.005) v = 0;
    var a = Math.abs(v), s = v < 0 ? MINUS : '';
    if (a >= 1e9) return s + '\u00a3' + fixed(a / 1e9, 2) + 'bn';
    if (a >= 1e6) return s + '\u00a3' + fixed(a / 1e6, 2) + 'm';
    if (a >= 100 || a === 0) return s + '\u00a3' + nf0.format(a);
    return s + '\u00a3' + fixed(a, 2);
  }
  /** Short money for chart axes: £1.2m, £350k, £0. */
  function moneyShort(v) {
    if (!isNum(v)) return '';
    var a = Math.abs(v), s = v < 0 ? MINUS : '';
    if (a >= 1e9) return s + '\u00a3' + trimFixed(a / 1e9, 2) + 'bn';
    if (a >= 1e6) return s + '\u00a3' + trimFixed(a / 1e6, 2) + 'm';
    if (a >= 1e3) return s + '\u00a3' + trimFixed(a / 1e3, 1) + 'k';
    return s + '\u00a3' + trimFixed(a, 2);
  }
  /** A plain number with sensible precision and thousands separators. */
  function num(v) {
    if (!isNum(v)) return '\u2014';
    var a = Math.abs(v), s = v < 0 ? MINUS : '';
    if (a >= 1000) return s + nf0.format(a);
    if (a >= 100) return s + fixed(a, 1);
    if (a >= 1) return s + fixed(a, 2);
    if (a === 0) return '0';
    return s + String(+a.toPrecision(3));
  }
  /** A count or factor: whole numbers without decimals. */
  function plain(v) { return isNum(v) && v === Math.round(v) ? nf0.format(v) : num(v); }
  function isMoneyUnit(unit) { return unit === '\u00a3' || unit === 'GBP' || unit === 'pounds'; }
  function isShareUnit(unit) { return unit === 'fraction' || unit === 'share' || unit === 'proportion'; }
  function byUnit(v, unit) {
    if (isMoneyUnit(unit)) return money(v);
    if (isShareUnit(unit)) return isNum(v) ? fixed(v * 100, 1) + '%' : '\u2014';
    return num(v);
  }
  function signed(v, unit) { return (isNum(v) && v > 0 ? '+' : '') + byUnit(v, unit); }
  /** Probabilities as %, never "0%"/"100%" unless exactly so. */
  function pct(p) {
    if (!isNum(p)) return '\u2014';
    if (p === 0) return '0%';
    if (p === 1) return '100%';
    if (p < 0.001) return '<0.1%';
    if (p > 0.999) return '>99.9%';
    return fixed(p * 100, 1) + '%';
  }
  function interval(lo, hi, unit) { return byUnit(lo, unit) + ' to ' + byUnit(hi, unit); }
  /** " (unit)" for a group heading, unless the label already names the unit. */
  function withUnit(label, unit) {
    if (!unit) return label;
    var u = isMoneyUnit(unit) ? '\u00a3' : unit;
    if (isShareUnit(unit)) u = '%';
    return label.indexOf(u) >= 0 ? label : label + ' (' + u + ')';
  }

  // ---- tables ---------------------------------------------------------------------------
  // columns: [{label, num: bool, get: row -> string | Node}]; groupBy: row -> group heading
  function table(parent, opts) {
    var cols = opts.columns;
    var thead = el('thead', null, [el('tr', null, cols.map(function (c) {
      return el('th', { 'class': c.num ? 'num' : null, scope: 'col', title: c.title || null, text: c.label });
    }))]);
    var tbody = el('tbody');
    var lastGroup = null;
    opts.rows.forEach(function (r) {
      if (opts.groupBy) {
        var g = opts.groupBy(r);
        if (g !== lastGroup) {
          tbody.appendChild(el('tr', { 'class': 'group' }, [el('td', { colspan: cols.length, text: g })]));
          lastGroup = g;
        }
      }
      tbody.appendChild(el('tr', null, cols.map(function (c) {
        var v = c.get(r);
        return el('td', { 'class': c.num ? 'num' : (c.nowrap ? 'text nowrap' : c.wide ? 'text wide' : c.narrow ? 'text narrow' : 'text') },
          [v === null || v === undefined ? '\u2014' : v]);
      })));
    });
    var t = el('table', { 'data-table': opts.name || null }, [opts.caption ? el('caption', { text: opts.caption }) : null, thead, tbody]);
    parent.appendChild(el('div', { 'class': 'table-wrap' }, [t]));
    return t;
  }
  /**
   * Headline metrics (ids without a dot: cost, qalys, commissioner_spend, ...) go in the main
   * table; the rest (kpi.*, partner_cost.*, ...) in a second table inside a <details>, which
   * is opened for printing.
   */
  function splitTable(parent, rows, opts, moreLabel) {
    var main = rows.filter(function (r) { return String(r.metric).indexOf('.') < 0; });
    var more = rows.filter(function (r) { return String(r.metric).indexOf('.') >= 0; });
    if (!main.length) { main = more; more = []; }
    table(parent, Object.assign({}, opts, { rows: main }));
    if (more.length) {
      var n = uniq(more.map(function (r) { return r.metric; })).length;
      var det = el('details', { 'class': 'more' }, [el('summary', { text: moreLabel + ' (' + n + ' more measure' + (n === 1 ? '' : 's') + ')' })]);
      parent.appendChild(det);
      table(det, Object.assign({}, opts, { rows: more, name: opts.name + '-more', caption: null }));
    }
  }
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('details').forEach(function (d) { d.open = true; });
  });
  function pill(text, kind) { return el('span', { 'class': 'pill ' + (kind || ''), text: text }); }

  // ---- charts ---------------------------------------------------------------------------
  var FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", sans-serif';
  var ARM_COLOURS = ['#005eb8', '#ed8b00', '#009639', '#7c2855', '#00a9ce', '#330072', '#ffb81c', '#768692', '#8a1538', '#41b6e6'];
  var CHART_CONFIG = {
    font: FONT,
    background: 'white',
    padding: 6,
    view: { stroke: '#c8ced6' },
    axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 600, gridColor: '#eceff3', labelColor: '#333', titleColor: '#222' },
    header: { labelFontSize: 12, titleFontSize: 12, labelFontWeight: 600 },
    legend: { labelFontSize: 11, titleFontSize: 12, orient: 'right', labelLimit: 260 },
    title: { fontSize: 13, anchor: 'start' },
    bar: { binSpacing: 0 },
  };
  var EMBED_OPTIONS = { renderer: 'svg', actions: false, mode: 'vega-lite', config: CHART_CONFIG };
  var MONEY_AXIS = { labelExpr: 'mhsimMoney(datum.value)' };
  var PCT_AXIS = { format: '.0%' };

  var chartCount = 0;
  function chart(parent, name, spec, opts) {
    opts = opts || {};
    var wrap = parent;
    if (opts.title) {
      wrap = el('div', { 'class': 'chart-block' });
      parent.appendChild(wrap);
      wrap.appendChild(el('div', { 'class': 'chart-title', text: opts.title }));
    }
    var label = opts.alt || opts.title || name;
    var div = el('div', { 'class': 'chart', 'data-chart': name, role: 'img', 'aria-label': label });
    // vega-embed sets the container's aria-label from the spec's description ("Vega
    // visualization" without one): give it the chart's own label.
    if (spec && !spec.description) spec.description = label;
    wrap.appendChild(div);
    if (opts.caption) caption(wrap, opts.caption);
    chartCount += 1;
    var p;
    try {
      p = window.vegaEmbed(div, spec, EMBED_OPTIONS).then(function (res) {
        div.dataset.rendered = 'true';
        return res;
      }, function (err) {
        div.appendChild(el('div', { 'class': 'chart-error', text: 'This chart could not be drawn: ' + errorText(err) }));
        reportError('chart "' + name + '"', err);
      });
    } catch (err) {
      div.appendChild(el('div', { 'class': 'chart-error', text: 'This chart could not be drawn: ' + errorText(err) }));
      reportError('chart "' + name + '"', err);
      p = Promise.resolve();
    }
    pending.push(p);
    return div;
  }
  function armScale(arms) { return { domain: arms, range: arms.map(function (_, i) { return ARM_COLOURS[i % ARM_COLOURS.length]; }) }; }

  // ---- the data -------------------------------------------------------------------------
  var D = window.MHSIM_DATA;

  function section(name, fn) {
    try {
      fn();
    } catch (err) {
      var where = body(name + '-body') || document.getElementById('report-errors');
      if (where) where.appendChild(el('div', { 'class': 'chart-error', text: 'This section could not be built: ' + errorText(err) }));
      reportError('section "' + name + '"', err);
    }
  }

  function finish() {
    Promise.all(pending.map(function (p) { return Promise.resolve(p).catch(function (e) { reportError('chart', e); }); }))
      .then(function () {
        var ms = performance.now() - T0;
        window.MHSIM_TIMING = { charts: chartCount, build_and_render_ms: ms };
        document.body.dataset.reportCharts = String(chartCount);
        document.body.dataset.reportReady = 'true';
      });
  }

  if (!D || typeof D !== 'object') {
    reportError('data', new Error('window.MHSIM_DATA is missing: the report template was not filled in'));
    body('provenance').textContent = 'No data.';
    document.body.dataset.reportReady = 'true';
    return;
  }
  if (typeof window.vegaEmbed !== 'function' || typeof window.vega !== 'object' || typeof window.vegaLite !== 'object') {
    reportError('libraries', new Error('Vega, Vega-Lite or vega-embed is missing: the report template was not filled in'));
  } else {
    window.vega.expressionFunction('mhsimMoney', moneyShort);
  }
  if (D.schema !== 'mhsim-analysis/1') reportError('data', new Error('unexpected schema "' + D.schema + '" (expected "mhsim-analysis/1"); trying anyway'));

  var meta = D.meta || {}, S = D.settings || {};
  var ARMS = arr(D.arms), PARTNERS = arr(D.partners);
  var BASE = S.base_arm || ARMS[0];
  var OTHER_ARMS = ARMS.filter(function (a) { return a !== BASE; });
  var EFFECT = S.effect_label || 'effect';
  var EFFECT_ID = S.effect || 'effect';
  // The metric id behind samples[].cost and paired_samples[].delta_cost.
  var COST_ID = S.cost_basis === 'commissioner_spend' ? 'commissioner_spend' : 'cost';
  var WTP = arr(S.willingness_to_pay).filter(isNum);
  var RISK_LEVEL = isNum(S.risk_level) ? S.risk_level : 0.95;
  var RISK_PCT = fixed(RISK_LEVEL * 100, RISK_LEVEL * 100 % 1 === 0 ? 0 : 1) + '%';
  var COLOR_ARM = { field: 'arm', type: 'nominal', title: 'Arm', scale: armScale(ARMS), sort: ARMS };
  var MAX_CE_POINTS = 2000;
  var BIG_SAMPLE = 2000;
  // A large run's page (mhsim report --chart-samples) carries, instead of every replication,
  // the order statistics of each series a histogram or exceedance curve draws, each with the
  // exact number of replications at or below it, and in paired_samples an evenly spaced
  // subset for the cost-effectiveness plane. Tables and probabilities in text never use them.
  var CS = D.chart_samples && typeof D.chart_samples === 'object' ? D.chart_samples : null;
  /** The series of chart_samples for one of samples, paired_samples or payout_samples, field, arm and partner. */
  function seriesOf(of, field, arm, partner) {
    return arr(CS && CS.series).filter(function (x) {
      return x.of === of && x.field === field && x.arm === arm && (partner === undefined || x.partner === partner);
    })[0] || null;
  }
  /** Rows like those of D[of], one per order statistic, with w: the replications it stands for. */
  function quantileRows(of) {
    var rows = [];
    arr(CS && CS.series).forEach(function (x) {
      if (x.of !== of) return;
      var v = arr(x.values), c = arr(x.at_most);
      for (var i = 0; i < v.length; i++) {
        var w = c[i] - (i ? c[i - 1] : 0);
        if (!(w > 0)) continue;  // a value repeated stands for no further replication
        var r = { arm: x.arm, base_arm: x.base_arm, partner: x.partner, w: w };
        r[x.field] = v[i];
        rows.push(r);
      }
    });
    return rows;
  }
  // What the histograms and exceedance curves draw from: every replication, or the order statistics.
  var SAMPLES = CS ? quantileRows('samples') : arr(D.samples);
  var PAIRED = CS ? quantileRows('paired_samples') : arr(D.paired_samples);
  var PAYOUTS = CS ? quantileRows('payout_samples') : arr(D.payout_samples);
  var THIN_NOTE = CS ? ' Drawn from ' + nf0.format(CS.quantile_points) + ' quantiles of each arm\u2019s ' + nf0.format(CS.replications)
    + ' replications (mhsim report --chart-samples); the tables use every replication.' : '';

  function armLabel(a) { return a === BASE ? a + ' (base)' : a; }
  function effectPer() { return 'per ' + (EFFECT.replace(/s$/, '') || 'unit'); }
  function wtpText(w) { return money(w) + ' ' + effectPer(); }
  function findDiff(metric, arm) {
    return arr(D.differences).filter(function (d) { return d.metric === metric && d.arm === arm; })[0] || null;
  }
  function metricUnit(metric) {
    var rows = arr(D.metrics).concat(arr(D.differences)).filter(function (m) { return m.metric === metric; });
    return rows.length ? rows[0].unit : null;
  }
  function looksMoney(id, label) {
    var base = String(id || '').split(':')[0];
    var u = metricUnit(base) || metricUnit(base.replace(/^incremental_/, ''));
    if (u !== null) return isMoneyUnit(u) || /nmb/.test(base);
    return /cost|spend|nmb|payment|margin|painshare|gain_pain/i.test(base) || /\u00a3/.test(label || '');
  }

  // ---- header and provenance --------------------------------------------------------------
  section('provenance', function () {
    var name = meta.scenario_name || 'unnamed scenario';
    document.title = 'mhsim report \u2014 ' + name;
    body('report-title').textContent = 'mhsim report \u2014 ' + name;
    body('report-description').textContent = meta.scenario_description || '';
    var sha = String(meta.scenario_sha256 || '');
    var items = [
      ['Scenario', name], ['Scenario file', meta.scenario_file],
      ['Scenario SHA-256', el('span', { 'class': 'mono', title: sha, text: sha ? sha.slice(0, 12) + '\u2026' : '\u2014' })],
      ['Seed', meta.seed], ['Replications', isNum(meta.replications) ? nf0.format(meta.replications) : null],
      ['Years simulated', meta.years], ['mhsim version', meta.mhsim_version], ['Run created (UTC)', meta.created_utc],
      ['Results file', meta.results_file], ['Analysed (UTC)', meta.analysed_utc],
    ];
    // [derived] numbers: what the run's baseline pass set each to, and from what.
    if (meta.derived && meta.derived.length) {
      items.push(['Derived numbers (baseline pass)', el('ul', { 'class': 'derived' },
        meta.derived.map(function (line) { return el('li', { 'class': 'mono', text: line }); }))]);
    }
    var dl = el('dl', { 'class': 'kv' });
    items.forEach(function (kv) {
      dl.appendChild(el('dt', { text: kv[0] }));
      var v = kv[1];
      dl.appendChild(el('dd', null, [v === null || v === undefined || v === '' ? '\u2014' : (typeof v === 'object' ? v : String(v))]));
    });
    var box = body('provenance');
    box.textContent = '';
    box.appendChild(dl);
  });

  // ---- settings ---------------------------------------------------------------------------
  section('settings', function () {
    var timing = S.discount_timing === 'mid_year' ? 'mid-year (each year discounted to its middle)'
      : 'year start (the first year is not discounted)';
    var basis = S.cost_basis === 'commissioner_spend' ? 'commissioner spend (what the contracts pay)' : 'ledger (resource cost of the activity)';
    var items = [
      ['Arms', ARMS.map(armLabel).join(', ') || '\u2014'],
      ['Partners', PARTNERS.join(', ') || 'none (no contracts)'],
      ['Effect measure', EFFECT], ['Cost basis', basis],
      ['Discount rate', isNum(S.discount_rate) ? fixed(S.discount_rate * 100, 1) + '% a year' : '\u2014'],
      ['Discounting from', timing], ['Horizon', isNum(S.horizon_years) ? S.horizon_years + ' years' : '\u2014'],
      ['Willingness to pay', WTP.length ? WTP.map(wtpText).join('; ') : '\u2014'],
      ['Risk level (VaR, ES)', RISK_PCT],
    ];
    if (isNum(S.commissioner_budget)) items.push(['Commissioner budget', money(S.commissioner_budget) + ' a year']);
    if (isNum(S.voi_population_factor)) {
      items.push(['Value-of-information population', (isNum(S.voi_decisions_per_year) && isNum(S.voi_years)
        ? plain(S.voi_decisions_per_year) + ' decision' + (S.voi_decisions_per_year === 1 ? '' : 's') + ' a year for ' + S.voi_years
          + ' year' + (S.voi_years === 1 ? '' : 's') + ', discounted: '
        : '') + 'EVPPI \u00d7 ' + plain(S.voi_population_factor)]);
    }
    var dl = el('dl', { 'class': 'kv' });
    items.forEach(function (kv) { dl.appendChild(el('dt', { text: kv[0] })); dl.appendChild(el('dd', { text: kv[1] })); });
    body('settings-body').appendChild(el('div', { 'class': 'box' }, [dl]));
  });

  // ---- at a glance ------------------------------------------------------------------------
  // Words follow a stated probability (settings.clear_probability, the share of paired
  // replications): "dominates" and "clearly" only at or above it; below it, "on average" with
  // the probability, so a reader never takes a mean for a certainty.
  var CLEAR = isNum(S.clear_probability) ? S.clear_probability : 0.95;
  function icerWords(r) {
    var clear = function (p) { return isNum(p) && p >= CLEAR; };
    switch (r.kind) {
      case 'dominates':
        return clear(r.prob_dominates)
          ? { text: 'dominates ' + r.base_arm + ': cheaper and more effective in ' + pct(r.prob_dominates) + ' of replications', kind: 'good' }
          : { text: 'cheaper and more effective on average, but both in only ' + pct(r.prob_dominates) + ' of replications (not dominance)', kind: 'mixed' };
      case 'dominated':
        return clear(r.prob_dominated)
          ? { text: 'dominated by ' + r.base_arm + ': dearer and less effective in ' + pct(r.prob_dominated) + ' of replications', kind: 'bad' }
          : { text: 'dearer and less effective on average, but both in only ' + pct(r.prob_dominated) + ' of replications', kind: 'mixed' };
      case 'north_east': return { text: 'more effective and more costly', kind: 'mixed' };
      case 'south_west': return { text: 'less effective and less costly', kind: 'mixed' };
      case 'identical': return { text: 'identical costs and effects', kind: '' };
      default: return { text: String(r.kind), kind: '' };
    }
  }
  function icerRatioText(r) {
    if (!isNum(r.ratio)) return null;
    if (r.kind === 'south_west') return money(r.ratio) + ' saved ' + effectPer() + ' lost';
    return money(r.ratio) + ' ' + effectPer() + ' gained';
  }
  // "£7.44m more (95% CI £6.14m to £8.74m; more on average, but in only 91.0% of replications)"
  // for a paired difference row, in the words' direction.
  function diffWords(d, moreWord, lessWord, unitText) {
    var up = d.mean >= 0;
    var size = d.unit === '\u00a3' ? money(Math.abs(d.mean)) : num(Math.abs(d.mean)) + (unitText ? ' ' + unitText : '');
    var ci = up ? interval(d.ci_low, d.ci_high, d.unit) : interval(-d.ci_high, -d.ci_low, d.unit);
    var p = up ? d.prob_higher : d.prob_lower;
    var how = isNum(p) ? (p >= CLEAR ? 'clearly: ' + (up ? moreWord : lessWord) + ' in ' + pct(p) + ' of replications'
      : (up ? moreWord : lessWord) + ' on average, but in only ' + pct(p) + ' of replications') : '';
    return size + ' ' + (up ? moreWord : lessWord) + ' (95% CI ' + ci + (how ? '; ' + how : '') + ')';
  }
  section('glance', function () {
    var out = body('glance-body');
    var horizon = isNum(S.horizon_years) ? ' over ' + S.horizon_years + ' years' : '';
    var disc = isNum(S.discount_rate) ? ', discounted at ' + fixed(S.discount_rate * 100, 1) + '% a year' : '';
    var ul = el('ul', { 'class': 'keyfindings' });
    if (OTHER_ARMS.length === 0) {
      var c = arr(D.metrics).filter(function (m) { return m.metric === COST_ID && m.arm === BASE; })[0];
      var e = arr(D.metrics).filter(function (m) { return m.metric === EFFECT_ID && m.arm === BASE; })[0];
      ul.appendChild(el('li', { text: 'Only one arm (' + (BASE || 'none') + ') was simulated, so there are no comparisons, ICERs or acceptability curves.' }));
      if (c) ul.appendChild(el('li', { text: 'Mean cost' + horizon + ': ' + money(c.mean) + ' (95% CI ' + interval(c.ci_low, c.ci_high, '\u00a3') + ').' }));
      if (e) ul.appendChild(el('li', { text: 'Mean ' + EFFECT + horizon + ': ' + num(e.mean) + ' (95% CI ' + interval(e.ci_low, e.ci_high, e.unit) + ').' }));
    }
    OTHER_ARMS.forEach(function (arm) {
      var head = el('li', { 'class': 'glance-head' }, [el('strong', { text: arm + ' compared with ' + BASE + horizon + disc + ':' })]);
      ul.appendChild(head);
      var sub = el('ul', { 'class': 'keyfindings' });
      // Three different costs, named apart: what the commissioner pays (cash), the resource cost
      // of the contracted partners' activity, and the resource cost of all activity.
      var costs = [
        ['commissioner_spend', 'The commissioner\u2019s cash (what the contracts pay)', 'glance-spend'],
        ['cost_contracted', 'Contracted cost (resource cost of the activity of partners in contract)', 'glance-contracted'],
        [S.cost_basis === 'commissioner_spend' ? 'ledger_cost' : 'cost', 'Whole-system cost (resource cost of all activity, including partners in no contract)', 'glance-system'],
      ];
      costs.forEach(function (cdef) {
        var d = findDiff(cdef[0], arm);
        if (d && isNum(d.mean)) sub.appendChild(el('li', { 'data-glance': cdef[2], text: cdef[1] + ': ' + diffWords(d, 'more', 'less') + '.' }));
      });
      var dw = findDiff('cost_wider_system', arm);
      if (dw && isNum(dw.mean)) {
        sub.appendChild(el('li', { 'data-glance': 'glance-wider', text: 'Of which borne by partners in no contract (the wider system: A&E, ambulance, police, where people with unmet need present): '
          + diffWords(dw, 'more', 'less') + '.' }));
      }
      var de = findDiff(EFFECT_ID, arm);
      if (de && isNum(de.mean)) sub.appendChild(el('li', { 'data-glance': 'glance-effect', text: EFFECT + ': ' + diffWords(de, 'gained', 'lost') + '.' }));
      arr(D.icer).filter(function (r) { return r.arm === arm; }).forEach(function (r) {
        var w = icerWords(r), ratio = icerRatioText(r);
        sub.appendChild(el('li', { 'data-glance': 'glance-ce' }, ['Cost-effectiveness on '
          + (S.cost_basis === 'commissioner_spend' ? 'the commissioner\u2019s spend' : 'whole-system cost') + ': ', pill(w.text, w.kind),
          ratio ? '; ICER ' + ratio + '.' : '.']));
      });
      var nm = arr(D.nmb).filter(function (r) { return r.arm === arm; });
      if (nm.length) {
        sub.appendChild(el('li', { text: 'Probability that ' + arm + ' is good value compared with ' + BASE + ': '
          + nm.map(function (r) { return pct(r.prob_positive) + ' at ' + wtpText(r.wtp); }).join('; ') + '.' }));
      }
      head.appendChild(sub);
    });
    var reserveRisk = arr(D.risk).filter(function (r) { return r.partner !== 'commissioner' && isNum(r.p_above_reserve) && r.p_above_reserve > 0; });
    if (reserveRisk.length) {
      ul.appendChild(el('li', { text: 'Painshare above a partner\u2019s reserves: ' + reserveRisk.map(function (r) {
        return r.partner + ' under ' + r.arm + ' in ' + pct(r.p_above_reserve) + ' of replications';
      }).join('; ') + '.' }));
    } else if (arr(D.risk).length) {
      ul.appendChild(el('li', { text: 'No partner\u2019s painshare exceeded its stated reserves in any replication (where reserves were given).' }));
    }
    out.appendChild(ul);
    caption(out, '\u201cClearly\u201d and \u201cdominates\u201d are said only when it holds in at least ' + pct(CLEAR)
      + ' of paired replications (the same people under each arm); otherwise the figure is an average and the share is given.');
  });

  // ---- several results side by side ------------------------------------------------------
  section('runs', function () {
    var X = D.runs;
    if (!X || typeof X !== 'object') return;
    var sec = document.getElementById('sec-runs');
    if (sec) sec.hidden = false;
    var out = body('runs-body');
    var runs = arr(X.runs), figs = arr(X.figures), changes = arr(X.changes), risk = arr(X.risk);
    var first = runs.length ? runs[0] : {};
    table(out, {
      name: 'runs', caption: 'The results files (the first is the reference, reported in full below)', rows: runs,
      columns: [
        { label: 'Label', nowrap: true, get: function (r) { return r.label; } },
        { label: 'Scenario', get: function (r) { return r.scenario_name + (r.scenario_file ? ' (' + r.scenario_file + ')' : ''); } },
        { label: 'Results file', narrow: true, get: function (r) { return el('span', { 'class': 'mono', text: r.results_file }); } },
        { label: 'Seed', num: true, get: function (r) { return String(r.seed); } },
        { label: 'Replications', num: true, get: function (r) { return nf0.format(r.replications); } },
        { label: 'Change from the first', get: function (r) {
          if (r === first) return 'the reference';
          return r.seed === first.seed && r.replications === first.replications ? 'paired (the same people)' : 'unpaired (different people)';
        } },
      ],
    });
    var metrics = uniq(figs.map(function (f) { return f.metric; }));
    var changeOf = function (f) {
      return changes.filter(function (c) { return c.run === f.run && c.arm === f.arm && c.metric === f.metric; })[0] || null;
    };
    var rows = [];
    metrics.forEach(function (m) { figs.forEach(function (f) { if (f.metric === m) rows.push(f); }); });
    table(out, {
      name: 'runs-figures', caption: 'Headline figures by file and arm, and the change from the first file', rows: rows,
      groupBy: function (f) { return withUnit(f.label, f.unit); },
      columns: [
        { label: 'File', nowrap: true, get: function (f) { return f.run; } },
        { label: 'Arm', nowrap: true, get: function (f) { return f.arm; } },
        { label: 'Mean', num: true, get: function (f) { return byUnit(f.mean, f.unit); } },
        { label: '95% CI of the mean', num: true, get: function (f) { return interval(f.ci_low, f.ci_high, f.unit); } },
        { label: '5th\u201395th percentile', num: true, get: function (f) { return interval(f.q05, f.q95, f.unit); } },
        { label: 'Change from ' + (first.label || 'the first'), num: true, get: function (f) {
          var c = changeOf(f);
          return c ? (c.mean >= 0 ? '+' : '') + byUnit(c.mean, c.unit) + ' (' + interval(c.ci_low, c.ci_high, c.unit) + ')' : null;
        } },
        { label: 'How', get: function (f) { var c = changeOf(f); return c ? (c.paired ? 'paired' : 'unpaired') : null; } },
        { label: 'P(lower)', num: true, title: 'paired: the share of replications in which the figure is lower than in the first file',
          get: function (f) { var c = changeOf(f); return c && c.paired ? pct(c.prob_lower) : null; } },
      ],
    });
    ['commissioner_spend', 'cost'].forEach(function (m) {
      var pts = figs.filter(function (f) { return f.metric === m; });
      if (!pts.length) return;
      var label = pts[0].label;
      var data = pts.map(function (f) { return { run: f.run, arm: f.arm, mean: f.mean, lo: f.q05, hi: f.q95, clo: f.ci_low, chi: f.ci_high }; });
      var y = { field: 'run', type: 'nominal', title: null, sort: runs.map(function (r) { return r.label; }) };
      var yOff = { field: 'arm', type: 'nominal', sort: ARMS };
      chart(out, 'runs-' + m, {
        width: 640, height: { step: 22 }, data: { values: data },
        encoding: { y: y, yOffset: yOff, color: COLOR_ARM },
        layer: [
          { mark: { type: 'rule', strokeWidth: 1.5, opacity: 0.6 }, encoding: { x: { field: 'lo', type: 'quantitative', title: label + ' (\u00a3)', axis: MONEY_AXIS, scale: { zero: false } }, x2: { field: 'hi' } } },
          { mark: { type: 'point', filled: true, size: 60 }, encoding: { x: { field: 'mean', type: 'quantitative' },
            tooltip: [{ field: 'run', title: 'File' }, { field: 'arm', title: 'Arm' }, { field: 'mean', title: 'Mean', format: ',.0f' },
              { field: 'clo', title: '95% CI from', format: ',.0f' }, { field: 'chi', title: 'to', format: ',.0f' }] } },
        ],
      }, {
        title: label + ' by file and arm',
        caption: 'Dot: the mean over replications; line: the 5th to 95th percentile of single replications. One row per file, one colour per arm.',
      });
    });
    var runOrder = runs.map(function (r) { return r.label; });
    var pr = risk.filter(function (r) { return r.loss === 'painshare' && (isNum(r.reserve) || r.mean_painshare > 0); })
      .sort(function (a, b) {
        return PARTNERS.indexOf(a.partner) - PARTNERS.indexOf(b.partner) || runOrder.indexOf(a.run) - runOrder.indexOf(b.run)
          || ARMS.indexOf(a.arm) - ARMS.indexOf(b.arm);
      });
    if (pr.length) {
      table(out, {
        name: 'runs-risk', caption: 'Partners\u2019 painshare over the horizon by file (cash pounds, undiscounted)', rows: pr,
        groupBy: function (r) { return r.partner; },
        columns: [
          { label: 'File', nowrap: true, get: function (r) { return r.run; } },
          { label: 'Arm', nowrap: true, get: function (r) { return r.arm; } },
          { label: 'Mean painshare', num: true, get: function (r) { return money(r.mean_painshare); } },
          { label: 'VaR ' + RISK_PCT, num: true, get: function (r) { return money(r.var); } },
          { label: 'Reserve', num: true, get: function (r) { return isNum(r.reserve) ? money(r.reserve) : 'not stated'; } },
          { label: 'P(painshare > reserve)', num: true, get: function (r) { return pct(r.p_above_reserve); } },
          { label: 'P(reserves exhausted)', num: true, get: function (r) { return pct(r.p_exhausted); } },
          { label: 'Painshare cap', num: true, get: function (r) { return capText(r); } },
        ],
      });
    }
  });

  // ---- summary table ----------------------------------------------------------------------
  section('summary', function () {
    var out = body('summary-body');
    var rows = arr(D.metrics);
    if (!rows.length) { note(out, 'No metrics were reported.'); return; }
    var order = uniq(rows.map(function (r) { return r.metric; }));
    rows = rows.slice().sort(function (a, b) {
      return order.indexOf(a.metric) - order.indexOf(b.metric) || ARMS.indexOf(a.arm) - ARMS.indexOf(b.arm);
    });
    splitTable(out, rows, {
      name: 'metrics',
      caption: 'Metrics by arm (' + (meta.replications ? nf0.format(meta.replications) + ' replications' : 'all replications') + ')',
      rows: rows,
      groupBy: function (r) { return withUnit(r.label || r.metric, r.unit); },
      columns: [
        { label: 'Arm', nowrap: true, get: function (r) { return armLabel(r.arm); } },
        { label: 'Mean', num: true, get: function (r) { return byUnit(r.mean, r.unit); } },
        { label: '95% CI of the mean', num: true, get: function (r) { return interval(r.ci_low, r.ci_high, r.unit); } },
        { label: 'Median', num: true, get: function (r) { return byUnit(r.q50, r.unit); } },
        { label: '5th\u201395th percentile', num: true, get: function (r) { return interval(r.q05, r.q95, r.unit); } },
        { label: 'SD', num: true, get: function (r) { return byUnit(r.sd, r.unit); } },
        { label: 'n', num: true, get: function (r) { return isNum(r.n) ? nf0.format(r.n) : null; } },
      ],
    }, 'Other measures by arm: key performance indicators and partners\u2019 costs');
  });

  // ---- differences (table and paired histograms) --------------------------------------
  function histogramSpec(rows, title, isMoney, opts) {
    opts = opts || {};
    var x = { field: 'value', type: 'quantitative', title: title, bin: { maxbins: opts.maxbins || 40 }, axis: isMoney ? MONEY_AXIS : {} };
    var layers = [];
    var colour = { field: 'arm', type: 'nominal', scale: armScale(ARMS), legend: null };
    layers.push({ transform: [{ filter: 'datum.kind === "s"' }], mark: { type: 'bar', opacity: 0.85 },
      encoding: { x: x, y: { aggregate: 'sum', field: 'w', type: 'quantitative', title: 'Replications' }, color: colour } });
    var hasCi = rows.some(function (r) { return r.kind === 'm' && isNum(r.lo) && isNum(r.hi); });
    if (opts.ci && hasCi) {
      layers.push({ transform: [{ filter: 'datum.kind === "m" && isValid(datum.lo) && isValid(datum.hi)' }],
        mark: { type: 'rect', color: '#1d2430', opacity: 0.22 },
        encoding: { x: { field: 'lo', type: 'quantitative', title: title }, x2: { field: 'hi' } } });
    }
    if (opts.zero && zeroInside(rows)) {
      layers.push({ transform: [{ filter: 'datum.kind === "m"' }], mark: { type: 'rule', color: '#555', strokeDash: [4, 3] },
        encoding: { x: { datum: 0, type: 'quantitative', title: title } } });
    }
    if (opts.rules) layers = layers.concat(opts.rules);
    layers.push({ transform: [{ filter: 'datum.kind === "m"' }], mark: { type: 'rule', color: '#1d2430', strokeWidth: 2 },
      encoding: { x: { field: 'mean', type: 'quantitative', title: title } } });
    return {
      data: { values: rows },
      facet: { row: { field: 'arm', type: 'nominal', sort: opts.armOrder || ARMS, title: null,
        header: { labelAngle: 0, labelOrient: 'top', labelAnchor: 'start', labelAlign: 'left' } } },
      spec: { width: opts.width || 640, height: opts.height || 90, layer: layers },
    };
  }
  /** Whether 0 lies within the samples' range widened by a tenth (a zero line far away would squash the bars). */
  function zeroInside(rows) {
    var lo = Infinity, hi = -Infinity;
    rows.forEach(function (r) { if (r.kind === 's') { if (r.value < lo) lo = r.value; if (r.value > hi) hi = r.value; } });
    var pad = (hi - lo) * 0.1;
    return lo - pad <= 0 && hi + pad >= 0;
  }
  /** Rows {kind:"s", arm, value} for the histogram and {kind:"m", arm, mean, lo, hi} for the marks. */
  function histRows(samples, field, arms, stats) {
    var rows = [];
    var byArm = {};
    arms.forEach(function (a) { byArm[a] = { n: 0, sum: 0 }; });
    for (var i = 0; i < samples.length; i++) {
      var s = samples[i], v = s[field], w = isNum(s.w) ? s.w : 1;
      if (!isNum(v) || !byArm[s.arm]) continue;
      rows.push({ kind: 's', arm: s.arm, value: v, w: w });
      byArm[s.arm].n += w; byArm[s.arm].sum += w * v;
    }
    arms.forEach(function (a) {
      if (!byArm[a].n) return;
      var st = stats ? stats(a) : null;
      rows.push({ kind: 'm', arm: a, mean: st && isNum(st.mean) ? st.mean : byArm[a].sum / byArm[a].n,
        lo: st ? st.ci_low : null, hi: st ? st.ci_high : null });
    });
    return rows;
  }

  // ---- behaviour under the contracts (runs with [incentives] on: the document's `behaviour`) ----
  section('behaviour', function () {
    var rows = arr(D.behaviour);
    if (!rows.length) return;
    var sec = document.getElementById('sec-behaviour');
    if (sec) sec.hidden = false;
    var out = body('behaviour-body');
    var base = BASE;
    var f3 = function (v) { return isNum(v) ? v.toFixed(3) : null; };
    var signed = function (v) { return isNum(v) ? (v > 0 ? '+' : v < 0 ? '\u2212' : '') + Math.abs(v).toFixed(3) : null; };
    table(out, {
      name: 'behaviour', rows: rows,
      caption: 'Each decision at each service: the stated parameter, the provider\u2019s stake, and the parameter in force' +
        (base ? ' (split of the difference from ' + base + ')' : ''),
      groupBy: function (r) { return r.arm; },
      columns: [
        { label: 'Decision', nowrap: true, get: function (r) { return r.decision; } },
        { label: 'Service', nowrap: true, get: function (r) { return r.service; } },
        { label: 'Decided by', nowrap: true, get: function (r) { return r.partner; } },
        { label: 'Parameter', get: function (r) { return r.parameter; } },
        { label: 'Stated', num: true, get: function (r) { return f3(r.stated); } },
        { label: 'Signal a decision', num: true, title: 'The provider\u2019s margin change (payment minus cost) for the decision against its alternative', get: function (r) { return money(r.signal); } },
        { label: 'Stake', num: true, get: function (r) { return f3(r.stake); } },
        { label: 'Factor', num: true, get: function (r) { return f3(r.factor); } },
        { label: 'In force', num: true, get: function (r) { return f3(r.in_force); } },
        { label: 'From what the arms state', num: true, get: function (r) { return signed(r.explicit); } },
        { label: 'From the response', num: true, get: function (r) { return signed(r.response); } },
      ],
    });
  });

  section('differences', function () {
    var out = body('differences-body');
    var rows = arr(D.differences);
    if (OTHER_ARMS.length === 0 || !rows.length) {
      note(out, OTHER_ARMS.length === 0 ? 'Only one arm was simulated, so there is nothing to compare it with.'
        : 'No paired differences were reported.');
      return;
    }
    var order = uniq(rows.map(function (r) { return r.metric; }));
    rows = rows.slice().sort(function (a, b) {
      return order.indexOf(a.metric) - order.indexOf(b.metric) || ARMS.indexOf(a.arm) - ARMS.indexOf(b.arm);
    });
    splitTable(out, rows, {
      name: 'differences',
      caption: 'Paired differences: arm minus base arm (' + BASE + ')',
      rows: rows,
      groupBy: function (r) { return withUnit(r.label || r.metric, r.unit); },
      columns: [
        { label: 'Comparison', get: function (r) { return r.arm + ' \u2212 ' + r.base_arm; } },
        { label: 'Mean difference', num: true, get: function (r) { return signed(r.mean, r.unit); } },
        { label: '95% CI', num: true, get: function (r) { return interval(r.ci_low, r.ci_high, r.unit); } },
        { label: 'Probability lower', num: true, title: 'share of replications in which this arm is lower than the base arm', get: function (r) { return pct(r.prob_lower); } },
        { label: 'Probability higher', num: true, get: function (r) { return pct(r.prob_higher); } },
        { label: 'Direction', get: function (r) {
          if (!isNum(r.ci_low) || !isNum(r.ci_high)) return null;
          if (r.ci_low > 0) return pill('clearly higher', '');
          if (r.ci_high < 0) return pill('clearly lower', '');
          return pill('not distinguishable', 'mixed');
        } },
      ],
    }, 'Other differences: key performance indicators and partners\u2019 costs');

    var ps = PAIRED;
    if (!ps.length) { note(out, 'No per-replication differences were reported, so there are no difference histograms.'); return; }
    var pairs = [['delta_cost', COST_ID, 'Difference in cost per replication (\u00a3)', true],
      ['delta_effect', EFFECT_ID, 'Difference in ' + EFFECT + ' per replication', false]];
    pairs.forEach(function (p) {
      var rowsH = histRows(ps, p[0], OTHER_ARMS, function (a) { return findDiff(p[1], a); });
      if (!rowsH.length) return;
      var zero = zeroInside(rowsH);
      chart(out, 'diff-' + p[0].replace('delta_', ''), histogramSpec(rowsH, p[2], p[3], { ci: true, zero: true, armOrder: OTHER_ARMS }), {
        title: (p[3] ? 'Cost' : EFFECT) + ': each arm minus ' + BASE + ', replication by replication',
        caption: 'Bars: paired differences in single replications. Dark line: mean difference; grey band: its 95% CI '
          + '(narrow because it describes the average, not a single replication)'
          + (zero ? '; dashed line: no difference.' : '. Every replication lies on the same side of zero, so the no-difference line is off the chart.')
          + THIN_NOTE,
      });
    });
  });

  // ---- distributions ------------------------------------------------------------------
  section('distributions', function () {
    var out = body('distributions-body');
    var samples = SAMPLES;
    if (!samples.length) { note(out, 'No per-replication samples were reported, so there are no distributions to draw.'); return; }
    // Each histogram is titled with its metric's own label, which says what the cost is and
    // how it is discounted ("Ledger cost (discounted at 3.50%)").
    var labelOf = function (id, fallback) {
      var m = arr(D.metrics).filter(function (r) { return r.metric === id; })[0];
      return m && m.label ? m.label : fallback;
    };
    var costLabel = S.cost_basis === 'commissioner_spend' ? labelOf('cost', 'Commissioner spend') + ' (\u00a3)'
      : 'Whole-system cost: ' + labelOf('cost', 'Ledger cost') + ' (\u00a3)';
    var list = [['cost', 'cost', costLabel, true], ['effect', EFFECT_ID, labelOf(EFFECT_ID, EFFECT), false],
      ['commissioner_spend', 'commissioner_spend', 'The commissioner\u2019s cash: ' + labelOf('commissioner_spend', 'Commissioner spend') + ' (\u00a3)', true]];
    var grid = el('div');
    out.appendChild(grid);
    if (COST_ID === 'commissioner_spend') list.pop();  // the cost is the spend already
    list.forEach(function (m) {
      var hasAny = samples.some(function (s) { return isNum(s[m[0]]); });
      if (!hasAny) {
        if (m[0] === 'commissioner_spend') note(grid, 'Commissioner spend is not shown: this run has no contracts (no payouts).');
        return;
      }
      // A thinned page's mean line is the mean of every replication (the order statistics' is not).
      var rows = histRows(samples, m[0], ARMS, CS ? function (a) {
        var x = seriesOf('samples', m[0], a);
        return x ? { mean: x.mean, ci_low: null, ci_high: null } : null;
      } : null);
      chart(grid, 'dist-' + m[0], histogramSpec(rows, m[2], m[3], {}), {
        title: m[2].replace(/ \(\u00a3\)$/, '') + ' by arm' + (isNum(S.horizon_years) ? ', total over ' + S.horizon_years + ' years' : ''),
        caption: CS ? THIN_NOTE.trim() : undefined,
      });
    });
  });

  // ---- cost-effectiveness -----------------------------------------------------------------
  /** The segment of cost = w * effect inside the box, or null. */
  function wtpSegment(w, x0, x1, y0, y1) {
    if (w === 0) return (y0 <= 0 && y1 >= 0) ? { x: x0, y: 0, x2: x1, y2: 0 } : null;
    var lo = Math.max(x0, y0 / w), hi = Math.min(x1, y1 / w);
    if (w < 0) { lo = Math.max(x0, y1 / w); hi = Math.min(x1, y0 / w); }
    if (!(hi > lo)) return null;
    return { x: lo, y: w * lo, x2: hi, y2: w * hi };
  }
  section('ce', function () {
    var out = body('ce-body');
    if (OTHER_ARMS.length === 0) {
      note(out, 'Only one arm was simulated, so there is no ICER, net monetary benefit, cost-effectiveness plane or acceptability curve.');
      return;
    }
    var ic = arr(D.icer);
    h3(out, 'Incremental cost-effectiveness ratio (ICER)');
    if (ic.length) {
      table(out, {
        name: 'icer', rows: ic,
        columns: [
          { label: 'Comparison', get: function (r) { return r.arm + ' vs ' + r.base_arm; } },
          { label: 'Difference in cost', num: true, get: function (r) { return signed(r.delta_cost, '\u00a3'); } },
          { label: 'Difference in ' + EFFECT, num: true, get: function (r) { return signed(r.delta_effect, ''); } },
          { label: 'Result', get: function (r) { var w = icerWords(r); return pill(w.text, w.kind); } },
          { label: 'ICER', num: true, get: function (r) {
            return icerRatioText(r) || (r.kind === 'dominates' || r.kind === 'dominated' ? 'not needed (dominance)' : null);
          } },
        ],
      });
    } else note(out, 'No ICER was reported.');

    // CE plane
    var ps = arr(D.paired_samples);
    h3(out, 'Cost-effectiveness plane');
    if (ps.length) {
      var reps = uniq(ps.map(function (r) { return r.replication; })).sort(function (a, b) { return a - b; });
      var sub = ps, subNote = '';
      if (reps.length > MAX_CE_POINTS) {
        var cutoff = reps[MAX_CE_POINTS - 1];
        sub = ps.filter(function (r) { return r.replication <= cutoff; });
        subNote = ' For speed the plane shows the first ' + nf0.format(MAX_CE_POINTS) + ' of ' + nf0.format(reps.length)
          + ' replications (all replications are used in every statistic).';
      }
      if (CS && isNum(CS.replications)) {
        var shownN = Math.min(reps.length, MAX_CE_POINTS);
        subNote = ' ' + nf0.format(shownN) + ' of ' + nf0.format(CS.replications) + ' replications shown, evenly spaced'
          + ' (mhsim report --chart-samples); the means, the tables and every probability use all ' + nf0.format(CS.replications) + '.';
      }
      var pts = [];
      var x0 = 0, x1 = 0, y0 = 0, y1 = 0;
      sub.forEach(function (r) {
        if (!isNum(r.delta_cost) || !isNum(r.delta_effect)) return;
        pts.push({ arm: r.arm, de: r.delta_effect, dc: r.delta_cost });
        if (r.delta_effect < x0) x0 = r.delta_effect; if (r.delta_effect > x1) x1 = r.delta_effect;
        if (r.delta_cost < y0) y0 = r.delta_cost; if (r.delta_cost > y1) y1 = r.delta_cost;
      });
      var padX = (x1 - x0) * 0.04 || 1, padY = (y1 - y0) * 0.04 || 1;
      x0 -= padX; x1 += padX; y0 -= padY; y1 += padY;
      var lines = [];
      WTP.forEach(function (w) {
        var seg = wtpSegment(w, x0, x1, y0, y1);
        if (seg) { seg.label = moneyShort(w) + ' ' + effectPer(); lines.push(seg); }
      });
      var means = ic.filter(function (r) { return isNum(r.delta_cost) && isNum(r.delta_effect); })
        .map(function (r) { return { arm: r.arm, de: r.delta_effect, dc: r.delta_cost }; });
      var xEnc = { field: 'de', type: 'quantitative', title: 'Difference in ' + EFFECT + ' (arm minus ' + BASE + ')', scale: { domain: [x0, x1], nice: false } };
      var yEnc = { field: 'dc', type: 'quantitative', title: 'Difference in cost (\u00a3)', axis: MONEY_AXIS, scale: { domain: [y0, y1], nice: false } };
      var colour = { field: 'arm', type: 'nominal', title: 'Arm', sort: OTHER_ARMS,
        scale: { domain: OTHER_ARMS, range: OTHER_ARMS.map(function (a) { return ARM_COLOURS[ARMS.indexOf(a) % ARM_COLOURS.length]; }) } };
      var layers = [
        { data: { values: [{}] }, mark: { type: 'rule', color: '#888' }, encoding: { x: { datum: 0, type: 'quantitative', scale: xEnc.scale } } },
        { data: { values: [{}] }, mark: { type: 'rule', color: '#888' }, encoding: { y: { datum: 0, type: 'quantitative', scale: yEnc.scale } } },
        { data: { values: pts }, mark: { type: 'circle', size: pts.length > 1000 ? 12 : 22, opacity: pts.length > 1000 ? 0.3 : 0.55 }, encoding: { x: xEnc, y: yEnc, color: colour } },
      ];
      if (lines.length) {
        var DASHES = [[8, 4], [2, 3], [12, 3, 2, 3], [4, 4], [1, 6]];
        layers.push({ data: { values: lines }, mark: { type: 'rule', color: '#3b4452', strokeWidth: 1.5 },
          encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, x2: { field: 'x2' }, y2: { field: 'y2' },
            strokeDash: { field: 'label', type: 'nominal', title: 'Willingness to pay', sort: null,
              scale: { domain: lines.map(function (l) { return l.label; }), range: lines.map(function (_, i) { return DASHES[i % DASHES.length]; }) },
              legend: { symbolType: 'stroke', symbolStrokeColor: '#3b4452', symbolSize: 300 } } } });
      }
      var missingLines = WTP.length - lines.length;
      if (means.length) {
        layers.push({ data: { values: means }, mark: { type: 'point', shape: 'diamond', size: 160, filled: true, stroke: '#111', strokeWidth: 1.5 },
          encoding: { x: { field: 'de', type: 'quantitative' }, y: { field: 'dc', type: 'quantitative' }, color: colour,
            tooltip: [{ field: 'arm', title: 'Arm' }, { field: 'de', title: 'Mean difference in ' + EFFECT, format: ',.2f' }, { field: 'dc', title: 'Mean difference in cost (\u00a3)', format: ',.0f' }] } });
      }
      chart(out, 'ce-plane', { width: 640, height: 400, layer: layers }, {
        alt: 'Cost-effectiveness plane',
        caption: 'Each dot is one replication: how much more ' + EFFECT + ' (right) and cost (up) the arm gives than ' + BASE
          + '. Diamonds: the means. Dashed lines: willingness to pay; dots below and to the right of a line are cost-effective at that threshold. '
          + 'Top right: better but dearer; bottom right: better and cheaper (dominant); top left: worse and dearer (dominated).'
          + (missingLines > 0 ? ' (A threshold line that would not cross the plotted area is not drawn.)' : '') + subNote,
      });
    } else note(out, 'No per-replication differences were reported, so there is no cost-effectiveness plane.');

    // NMB
    var nm = arr(D.nmb);
    h3(out, 'Net monetary benefit');
    if (nm.length) {
      table(out, {
        name: 'nmb', rows: nm.slice().sort(function (a, b) { return ARMS.indexOf(a.arm) - ARMS.indexOf(b.arm) || a.wtp - b.wtp; }),
        columns: [
          { label: 'Comparison', get: function (r) { return r.arm + ' vs ' + r.base_arm; } },
          { label: 'Willingness to pay', num: true, get: function (r) { return wtpText(r.wtp); } },
          { label: 'Incremental NMB', num: true, get: function (r) { return signed(r.incremental_nmb, '\u00a3'); } },
          { label: '95% CI', num: true, get: function (r) { return interval(r.ci_low, r.ci_high, '\u00a3'); } },
          { label: 'Probability NMB > 0', num: true, get: function (r) { return pct(r.prob_positive); } },
        ],
      });
    } else note(out, 'No net monetary benefit was reported (no willingness-to-pay thresholds).');

    // CEAC
    var ce = arr(D.ceac);
    h3(out, 'Cost-effectiveness acceptability curve');
    var rules = WTP.map(function (w) { return { wtp: w, label: moneyShort(w) }; });
    var wtpRuleLayers = rules.length ? [
      { data: { values: rules }, mark: { type: 'rule', color: '#9aa3ae', strokeDash: [4, 3] }, encoding: { x: { field: 'wtp', type: 'quantitative' } } },
      { data: { values: rules }, mark: { type: 'text', align: 'left', dx: 3, baseline: 'top', y: 2, color: '#5a6473', fontSize: 10 },
        encoding: { x: { field: 'wtp', type: 'quantitative' }, text: { field: 'label' } } },
    ] : [];
    if (ce.length) {
      chart(out, 'ceac', {
        width: 640, height: 280,
        layer: [{ data: { values: ce }, mark: { type: 'line', strokeWidth: 2.5, interpolate: 'linear' },
          encoding: { x: { field: 'wtp', type: 'quantitative', title: 'Willingness to pay (\u00a3 ' + effectPer() + ')', axis: MONEY_AXIS },
            y: { field: 'probability', type: 'quantitative', title: 'Probability most cost-effective', axis: PCT_AXIS, scale: { domain: [0, 1] } },
            color: COLOR_ARM } }].concat(wtpRuleLayers),
      }, { alt: 'Cost-effectiveness acceptability curve',
        caption: 'For each willingness to pay, the share of replications in which each arm has the highest net monetary benefit. '
          + 'Dashed lines: the thresholds in the settings.' });
    } else note(out, 'No acceptability curve was reported.');

    var ev = arr(D.evpi);
    h3(out, 'Expected value of perfect information (EVPI)');
    if (ev.length) {
      chart(out, 'evpi', {
        width: 640, height: 240,
        layer: [{ data: { values: ev }, mark: { type: 'area', line: { color: '#005eb8', strokeWidth: 2 }, color: '#cfe0f3' },
          encoding: { x: { field: 'wtp', type: 'quantitative', title: 'Willingness to pay (\u00a3 ' + effectPer() + ')', axis: MONEY_AXIS },
            y: { field: 'evpi', type: 'quantitative', title: 'EVPI (\u00a3)', axis: MONEY_AXIS } } }].concat(wtpRuleLayers),
      }, { alt: 'EVPI curve',
        caption: 'The most it would be worth paying to remove all uncertainty before choosing between the arms, '
          + 'at each willingness to pay. A peak near the threshold means the decision is uncertain there and better evidence has value.'
          + (ev.every(function (r) { return !(r.evpi > 0); }) ? ' Here it is zero everywhere: the same arm is best in every replication, so more evidence would not change the choice.' : '') });
    } else note(out, 'No EVPI curve was reported.');
  });

  // ---- risk -----------------------------------------------------------------------------
  // A fan chart of each partner's reserves over time, one facet per partner and a band and
  // line per arm: rows (reserve_paths, cash_paths) give arm, partner, opening, mean, q05, q95,
  // p_exhausted_by and, in field `at`, the year or quarter from 1; the opening is drawn at 0,
  // with an axis tick every `step`.
  function fanChart(parent, name, rows, at, step, xTitle, yTitle, pTitle, opts) {
    var partnersHere = uniq(rows.map(function (r) { return r.partner; }));
    var armsHere = ARMS.filter(function (a) { return rows.some(function (r) { return r.arm === a; }); });
    var fan = [];
    rows.forEach(function (r) {
      if (r[at] === 1) fan.push({ partner: r.partner, arm: r.arm, at: 0, mean: r.opening, q05: r.opening, q95: r.opening, p: 0 });
      fan.push({ partner: r.partner, arm: r.arm, at: r[at], mean: r.mean, q05: r.q05, q95: r.q95, p: r.p_exhausted_by });
    });
    var last = Math.max.apply(null, fan.map(function (r) { return r.at; }));
    var ticks = [];
    for (var t = 0; t <= last; t += step) ticks.push(t);
    var colour = { field: 'arm', type: 'nominal', title: 'Arm', scale: armScale(armsHere), sort: armsHere };
    chart(parent, name, {
      data: { values: fan },
      facet: { row: { field: 'partner', type: 'nominal', sort: partnersHere, title: null,
        header: { labelAngle: 0, labelOrient: 'top', labelAnchor: 'start', labelAlign: 'left' } } },
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: 640, height: 120,
        layer: [
          { mark: { type: 'area', opacity: 0.18 },
            encoding: { x: { field: 'at', type: 'quantitative', title: xTitle, axis: { values: ticks, format: 'd' }, scale: { domain: [0, last] } },
              y: { field: 'q05', type: 'quantitative', title: yTitle, axis: MONEY_AXIS }, y2: { field: 'q95' }, color: colour } },
          { mark: { type: 'line', point: true },
            encoding: { x: { field: 'at', type: 'quantitative' }, y: { field: 'mean', type: 'quantitative' }, color: colour,
              tooltip: [{ field: 'arm' }, { field: 'at', title: at }, { field: 'mean', format: ',.0f', title: 'mean (\u00a3)' },
                { field: 'q05', format: ',.0f', title: '5th percentile (\u00a3)' }, { field: 'q95', format: ',.0f', title: '95th percentile (\u00a3)' },
                { field: 'p', format: '.1%', title: pTitle }] } },
          { mark: { type: 'rule', color: '#d5281b', strokeDash: [4, 3] },
            encoding: { y: { datum: 0, type: 'quantitative' } } },
        ],
      },
    }, opts);
  }

  // Every cap that applies to a partner, in words: its own, and its alliance's on the pool.
  function capText(r) {
    var parts = [];
    if (isNum(r.cap)) parts.push('own ' + money(r.cap));
    if (isNum(r.shared_cap)) parts.push('alliance-wide ' + money(r.shared_cap) + ' (all members together)');
    return parts.length ? parts.join('; ') : 'no cap';
  }
  section('risk', function () {
    var out = body('risk-body');
    var risk = arr(D.risk);
    var partnerRows = risk.filter(function (r) { return r.partner !== 'commissioner'; });
    var commRows = risk.filter(function (r) { return r.partner === 'commissioner'; });
    if (!risk.length && !PAYOUTS.length) {
      note(out, 'No contracts with gain/pain sharing were simulated, so there is no financial risk to show.');
      return;
    }
    var pOrder = PARTNERS.slice();
    partnerRows = partnerRows.slice().sort(function (a, b) {
      return pOrder.indexOf(a.partner) - pOrder.indexOf(b.partner) || ARMS.indexOf(a.arm) - ARMS.indexOf(b.arm);
    });
    if (partnerRows.length) {
      table(out, {
        name: 'risk', caption: 'Partners\u2019 painshare over the horizon (cash pounds, undiscounted)', rows: partnerRows,
        groupBy: function (r) { return r.partner; },
        columns: [
          { label: 'Arm', nowrap: true, get: function (r) { return armLabel(r.arm); } },
          { label: 'Mean payment', num: true, get: function (r) { return money(r.mean_payment); } },
          { label: 'Mean margin', num: true, get: function (r) { return money(r.mean_margin); } },
          { label: 'Mean painshare', num: true, get: function (r) { return money(r.mean_painshare); } },
          { label: 'P(any painshare)', num: true, get: function (r) { return pct(r.p_any_painshare); } },
          { label: 'VaR ' + RISK_PCT, num: true, title: 'painshare exceeded in only ' + fixed((1 - RISK_LEVEL) * 100, 0) + '% of replications', get: function (r) { return money(r.var); } },
          { label: 'ES ' + RISK_PCT, num: true, title: 'average painshare in the worst ' + fixed((1 - RISK_LEVEL) * 100, 0) + '% of replications', get: function (r) { return money(r.es); } },
        ],
      });
      // The limits that apply to each partner, in a table of their own so that none is pushed
      // off the side of the page: reserves, what they are exposed to, and every cap.
      table(out, {
        name: 'risk-limits', caption: 'Partners\u2019 reserves and caps: how likely each limit is reached over the horizon', rows: partnerRows,
        groupBy: function (r) { return r.partner; },
        columns: [
          { label: 'Arm', nowrap: true, get: function (r) { return armLabel(r.arm); } },
          { label: 'Reserve', num: true, get: function (r) { return isNum(r.reserve) ? money(r.reserve) : 'not stated'; } },
          { label: 'P(painshare > reserve)', num: true, get: function (r) { return pct(r.p_above_reserve); } },
          { label: 'P(reserves exhausted)', num: true, title: 'reserves, moved year by year by gain and pain, below \u00a30 at the end of some year of the horizon', get: function (r) { return pct(r.p_exhausted); } },
          { label: 'P(cash exhausted)', num: true, title: 'the same reserves plus the risk share\u2019s cash to date (payments on account, balances after the reconciliation lag) below \u00a30 at the end of some quarter, up to the one in which the horizon\u2019s last year is reconciled', get: function (r) { return pct(r.p_cash_exhausted); } },
          { label: 'Reserves needed ' + RISK_PCT, num: true, title: 'opening reserves that keep P(reserves exhausted) at or below ' + fixed((1 - RISK_LEVEL) * 100, 0) + '%', get: function (r) { return money(r.reserves_needed); } },
          { label: 'Painshare cap', num: true, title: 'every cap that applies: the partner\u2019s own (a share of its fee) and its alliance\u2019s on the whole pool, over the horizon (mean over replications)',
            get: function (r) { return capText(r); } },
          { label: 'P(cap binds)', num: true, get: function (r) { return pct(r.p_cap_binds); } },
        ],
      });
    }
    if (commRows.length) {
      table(out, {
        name: 'risk-commissioner', caption: 'Commissioner: spend over the horizon against its budget', rows: commRows,
        columns: [
          { label: 'Arm', nowrap: true, get: function (r) { return armLabel(r.arm); } },
          { label: 'Mean spend', num: true, get: function (r) { return money(isNum(r.mean_payment) ? r.mean_payment : r.mean_painshare); } },
          { label: 'Spend at ' + RISK_PCT + ' (VaR)', num: true, get: function (r) { return money(r.var); } },
          { label: 'ES ' + RISK_PCT, num: true, get: function (r) { return money(r.es); } },
          { label: 'Budget over horizon', num: true, get: function (r) { return isNum(r.reserve) ? money(r.reserve) : 'not stated'; } },
          { label: 'P(spend > budget)', num: true, get: function (r) { return pct(r.p_above_reserve); } },
        ],
      });
    }

    // Reserves moved year by year by each partner's gain and pain (partners with stated reserves).
    var paths = arr(D.reserve_paths);
    if (paths.length) {
      h3(out, 'Reserves over the agreement');
      fanChart(out, 'reserve-paths', paths, 'year', 1, 'End of year (0 = opening)', 'Reserves (\u00a3)', 'P(exhausted by then)', {
        alt: 'Reserve paths by partner and arm',
        caption: 'Each partner\u2019s stated reserves at the start (year 0) and at the end of each year, after that year\u2019s gain or pain (cash): '
          + 'the line is the mean, the band runs from the 5th to the 95th percentile across replications, and the red line is \u00a30. '
          + 'Reserves below it at the end of a year are exhausted; the table gives the chance of that by each year.' });
      table(out, {
        name: 'reserve-paths', caption: 'P(reserves exhausted) by the end of each year, and the lowest reserve over the agreement',
        rows: partnerRows.filter(function (r) { return isNum(r.p_exhausted); }),
        groupBy: function (r) { return r.partner; },
        columns: [
          { label: 'Arm', nowrap: true, get: function (r) { return armLabel(r.arm); } },
          { label: 'Opening reserves', num: true, get: function (r) { return money(r.reserve); } },
          { label: 'P(exhausted) by year 1, 2, \u2026', num: true, get: function (r) {
            return paths.filter(function (x) { return x.arm === r.arm && x.partner === r.partner; })
              .map(function (x) { return pct(x.p_exhausted_by); }).join(', ');
          } },
          { label: 'Lowest reserve: median', num: true, get: function (r) { return money(r.lowest_reserve_q50); } },
          { label: 'Lowest reserve: 5th percentile', num: true, get: function (r) { return money(r.lowest_reserve_q05); } },
          { label: 'Reserves needed ' + RISK_PCT, num: true, get: function (r) { return money(r.reserves_needed); } },
        ],
      });

      // The same reserves by quarter: the risk share's cash as it is paid (on account, and the
      // balance after the reconciliation lag), against costs that accrue evenly.
      var cash = arr(D.cash_paths);
      if (cash.length) {
        h3(out, 'Cash by quarter against the reserves');
        fanChart(out, 'cash-paths', cash, 'quarter', 4, 'End of quarter (0 = opening; 4, 8, \u2026 = ends of years)',
          'Cash position (\u00a3)', 'P(cash exhausted by then)', {
            alt: 'Cash position by quarter, by partner and arm',
            caption: 'Each partner\u2019s stated reserves plus the cash of its risk share to date, at the end of each quarter: '
              + 'payments on account and each year\u2019s balance after the reconciliation lag, against costs spread evenly over the year '
              + '(fees and other margin are taken as spent as they accrue, as on the year-end path). Without payments on account it runs '
              + 'straight between the year-end reserves; with them it can fall below \u00a30 inside a year whose end the reserves survive. '
              + 'Line: mean; band: 5th to 95th percentile; red line: \u00a30.' });
        table(out, {
          name: 'cash-paths', caption: 'P(cash exhausted) by each year\u2019s reconciliation, and the lowest cash position over the agreement',
          rows: partnerRows.filter(function (r) { return isNum(r.p_cash_exhausted); }),
          groupBy: function (r) { return r.partner; },
          columns: [
            { label: 'Arm', nowrap: true, get: function (r) { return armLabel(r.arm); } },
            { label: 'Opening reserves', num: true, get: function (r) { return money(r.reserve); } },
            { label: 'P(cash exhausted) by year 1, 2, \u2026', num: true, get: function (r) {
              return paths.filter(function (x) { return x.arm === r.arm && x.partner === r.partner; })
                .map(function (x) { return pct(x.p_cash_exhausted_by); }).join(', ');
            } },
            { label: 'Lowest cash: median', num: true, get: function (r) { return money(r.lowest_cash_q50); } },
            { label: 'Lowest cash: 5th percentile', num: true, get: function (r) { return money(r.lowest_cash_q05); } },
            { label: 'Lowest most often in', num: true, title: 'the quarter in which the cash position is lowest in the most replications, among those in which it falls below the opening reserves', get: function (r) {
              return !isNum(r.lowest_cash_quarter) ? '\u2014' : (r.lowest_cash_quarter === 0 ? 'never below the opening' : 'quarter ' + r.lowest_cash_quarter);
            } },
          ],
        });
      }
    }

    var ps = PAYOUTS;
    h3(out, 'Each partner\u2019s gain/pain share per replication');
    if (!ps.length) { note(out, 'No payout samples were reported, so there are no payout charts.'); return; }
    var partners = uniq(PARTNERS.concat(uniq(ps.map(function (r) { return r.partner; }))))
      .filter(function (p) { return p !== 'commissioner'; });
    var SIDE = ['partner pays (painshare)', 'no gain or pain', 'partner receives (gainshare)', 'painshare cap', 'reserve',
      'alliance-wide painshare cap (all members together)'];
    var SIDE_COLOURS = ['#d5281b', '#9aa3ae', '#009639', '#330072', '#ed8b00', '#7c2855'];
    var colourScale = { domain: SIDE, range: SIDE_COLOURS };
    var grid = el('div');
    out.appendChild(grid);
    partners.forEach(function (p) {
      var rows = [], lo = Infinity, hi = -Infinity;
      var armsHere = [];
      for (var i = 0; i < ps.length; i++) {
        var r = ps[i];
        if (r.partner !== p || !isNum(r.gain_pain)) continue;
        var v = r.gain_pain;
        rows.push({ kind: 's', arm: r.arm, value: v, side: v < 0 ? SIDE[0] : (v > 0 ? SIDE[2] : SIDE[1]), w: isNum(r.w) ? r.w : 1 });
        if (v < lo) lo = v; if (v > hi) hi = v;
        if (armsHere.indexOf(r.arm) < 0) armsHere.push(r.arm);
      }
      if (!rows.length) return;
      armsHere.sort(function (a, b) { return ARMS.indexOf(a) - ARMS.indexOf(b); });
      if (lo === hi) {
        note(grid, p + ': gain/pain share was ' + money(lo) + ' in every replication of every arm, so there is no distribution to draw.');
        return;
      }
      var marked = [];
      risk.filter(function (r) { return r.partner === p && armsHere.indexOf(r.arm) >= 0; }).forEach(function (r) {
        if (isNum(r.cap)) { rows.push({ kind: 'r', arm: r.arm, value: -r.cap, side: SIDE[3] }); marked.push('cap'); }
        if (isNum(r.reserve)) { rows.push({ kind: 'r', arm: r.arm, value: -r.reserve, side: SIDE[4] }); marked.push('reserve'); }
        if (isNum(r.shared_cap)) { rows.push({ kind: 'r', arm: r.arm, value: -r.shared_cap, side: SIDE[5] }); marked.push('shared'); }
      });
      var title = 'Gain (+) or pain (\u2212) share over the horizon (\u00a3)';
      var spec = {
        data: { values: rows },
        facet: { row: { field: 'arm', type: 'nominal', sort: armsHere, title: null,
          header: { labelAngle: 0, labelOrient: 'top', labelAnchor: 'start', labelAlign: 'left' } } },
        spec: {
          width: 640, height: 80,
          layer: [
            { transform: [{ filter: 'datum.kind === "s"' }], mark: { type: 'bar' },
              encoding: { x: { field: 'value', type: 'quantitative', bin: { maxbins: 40 }, title: title, axis: MONEY_AXIS },
                y: { aggregate: 'sum', field: 'w', type: 'quantitative', title: 'Replications' },
                color: { field: 'side', type: 'nominal', title: null, scale: colourScale, legend: { orient: 'bottom', direction: 'horizontal', columns: 5 } } } },
          ].concat(marked.length ? [
            { transform: [{ filter: 'datum.kind === "r"' }], mark: { type: 'rule', strokeWidth: 2.5 },
              encoding: { x: { field: 'value', type: 'quantitative', title: title }, color: { field: 'side', type: 'nominal', title: null, scale: colourScale } } },
          ] : []),
        },
        resolve: { scale: { y: 'independent' } },
      };
      var m = uniq(marked);
      chart(grid, 'payout-' + slug(p), spec, {
        title: p,
        caption: 'Net gain/pain share over the whole horizon in each replication. Left of zero: the partner pays '
          + 'painshare overall; right: it receives a gainshare overall (the table counts each year\u2019s painshare, so a partner '
          + 'can pay in some years and still come out ahead). '
          + (m.length ? 'Vertical lines: ' + m.map(function (k) {
            return k === 'cap' ? 'its own painshare cap (the most it can pay)'
              : k === 'shared' ? 'its alliance\u2019s painshare cap on the whole pool (the most all members pay together)' : 'its reserve';
          }).join(' and ') + ', where stated.'
            : 'No cap or reserve was stated for this partner.') + THIN_NOTE,
      });
    });

    // Exceedance: P(painshare over the horizon > x) per partner and arm, with every reserve and
    // cap that applies as a vertical line. At a reserve the curve's height is the table's
    // P(painshare > reserve).
    var exceedParts = partners.filter(function (p) {
      return ps.some(function (r) { return r.partner === p && isNum(r.painshare) && r.painshare > 0; });
    });
    if (exceedParts.length) {
      out.appendChild(el('h3', { text: 'Exceedance: how likely a painshare above any amount' }));
      var exGrid = el('div');
      out.appendChild(exGrid);
      exceedParts.forEach(function (p) {
        var rows = [];
        var armsHere = uniq(ps.filter(function (r) { return r.partner === p && isNum(r.painshare); }).map(function (r) { return r.arm; }))
          .sort(function (a, b) { return ARMS.indexOf(a) - ARMS.indexOf(b); });
        armsHere.forEach(function (a) {
          var q = CS ? seriesOf('payout_samples', 'painshare', a, p) : null;
          if (q) {
            // From the order statistics: P(painshare > x) = (n - number at or below x) / n, exact at each point.
            var qv = arr(q.values), qc = arr(q.at_most), atZero = 0;
            for (var j = 0; j < qv.length; j++) if (qv[j] <= 0) atZero = qc[j];
            rows.push({ kind: 'c', arm: a, x: 0, p: (q.n - atZero) / q.n });
            for (var k = 0; k < qv.length; k++) {
              if (qv[k] <= 0 || (k + 1 < qv.length && qv[k + 1] === qv[k])) continue;
              rows.push({ kind: 'c', arm: a, x: qv[k], p: (q.n - qc[k]) / q.n });
            }
            return;
          }
          var v = ps.filter(function (r) { return r.partner === p && r.arm === a && isNum(r.painshare); })
            .map(function (r) { return r.painshare; }).sort(function (x, y) { return x - y; });
          var n = v.length;
          rows.push({ kind: 'c', arm: a, x: 0, p: v.filter(function (x) { return x > 0; }).length / n });
          for (var i = 0; i < n; i++) {
            if (v[i] <= 0 || (i + 1 < n && v[i + 1] === v[i])) continue;
            rows.push({ kind: 'c', arm: a, x: v[i], p: (n - i - 1) / n });  // P(painshare > v[i])
          }
        });
        var lines = [];
        risk.filter(function (r) { return r.partner === p && armsHere.indexOf(r.arm) >= 0; }).forEach(function (r) {
          if (isNum(r.reserve)) lines.push({ kind: 'r', arm: r.arm, x: r.reserve, what: 'reserve ' + money(r.reserve) });
          if (isNum(r.cap)) lines.push({ kind: 'r', arm: r.arm, x: r.cap, what: 'own cap ' + money(r.cap) + ' (' + r.arm + ')' });
          if (isNum(r.shared_cap)) lines.push({ kind: 'r', arm: r.arm, x: r.shared_cap, what: 'alliance-wide cap ' + money(r.shared_cap) + ' (' + r.arm + ')' });
        });
        var seen = {};
        lines = lines.filter(function (l) { var k = l.what; if (seen[k]) return false; seen[k] = true; return true; });
        // A cap far beyond the painshares (an alliance-wide cap on the whole pool, against one
        // member's share) would squeeze the curve into a corner: then the axis is symmetric-log.
        var maxLoss = 0, maxLine = 0;
        rows.forEach(function (r) { if (r.x > maxLoss) maxLoss = r.x; });
        lines.forEach(function (l) { if (l.x > maxLine) maxLine = l.x; });
        var logX = maxLine > 5 * Math.max(maxLoss, 1);
        var xTitle = 'Painshare over the horizon, x (\u00a3, undiscounted' + (logX ? '; log scale' : '') + ')';
        var spec = {
          width: 640, height: 180,
          layer: [
            { data: { values: rows }, mark: { type: 'line', interpolate: 'step-after', point: false, clip: true },
              encoding: { x: { field: 'x', type: 'quantitative', title: xTitle, axis: MONEY_AXIS,
                  scale: logX ? { type: 'symlog', constant: Math.max(1000, maxLoss / 50) } : {} },
                y: { field: 'p', type: 'quantitative', title: 'P(painshare > x)', scale: { domain: [0, 1] }, axis: { format: '.0%' } },
                color: COLOR_ARM } },
          ].concat(lines.length ? [
            { data: { values: lines }, mark: { type: 'rule', strokeDash: [5, 3], strokeWidth: 2 },
              encoding: { x: { field: 'x', type: 'quantitative' }, color: { value: '#1d2430' },
                tooltip: [{ field: 'what', type: 'nominal', title: 'Line' }] } },
            { data: { values: lines }, mark: { type: 'text', angle: 270, align: 'right', baseline: 'bottom', dx: -4, dy: -3, fontSize: 10 },
              encoding: { x: { field: 'x', type: 'quantitative' }, y: { value: 0 }, text: { field: 'what' }, color: { value: '#1d2430' } } },
          ] : []),
        };
        chart(exGrid, 'exceedance-' + slug(p), spec, {
          title: p,
          caption: 'For each amount x, the share of replications in which ' + p + '\u2019s painshare over the horizon (the sum of each year\u2019s pain, '
            + 'as in the table) exceeds x, per arm. ' + (lines.length ? 'Dashed lines: ' + lines.map(function (l) { return l.what; }).join('; ')
            + '. Where the curve crosses a reserve line is the table\u2019s P(painshare > reserve).' : 'No reserve or cap was stated for this partner.')
            + (CS ? ' Drawn from ' + nf0.format(CS.quantile_points) + ' quantiles of the ' + nf0.format(CS.replications)
              + ' replications (mhsim report --chart-samples): exact at each, and between two of them off by at most the share of replications between them (about 1 in '
              + nf0.format(CS.quantile_points) + '); the table uses every replication.' : ''),
        });
      });
    }
  });

  // ---- KRA bands ------------------------------------------------------------------------
  section('kra', function () {
    var out = body('kra-body');
    var kb = arr(D.kra_bands);
    if (!kb.length) { note(out, 'No key result areas were defined, so there are no performance bands to show.'); return; }
    var BANDS = ['failure', 'poor', 'minimum', 'stretch', 'game_breaking'];
    var BAND_LABEL = { failure: 'failure', poor: 'poor', minimum: 'minimum', stretch: 'stretch', game_breaking: 'game-breaking' };
    var kras = uniq(kb.map(function (r) { return r.kra; }));
    var armsHere = uniq(kb.map(function (r) { return r.arm; })).sort(function (a, b) { return ARMS.indexOf(a) - ARMS.indexOf(b); });
    var rows = kb.map(function (r) {
      var i = BANDS.indexOf(r.band);
      return { arm: r.arm, kra: r.kra, band: BAND_LABEL[r.band] || r.band, order: i < 0 ? 99 : i, share: r.share };
    });
    chart(out, 'kra-bands', {
      data: { values: rows },
      facet: { row: { field: 'kra', type: 'nominal', sort: kras, title: null,
        header: { labelAngle: 0, labelOrient: 'top', labelAnchor: 'start', labelAlign: 'left' } } },
      spec: {
        width: 600, height: { step: 22 },
        mark: { type: 'bar' },
        encoding: {
          y: { field: 'arm', type: 'nominal', sort: armsHere, title: null },
          x: { field: 'share', type: 'quantitative', aggregate: 'sum', stack: 'normalize', title: 'Share of replication-years', axis: PCT_AXIS },
          color: { field: 'band', type: 'nominal', title: 'Band', sort: BANDS.map(function (b) { return BAND_LABEL[b]; }),
            scale: { domain: BANDS.map(function (b) { return BAND_LABEL[b]; }), range: ['#b3261e', '#ed8b00', '#f6d55c', '#7bbf6a', '#1e7b34'] } },
          order: { field: 'order', type: 'quantitative' },
          tooltip: [{ field: 'kra', title: 'KRA' }, { field: 'arm', title: 'Arm' }, { field: 'band', title: 'Band' }, { field: 'share', aggregate: 'sum', title: 'Share', format: '.1%' }],
        },
      },
      spacing: 6,
    }, { alt: 'Key result area bands by arm',
      caption: 'Each bar adds to 100% of replication-years in the horizon: red = failure, amber = poor, yellow = minimum, green = stretch, dark green = game-breaking.' });
  });

  // ---- sensitivity ------------------------------------------------------------------------
  section('sensitivity', function () {
    var out = body('sensitivity-body');
    var td = arr(D.tornado);
    h3(out, 'Tornado diagrams');
    if (!td.length) {
      note(out, 'No uncertain parameters were given, so there is no tornado.');
    } else {
      var outputs = uniq(td.map(function (r) { return r.output; }));
      var grid = el('div', { 'class': 'chart-grid' });
      out.appendChild(grid);
      var MAXP = 15, truncated = false;
      outputs.forEach(function (o) {
        var rs = td.filter(function (r) { return r.output === o; });
        var label = rs[0].output_label || o;
        var isMoney = looksMoney(o, label);
        rs = rs.map(function (r) {
          return { r: r, span: Math.abs(r.output_at_high - r.output_at_low) };
        }).sort(function (a, b) { return b.span - a.span; });
        if (rs.length > MAXP) { rs = rs.slice(0, MAXP); truncated = true; }
        var rows = [];
        var LOW = 'input at its 5th percentile', HIGH = 'input at its 95th percentile';
        var fmtIn = function (v) { return num(v); };
        rs.forEach(function (x) {
          var r = x.r;
          rows.push({ parameter: r.parameter, side: LOW, value: r.output_at_low, base: r.base_output, span: x.span, input: fmtIn(r.low_value) });
          rows.push({ parameter: r.parameter, side: HIGH, value: r.output_at_high, base: r.base_output, span: x.span, input: fmtIn(r.high_value) });
        });
        var base = rs[0].r.base_output;
        chart(grid, 'tornado-' + slug(o), {
          width: 300, height: { step: 22 },
          layer: [
            { data: { values: rows }, mark: { type: 'bar', height: { band: 0.75 } },
              encoding: {
                y: { field: 'parameter', type: 'nominal', title: null, sort: { field: 'span', op: 'max', order: 'descending' }, axis: { labelLimit: 190 } },
                x: { field: 'value', type: 'quantitative', title: label, axis: isMoney ? MONEY_AXIS : {}, scale: { zero: false } },
                x2: { field: 'base' },
                color: { field: 'side', type: 'nominal', title: null, scale: { domain: [LOW, HIGH], range: ['#41b6e6', '#ed8b00'] },
                  legend: { orient: 'bottom', direction: 'vertical' } },
                tooltip: [{ field: 'parameter', title: 'Input' }, { field: 'side', title: 'Setting' }, { field: 'input', title: 'Input value' },
                  { field: 'value', title: label, format: ',.4~r' }],
              } },
            { data: { values: [{ base: base }] }, mark: { type: 'rule', color: '#1d2430', strokeWidth: 1.5 },
              encoding: { x: { field: 'base', type: 'quantitative' } } },
          ],
        }, { title: label, alt: 'Tornado diagram for ' + label });
      });
      caption(out, 'Bars run from the result with all inputs at their means (black line) to the result with one input at its low (blue) or high '
        + '(orange) value, predicted by a linear metamodel fitted to the replications.' + (truncated ? ' Only the ' + MAXP + ' most influential inputs are shown for each result.' : ''));
    }
    var psa = arr(D.psa);
    h3(out, 'Uncertain inputs');
    if (!psa.length) { note(out, 'No uncertain parameters were given: every replication used the same input values.'); return; }
    table(out, {
      name: 'psa', rows: psa,
      columns: [
        { label: 'Input', get: function (r) { return r.name; } },
        { label: 'Key', narrow: true, get: function (r) { return el('span', { 'class': 'mono', text: r.key }); } },
        { label: 'Distribution', get: function (r) { return r.distribution; } },
        { label: 'Base', num: true, get: function (r) { return num(r.base); } },
        { label: 'Mean', num: true, get: function (r) { return num(r.mean); } },
        { label: 'SD', num: true, get: function (r) { return num(r.sd); } },
        { label: '5th\u201395th percentile', num: true, get: function (r) { return num(r.q05) + ' to ' + num(r.q95); } },
        { label: 'Source', wide: true, get: function (r) { return r.source; } },
      ],
    });
  });

  // ---- value of information ---------------------------------------------------------------
  var VOI_MAX = 15;    // bars in the EVPPI and payoff charts (the table lists every input)
  var RISK_MAX = 8;    // bars in each risk-attribution chart
  var VOI_TRACES = 5;  // inputs in the EVPPI convergence chart
  var KIND_SINGLE = 'single input', KIND_GROUP = 'group of inputs';
  var KIND_SCALE = { domain: [KIND_SINGLE, KIND_GROUP], range: ['#005eb8', '#7c2855'] };
  /** An input's label in the charts: groups are marked. */
  function voiLabel(r) { return r.kind === 'group' ? r.name + ' (group)' : r.name; }
  function voiKind(r) { return r.kind === 'group' ? KIND_GROUP : KIND_SINGLE; }
  /** A share of variance (0-1) as %: whole per cent from 10%, then one or two decimals. */
  function shareText(v) {
    if (!isNum(v)) return '\u2014';
    if (v === 0) return '0%';
    if (v < 0.0001) return '<0.01%';
    return fixed(v * 100, v >= 0.1 ? 0 : (v >= 0.001 ? 1 : 2)) + '%';
  }
  /**
   * The top of a share axis: a little above the largest share (room for its label), rounded
   * up to half a power of ten below it, at most 100%. Tiny shares get a short axis, not 0-100%.
   */
  function shareMax(m) {
    if (!(m > 0)) return 1;
    var d = m * 1.12, step = Math.pow(10, Math.floor(Math.log(d) / Math.LN10)) / 2;
    return Math.min(1, Math.ceil(d / step) * step);
  }
  /** Percentage ticks with as many decimals as an axis up to `max` needs. */
  function shareAxis(max) {
    var digits = Math.max(0, Math.min(4, 1 - Math.floor(Math.log(max * 100) / Math.LN10)));
    return { format: '.' + digits + '~%', tickCount: 5, labelFlush: false };
  }
  /** EVPPI and its ±1.96 SE, in pounds. */
  function moneyPm(v, se) { return money(v) + (isNum(se) && se > 0 ? ' \u00b1 ' + money(1.96 * se) : ''); }
  /** The two arms with the highest mean net benefit at w (best first), from the NMB rows; null if unknown. */
  function decisivePair(w) {
    var scores = [{ arm: BASE, v: 0 }];
    arr(D.nmb).forEach(function (r) {
      if (r.wtp === w && r.base_arm === BASE && isNum(r.incremental_nmb)) scores.push({ arm: r.arm, v: r.incremental_nmb });
    });
    if (scores.length < 2) return null;
    scores.sort(function (a, b) { return b.v - a.v; });
    return [scores[0].arm, scores[1].arm];
  }
  /** Horizontal bars of a share (0-1) per input, largest at the top, with the value at the end of each bar. */
  function shareBarsSpec(rows, xTitle) {
    var max = 0;
    var data = rows.map(function (r) {
      if (r.share > max) max = r.share;
      return { label: voiLabel(r), kind: voiKind(r), share: r.share, text: shareText(r.share),
        members: r.kind === 'group' ? arr(r.parameters).join(', ') : '' };
    });
    var order = data.map(function (d) { return d.label; });
    var hasGroups = data.some(function (d) { return d.kind === KIND_GROUP; });
    var y = { field: 'label', type: 'nominal', title: null, sort: order, axis: { labelLimit: 220 } };
    var top = shareMax(max);
    var x = { field: 'share', type: 'quantitative', title: xTitle, axis: shareAxis(top), scale: { domain: [0, top], nice: false } };
    return {
      width: 260, height: { step: 22 }, data: { values: data },
      layer: [
        { name: 'bars', mark: { type: 'bar', height: { band: 0.72 } },
          encoding: { y: y, x: x,
            color: { field: 'kind', type: 'nominal', title: null, scale: KIND_SCALE, legend: hasGroups ? { orient: 'bottom', direction: 'horizontal' } : null },
            tooltip: [{ field: 'label', title: 'Input' }, { field: 'text', title: 'Share explained alone' }].concat(hasGroups ? [{ field: 'members', title: 'Inputs in the group' }] : []) } },
        { name: 'labels', mark: { type: 'text', align: 'left', baseline: 'middle', dx: 3, fontSize: 10, color: '#3b4452' },
          encoding: { y: y, x: { field: 'share', type: 'quantitative' }, text: { field: 'text' } } },
      ],
    };
  }

  section('voi', function () {
    var out = body('voi-body');
    var ev = arr(D.evppi).filter(function (r) { return isNum(r.wtp) && isNum(r.evppi); });
    var evc = arr(D.evppi_convergence);
    var ra = arr(D.risk_attribution);
    if (!ev.length && !ra.length) {
      note(out, !arr(D.psa).length ? 'No uncertain parameters were given, so there is no value-of-information analysis.'
        : (OTHER_ARMS.length === 0 ? 'Only one arm was simulated, so there is no decision for better evidence to change and no value-of-information analysis.'
          : 'No value-of-information results were reported.'));
      return;
    }
    var perUnit = '/' + (EFFECT.replace(/s$/, '') || 'unit');

    // EVPPI: at the first willingness to pay, ranked by the analysis (EVPPI, then iNMB share)
    h3(out, 'Which inputs are worth researching (EVPPI)');
    if (!ev.length) {
      note(out, OTHER_ARMS.length === 0 ? 'Only one arm was simulated, so there is no decision for better evidence to change: no EVPI or EVPPI.'
        : 'No EVPPI was reported.');
    } else {
      var have = uniq(ev.map(function (r) { return r.wtp; }));
      var wtps = WTP.filter(function (w) { return have.indexOf(w) >= 0; })
        .concat(have.filter(function (w) { return WTP.indexOf(w) < 0; }));
      var w0 = wtps[0];
      var rows0 = ev.filter(function (r) { return r.wtp === w0; }).sort(function (a, b) {
        return b.evppi - a.evppi || (b.inmb_share || 0) - (a.inmb_share || 0);
      });
      var evpiAt = function (w) {
        var r = ev.filter(function (x) { return x.wtp === w && isNum(x.evpi); })[0];
        return r ? r.evpi : null;
      };
      var evpi0 = evpiAt(w0);
      var at = ' at ' + wtpText(w0);
      var anyEvppi = rows0.some(function (r) { return r.evppi > 0; });
      var pair = decisivePair(w0);
      var verdict;
      if (!anyEvppi && evpi0 === 0) {
        verdict = 'EVPI is ' + money(0) + at + ': the same arm' + (pair ? ' (' + pair[0] + ')' : '') + ' has the highest net benefit in every '
          + 'replication, so no study would change the decision. Every input\u2019s EVPPI is therefore ' + money(0) + ' too; the chart below '
          + 'ranks the inputs instead by how far they move the decision\u2019s payoff.';
      } else if (!anyEvppi) {
        verdict = 'EVPI is ' + money(evpi0) + ' per decision' + at + ': with perfect information about everything the run varies, a different arm '
          + 'would sometimes be chosen. But no single input or group has an EVPPI above ' + money(0) + ' on its own: the decision turns on inputs '
          + 'acting together, or on the run\u2019s own randomness, which no study could remove.';
      } else {
        var top = rows0[0];
        verdict = 'EVPI is ' + (isNum(evpi0) ? money(evpi0) : 'not reported') + ' per decision' + at + '. The input most worth researching is '
          + voiLabel(top) + ': EVPPI ' + moneyPm(top.evppi, top.se) + ' per decision'
          + (evpi0 > 0 ? ' (' + pct(top.evppi / evpi0) + ' of the EVPI)' : '') + '.';
      }
      out.appendChild(el('p', { 'class': 'verdict' + (anyEvppi || evpi0 > 0 ? ' open' : ''), text: verdict }));

      if (anyEvppi) {
        var shown = rows0.filter(function (r) { return r.evppi > 0 || r.se > 0; });
        var hidden = rows0.length - shown.length, cut = shown.length > VOI_MAX;
        shown = shown.slice(0, VOI_MAX);
        var xmax = 0;
        var data = shown.map(function (r) {
          var se = isNum(r.se) ? r.se : 0;
          var d = { label: voiLabel(r), kind: voiKind(r), evppi: r.evppi, lo: Math.max(0, r.evppi - 1.96 * se), hi: r.evppi + 1.96 * se,
            text: moneyPm(r.evppi, se), ofEvpi: evpi0 > 0 ? pct(r.evppi / evpi0) : '\u2014',
            members: r.kind === 'group' ? arr(r.parameters).join(', ') : '' };
          xmax = Math.max(xmax, d.hi, d.evppi);
          return d;
        });
        // The EVPI is drawn only where it would not squash the bars; otherwise it is given in words.
        var evpiRule = isNum(evpi0) && evpi0 > 0 && evpi0 <= 2 * xmax;
        var dmax = evpiRule ? Math.max(xmax, evpi0) : xmax;
        var order = data.map(function (d) { return d.label; });
        var hasGroups = data.some(function (d) { return d.kind === KIND_GROUP; });
        var y = { field: 'label', type: 'nominal', title: null, sort: order, axis: { labelLimit: 220 } };
        var x = { field: 'evppi', type: 'quantitative', title: 'EVPPI per decision (\u00a3)', axis: MONEY_AXIS, scale: { domain: [0, dmax], nice: true } };
        var layers = [
          { name: 'bars', data: { values: data }, mark: { type: 'bar', height: { band: 0.72 } },
            encoding: { y: y, x: x,
              color: { field: 'kind', type: 'nominal', title: null, scale: KIND_SCALE, legend: hasGroups ? { orient: 'bottom', direction: 'horizontal' } : null },
              tooltip: [{ field: 'label', title: 'Input' }, { field: 'text', title: 'EVPPI (\u00b11.96 SE)' }, { field: 'ofEvpi', title: 'Share of EVPI' }]
                .concat(hasGroups ? [{ field: 'members', title: 'Inputs in the group' }] : []) } },
          { name: 'errorbars', data: { values: data }, mark: { type: 'rule', color: '#1d2430', strokeWidth: 1.5 },
            encoding: { y: y, x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' } } },
          { name: 'errorcaps', data: { values: data },
            transform: [{ filter: 'datum.hi > datum.evppi' }, { fold: ['lo', 'hi'], as: ['end', 'at'] }, { filter: 'datum.at > 0' }],
            mark: { type: 'tick', color: '#1d2430', thickness: 1.5, size: 9 },
            encoding: { y: y, x: { field: 'at', type: 'quantitative' } } },
        ];
        if (evpiRule) {
          var ev0 = [{ evpi: evpi0, text: 'EVPI ' + moneyShort(evpi0) }];
          layers.push({ name: 'evpi', data: { values: ev0 }, mark: { type: 'rule', color: '#ed8b00', strokeWidth: 2, strokeDash: [6, 4] },
            encoding: { x: { field: 'evpi', type: 'quantitative' } } });
          layers.push({ name: 'evpilabel', data: { values: ev0 }, mark: { type: 'text', align: 'right', baseline: 'bottom', dx: -3, y: -3, fontSize: 11, color: '#8a4b00' },
            encoding: { x: { field: 'evpi', type: 'quantitative' }, text: { field: 'text' } } });
        }
        var best = rows0[0].evppi;
        chart(out, 'voi-evppi', { width: 460, height: { step: 22 }, layer: layers }, {
          title: 'EVPPI per decision' + at,
          alt: 'Expected value of partial perfect information per input' + at,
          caption: 'Bars: the expected value of perfect information about each input (or group of inputs) alone, per decision; '
            + 'lines: \u00b11.96 standard errors (cut at ' + money(0) + ': EVPPI cannot be negative). '
            + (evpiRule ? 'Dashed orange line: the EVPI, the value of removing all uncertainty at once (' + money(evpi0) + '). '
              : (evpi0 > 0 ? 'The EVPI, the value of removing all uncertainty at once, is ' + money(evpi0) + ', beyond the right of this axis. ' : ''))
            + (evpi0 > 0 && best < 0.5 * evpi0 ? 'No input alone comes near the EVPI: the rest is inputs acting together, and the replications\u2019 '
              + 'own chance variation, which counts towards the EVPI but no study could remove. ' : '')
            + (hidden > 0 ? hidden + ' input' + (hidden === 1 ? '' : 's') + ' with an EVPPI of ' + money(0) + ' and no spread ' + (hidden === 1 ? 'is' : 'are') + ' not drawn (see the table). ' : '')
            + (cut ? 'Only the ' + VOI_MAX + ' highest are drawn.' : ''),
        });
      }

      // What moves the payoff: share of the variance of the decisive iNMB each input explains alone
      var sh = rows0.filter(function (r) { return isNum(r.inmb_share) && r.inmb_share > 0; })
        .sort(function (a, b) { return b.inmb_share - a.inmb_share; });
      var none = rows0.length - sh.length, cutS = sh.length > VOI_MAX;
      sh = sh.slice(0, VOI_MAX).map(function (r) { return { name: r.name, kind: r.kind, parameters: r.parameters, share: r.inmb_share }; });
      var pairText = pair ? 'the difference in net monetary benefit between ' + pair[0] + ' and ' + pair[1] + ' (the two arms with the highest mean net benefit)'
        : 'the difference in net monetary benefit between the two best arms';
      if (!sh.length) note(out, 'No input explains any of the variation in ' + pairText + at + ' on its own.');
      else {
        chart(out, 'voi-inmb-share', shareBarsSpec(sh, 'Share of the payoff\u2019s variance explained alone'), {
          title: 'What moves the decision\u2019s payoff' + at,
          alt: 'Share of the variance of the incremental net monetary benefit explained by each input',
          caption: 'Each bar: the share of the variance of ' + pairText + at + ' that the input explains on its own. An input can move the payoff '
            + 'a lot and still never change the decision (its EVPPI is then ' + money(0) + '). The shares are first-order: correlated inputs share '
            + 'what they explain, so they can add up to more than 100%; what they leave is interactions between inputs and the run\u2019s own randomness.'
            + (sh[0].share < 0.01 ? ' Here no input explains even 1% of it alone: the difference is almost all the run\u2019s own randomness.' : '')
            + (none > 0 ? ' ' + none + ' input' + (none === 1 ? '' : 's') + ' explaining none of it alone ' + (none === 1 ? 'is' : 'are') + ' not drawn.' : '')
            + (cutS ? ' Only the ' + VOI_MAX + ' largest are drawn.' : ''),
        });
      }

      // The table: every input and group, at every willingness to pay
      var atW = function (r, w) { return ev.filter(function (x) { return x.name === r.name && x.wtp === w; })[0] || null; };
      var columns = [
        { label: 'Rank', num: true, get: function (r) { return String(rows0.indexOf(r) + 1); } },
        { label: 'Input or group', get: function (r) {
          if (r.kind !== 'group') return el('div', { 'class': 'voi-input', text: r.name });
          var cell = el('div', { 'class': 'voi-input' }, [el('div', null, [el('strong', { text: r.name }), ' ', pill('group', '')])]);
          if (r.description) cell.appendChild(el('div', { 'class': 'members', text: r.description }));
          cell.appendChild(el('div', { 'class': 'members', text: 'Inputs: ' + arr(r.parameters).join(', ') }));
          return cell;
        } },
        { label: 'Method', get: function (r) {
          var gp = r.method === 'gp';
          return el('span', { title: gp ? 'Gaussian-process regression on the group\u2019s inputs' : 'generalised additive model: a smoothing spline of the input',
            text: gp ? 'GP' : (r.method === 'gam' ? 'GAM' : String(r.method || '\u2014')) });
        } },
      ];
      wtps.forEach(function (w) {
        var wl = moneyShort(w) + perUnit;
        columns.push({ label: 'EVPPI per decision at ' + wl + ' (\u00b11.96 SE)', num: true, get: function (r) {
          var x = atW(r, w); return x ? moneyPm(x.evppi, x.se) : null;
        } });
      });
      columns.push({ label: '% of EVPI at ' + moneyShort(w0) + perUnit, num: true, get: function (r) {
        return r.evpi > 0 ? pct(r.evppi / r.evpi) : '\u2014';
      } });
      columns.push({ label: 'Population EVPPI at ' + moneyShort(w0) + perUnit, num: true, get: function (r) { return money(r.population_evppi); } });
      columns.push({ label: 'Explains of iNMB', num: true, title: 'share of the variance of ' + pairText + at + ' that the input explains alone',
        get: function (r) { return shareText(r.inmb_share); } });
      table(out, {
        name: 'evppi', rows: rows0, columns: columns,
        caption: 'EVPPI per input or group, ranked' + at + '. EVPI (all uncertainty) per decision: '
          + wtps.map(function (w) { return money(evpiAt(w)) + ' at ' + wtpText(w); }).join('; ') + '.',
      });
      var pf = S.voi_population_factor, dpy = S.voi_decisions_per_year, yrs = S.voi_years;
      note(out, 'Population EVPPI = EVPPI per decision \u00d7 ' + (isNum(pf) ? plain(pf) : 'the population factor') + ': '
        + (isNum(dpy) && isNum(yrs)
          ? plain(dpy) + ' decision' + (dpy === 1 ? '' : 's') + ' a year for ' + yrs + ' year' + (yrs === 1 ? '' : 's') + ', discounted'
            + (isNum(S.discount_rate) ? ' at ' + fixed(S.discount_rate * 100, 1) + '% a year' : '')
          : 'the decisions the information would inform, discounted')
        + ' (analysis settings voi_decisions_per_year and voi_years). It is the most a study of that input could be worth to all the decisions it informs.');

      // Convergence of the leading inputs' EVPPI (at the first willingness to pay)
      h3(out, 'Has the EVPPI estimate settled?');
      var names = rows0.map(function (r) { return r.name; })
        .filter(function (n) { return evc.some(function (c) { return c.name === n; }); }).slice(0, VOI_TRACES);
      if (!names.length) note(out, 'No EVPPI convergence traces were reported.');
      else {
        var labelOfName = {};
        rows0.forEach(function (r) { labelOfName[r.name] = voiLabel(r); });
        var crows = [], ymax = 0, nmin = Infinity, nmax = -Infinity;
        evc.forEach(function (c) {
          if (names.indexOf(c.name) < 0 || !isNum(c.n) || !isNum(c.evppi)) return;
          var se = isNum(c.se) ? c.se : 0;
          var row = { label: labelOfName[c.name], n: c.n, evppi: c.evppi, lo: Math.max(0, c.evppi - 1.96 * se), hi: c.evppi + 1.96 * se };
          crows.push(row);
          ymax = Math.max(ymax, row.hi, row.evppi);
          nmin = Math.min(nmin, c.n); nmax = Math.max(nmax, c.n);
        });
        crows.sort(function (a, b) { return a.n - b.n; });
        var labels = names.map(function (n) { return labelOfName[n]; });
        var ranking = anyEvppi ? 'the ' + names.length + ' inputs with the highest EVPPI'
          : 'the ' + names.length + ' inputs that move the payoff most (every EVPPI is ' + money(0) + ')';
        if (!crows.length) note(out, 'No EVPPI convergence traces were reported.');
        else if (!(ymax > 0)) {
          note(out, 'The EVPPI of the ' + names.length + ' leading inputs (' + labels.join(', ') + ') is ' + money(0) + ', with no spread, '
            + 'from ' + nf0.format(nmin) + ' to ' + nf0.format(nmax) + ' replications: there is no trace to draw, and the estimate is settled.');
        } else {
          chart(out, 'voi-evppi-convergence', {
            data: { values: crows },
            facet: { field: 'label', type: 'nominal', sort: labels, title: null,
              header: { labelAngle: 0, labelAnchor: 'start', labelFontWeight: 600, labelLimit: 250 } },
            columns: Math.min(3, labels.length),
            spec: {
              width: 250, height: 130,
              layer: [
                { name: 'band', mark: { type: 'area', color: '#9ec5ea', opacity: 0.6 },
                  encoding: { x: { field: 'n', type: 'quantitative', title: 'Replications', scale: nmax > nmin ? { domain: [nmin, nmax], nice: false } : {} },
                    y: { field: 'lo', type: 'quantitative', title: 'EVPPI per decision (\u00a3)', axis: MONEY_AXIS, scale: { domain: [0, ymax], nice: true } },
                    y2: { field: 'hi' } } },
                { name: 'trace', mark: { type: 'line', color: '#005eb8', strokeWidth: 2, point: { size: 16, color: '#005eb8' } },
                  encoding: { x: { field: 'n', type: 'quantitative' }, y: { field: 'evppi', type: 'quantitative' },
                    tooltip: [{ field: 'label', title: 'Input' }, { field: 'n', title: 'Replications' }, { field: 'evppi', title: 'EVPPI (\u00a3)', format: ',.0f' },
                      { field: 'hi', title: 'Upper end of the band (\u00a3)', format: ',.0f' }] } },
              ],
            },
            spacing: 14,
          }, { title: 'EVPPI' + at + ' as replications are added: ' + ranking,
            alt: 'EVPPI against the number of replications for the leading inputs',
            caption: 'Line: the EVPPI estimated from the first n replications; band: \u00b11.96 standard errors (cut at ' + money(0) + '). '
              + 'A line that still moves at the right-hand end, or a wide band, means more replications would change the estimate.' });
        }
      }
    }

    // Risk attribution: what drives each partner's gain/pain (and its painshare above reserves)
    h3(out, 'What drives each partner\u2019s financial risk');
    if (!ra.length) {
      note(out, !PARTNERS.length ? 'No contracts with gain/pain sharing were simulated, so there is no partner risk to attribute.'
        : 'No risk attribution was reported.');
      return;
    }
    var OUTPUTS = ['gain_pain', 'painshare_above_reserve'];
    var idx = function (list, v) { var i = list.indexOf(v); return i < 0 ? 999 : i; };
    var keys = [], seen = {};
    ra.forEach(function (r) {
      var k = r.arm + '\u0000' + r.partner + '\u0000' + r.output;
      if (!seen[k]) { seen[k] = true; keys.push({ arm: r.arm, partner: r.partner, output: r.output }); }
    });
    keys.sort(function (a, b) {
      return idx(PARTNERS, a.partner) - idx(PARTNERS, b.partner) || idx(ARMS, a.arm) - idx(ARMS, b.arm) || idx(OUTPUTS, a.output) - idx(OUTPUTS, b.output);
    });
    var grid = el('div', { 'class': 'chart-grid' });
    out.appendChild(grid);
    keys.forEach(function (k) {
      var what = k.output === 'gain_pain' ? k.partner + '\u2019s gain/pain'
        : (k.output === 'painshare_above_reserve' ? 'whether ' + k.partner + '\u2019s painshare exceeds its reserves' : k.partner + '\u2019s ' + k.output);
      var rs = ra.filter(function (r) { return r.arm === k.arm && r.partner === k.partner && r.output === k.output && isNum(r.share) && r.share > 0; })
        .sort(function (a, b) { return b.share - a.share; }).slice(0, RISK_MAX);
      if (!rs.length) { note(grid, 'Under ' + k.arm + ', no input explains any of ' + what + ' on its own.'); return; }
      chart(grid, 'risk-attribution-' + slug(k.arm) + '-' + slug(k.partner) + '-' + slug(k.output),
        shareBarsSpec(rs, 'Share of the variance explained alone'),
        { title: 'What drives ' + what + ' in ' + k.arm, alt: 'Inputs that drive ' + what + ' in ' + k.arm });
    });
    caption(out, 'Each bar: the share of the variance of a partner\u2019s gain/pain share over the horizon (or of whether its painshare in a '
      + 'replication exceeds its reserves, a yes-or-no outcome) that the input explains on its own; the ' + RISK_MAX + ' largest are drawn. '
      + 'The shares are first-order (each input alone): correlated inputs share what they explain, so the shares can add up to more than 100%, '
      + 'and what they leave is interactions between inputs and the run\u2019s own randomness.');
  });

  // ---- convergence ----------------------------------------------------------------------
  section('convergence', function () {
    var out = body('convergence-body');
    var cv = arr(D.convergence);
    var metricsC = uniq(cv.map(function (r) { return r.metric; }));
    if (!cv.length) note(out, 'No convergence traces were reported.');
    else {
      var grid = el('div', { 'class': 'chart-grid' });
      out.appendChild(grid);
      metricsC.forEach(function (m) {
        var rs = cv.filter(function (r) { return r.metric === m && isNum(r.mean) && isNum(r.se) && isNum(r.n); })
          .sort(function (a, b) { return a.n - b.n; });
        if (!rs.length) return;
        if (rs.length > 400) {  // thin long traces, keeping the first and last points
          var k = Math.ceil(rs.length / 400);
          rs = rs.filter(function (_, i) { return i % k === 0 || i === rs.length - 1; });
        }
        var label = rs[0].label || m;
        var rows = rs.map(function (r) { return { n: r.n, mean: r.mean, lo: r.mean - 1.96 * r.se, hi: r.mean + 1.96 * r.se }; });
        var isMoney = looksMoney(m, label);
        var yAxis = isMoney ? MONEY_AXIS : {};
        chart(grid, 'convergence-' + slug(m), {
          width: 420, height: 170, data: { values: rows },
          layer: [
            { mark: { type: 'area', color: '#9ec5ea', opacity: 0.6 },
              encoding: { x: { field: 'n', type: 'quantitative', title: 'Replications' },
                y: { field: 'lo', type: 'quantitative', title: 'Running mean', axis: yAxis, scale: { zero: false } }, y2: { field: 'hi' } } },
            { mark: { type: 'line', color: '#005eb8', strokeWidth: 2 },
              encoding: { x: { field: 'n', type: 'quantitative' }, y: { field: 'mean', type: 'quantitative', title: 'Running mean' } } },
          ],
        }, { title: label, alt: 'Running mean of ' + label });
      });
    }
    var rn = arr(D.replications_needed);
    h3(out, 'Replications needed for the stated precision');
    if (!rn.length) { note(out, 'No precision targets were set (analysis.precision in the scenario), so no replication counts are computed.'); return; }
    var labelOf = function (m) {
      var c = cv.filter(function (r) { return r.metric === m; })[0] || arr(D.metrics).filter(function (r) { return r.metric === m; })[0];
      return c && c.label ? c.label : m;
    };
    table(out, {
      name: 'replications-needed', rows: rn,
      columns: [
        { label: 'Metric', get: function (r) { return labelOf(r.metric) + (r.arm ? ' \u2014 ' + r.arm : ''); } },
        { label: 'Wanted 95% CI half-width', num: true, get: function (r) { return looksMoney(r.metric, labelOf(r.metric)) ? '\u00b1' + money(r.half_width) : '\u00b1' + num(r.half_width); } },
        { label: 'SD per replication', num: true, get: function (r) { return looksMoney(r.metric, labelOf(r.metric)) ? money(r.sd) : num(r.sd); } },
        { label: 'Replications needed', num: true, get: function (r) { return isNum(r.needed) ? nf0.format(r.needed) : null; } },
        { label: 'Replications run', num: true, get: function (r) { return isNum(r.have) ? nf0.format(r.have) : null; } },
        { label: 'Enough?', get: function (r) {
          if (!isNum(r.needed) || !isNum(r.have)) return null;
          return r.have >= r.needed ? pill('yes', 'good') : pill('no: run ' + nf0.format(r.needed - r.have) + ' more', 'bad');
        } },
      ],
    });
  });

  // ---- designing terms (mhsim design --html: the document's `design` object) --------------
  // The constraints in words, the scenario's own terms as the reference point, every
  // combination on the plane of the commissioner's saving against the worst partner's risk
  // (the frontier drawn as a line), and the frontier's terms in a table. A report without a
  // design keeps the section hidden.
  var MAX_DESIGN_POINTS = 5000;
  var termNf = new Intl.NumberFormat('en-GB', { maximumSignificantDigits: 10 });
  function designLabels(axes) {
    var short = axes.map(function (a) { var p = String(a.path); return p.slice(p.lastIndexOf('.') + 1); });
    // A label two axes share (two contracts' share, say): their full paths instead.
    return short.map(function (l, i) { return short.indexOf(l) !== short.lastIndexOf(l) ? String(axes[i].path) : l; });
  }
  function isReservesAxis(a) { return /^partners\.[^.]+\.reserves$/.test(String(a.path)); }
  /** A term's value as the CSV and the printout write it (10 significant digits); null: no limit. */
  function termText(v, axis) {
    if (v === null || v === undefined) return 'none';
    if (!isNum(v)) return '\u2014';
    return (axis && isReservesAxis(axis) ? '\u00a3' : '') + termNf.format(v).replace('-', MINUS);
  }
  function designStatus(r) { return r.feasible ? 'meets every constraint' : 'fails a constraint'; }
  function withPartner(text, partner) { return partner ? text + ' (' + partner + ')' : text; }

  section('design', function () {
    var Z = D.design;
    if (!Z || typeof Z !== 'object') return;
    var sec = document.getElementById('sec-design');
    if (sec) sec.hidden = false;
    var out = body('design-body');
    var axes = arr(Z.axes), labels = designLabels(axes), rows = arr(Z.rows);
    var C = Z.constraints || {}, ref = Z.reference || {};
    var H = isNum(Z.horizon_years) ? Z.horizon_years : null;
    var over = H ? ' over the ' + H + '-year agreement' : ' over the agreement';
    var termsOf = function (r) {
      return axes.map(function (a, k) { return labels[k] + ' ' + termText(arr(r.terms)[k], a); }).join(', ');
    };

    h3(out, 'What the board asked');
    var ul = el('ul', { 'class': 'keyfindings', 'data-design': 'constraints' });
    ul.appendChild(el('li', { text: 'Every partner with stated reserves has at most a ' + pct(C.max_p_exhausted)
      + ' chance of exhausting them' + over + ': P(reserves exhausted) \u2264 ' + pct(C.max_p_exhausted) + '.' }));
    ul.appendChild(el('li', { text: 'Every partner that shares risk expects a gain/pain share' + over + ' of at least '
      + money(C.min_expected_gain) + (C.min_expected_gain === 0 ? ': no partner expects to lose on the risk share.' : '.') }));
    if (isNum(C.budget_per_year)) {
      ul.appendChild(el('li', { text: 'The commissioner\u2019s expected spend' + over + ' is at most ' + money(C.budget_over_horizon)
        + ' (its budget of ' + money(C.budget_per_year) + ' a year' + (H ? ' \u00d7 ' + H + ' years' : '') + ').' }));
    } else {
      ul.appendChild(el('li', { text: 'No limit on the commissioner\u2019s spend: no budget was stated (analysis.commissioner_budget or --budget).' }));
    }
    out.appendChild(ul);
    var reserves = arr(Z.reserves);
    var reserveAxes = axes.filter(isReservesAxis);
    caption(out, 'Designed: the terms of arm ' + Z.arm + '. Reserves behind P(reserves exhausted): '
      + (reserves.length ? reserves.map(function (r) { return r.partner + ' ' + money(r.reserve); }).join(', ') : 'none stated')
      + (reserveAxes.length ? '; varied as terms: ' + reserveAxes.map(function (a) { return String(a.path).split('.')[1]; }).join(', ') : '')
      + '. Partners without stated reserves are not in the risk constraint.');

    h3(out, 'The terms searched');
    table(out, {
      name: 'design-axes', rows: axes,
      columns: [
        { label: 'Term', get: function (a) { return el('code', { text: String(a.path) }); } },
        { label: 'Values', get: function (a) {
          var v = arr(a.values);
          return v.length > 8 ? termText(v[0], a) + ', ' + termText(v[1], a) + ', \u2026, ' + termText(v[v.length - 1], a) + ' (' + v.length + ' values)'
            : v.map(function (x) { return termText(x, a); }).join(', ');
        } },
        { label: 'The scenario\u2019s own', num: true, get: function (a) {
          var v = arr(ref.terms)[axes.indexOf(a)];
          return v === null || v === undefined ? (isReservesAxis(a) ? 'not stated' : 'none, or not a fixed number') : termText(v, a);
        } },
      ],
    });

    var feasible = rows.filter(function (r) { return r.feasible; });
    var frontier = rows.filter(function (r) { return r.frontier; }).sort(function (a, b) {
      return a.commissioner_spend - b.commissioner_spend || a.worst_p_exhausted - b.worst_p_exhausted || a.combination - b.combination;
    });
    var refText = 'The scenario\u2019s own terms' + (axes.length ? ' (' + termsOf(ref) + ')' : '') + ': the commissioner expects to spend '
      + money(ref.commissioner_spend) + over + '; the worst partner\u2019s P(reserves exhausted) is '
      + withPartner(pct(ref.worst_p_exhausted), ref.worst_partner)
      + (ref.lowest_gain_partner ? '; the lowest expected gain/pain is ' + withPartner(money(ref.lowest_expected_gain), ref.lowest_gain_partner) : '')
      + '. They ' + (ref.feasible ? 'meet' : 'do not meet') + ' the constraints.';
    var fails = { risk: 0, gain: 0, budget: 0 };
    rows.forEach(function (r) {
      if (r.feasible) return;
      if (r.worst_p_exhausted > C.max_p_exhausted) fails.risk += 1;
      if (isNum(r.lowest_expected_gain) && r.lowest_expected_gain < C.min_expected_gain) fails.gain += 1;
      if (isNum(C.budget_over_horizon) && r.commissioner_spend > C.budget_over_horizon) fails.budget += 1;
    });
    var failText = rows.length > feasible.length ? ' Of those that do not, ' + [
      fails.risk + ' put a partner\u2019s reserves at too much risk',
      fails.gain + ' leave a partner expecting to lose on the risk share'].concat(isNum(C.budget_over_horizon)
      ? [fails.budget + ' cost the commissioner more than its budget'] : []).join(', ') + ' (a combination can fail several).' : '';
    out.appendChild(el('div', { 'class': 'verdict' + (frontier.length ? '' : ' open'), 'data-design': 'verdict' }, [
      el('strong', { text: nf0.format(feasible.length) + ' of ' + nf0.format(rows.length) + ' combinations meet every constraint'
        + (frontier.length ? '; ' + nf0.format(frontier.length) + ' of them ' + (frontier.length === 1 ? 'is' : 'are') + ' on the frontier.' : '.') }),
      ' ' + failText,
      el('p', { 'data-design': 'reference', text: refText }),
    ]));

    // Every combination on one plane; combinations with the same figures share a point.
    var seenPt = {}, pts = [];
    rows.forEach(function (r) {
      var key = r.worst_p_exhausted + '|' + r.saving + '|' + (r.feasible ? 1 : 0);
      if (seenPt[key] !== undefined) { pts[seenPt[key]].n += 1; if (r.frontier) pts[seenPt[key]].frontier = true; return; }
      seenPt[key] = pts.length;
      var failed = [];
      if (!r.feasible) {
        if (r.worst_p_exhausted > C.max_p_exhausted) failed.push('the risk limit');
        if (isNum(r.lowest_expected_gain) && r.lowest_expected_gain < C.min_expected_gain) failed.push('a partner\u2019s expected gain');
        if (isNum(C.budget_over_horizon) && r.commissioner_spend > C.budget_over_horizon) failed.push('the budget');
      }
      var p = { x: r.worst_p_exhausted, y: r.saving, n: 1, status: designStatus(r), frontier: !!r.frontier,
        why: r.feasible ? (r.frontier ? 'meets every constraint; on the frontier' : 'meets every constraint') : 'fails ' + failed.join(', '),
        spend: r.commissioner_spend, worst: withPartner(pct(r.worst_p_exhausted), r.worst_partner),
        gain: r.lowest_gain_partner ? withPartner(money(r.lowest_expected_gain), r.lowest_gain_partner) : 'no partner shares risk' };
      axes.forEach(function (a, k) { p['t' + k] = termText(arr(r.terms)[k], a); });
      pts.push(p);
    });
    pts.forEach(function (p) { p.others = p.n > 1 ? (p.n - 1) + ' other combination' + (p.n > 2 ? 's' : '') + ' with the same figures' : 'none'; });
    var drawn = pts, thinNote = '';
    if (pts.length > MAX_DESIGN_POINTS) {
      drawn = pts.filter(function (p, i) { return p.frontier || i < MAX_DESIGN_POINTS; });
      thinNote = ' For speed the chart shows the first ' + nf0.format(MAX_DESIGN_POINTS) + ' of ' + nf0.format(pts.length)
        + ' distinct points and every point of the frontier (the tables use every combination).';
    }
    var line = drawn.filter(function (p) { return p.frontier; }).sort(function (a, b) { return a.x - b.x || a.y - b.y; });
    var xmax = 0;
    drawn.forEach(function (p) { if (p.x > xmax) xmax = p.x; });
    if (isNum(ref.worst_p_exhausted) && ref.worst_p_exhausted > xmax) xmax = ref.worst_p_exhausted;
    var showLimit = isNum(C.max_p_exhausted) && C.max_p_exhausted <= Math.max(1.5 * xmax, 0.02);
    if (showLimit && C.max_p_exhausted > xmax) xmax = C.max_p_exhausted;
    xmax = Math.min(1, Math.max(xmax * 1.08, 0.01));
    var tooltip = axes.map(function (a, k) { return { field: 't' + k, type: 'nominal', title: labels[k] }; }).concat([
      { field: 'why', type: 'nominal', title: 'Constraints' },
      { field: 'y', type: 'quantitative', title: 'Saving (\u00a3)', format: ',.0f' },
      { field: 'spend', type: 'quantitative', title: 'Expected spend (\u00a3)', format: ',.0f' },
      { field: 'worst', type: 'nominal', title: 'Worst P(reserves exhausted)' },
      { field: 'gain', type: 'nominal', title: 'Lowest expected gain/pain' },
      { field: 'others', type: 'nominal', title: 'Same point' }]);
    var xEnc = { field: 'x', type: 'quantitative', title: 'Worst partner\u2019s P(reserves exhausted)', axis: PCT_AXIS, scale: { domain: [0, xmax], nice: false } };
    var yEnc = { field: 'y', type: 'quantitative', title: 'Commissioner\u2019s expected saving' + (H ? ' over ' + H + ' years' : '') + ' (\u00a3)', axis: MONEY_AXIS };
    var layers = [
      { data: { values: [{}] }, mark: { type: 'rule', color: '#888' }, encoding: { y: { datum: 0, type: 'quantitative' } } },
      { name: 'combinations', data: { values: drawn }, mark: { type: 'point', filled: true, size: 46, opacity: 0.75 },
        encoding: { x: xEnc, y: yEnc, tooltip: tooltip,
          color: { field: 'status', type: 'nominal', title: null, sort: ['meets every constraint', 'fails a constraint'],
            scale: { domain: ['meets every constraint', 'fails a constraint'], range: ['#009639', '#a3acb7'] }, legend: { orient: 'bottom' } } } },
    ];
    if (line.length) {
      layers.push({ name: 'frontier', data: { values: line }, mark: { type: 'line', color: '#005eb8', strokeWidth: 2.5, point: { color: '#005eb8', size: 60 } },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, order: { field: 'x', type: 'quantitative' }, tooltip: tooltip } });
    }
    if (showLimit) {
      layers.push({ name: 'limit', data: { values: [{ x: C.max_p_exhausted, label: 'limit ' + pct(C.max_p_exhausted) }] },
        mark: { type: 'rule', color: '#d5281b', strokeDash: [5, 4] }, encoding: { x: { field: 'x', type: 'quantitative' } } });
      layers.push({ data: { values: [{ x: C.max_p_exhausted, label: 'limit ' + pct(C.max_p_exhausted) }] },
        mark: { type: 'text', align: 'left', dx: 4, baseline: 'top', y: 4, color: '#d5281b', fontSize: 11 },
        encoding: { x: { field: 'x', type: 'quantitative' }, text: { field: 'label' } } });
    }
    if (isNum(ref.worst_p_exhausted)) {
      var refPt = { x: ref.worst_p_exhausted, y: 0, label: 'the scenario\u2019s terms', why: ref.feasible ? 'meets every constraint' : 'fails a constraint',
        spend: ref.commissioner_spend, worst: withPartner(pct(ref.worst_p_exhausted), ref.worst_partner),
        gain: ref.lowest_gain_partner ? withPartner(money(ref.lowest_expected_gain), ref.lowest_gain_partner) : 'no partner shares risk', others: 'the reference point' };
      axes.forEach(function (a, k) { refPt['t' + k] = termText(arr(ref.terms)[k], a); });
      layers.push({ name: 'reference', data: { values: [refPt] }, mark: { type: 'point', shape: 'diamond', filled: true, size: 200, color: '#1d2430', stroke: '#fff', strokeWidth: 1 },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, tooltip: tooltip } });
      layers.push({ data: { values: [refPt] }, mark: { type: 'text', align: 'left', dx: 9, dy: -9, fontSize: 11, color: '#1d2430' },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, text: { field: 'label' } } });
    }
    h3(out, 'Every combination: the commissioner\u2019s saving against the worst partner\u2019s risk');
    chart(out, 'design-frontier', { width: 640, height: 380, layer: layers }, {
      alt: 'The commissioner\u2019s expected saving against the worst partner\u2019s P(reserves exhausted), for every combination of terms',
      caption: 'Each dot is a combination of terms (hover for its terms and figures): up saves the commissioner more than the scenario\u2019s own terms, '
        + 'right puts the most exposed partner\u2019s reserves at more risk. Green dots meet every constraint, grey ones fail at least one. '
        + 'Blue line: the frontier, the most the commissioner can save for each level of risk. Diamond: the scenario\u2019s own terms (saving \u00a30).'
        + (showLimit ? ' Red dashed line: the limit on P(reserves exhausted).' : (isNum(C.max_p_exhausted) ? ' Every combination is well inside the limit on P(reserves exhausted) (' + pct(C.max_p_exhausted) + ').' : ''))
        + (pts.length < rows.length ? ' Combinations with the same figures share a dot (' + nf0.format(rows.length) + ' combinations, ' + nf0.format(pts.length) + ' dots).' : '')
        + thinNote,
    });

    // Two terms searched: every combination as a cell of a grid, coloured by the commissioner's
    // saving, marked when it meets every constraint, so a board reads the trade-off at a glance.
    if (axes.length === 2 && rows.length) {
      var cells = rows.map(function (r) {
        var t = arr(r.terms);
        return { a: t[0], b: t[1], ta: termText(t[0], axes[0]), tb: termText(t[1], axes[1]), saving: r.saving,
          spend: r.commissioner_spend, worst: withPartner(pct(r.worst_p_exhausted), r.worst_partner),
          ok: r.feasible ? '\u2713' : '', status: designStatus(r) };
      });
      var order = function (k) {
        return uniq(cells.map(function (c) { return c[k]; })).sort(function (x, y) { return (isNum(x) && isNum(y)) ? x - y : String(x) < String(y) ? -1 : 1; })
          .map(function (v) { return termText(v, axes[k === 'a' ? 0 : 1]); });
      };
      var xs = order('a'), ys = order('b');
      var cellW = Math.max(14, Math.min(60, Math.floor(640 / Math.max(1, xs.length)))), cellH = Math.max(12, Math.min(40, Math.floor(380 / Math.max(1, ys.length))));
      var hx = { field: 'ta', type: 'ordinal', title: labels[0], sort: xs };
      var hy = { field: 'tb', type: 'ordinal', title: labels[1], sort: ys.slice().reverse() };
      var htip = [{ field: 'ta', title: labels[0] }, { field: 'tb', title: labels[1] },
        { field: 'saving', type: 'quantitative', title: 'Saving (\u00a3)', format: ',.0f' },
        { field: 'spend', type: 'quantitative', title: 'Expected spend (\u00a3)', format: ',.0f' },
        { field: 'worst', title: 'Worst P(reserves exhausted)' }, { field: 'status', title: 'Constraints' }];
      h3(out, 'Every combination as a grid: ' + labels[0] + ' against ' + labels[1]);
      chart(out, 'design-heatmap', {
        width: cellW * xs.length, height: cellH * ys.length, data: { values: cells },
        layer: [
          { mark: { type: 'rect', stroke: '#fff', strokeWidth: 1 }, encoding: { x: hx, y: hy, tooltip: htip,
            color: { field: 'saving', type: 'quantitative', title: 'Saving (\u00a3)', scale: { scheme: 'redyellowgreen', domainMid: 0 },
              legend: { labelExpr: 'mhsimMoney(datum.value)', orient: 'right' } } } },
          { mark: { type: 'text', fontSize: 11, color: '#1d2430' }, encoding: { x: hx, y: hy, text: { field: 'ok' } } },
        ],
      }, {
        alt: 'The commissioner\u2019s expected saving for every combination of ' + labels[0] + ' and ' + labels[1] + ', with the combinations that meet every constraint ticked',
        caption: 'Each cell is one combination of the two terms: green saves the commissioner money against the scenario\u2019s own terms, red costs it more '
          + '(the colour scale is centred on \u00a30). \u2713: the combination meets every constraint. Hover for its figures.',
      });
    }

    var figureColumns = [
      { label: 'Commissioner\u2019s expected spend' + (H ? ' (' + H + ' years)' : ''), num: true, get: function (r) { return money(r.commissioner_spend); } },
      { label: 'Saving', num: true, title: 'against the scenario\u2019s own terms; negative: the commissioner spends more', get: function (r) { return money(r.saving); } },
      { label: 'Worst P(reserves exhausted)', num: true, get: function (r) { return withPartner(pct(r.worst_p_exhausted), r.worst_partner); } },
      { label: 'Lowest expected gain/pain', num: true, get: function (r) { return r.lowest_gain_partner ? withPartner(money(r.lowest_expected_gain), r.lowest_gain_partner) : null; } },
    ];
    var termColumns = axes.map(function (a, k) {
      return { label: labels[k], num: true, title: String(a.path), get: function (r) { return termText(arr(r.terms)[k], a); } };
    });
    h3(out, 'The frontier');
    if (frontier.length) {
      table(out, { name: 'design-frontier', caption: 'The frontier\u2019s terms, from the largest saving to the least risk', rows: frontier,
        columns: termColumns.concat(figureColumns) });
    } else {
      note(out, 'No combination meets every constraint, so there is no frontier: loosen a constraint, or search other terms.');
    }
    if (feasible.length) {
      var shown = feasible.slice().sort(function (a, b) { return b.saving - a.saving || a.worst_p_exhausted - b.worst_p_exhausted || a.combination - b.combination; });
      var more = shown.length > 500 ? ' (the 500 with the largest saving)' : '';
      var det = el('details', { 'class': 'more' }, [el('summary', { text: 'Every combination that meets the constraints (' + nf0.format(feasible.length) + ')' + more })]);
      out.appendChild(det);
      table(det, { name: 'design-feasible', rows: shown.slice(0, 500), columns: termColumns.concat(figureColumns).concat([
        { label: 'On the frontier', get: function (r) { return r.frontier ? pill('yes', 'good') : 'no'; } }]) });
    }
    caption(out, 'Figures are over the agreement (' + (H ? H + ' years' : 'every analysed year') + '), means over the replications, from the run\u2019s ledgers settled again under each combination. '
      + 'mhsim design --out writes every combination as CSV, with these figures to 10 significant digits.');
  });

  // ---- stress tests (mhsim stress --html: the document's `stress` object) -----------------
  // What each case changes, that every case runs on the same people with the targets held at
  // the base's, then per partner and case the figures of stress.csv (the rows the terminal
  // prints), P(painshare > reserves) by case as bars against the threshold (1 - risk level),
  // and the mean reserve path by year per case. Every figure is read from the document; none is
  // computed here. A report without stress tests keeps the section hidden.
  section('stress', function () {
    var X = D.stress;
    if (!X || typeof X !== 'object') return;
    var sec = document.getElementById('sec-stress');
    if (sec) sec.hidden = false;
    var out = body('stress-body');
    var cases = arr(X.cases), names = cases.map(function (c) { return c.name; });
    var level = isNum(X.risk_level) ? X.risk_level : RISK_LEVEL;
    var limit = 1 - level;
    var levelText = fixed(level * 100, level * 100 % 1 === 0 ? 0 : 1) + '%';
    var H = isNum(X.horizon_years) ? X.horizon_years : null;
    var over = H ? ' over the ' + H + '-year agreement' : ' over the agreement';
    var rows = arr(X.rows);
    // The terminal's rows, in its order: (arm, partner) as first shown, then case by case.
    var keys = [];
    rows.forEach(function (r) { var k = r.arm + '\u0000' + r.partner; if (r.shown && keys.indexOf(k) < 0) keys.push(k); });
    var ordered = [];
    keys.forEach(function (k) {
      names.forEach(function (n) {
        rows.forEach(function (r) { if (r['case'] === n && r.arm + '\u0000' + r.partner === k) ordered.push(r); });
      });
    });
    var partnerRows = ordered.filter(function (r) { return !r.commissioner; });
    var spendRows = ordered.filter(function (r) { return r.commissioner; });
    var against = function (r) {
      if (!isNum(r.p_above_reserve)) return 'no reserves stated';
      return r.p_above_reserve > limit ? 'above the ' + pct(limit) + ' threshold' : 'within the ' + pct(limit) + ' threshold';
    };

    h3(out, 'The cases');
    var ul = el('ul', { 'class': 'keyfindings', 'data-stress': 'cases' });
    cases.forEach(function (c, i) {
      ul.appendChild(el('li', null, [el('strong', { text: c.name }), ': ' + (i === 0 ? 'the scenario as written (the base).'
        : (c.description ? c.description.replace(/\.?$/, '.') : 'no description given.'))]));
    });
    out.appendChild(ul);
    var held = arr(X.held_targets);
    out.appendChild(el('p', { 'data-stress': 'same-people', text: 'Every case runs on the same people: the same seed ('
      + X.seed + ') and ' + nf0.format(X.replications) + ' replications each, with common random numbers, so a difference between '
      + 'cases comes from what the case changes. The alliance targets are held at the base case\u2019s values in every case (the terms '
      + 'are signed before the adverse case happens)' + (held.length ? ': ' + held.join('; ') + '.'
        : '; no alliance here sets its target from another arm\u2019s cost, so every case keeps the targets as written.') }));
    out.appendChild(el('p', { 'data-stress': 'threshold', text: 'Threshold: a case is above the threshold for a partner when '
      + 'P(painshare > reserves)' + over + ' is more than ' + pct(limit) + ' (1 \u2212 the risk level of ' + levelText + '). '
      + 'Money is cash, undiscounted; VaR and ES at the risk level of ' + levelText + '.' }));

    // A sentence per partner with stated reserves, following the threshold.
    var verdicts = el('ul', { 'class': 'keyfindings', 'data-stress': 'verdicts' });
    keys.forEach(function (k) {
      var rs = partnerRows.filter(function (r) { return r.arm + '\u0000' + r.partner === k; });
      if (!rs.length) return;
      var who = rs[0].partner + ' (arm ' + rs[0].arm + ')';
      var withReserve = rs.filter(function (r) { return isNum(r.p_above_reserve); });
      if (!withReserve.length) {
        verdicts.appendChild(el('li', { text: who + ': no reserves stated, so P(painshare > reserves) is not defined; its painshare VaR is '
          + rs.map(function (r) { return money(r.var) + ' (' + r['case'] + ')'; }).join(', ') + '.' }));
        return;
      }
      var above = withReserve.filter(function (r) { return r.p_above_reserve > limit; });
      var reserveText = money(withReserve[0].reserve);
      verdicts.appendChild(el('li', { text: who + ', reserves ' + reserveText + ': '
        + (above.length ? 'above the ' + pct(limit) + ' threshold in ' + above.map(function (r) { return r['case'] + ' (' + pct(r.p_above_reserve) + ')'; }).join(', ')
          : 'within the ' + pct(limit) + ' threshold in every case')
        + '; P(painshare > reserves) ' + withReserve.map(function (r) { return pct(r.p_above_reserve) + ' in ' + r['case']; }).join(', ') + '.' }));
    });
    if (verdicts.children.length) out.appendChild(verdicts);

    h3(out, 'Each partner, case by case');
    if (partnerRows.length) {
      table(out, {
        name: 'stress-partners', rows: partnerRows,
        caption: 'Partners who bear a painshare in some case' + over + ', per replication (stress.csv\u2019s figures)',
        columns: [
          { label: 'Arm', get: function (r) { return r.arm; } },
          { label: 'Partner', get: function (r) { return r.partner; } },
          { label: 'Case', get: function (r) { return r['case']; } },
          { label: 'Reserves', num: true, get: function (r) { return isNum(r.reserve) ? money(r.reserve) : 'not stated'; } },
          { label: 'P(painshare > reserves)', num: true, get: function (r) { return pct(r.p_above_reserve); } },
          { label: 'Painshare VaR ' + levelText, num: true, get: function (r) { return money(r['var']); } },
          { label: 'Painshare ES ' + levelText, num: true, get: function (r) { return money(r.es); } },
          { label: 'P(reserves exhausted)', num: true, get: function (r) { return pct(r.p_exhausted); } },
          { label: 'Lowest reserve (mean)', num: true, get: function (r) { return money(r.lowest_reserve_mean); } },
          { label: 'Against the threshold', nowrap: true, get: function (r) { return against(r); } },
        ],
      });
    } else {
      note(out, 'No partner bears a painshare in any case' + over + ': the risk share never costs a partner anything here.');
    }

    // P(painshare > reserves) by case, one chart per partner with stated reserves.
    keys.forEach(function (k) {
      var rs = partnerRows.filter(function (r) { return r.arm + '\u0000' + r.partner === k && isNum(r.p_above_reserve); });
      if (!rs.length) return;
      var who = rs[0].partner + ' (arm ' + rs[0].arm + ')';
      var pts = rs.map(function (r) {
        return { 'case': r['case'], p: r.p_above_reserve, kind: r['case'] === names[0] ? 'base (as written)' : 'adverse case',
          label: pct(r.p_above_reserve), verdict: against(r), reserve: money(r.reserve) };
      });
      var ymax = Math.min(1, Math.max(limit * 1.3, Math.max.apply(null, pts.map(function (p) { return p.p; })) * 1.15, 0.02));
      var altBars = 'Bar chart: ' + who + ', the chance its painshare' + over + ' exceeds its reserves of ' + money(rs[0].reserve) + ', by case: '
        + pts.map(function (p) { return p['case'] + ' ' + p.label; }).join(', ') + '; threshold ' + pct(limit) + '.';
      chart(out, 'stress-p-above-' + slug(rs[0].arm) + '-' + slug(rs[0].partner), {
        description: altBars,
        width: Math.max(200, 70 * pts.length), height: 220,
        layer: [
          { name: 'bars', data: { values: pts }, mark: { type: 'bar' },
            encoding: {
              x: { field: 'case', type: 'nominal', title: 'Case', sort: names, axis: { labelAngle: 0 } },
              y: { field: 'p', type: 'quantitative', title: 'P(painshare > reserves)', axis: PCT_AXIS, scale: { domain: [0, ymax], nice: false } },
              color: { field: 'kind', type: 'nominal', title: null, scale: { domain: ['base (as written)', 'adverse case'], range: ['#005eb8', '#a3acb7'] }, legend: { orient: 'bottom' } },
              tooltip: [{ field: 'case', title: 'Case' }, { field: 'label', title: 'P(painshare > reserves)' }, { field: 'reserve', title: 'Reserves' }, { field: 'verdict', title: 'Threshold' }] } },
          { data: { values: pts }, mark: { type: 'text', dy: -6, baseline: 'bottom', fontSize: 11, color: '#222' },
            encoding: { x: { field: 'case', type: 'nominal', sort: names }, y: { field: 'p', type: 'quantitative' }, text: { field: 'label' } } },
          { name: 'threshold', data: { values: [{ y: limit }] }, mark: { type: 'rule', color: '#d5281b', strokeDash: [5, 4] },
            encoding: { y: { field: 'y', type: 'quantitative' } } },
          { data: { values: [{ y: limit, label: 'threshold ' + pct(limit) }] }, mark: { type: 'text', align: 'right', baseline: 'bottom', dy: -3, x: 'width', color: '#d5281b', fontSize: 11 },
            encoding: { y: { field: 'y', type: 'quantitative' }, text: { field: 'label' } } },
        ],
      }, {
        title: who + ': P(painshare > reserves of ' + money(rs[0].reserve) + ') by case',
        alt: altBars,
        caption: 'Each bar is a case, labelled with its probability; the base (as written) is the blue bar, the adverse cases grey. '
          + 'Red dashed line: the threshold of ' + pct(limit) + ' (1 \u2212 the risk level); a bar above it is a case above the threshold.',
      });
    });

    // The mean reserve path by year, a line per case, one chart per partner with stated reserves.
    var paths = arr(X.reserve_paths);
    keys.forEach(function (k) {
      var ps = paths.filter(function (r) { return r.arm + '\u0000' + r.partner === k; });
      if (!ps.length) return;
      var who = ps[0].partner + ' (arm ' + ps[0].arm + ')';
      var pts = [];
      names.forEach(function (n) {
        var own = ps.filter(function (r) { return r['case'] === n; }).sort(function (a, b) { return a.year - b.year; });
        if (!own.length) return;
        pts.push({ 'case': n, year: 0, mean: own[0].opening, p: 'the opening' });
        own.forEach(function (r) { pts.push({ 'case': n, year: r.year, mean: r.mean, p: pct(r.p_exhausted_by) }); });
      });
      var altPaths = 'Line chart: ' + who + ', mean reserves at the end of each year from the opening ' + money(pts.length ? pts[0].mean : null)
        + ', one line per case (' + names.join(', ') + '); reserves below \u00a30 are exhausted.';
      chart(out, 'stress-reserve-paths-' + slug(ps[0].arm) + '-' + slug(ps[0].partner), {
        description: altPaths,
        width: 420, height: 220,
        layer: [
          { data: { values: [{}] }, mark: { type: 'rule', color: '#d5281b', strokeDash: [5, 4] }, encoding: { y: { datum: 0, type: 'quantitative' } } },
          { name: 'paths', data: { values: pts }, mark: { type: 'line', point: { filled: true, size: 50 } },
            encoding: {
              x: { field: 'year', type: 'ordinal', title: 'End of year (0 = opening)', axis: { labelAngle: 0 } },
              y: { field: 'mean', type: 'quantitative', title: 'Mean reserves (\u00a3)', axis: MONEY_AXIS },
              color: { field: 'case', type: 'nominal', title: 'Case', sort: names, scale: armScale(names) },
              strokeDash: { field: 'case', type: 'nominal', sort: names, legend: null },
              tooltip: [{ field: 'case', title: 'Case' }, { field: 'year', title: 'Year' }, { field: 'mean', type: 'quantitative', title: 'Mean reserves (\u00a3)', format: ',.0f' }, { field: 'p', title: 'P(exhausted by then)' }] } },
        ],
      }, {
        title: who + ': mean reserves by year, by case',
        alt: altPaths,
        caption: 'A line per case (named in the legend, each with its own dash pattern), from the stated reserves at year 0. '
          + 'Red dashed line: \u00a30, below which the reserves are exhausted. The means hide the spread: P(reserves exhausted) in the table is the chance of falling below \u00a30.',
      });
    });

    h3(out, 'The commissioner\u2019s spend');
    if (spendRows.length) {
      table(out, {
        name: 'stress-commissioner', rows: spendRows,
        caption: 'What the commissioner pays' + over + ' (cash, undiscounted), per replication',
        columns: [
          { label: 'Arm', get: function (r) { return r.arm; } },
          { label: 'Commissioner', get: function (r) { return r.partner; } },
          { label: 'Case', get: function (r) { return r['case']; } },
          { label: 'Mean spend', num: true, get: function (r) { return money(r.mean_payment); } },
          { label: '90% of replications between', num: true, get: function (r) { return money(r.spend_q05) + ' and ' + money(r.spend_q95); } },
          { label: 'Spend VaR ' + levelText, num: true, get: function (r) { return money(r['var']); } },
          { label: 'Change in mean from base', num: true, get: function (r) {
            return isNum(r.change_from_base) ? (r.change_from_base > 0 ? '+' : '') + money(r.change_from_base) : '\u2014';
          } },
        ],
      });
    }
    caption(out, 'Figures from mhsim stress (' + (X.scenario_file || 'the scenario') + '), the same as its printout and stress.csv; each case\u2019s run analysed as mhsim report does. '
      + 'The rest of this report is the base case.');
  });

  // ---- over time: the monthly picture as fan charts -------------------------------------
  // One chart per measure for the chosen service, one panel per arm: the median line and
  // the 50% and 90% bands across replications, month by month.
  var MONTHLY_TITLES = {
    waiting: 'Waiting at month end', in_service: 'In service at month end', places: 'Places in force at month end',
    staff: 'Staff in post at month end', episodes: 'Episodes started in the month', mean_wait: 'Mean wait of episodes started',
    cost: 'Ledger cost in the month',
  };
  function monthlyRows(series) {
    var rows = [];
    ARMS.forEach(function (arm) {
      series.filter(function (x) { return x.arm === arm; }).forEach(function (x) {
        arr(x.p50).forEach(function (v, i) {
          if (!isNum(v)) return;
          rows.push({ arm: arm, month: i + 1, p05: x.p05[i], p25: x.p25[i], p50: v, p75: x.p75[i], p95: x.p95[i], mean: x.mean[i] });
        });
      });
    });
    return rows;
  }
  function monthlyFan(parent, service, measure, unit, series, months) {
    var rows = monthlyRows(series);
    if (!rows.length) return;
    var armsHere = ARMS.filter(function (a) { return rows.some(function (r) { return r.arm === a; }); });
    var ticks = [];
    for (var t = 1; t <= months; t += (months > 24 ? 3 : 1)) ticks.push(t);
    var isMoney = isMoneyUnit(unit);
    var yTitle = (MONTHLY_TITLES[measure] || measure) + ' (' + (isMoney ? '\u00a3' : unit) + ')';
    var colour = { field: 'arm', type: 'nominal', title: 'Arm', scale: armScale(armsHere), sort: armsHere, legend: null };
    var x = { field: 'month', type: 'quantitative', title: 'Month (1 = first month of year 1)', axis: { values: ticks, format: 'd' },
      scale: { domain: [1, months], nice: false } };
    var yAxis = isMoney ? MONEY_AXIS : {};
    chart(parent, 'overtime-' + slug(measure), {
      data: { values: rows },
      facet: { column: { field: 'arm', type: 'nominal', sort: armsHere, title: null, header: { labelFontWeight: 'bold' } } },
      spec: {
        width: Math.max(180, Math.floor(660 / armsHere.length)), height: 150,
        layer: [
          { mark: { type: 'area', opacity: 0.18 },
            encoding: { x: x, y: { field: 'p05', type: 'quantitative', title: yTitle, axis: yAxis }, y2: { field: 'p95' }, color: colour } },
          { mark: { type: 'area', opacity: 0.35 },
            encoding: { x: x, y: { field: 'p25', type: 'quantitative' }, y2: { field: 'p75' }, color: colour } },
          { mark: { type: 'line' },
            encoding: { x: x, y: { field: 'p50', type: 'quantitative' }, color: colour,
              tooltip: [{ field: 'arm' }, { field: 'month' }, { field: 'p50', format: ',.1f', title: 'median' },
                { field: 'p25', format: ',.1f', title: '25th percentile' }, { field: 'p75', format: ',.1f', title: '75th percentile' },
                { field: 'p05', format: ',.1f', title: '5th percentile' }, { field: 'p95', format: ',.1f', title: '95th percentile' },
                { field: 'mean', format: ',.1f', title: 'mean' }] } },
        ],
      },
    }, {
      title: (MONTHLY_TITLES[measure] || measure) + ' \u2014 ' + service,
      alt: 'Fan chart of ' + measure + ' by month for ' + service + ', one panel per arm',
    });
  }

  section('overtime', function () {
    var out = body('overtime-body');
    var M = D.monthly || {};
    var series = arr(M.series), months = M.months || 0;
    if (!series.length || !months) {
      note(out, 'This results file has no monthly picture (it was written before mhsim recorded one, or nothing happened in any month).');
      return;
    }
    var units = {};
    arr(M.measures).forEach(function (q) { units[q.name] = q.unit; });
    var services = arr(M.services).filter(function (sv) { return series.some(function (x) { return x.service === sv; }); });
    // Start with the service that has the most waiting (then caseload): where time matters most.
    function peak(sv, measure) {
      var best = 0;
      series.forEach(function (x) { if (x.service === sv && x.measure === measure) arr(x.p50).forEach(function (v) { if (isNum(v) && v > best) best = v; }); });
      return best;
    }
    var first = services.slice().sort(function (a, b) {
      return peak(b, 'waiting') - peak(a, 'waiting') || peak(b, 'in_service') - peak(a, 'in_service');
    })[0];
    var select = el('select', { id: 'overtime-service', 'aria-label': 'Service' });
    services.forEach(function (sv) {
      var o = el('option', { value: sv, text: sv });
      if (sv === first) o.selected = true;
      select.appendChild(o);
    });
    out.appendChild(el('label', { 'class': 'selector' }, [document.createTextNode('Service: '), select]));
    var charts = el('div', { 'class': 'overtime-charts' });
    out.appendChild(charts);
    caption(out, 'Each panel is one arm. Line: median across replications; dark band: 25th to 75th percentile (half the replications); '
      + 'light band: 5th to 95th percentile (nine in ten). The bands are month by month: no single replication need follow them. '
      + 'Months are twelfths of a 365-day year; waiting, in service, places and staff are counted at month end; episodes, waits and cost are those of the month. '
      + 'Measures that are zero in every month (or do not apply, e.g. places of an unlimited service) are not drawn. mhsim report --csv writes every figure to monthly.csv.');
    function draw(sv) {
      charts.textContent = '';
      charts.dataset.service = sv;
      arr(M.measures).forEach(function (q) {
        var here = series.filter(function (x) { return x.service === sv && x.measure === q.name; });
        if (here.length) monthlyFan(charts, sv, q.name, units[q.name] || '', here, months);
      });
    }
    draw(first);
    select.addEventListener('change', function () { draw(select.value); });
  });

  body('report-footer').textContent = 'Generated by mhsim ' + (meta.mhsim_version || '') + ' from ' + (meta.results_file || 'a results file')
    + (meta.analysed_utc ? ' at ' + meta.analysed_utc + ' UTC' : '') + '. Charts drawn with Vega-Lite '
    + (window.vegaLite && window.vegaLite.version ? window.vegaLite.version : '') + '; this file works offline.';

  finish();
})();
