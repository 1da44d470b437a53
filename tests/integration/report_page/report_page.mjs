// Drives head office's KPI report page in headless Chromium and checks that
// every figure it shows equals the report the API gives (GET /api/kpi,
// fetched here on its own), within the rounding of what is shown:
//   1. the fleet: each KPI's latest week, week-on-week change, value over
//      the span and the value written at each point of its trend chart;
//      the stores ranked by a KPI, highest first and lowest first;
//   2. a region, opened from a link (the view is in the URL's hash): the
//      same figures, its stores ranked;
//   3. one store (typed into the form): the same figures, no ranking;
//   4. a bad "last week": the page shows the API's error naming it.
// Nothing may be wider than the screen, and the page must log no error
// (a CSP violation would be one). --screenshot DIR saves the fleet and the
// store views as report_page_<width>_{fleet,store}.png and prints the
// paths. Exits 0 when every check held, 1 (with the step) otherwise. Every
// wait is bounded.
//
//   node report_page.mjs --url http://127.0.0.1:PORT --store S-002 \
//       [--viewport 1280x900] [--screenshot DIR] [--chromium PATH] \
//       [--client-cert PEM --client-key PEM] [--expect-denied TEXT]
//
// --client-cert/--client-key: for an https:// URL, the client certificate
// the browser presents (playwright's clientCertificates; the server's own
// certificate, from a test CA, is not what is checked here and its errors
// are ignored). --expect-denied TEXT: the page must be refused (403) with
// TEXT in what the browser shows, and nothing else is checked.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

import { parseViewport, requireArgs, runInChromium, steps } from '../browser_harness.mjs';

const STEP_TIMEOUT_MS = 10_000;
const TOTAL_TIMEOUT_MS = 90_000;

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    store: { type: 'string' },
    viewport: { type: 'string', default: '1280x900' },
    screenshot: { type: 'string' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
    'client-cert': { type: 'string' },
    'client-key': { type: 'string' },
    'expect-denied': { type: 'string' },
  },
});
requireArgs('report_page.mjs', args, ['url', 'store']);
const viewport = parseViewport('report_page.mjs', args.viewport);
const { width: vw } = viewport;

const run = steps('report_page', TOTAL_TIMEOUT_MS);
const { log, begin, check } = run;

// ---- reading shown figures back (independent of the page's code) ---------
const SECONDS = { s: 1, min: 60, h: 3600, d: 86400 };
// {v, tol} for a figure of `unit` as shown, or null for "—".
function parseShown(unit, text) {
  const t = text.trim().replace(/,/g, '').replace('−', '-');
  if (t === '—') return null;
  let m;
  const decimals = (s) => (s.split('.')[1] || '').length;
  const half = (s) => 0.5 * 10 ** -decimals(s);
  switch (unit) {
    case 'ratio':
      m = /^(-?\d+(?:\.\d+)?) %$/.exec(t);
      if (m) return { v: Number(m[1]) / 100, tol: half(m[1]) / 100 };
      break;
    case 'seconds':
      m = /^(-?\d+(?:\.\d+)?) (s|min|h|d)$/.exec(t);
      if (m) return { v: Number(m[1]) * SECONDS[m[2]], tol: half(m[1]) * SECONDS[m[2]] };
      break;
    case 'minor_units':
      m = /^(-?\d+\.\d\d)$/.exec(t);
      if (m) return { v: Number(m[1]) * 100, tol: 0.5 };
      break;
    default:
      m = /^(-?\d+(?:\.\d+)?)$/.exec(t);
      if (m) return { v: Number(m[1]), tol: half(m[1]) };
  }
  throw new Error(`"${text}" is not a ${unit} figure as the page should show one`);
}
// A change: "▲ +1.2 pp vs W48" (ratios in percentage points).
function parseChange(unit, text) {
  const m = /^[▲▼=] ([+−±])(.*) vs W\d\d$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a week-on-week change`);
  const sign = m[1] === '−' ? -1 : 1;
  let shown;
  if (unit === 'ratio') {
    const p = /^(\d+(?:\.\d+)?) pp$/.exec(m[2]);
    if (!p) throw new Error(`"${text}": a ratio's change is in pp`);
    shown = parseShown('count', p[1]);
    shown = { v: shown.v / 100, tol: shown.tol / 100 };
  } else {
    shown = parseShown(unit, m[2]);
  }
  return { v: sign * shown.v, tol: shown.tol };
}
function near(shown, value) {
  return Math.abs(shown.v - value) <= shown.tol + 1e-9 * Math.max(1, Math.abs(value));
}
// The shown `text` is `kv` of `unit`: "—" when absent, else its value.
function checkFigure(unit, text, kv, what) {
  const shown = parseShown(unit, text);
  if (!kv || !kv.present) {
    check(shown === null, `${what}: shows "${text}" for a value that is absent`);
    return;
  }
  check(shown !== null, `${what}: shows "—" for ${kv.value}`);
  check(near(shown, Number(kv.value)),
        `${what}: shows "${text}", the API says ${kv.value}`);
}

