'use strict';
// Head office's KPI report page: pick the fleet, a region or a store and a
// span of weeks; each KPI shows its latest week, the change from the week
// before, its value over the span and a small trend chart (inline SVG);
// the stores in scope are ranked by a KPI of the user's choice. All the
// figures come from GET /api/kpi (the GetKpiReportResponse as JSON).
(function () {
  const REQUEST_TIMEOUT_MS = 30000;
  const MAX_WEEKS = 13;
  const SVG = 'http://www.w3.org/2000/svg';
  const $ = (id) => document.getElementById(id);
  let report = null;  // the last GetKpiReportResponse shown

  // Names people read (docs/kpis.md's names); any other KPI gets its name
  // with spaces.
  const LABELS = {
    order_accuracy: 'Order accuracy',
    pick_time_p50_s: 'Pick time, median',
    pick_time_p90_s: 'Pick time, p90',
    refund_cycle_p50_s: 'Refund cycle, median',
    refund_cycle_p90_s: 'Refund cycle, p90',
    return_rate: 'Return rate',
    loyalty_adoption: 'Loyalty adoption',
    enrolments: 'Loyalty enrolments',
    'sales_value.store': 'Sales value: in store',
    'sales_value.click_and_collect': 'Sales value: click and collect',
    'sales_value.ship_from_store': 'Sales value: ship from store',
    'sales_value.endless_aisle': 'Sales value: endless aisle',
    basket_value_avg: 'Basket value',
    basket_lines_avg: 'Lines per basket',
    data_freshness_p50_s: 'Data freshness, median',
    data_freshness_p99_s: 'Data freshness, p99',
    integration_latency_p50_s: 'Integration latency, median',
    integration_latency_p99_s: 'Integration latency, p99',
    close_discrepancies: 'Close discrepancies',
    stock_drift: 'Stock drift findings',
    price_deviation_rate: 'Price deviation rate',
  };
  // KPIs where a fall is good news (the change is then shown green).
  const LOWER_IS_BETTER =
      /(time|cycle|return_rate|freshness|latency|discrepanc|drift|deviation)/;
  function label(name) {
    if (LABELS[name]) return LABELS[name];
    let words = name.split('_');
    if (words.length > 1 && words[words.length - 1] === 's') words.pop();
    const text = words.join(' ');
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  // ---- numbers ------------------------------------------------------------
  function grouped(v, digits) {
    return v.toLocaleString('en-US', { minimumFractionDigits: digits,
                                       maximumFractionDigits: digits });
  }
  function seconds(v) {
    const a = Math.abs(v);
    if (a < 120) return `${grouped(v, 0)} s`;
    if (a < 7200) return `${grouped(v / 60, 1)} min`;
    if (a < 172800) return `${grouped(v / 3600, 1)} h`;
    return `${grouped(v / 86400, 1)} d`;
  }
  // A value of `unit` as shown.
  function format(unit, v) {
    switch (unit) {
      case 'ratio': return `${grouped(v * 100, 1)} %`;
      case 'seconds': return seconds(v);
      case 'minor_units': return grouped(v / 100, 2);
      case 'count': return grouped(v, Number.isInteger(v) ? 0 : 1);
      case 'lines': return grouped(v, 2);
      default: return grouped(v, 2);
    }
  }
  // A week-on-week change of `unit`, signed.
  function formatChange(unit, d) {
    const sign = d > 0 ? '+' : d < 0 ? '−' : '±';
    const a = Math.abs(d);
    if (unit === 'ratio') return `${sign}${grouped(a * 100, 1)} pp`;
    return sign + format(unit, a);
  }
  function valueText(unit, kv) {
    return kv && kv.present ? format(unit, Number(kv.value)) : '—';
  }
  function count(n) { return grouped(Number(n || 0), 0); }

  // ---- the page's state: the URL's hash -----------------------------------
  function readHash() {
    const p = new URLSearchParams(location.hash.slice(1));
    const scope = ['fleet', 'region', 'store'].includes(p.get('scope'))
        ? p.get('scope') : 'fleet';
    // What the form can show: 1..MAX_WEEKS (a hand-made #weeks=20 would
    // otherwise ask for more than the API gives).
    const weeks = Math.min(Math.max(Math.trunc(Number(p.get('weeks'))) || 4, 1),
                           MAX_WEEKS);
    return { scope, id: p.get('id') || '', weeks,
             lastWeek: p.get('last_week') || '' };
  }
  function writeHash(s) {
    const p = new URLSearchParams();
    p.set('scope', s.scope);
    if (s.scope !== 'fleet') p.set('id', s.id);
    p.set('weeks', String(s.weeks));
    if (s.lastWeek) p.set('last_week', s.lastWeek);
    const h = '#' + p.toString();
    if (location.hash !== h) history.replaceState(null, '', h);
  }
  function formState() {
    const scope = document.querySelector('input[name=scope]:checked').value;
    return { scope, id: $('scope-id').value.trim(),
             weeks: Number($('weeks').value),
             lastWeek: $('last-week').value.trim() };
  }
  function setForm(s) {
    document.querySelector(`input[name=scope][value=${s.scope}]`).checked = true;
    $('scope-id').value = s.id;
    $('weeks').value = String(Math.min(Math.max(s.weeks, 1), MAX_WEEKS));
    $('last-week').value = s.lastWeek;
    scopeChanged();
  }
  function scopeChanged() {
    const scope = document.querySelector('input[name=scope]:checked').value;
    $('scope-id-field').hidden = scope === 'fleet';
    $('scope-id-label').textContent = scope === 'region' ? 'Region' : 'Store';
    $('scope-id').required = scope !== 'fleet';
  }

  function showMessage(text) {
    $('message').textContent = text;
    $('message').hidden = !text;
  }

  // ---- the API --------------------------------------------------------------
  function apiPath(s) {
    const p = new URLSearchParams();
    if (s.scope === 'store') p.set('store', s.id);
    if (s.scope === 'region') p.set('region', s.id);
    p.set('weeks', String(s.weeks));
    if (s.lastWeek) p.set('last_week', s.lastWeek);
    if (s.scope !== 'store') p.set('by_store', '1');
    return '/api/kpi?' + p.toString();
  }

  async function load(s) {
    const button = document.querySelector('#controls button');
    button.disabled = true;
    document.body.dataset.state = 'loading';
    showMessage('');
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), REQUEST_TIMEOUT_MS);
    try {
      const resp = await fetch(apiPath(s), { cache: 'no-store',
                                             signal: ctl.signal,
                                             headers: { Accept: 'application/json' } });
      let body = null;
      try { body = await resp.json(); } catch (e) { body = null; }
      if (!resp.ok) {
        const e = body && body.error;
        throw new Error(e ? e.message : `HTTP ${resp.status}`);
      }
      report = body;
      render(s);
      document.body.dataset.state = 'ready';
    } catch (e) {
      const text = e.name === 'AbortError'
          ? 'Central did not answer in time. Try again.' : String(e.message);
      showMessage(`The report could not be shown: ${text}`);
      document.body.dataset.state = 'error';
    } finally {
      clearTimeout(timer);
      button.disabled = false;
    }
  }

  // ---- drawing --------------------------------------------------------------
  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function svgEl(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function shortWeek(w) { return w ? w.slice(5) : ''; }  // "W49"

  // The trend of one KPI over the report's weeks: a line through the weeks
  // that have a value (a gap where one has none), the values written above
  // the points when there is room (else the first and the last), week
  // labels below.
  function trendChart(kpi) {
    const W = 240, H = 84, top = 22, bottom = 58;
    const weeks = kpi.weeks || [];
    const n = weeks.length;
    // The values above the points: all of them when they fit side by side
    // (at 10 units a bold digit is up to 7 units wide, a comma 4), centred
    // on their points, the plot narrowed so that the outer ones stay
    // inside; else the first and the last only, at the edges.
    const textWidth = (t) => [...t].reduce((sum, c) => sum +
        (/[.,: i]/.test(c) ? 4 : /[%mW—]/.test(c) ? 11 : 7), 0);
    const texts = weeks.map((w) => valueText(kpi.unit, w));
    const widest = Math.max(6, ...texts.map(textWidth)) + 6;
    const inset = Math.max(14, widest / 2 + 2);
    const allFit = n <= 1 || (W - 2 * inset) / (n - 1) >= widest;
    const left = allFit ? inset : 14, right = W - left;
    const svg = svgEl('svg', { viewBox: `0 0 ${W} ${H}`, class: 'trend',
                               role: 'img', 'data-testid': 'trend',
                               'aria-label': `${label(kpi.name)}, week by week` });
    const present = weeks.filter((w) => w.present).map((w) => Number(w.value));
    let lo = Math.min(...present), hi = Math.max(...present);
    if (!present.length) { lo = 0; hi = 1; }
    if (hi === lo) { const pad = Math.abs(hi) * 0.1 || 1; lo -= pad; hi += pad; }
    const x = (i) => n <= 1 ? (left + right) / 2 : left + (right - left) * i / (n - 1);
    const y = (v) => bottom - (bottom - top) * (v - lo) / (hi - lo);
    svg.appendChild(svgEl('line', { x1: left, x2: right, y1: bottom + 4,
                                    y2: bottom + 4, class: 'axis' }));
    let run = [];
    const flush = () => {
      if (run.length > 1) {
        svg.appendChild(svgEl('polyline', { class: 'line',
                                            points: run.join(' ') }));
      }
      run = [];
    };
    weeks.forEach((w, i) => {
      if (w.present) run.push(`${x(i).toFixed(1)},${y(Number(w.value)).toFixed(1)}`);
      else flush();
    });
    flush();
    const labelEvery = n <= 6 ? 1 : Math.ceil(n / 6);
    const edge = (i) => allFit || n <= 1 ? 'middle'
        : i === 0 ? 'start' : i === n - 1 ? 'end' : 'middle';
    weeks.forEach((w, i) => {
      const last = i === n - 1;
      const g = svgEl('g', { 'data-testid': 'point', 'data-week': w.week });
      if (w.present) {
        const cy = y(Number(w.value));
        g.appendChild(svgEl('circle', { cx: x(i).toFixed(1), cy: cy.toFixed(1),
                                        r: 3.2, class: last ? 'dot last' : 'dot' }));
      } else {
        g.appendChild(svgEl('circle', { cx: x(i).toFixed(1), cy: bottom,
                                        r: 2.5, class: 'gap' }));
      }
      g.appendChild(svgEl('title', {}, `${w.week}: ${valueText(kpi.unit, w)}`));
      if (allFit || i === 0 || last) {
        const ty = w.present ? y(Number(w.value)) - 7 : bottom - 7;
        g.appendChild(svgEl('text', { x: x(i).toFixed(1), y: ty.toFixed(1),
                                      'text-anchor': edge(i), class: 'pv',
                                      'data-testid': 'point-value' },
                            texts[i]));
      }
      if (i % labelEvery === 0 || last) {
        g.appendChild(svgEl('text', { x: x(i).toFixed(1), y: H - 6,
                                      'text-anchor': edge(i) },
                            shortWeek(w.week)));
      }
      svg.appendChild(g);
    });
    return svg;
  }

  function kpiCard(kpi) {
    const card = el('article', { class: 'kpi', 'data-testid': 'kpi',
                                 'data-name': kpi.name, 'data-unit': kpi.unit });
    card.appendChild(el('h3', {}, label(kpi.name)));
    const weeks = kpi.weeks || [];
    const latest = weeks[weeks.length - 1];
    const row = el('div', { class: 'latest' });
    row.appendChild(el('span', { class: 'value', 'data-testid': 'latest' },
                       valueText(kpi.unit, latest)));
    row.appendChild(el('span', { class: 'week' },
                       latest ? `week ${shortWeek(latest.week)}` : ''));
    card.appendChild(row);
    let change = 'no change figure (a week without data)';
    let cls = 'none';
    if (kpi.weekOnWeekPresent) {
      const d = Number(kpi.weekOnWeek);
      const prev = weeks.length > 1 ? shortWeek(weeks[weeks.length - 2].week) : '';
      change = `${d > 0 ? '▲' : d < 0 ? '▼' : '='} ${formatChange(kpi.unit, d)}` +
               ` vs ${prev}`;
      const better = LOWER_IS_BETTER.test(kpi.name) ? d < 0 : d > 0;
      cls = d === 0 ? 'none' : better ? 'better' : 'worse';
    }
    card.appendChild(el('div', { class: `change ${cls}`, 'data-testid': 'change' },
                        change));
    card.appendChild(trendChart(kpi));
    const span = el('p', { class: 'span' });
    span.appendChild(document.createTextNode(`${weeks.length} weeks: `));
    span.appendChild(el('span', { 'data-testid': 'span' },
                        valueText(kpi.unit, kpi.span)));
    if (kpi.span && kpi.span.present) {
      span.appendChild(document.createTextNode(
          ` (${count(kpi.span.denominator)} samples)`));
    }
    card.appendChild(span);
    return card;
  }

  function renderRanking() {
    const kpis = report.kpis || [];
    const stores = report.stores || [];
    const i = Number($('rank-kpi').value) || 0;
    const kpi = kpis[i];
    const desc = $('rank-order').value !== 'asc';
    const body = $('ranking-body');
    body.replaceChildren();
    if (!kpi) return;
    const rows = stores.map((s) => ({ s, v: (s.values || [])[i] }));
    rows.sort((a, b) => {
      const ap = a.v && a.v.present, bp = b.v && b.v.present;
      if (ap !== bp) return ap ? -1 : 1;
      if (ap && Number(a.v.value) !== Number(b.v.value)) {
        return desc ? Number(b.v.value) - Number(a.v.value)
                    : Number(a.v.value) - Number(b.v.value);
      }
      return a.s.storeId < b.s.storeId ? -1 : a.s.storeId > b.s.storeId ? 1 : 0;
    });
    rows.forEach((r, k) => {
      const tr = el('tr', { 'data-testid': 'rank-row', 'data-store': r.s.storeId });
      tr.appendChild(el('td', { class: 'num' }, String(k + 1)));
      const td = el('td', { 'data-testid': 'rank-store' });
      const b = el('button', { type: 'button', class: 'link',
                               title: `Show ${r.s.storeId}'s report` }, r.s.storeId);
      b.addEventListener('click', () => {
        const s = { scope: 'store', id: r.s.storeId, weeks: Number($('weeks').value),
                    lastWeek: $('last-week').value.trim() };
        setForm(s);
        writeHash(s);
        load(s);
      });
      td.appendChild(b);
      tr.appendChild(td);
      tr.appendChild(el('td', { class: 'region' }, r.s.region || '—'));
      tr.appendChild(el('td', { class: 'num', 'data-testid': 'rank-value' },
                        valueText(kpi.unit, r.v)));
      tr.appendChild(el('td', { class: 'num samples' },
                        r.v && r.v.present ? count(r.v.denominator) : '—'));
      body.appendChild(tr);
    });
  }

  function scopeTitle(scope) {
    if (!scope || scope === 'fleet') return 'The fleet';
    if (scope.startsWith('region:')) return `Region ${scope.slice(7)}`;
    if (scope.startsWith('store:')) return `Store ${scope.slice(6)}`;
    return scope;
  }

  function render(s) {
    const weeks = report.weeks || [];
    $('scope-title').textContent = scopeTitle(report.scope);
    const at = Number(report.computedAtUs || 0) / 1000;
    $('meta').textContent =
        (weeks.length ? `${weeks[0]} – ${weeks[weeks.length - 1]}` : 'no weeks') +
        (at ? ` · computed ${new Date(at).toISOString().replace('T', ' ').slice(0, 16)} UTC` : '');
    const box = $('kpis');
    box.replaceChildren(...(report.kpis || []).map(kpiCard));
    if (!(report.kpis || []).length) {
      box.appendChild(el('p', { class: 'note' }, 'The report holds no KPI.'));
    }
    const stores = report.stores || [];
    const ranking = s.scope !== 'store' && stores.length > 0;
    $('ranking-section').hidden = !ranking;
    $('to-ranking').hidden = !ranking;
    if (ranking) {
      const select = $('rank-kpi');
      const keep = select.value;
      select.replaceChildren(...(report.kpis || []).map(
          (k, i) => el('option', { value: String(i) }, label(k.name))));
      if (keep && Number(keep) < (report.kpis || []).length) select.value = keep;
      renderRanking();
      // Store ids and regions to pick from.
      const ids = new Set();
      for (const st of stores) {
        ids.add(st.storeId);
        if (st.region) ids.add(st.region);
      }
      $('known-ids').replaceChildren(...[...ids].sort().map(
          (v) => el('option', { value: v })));
    }
    $('report').hidden = false;
  }

  // ---- wiring -----------------------------------------------------------------
  document.addEventListener('DOMContentLoaded', () => {
    const weeks = $('weeks');
    for (let i = 1; i <= MAX_WEEKS; ++i) {
      weeks.appendChild(el('option', { value: String(i) }, String(i)));
    }
    for (const r of document.querySelectorAll('input[name=scope]')) {
      r.addEventListener('change', scopeChanged);
    }
    $('rank-kpi').addEventListener('change', renderRanking);
    $('to-ranking').addEventListener('click', () => {
      $('ranking-section').scrollIntoView({ block: 'start' });
    });
    $('rank-order').addEventListener('change', renderRanking);
    $('controls').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const s = formState();
      if (s.scope !== 'fleet' && !s.id) {
        showMessage(`Type the ${s.scope}'s id.`);
        return;
      }
      writeHash(s);
      load(s);
    });
    window.addEventListener('hashchange', () => {
      const s = readHash();
      setForm(s);
      load(s);
    });
    const s = readHash();
    setForm(s);
    load(s);
  });
})();
