// SPDX-License-Identifier: MIT
// The report's terms explorer (issue 17 item 1; docs/analysis.md, "The terms explorer").
// `mhsim report` inlines, before this file, window.MHSIM_EXPLORER (the stored scenario, the
// run's settings, the ledgers settlement reads, the resolved targets, reserves, risk level
// and horizon) and the WebAssembly module MhsimExplorer built from the project's own C++
// settlement and risk code (report/wasm/). This file only draws: every number it shows comes
// from the module. There is no settlement in JavaScript.
//
// State for tests: #explorer-body gets data-state = "missing" | "loading" | "ready" |
// "error", data-settled = how many settlements have been drawn, data-ms = the last one's
// milliseconds (in the module, JSON included). Each figure cell has data-field and
// data-value (the exact double); each row data-arm and data-partner ("commissioner" for the
// commissioner's spend).
(function () {
  'use strict';
  var section = document.getElementById('sec-explorer');
  var body = document.getElementById('explorer-body');
  if (!section || !body) return;
  var data = window.MHSIM_EXPLORER;
  if (!data) {  // a design or stress report: no explorer
    section.hidden = true;
    return;
  }
  if (data.missing) {
    body.dataset.state = 'missing';
    var note = document.createElement('p');
    note.className = 'note';
    note.textContent = data.missing;
    body.appendChild(note);
    return;
  }
  var style = document.createElement('style');
  style.textContent =
    '#explorer-body .explorer-layout{display:grid;grid-template-columns:250px minmax(0,1fr);gap:1em;align-items:start}' +
    '#explorer-body .explorer-controls{max-height:90vh;overflow:auto;border:1px solid #ddd;padding:.4em}' +
    '#explorer-body .explorer-results{overflow-x:auto}' +
    '#explorer-body table.explorer-risk{font-size:.8em}' +
    '#explorer-body .explorer-control{display:grid;grid-template-columns:1fr 6em;gap:.1em .4em;margin:.3em 0;font-size:.85em}' +
    '#explorer-body .explorer-control label{grid-column:1/3;overflow-wrap:anywhere}' +
    '#explorer-body .explorer-control input[type=number]{width:6em}' +
    '#explorer-body summary{font-weight:600;cursor:pointer;margin:.3em 0}' +
    '#explorer-body .explorer-status{font-weight:600}' +
    '#explorer-body table.explorer-risk td{text-align:right}';
  document.head.appendChild(style);
  body.dataset.state = 'loading';
  body.dataset.settled = '0';
  body.textContent = 'Loading the terms explorer…';

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function money(v) {
    if (v === null || v === undefined || !isFinite(v)) return '–';
    var a = Math.abs(v), s = v < 0 ? '−' : '';
    if (a >= 1e6) return s + '£' + (a / 1e6).toFixed(2) + 'm';
    if (a >= 1e3) return s + '£' + (a / 1e3).toFixed(1) + 'k';
    return s + '£' + a.toFixed(0);
  }
  function percent(v) {
    if (v === null || v === undefined || !isFinite(v)) return '–';
    return (100 * v).toFixed(1) + '%';
  }
  function base64(values) {
    var bytes = new Uint8Array(new Float64Array(values).buffer), s = '';
    for (var i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(s);
  }
  function fail(message) {
    body.dataset.state = 'error';
    body.textContent = '';
    body.appendChild(el('p', { 'class': 'chart-error' }, 'The terms explorer failed: ' + message));
    console.error('mhsim explorer: ' + message);
  }

  if (typeof MhsimExplorer !== 'function') {
    fail('the WebAssembly module is not in the page');
    return;
  }
  // The ledgers come deflated (zlib) in base64: inflated by the browser, offline.
  function inflate(b64) {
    var text = atob(b64), bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
    return new Response(stream).arrayBuffer().then(function (b) { return new Float64Array(b); });
  }
  Promise.all([MhsimExplorer(), inflate(data.ledgers_deflated)]).then(function (loaded) {
    var mod = loaded[0];
    var problem = mod.load(data.scenario_text, data.scenario_file, data.settings, loaded[1], data.targets,
                           data.reserves, data.risk_level, data.horizon);
    if (problem) return fail(problem);
    var controls = JSON.parse(mod.controls());
    build(mod, controls);
  }).catch(function (e) { fail(String(e && e.message || e)); });

  function build(mod, controls) {
    body.textContent = '';
    var intro = el('p', { 'class': 'howto' });
    intro.textContent = 'Move a term and every replication of the run (' + data.replications + ') is re-settled in this page ' +
      'by mhsim\'s own settlement, compiled to WebAssembly: the same numbers as `mhsim sweep <results> --set <key>=<value>`. ' +
      'Risk over ' + data.horizon + ' year' + (data.horizon === 1 ? '' : 's') + ' at the ' + (100 * data.risk_level).toFixed(0) +
      '% level. The alliance target stays as resolved from the run (vary it with mhsim sweep).';
    body.appendChild(intro);
    var status = el('p', { 'class': 'explorer-status', 'aria-live': 'polite' });
    var layout = el('div', { 'class': 'explorer-layout' });
    var panel = el('div', { 'class': 'explorer-controls' });
    var results = el('div', { 'class': 'explorer-results' });
    layout.appendChild(panel);
    layout.appendChild(results);
    var reset = el('button', { type: 'button', id: 'explorer-reset' }, 'Reset to the run\'s terms');
    body.appendChild(reset);
    body.appendChild(status);
    body.appendChild(layout);

    var inputs = [];  // {control, number, range}
    var groups = {};
    controls.forEach(function (c) {
      var group = c.arm ? 'Arm ' + c.arm + ' · ' + c.contract : 'Partners’ reserves';
      if (!groups[group]) {
        var d = el('details');
        if (!c.arm || Object.keys(groups).length === 0) d.open = true;
        d.appendChild(el('summary', null, group));
        panel.appendChild(d);
        groups[group] = d;
      }
      var row = el('div', { 'class': 'explorer-control' });
      var id = 'explorer-' + c.key.replace(/[^A-Za-z0-9_-]/g, '_');
      var label = el('label', { 'for': id, title: c.key }, c.term + (c.unit ? ' (' + c.unit + ')' : ''));
      var base = c.value;
      var finite = typeof base === 'number' && isFinite(base);
      var number = el('input', { type: 'number', id: id, step: 'any', 'data-key': c.key });
      number.value = finite ? String(base) : '';
      if (!finite) number.placeholder = base === 'inf' ? 'none (inf)' : 'not stated';
      var fraction = /fraction|percent/.test(c.unit || '') && finite && base <= 1;
      var max = fraction ? 1 : Math.max(1, finite ? 2 * Math.abs(base) : 1);
      var whole = /^(years|quarters)$/.test(c.unit || '');  // integer keys (rebase_every, reconciliation_lag)
      var range = el('input', { type: 'range', min: '0', max: String(whole ? Math.max(8, max) : max), step: String(whole ? 1 : max / 200),
                                'aria-label': c.term + ' (' + (c.arm || 'reserves') + ')' });
      range.value = finite ? String(base) : '0';
      row.appendChild(label);
      row.appendChild(range);
      row.appendChild(number);
      groups[group].appendChild(row);
      var entry = { control: c, number: number, range: range };
      inputs.push(entry);
      range.addEventListener('input', function () { number.value = range.value; schedule(); });
      number.addEventListener('change', function () {
        if (number.value !== '' && isFinite(Number(number.value))) range.value = number.value;
        schedule();
      });
    });
    reset.addEventListener('click', function () {
      inputs.forEach(function (i) {
        var b = i.control.value;
        i.number.value = typeof b === 'number' && isFinite(b) ? String(b) : '';
        i.range.value = typeof b === 'number' && isFinite(b) ? String(b) : '0';
      });
      schedule();
    });

    var pending = false;
    function schedule() {
      if (pending) return;
      pending = true;
      requestAnimationFrame(function () { pending = false; settle(); });
    }
    // Only the controls moved from the run's value are set (as --set would set them).
    function settle() {
      var keys = [], values = [];
      inputs.forEach(function (i) {
        if (i.number.value === '') return;
        var v = Number(i.number.value), b = i.control.value;
        if (!isFinite(v) || v === b) return;
        keys.push(i.control.key);
        values.push(v);
      });
      var t0 = performance.now();
      var out = JSON.parse(mod.settle(keys.join('\n'), base64(values)));
      var ms = performance.now() - t0;
      draw(out, ms, keys, values);
    }

    function draw(out, ms, keys, values) {
      results.textContent = '';
      body.dataset.ms = ms.toFixed(1);
      if (out.error || out.problems.length) {
        var box = el('div', { role: 'alert', 'class': 'explorer-problems' });
        (out.error ? [out.error] : out.problems).forEach(function (p) { box.appendChild(el('p', null, p)); });
        results.appendChild(box);
        status.textContent = 'These terms cannot be settled.';
        body.dataset.state = 'ready';
        body.dataset.settled = String(Number(body.dataset.settled) + 1);
        return;
      }
      status.textContent = 'Re-settled ' + out.replications.toLocaleString('en-GB') + ' replications in every arm in ' +
        ms.toFixed(1) + ' ms' + (keys.length ? ' with ' + keys.map(function (k, i) { return k + '=' + values[i]; }).join(', ') :
        ' with the run\'s own terms') + '.';
      out.arms.forEach(function (arm) {
        results.appendChild(el('h3', null, 'Arm ' + arm.arm));
        var table = el('table', { 'class': 'explorer-risk', 'data-arm': arm.arm });
        var head = el('tr');
        ['', 'mean payment', 'mean painshare', 'VaR', 'ES', 'reserves', 'P(painshare > reserves)', 'P(reserves exhausted)']
          .forEach(function (h) { head.appendChild(el('th', { scope: 'col' }, h)); });
        table.appendChild(head);
        function cell(tr, field, v, text) {
          var td = el('td', { 'data-field': field }, text);
          td.dataset.value = v === null || v === undefined ? '' : String(v);
          tr.appendChild(td);
        }
        arm.partners.forEach(function (p) {
          var tr = el('tr', { 'data-arm': arm.arm, 'data-partner': p.partner });
          tr.appendChild(el('th', { scope: 'row' }, p.partner));
          cell(tr, 'mean_payment', p.mean_payment, money(p.mean_payment));
          cell(tr, 'mean_painshare', p.mean_painshare, money(p.mean_painshare));
          cell(tr, 'var_painshare', p.var, money(p.var));
          cell(tr, 'es_painshare', p.es, money(p.es));
          cell(tr, 'reserve', p.reserve, p.reserve === null ? 'not stated' : money(p.reserve));
          cell(tr, 'p_painshare_above_reserve', p.p_above_reserve, percent(p.p_above_reserve));
          cell(tr, 'p_reserves_exhausted', p.p_exhausted, percent(p.p_exhausted));
          table.appendChild(tr);
        });
        var k = el('tr', { 'data-arm': arm.arm, 'data-partner': 'commissioner' });
        k.appendChild(el('th', { scope: 'row' }, 'commissioner (spend)'));
        cell(k, 'commissioner_spend_horizon', arm.commissioner.mean, money(arm.commissioner.mean));
        k.appendChild(el('td', null, '5–95%: ' + money(arm.commissioner.q05) + ' to ' + money(arm.commissioner.q95)));
        cell(k, 'var_commissioner_spend', arm.commissioner.var, money(arm.commissioner.var));
        cell(k, 'es_commissioner_spend', arm.commissioner.es, money(arm.commissioner.es));
        table.appendChild(k);
        results.appendChild(table);
        var values = [];
        arm.partners.forEach(function (p) {  // partners whose gain/pain is 0 in every replication are not drawn
          if (p.gain_pain.every(function (g) { return g === 0; })) return;
          p.gain_pain.forEach(function (g) { values.push({ partner: p.partner, gain_pain: g }); });
        });
        if (values.length && window.vegaEmbed) {
          var holder = el('div', { 'class': 'explorer-chart', 'data-arm': arm.arm,
                                   'aria-label': 'Gain/pain over the horizon per replication, arm ' + arm.arm });
          results.appendChild(holder);
          var spec = {
            $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
            description: 'Each partner\'s gain (+) or painshare (−) over the horizon across replications, arm ' + arm.arm,
            data: { values: values },
            mark: { type: 'bar', tooltip: true },
            encoding: {
              row: { field: 'partner', type: 'nominal', title: null },
              x: { field: 'gain_pain', type: 'quantitative', bin: { maxbins: 40 }, title: 'gain/pain over the horizon (£, cash)' },
              y: { aggregate: 'count', type: 'quantitative', title: 'replications' }
            },
            width: 380, height: 60
          };
          window.vegaEmbed(holder, spec, { actions: false, renderer: 'svg' }).then(function () {
            holder.dataset.rendered = 'true';
          }).catch(function (e) { console.error('mhsim explorer chart: ' + e); });
        }
      });
      body.dataset.state = 'ready';
      body.dataset.settled = String(Number(body.dataset.settled) + 1);
    }
    settle();
  }
})();