await runInChromium(chromium, run, {
  profilePrefix: 'report-page',
  executablePath: args.chromium,
  viewport,
  stepTimeoutMs: STEP_TIMEOUT_MS,
  context: args['client-cert'] ? {
    clientCertificates: [{ origin: new URL(args.url).origin,
                           certPath: args['client-cert'],
                           keyPath: args['client-key'] }],
    ignoreHTTPSErrors: true,
  } : {},
}, async ({ page, consoleErrors, tid }) => {

  async function api(query) {
    const resp = await page.request.get(`${args.url}/api/kpi?${query}`);
    check(resp.status() === 200, `GET /api/kpi?${query}: HTTP ${resp.status()}`);
    return await resp.json();
  }
  async function waitReady() {
    await page.waitForFunction(() => document.body.dataset.state === 'ready' ||
                                     document.body.dataset.state === 'error');
    const state = await page.evaluate(() => document.body.dataset.state);
    const message = await tid('message').textContent();
    check(state === 'ready', `the report did not load: ${message}`);
  }
  async function checkNoSideways(where) {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    log(`${where}: scrollWidth ${width} (viewport ${vw})`);
    check(width <= vw, `${where}: the page is ${width} px wide on a ${vw} px screen`);
    const wide = await page.evaluate(() => Array.from(
        document.querySelectorAll('header, form, main, section, article, table, tr, svg'))
        .filter((e) => e.getClientRects().length > 0 &&
                       e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0)
        .map((e) => `${e.tagName.toLowerCase()}#${e.id} ${e.scrollWidth}>${e.clientWidth}`));
    check(wide.length === 0, `${where}: wider than their box: ${wide.join(', ')}`);
  }
  // Every KPI card against the report.
  async function checkCards(report, where) {
    const cards = await page.$$eval('[data-testid=kpi]', (els) => els.map((e) => ({
      name: e.dataset.name,
      unit: e.dataset.unit,
      latest: e.querySelector('[data-testid=latest]').textContent,
      change: e.querySelector('[data-testid=change]').textContent,
      span: e.querySelector('[data-testid=span]').textContent,
      points: Array.from(e.querySelectorAll('[data-testid=point]')).map((p) => ({
        week: p.dataset.week,
        text: (p.querySelector('[data-testid=point-value]') || {}).textContent,
      })),
      chartWidth: e.querySelector('svg').getBoundingClientRect().width,
    })));
    check(cards.length === report.kpis.length,
          `${where}: ${cards.length} KPI cards for ${report.kpis.length} KPIs`);
    report.kpis.forEach((k, i) => {
      const c = cards[i];
      const what = `${where} ${k.name}`;
      check(c.name === k.name && c.unit === k.unit, `${what}: card ${i} is ${c.name}`);
      checkFigure(k.unit, c.latest, k.weeks[k.weeks.length - 1], `${what} latest`);
      checkFigure(k.unit, c.span, k.span, `${what} span`);
      if (k.weekOnWeekPresent) {
        const d = parseChange(k.unit, c.change);
        check(near(d, Number(k.weekOnWeek)),
              `${what}: change "${c.change}", the API says ${k.weekOnWeek}`);
      } else {
        check(/^no change figure/.test(c.change), `${what}: change "${c.change}" without one`);
      }
      check(c.points.length === k.weeks.length,
            `${what}: ${c.points.length} points for ${k.weeks.length} weeks`);
      k.weeks.forEach((w, j) => {
        check(c.points[j].week === w.week, `${what}: point ${j} is ${c.points[j].week}`);
        // Values the chart writes (every point when they fit, else the
        // first and the last) equal the API's.
        if (c.points[j].text !== undefined) {
          checkFigure(k.unit, c.points[j].text, w, `${what} ${w.week}`);
        } else {
          check(j !== 0 && j !== k.weeks.length - 1,
                `${what}: no value written at ${w.week}`);
        }
      });
      check(c.chartWidth >= 200, `${what}: chart only ${c.chartWidth} px wide`);
    });
    log(`${where}: ${cards.length} KPI cards equal the API's figures`);
  }
  // The ranking table for the KPI at `index`, in `order`.
  async function checkRanking(report, index, order) {
    await page.selectOption('#rank-kpi', String(index));
    await page.selectOption('#rank-order', order);
    const k = report.kpis[index];
    const rows = await page.$$eval('[data-testid=rank-row]', (els) => els.map((e) => ({
      store: e.dataset.store,
      value: e.querySelector('[data-testid=rank-value]').textContent,
    })));
    const expected = report.stores.map((s) => ({ id: s.storeId, v: s.values[index] }))
        .sort((a, b) => {
          const ap = a.v.present, bp = b.v.present;
          if (ap !== bp) return ap ? -1 : 1;
          if (ap && a.v.value !== b.v.value) {
            return order === 'desc' ? b.v.value - a.v.value : a.v.value - b.v.value;
          }
          return a.id < b.id ? -1 : 1;
        });
    check(rows.length === expected.length,
          `ranking: ${rows.length} rows for ${expected.length} stores`);
    expected.forEach((e, j) => {
      check(rows[j].store === e.id,
            `ranking by ${k.name} ${order}: row ${j + 1} is ${rows[j].store}, expected ${e.id}`);
      checkFigure(k.unit, rows[j].value, e.v, `ranking ${k.name} ${e.id}`);
    });
    log(`ranking by ${k.name} (${order}): ${rows.map((r) => r.store).join(' ')}`);
  }
  async function shot(name) {
    if (!args.screenshot) return;
    const path = join(args.screenshot, `report_page_${vw}_${name}.png`);
    await page.screenshot({ path, fullPage: true });
    log(`screenshot: ${path}`);
  }

  if (args['expect-denied']) {
    begin('the page refused');
    const denied = await page.goto(args.url, { timeout: STEP_TIMEOUT_MS });
    check(denied && denied.status() === 403, `GET /: ${denied && denied.status()}, not 403`);
    const text = await page.textContent('body');
    check(text.includes(args['expect-denied']),
          `the refusal does not say "${args['expect-denied']}": ${text}`);
    const api403 = await page.request.get(`${args.url}/api/kpi`);
    check(api403.status() === 403, `GET /api/kpi: ${api403.status()}, not 403`);
    log(`refused: ${text.trim()}`);
  } else {
    begin('open the page: the fleet');
    const resp = await page.goto(args.url, { timeout: STEP_TIMEOUT_MS });
    check(resp && resp.status() === 200, `GET /: ${resp && resp.status()}`);
    await waitReady();
    const fleet = await api('weeks=4&by_store=1');
    check((await tid('scope-title').textContent()) === 'The fleet',
          `title: ${await tid('scope-title').textContent()}`);
    await checkCards(fleet, 'fleet');

    begin('the stores ranked');
    check(await tid('ranking-section').isVisible(), 'the ranking is hidden for the fleet');
    // The link above the cards takes the reader to the ranking.
    await tid('to-ranking').click();
    await page.waitForFunction(() => {
      const r = document.getElementById('ranking-section').getBoundingClientRect();
      return r.top >= -1 && r.top < window.innerHeight;
    });
    for (const name of ['basket_value_avg', 'order_accuracy', 'pick_time_p50_s']) {
      const i = fleet.kpis.findIndex((k) => k.name === name);
      check(i >= 0, `no KPI ${name} in the report`);
      await checkRanking(fleet, i, 'desc');
      await checkRanking(fleet, i, 'asc');
    }
    await page.selectOption('#rank-kpi', String(fleet.kpis.findIndex((k) => k.name === 'basket_value_avg')));
    await page.selectOption('#rank-order', 'desc');
    await checkNoSideways('fleet');
    await shot('fleet');

    begin('a region, from a link');
    await page.goto(`${args.url}/#scope=region&id=north&weeks=4`);
    await page.waitForFunction(() => document.getElementById('scope-title').textContent === 'Region north');
    await waitReady();
    const north = await api('region=north&weeks=4&by_store=1');
    check(north.scope === 'region:north', `scope ${north.scope}`);
    await checkCards(north, 'region north');
    await checkRanking(north, north.kpis.findIndex((k) => k.name === 'return_rate'), 'desc');
    check(north.stores.length === 2, `region north has ${north.stores.length} stores`);

    begin(`one store: ${args.store}`);
    await tid('scope-store').check();
    await tid('scope-id').fill(args.store);
    await tid('show').click();
    await page.waitForFunction((s) => document.getElementById('scope-title').textContent === `Store ${s}`,
                               args.store);
    await waitReady();
    const store = await api(`store=${encodeURIComponent(args.store)}&weeks=4`);
    check(store.scope === `store:${args.store}`, `scope ${store.scope}`);
    await checkCards(store, args.store);
    check(!(await tid('ranking-section').isVisible()), 'a ranking for one store');
    check(new URL(page.url()).hash.includes(`id=${args.store}`),
          `the URL does not keep the store: ${page.url()}`);
    await checkNoSideways(args.store);
    await shot('store');

    check(consoleErrors.length === 0, `the page logged errors: ${consoleErrors.join(' | ')}`);

    begin('a bad last week');
    await tid('last-week').fill('2026-49');
    await tid('show').click();
    await page.waitForFunction(() => document.body.dataset.state === 'error');
    const message = await tid('message').textContent();
    check(/last_week/.test(message), `the error does not name last_week: ${message}`);
    await checkNoSideways('error');

    // Chromium logs the 400 itself; nothing else may be logged.
    const others = consoleErrors.filter((m) => !/status of 400/.test(m));
    check(others.length === 0, `the page logged errors: ${others.join(' | ')}`);
    log(`OK: ${run.checks} checks`);
  }
});
