#include "agent/http/staff_page.h"

namespace storeagent::agent {
namespace {

constexpr std::string_view kHtml = R"PAGE(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Store stock — staff</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/app.css">
<script src="/app.js" defer></script>
</head>
<body>
<header>
  <h1>Store stock</h1>
  <div id="session" data-testid="session" hidden>
    <span id="whoami" data-testid="whoami"></span>
    <button type="button" id="logout" data-testid="logout">Log out</button>
  </div>
</header>

<div id="sync-banner" data-testid="sync-banner" role="status" hidden></div>
<div id="message" data-testid="message" role="alert" hidden></div>

<section id="login" data-testid="login">
  <h2>Log in</h2>
  <form id="login-form" data-testid="login-form" autocomplete="off">
    <label for="token">Staff token</label>
    <input id="token" data-testid="login-token" type="password" required
           autocomplete="off" spellcheck="false">
    <button type="submit" data-testid="login-submit">Log in</button>
  </form>
</section>

<main id="app" data-testid="app" hidden>
  <section id="lookup">
    <h2>Find a product</h2>
    <form id="search-form" data-testid="search-form" autocomplete="off">
      <label for="search">Name, SKU or barcode</label>
      <input id="search" data-testid="search-input" type="search"
             placeholder="Type a name or scan a barcode" maxlength="128"
             spellcheck="false">
      <button type="submit" data-testid="search-submit">Search</button>
    </form>
    <p id="results-status" data-testid="results-status" class="status"></p>
    <table id="results" data-testid="results" class="cards" hidden>
      <thead><tr>
        <th>Product</th><th>SKU</th><th class="num">Price</th>
        <th class="num">On hand</th>
        <th class="num">Held</th><th class="num">Available</th><th>As of</th>
      </tr></thead>
      <tbody id="results-body"></tbody>
    </table>
  </section>

  <section id="picklist">
    <h2>Pick list <small>(open click-and-collect holds)</small></h2>
    <button type="button" id="holds-refresh" data-testid="holds-refresh">
      Refresh</button>
    <p id="holds-status" data-testid="holds-status" class="status"></p>
    <table id="holds" data-testid="holds" class="cards" hidden>
      <thead><tr>
        <th>Order</th><th>State</th><th>Items</th><th>Expires</th><th></th>
      </tr></thead>
      <tbody id="holds-body"></tbody>
    </table>
  </section>

  <section id="dayreport" data-testid="dayreport" hidden>
    <h2>Day report <small>(X while open, Z once closed)</small></h2>
    <form id="report-form" data-testid="report-form" autocomplete="off">
      <label for="report-day">Business day</label>
      <input id="report-day" data-testid="report-day" type="date">
      <button type="submit" data-testid="report-submit">Show</button>
    </form>
    <p id="report-status" data-testid="report-status" class="status"></p>
    <ul id="report-discrepancies" data-testid="report-discrepancies"></ul>
    <table id="report" data-testid="report" hidden>
      <thead><tr><th>Figure</th><th class="num">Count</th>
        <th class="num">Amount</th></tr></thead>
      <tbody id="report-body"></tbody>
    </table>
  </section>
</main>
</body>
</html>
)PAGE";

constexpr std::string_view kCss = R"PAGE(
* { box-sizing: border-box; }
body { font: 16px/1.4 system-ui, sans-serif; margin: 0; color: #1b1b1b;
       background: #f4f5f7; }
header { display: flex; align-items: center; justify-content: space-between;
         padding: 0.5rem 1rem; background: #17324d; color: #fff; }
header h1 { font-size: 1.25rem; margin: 0; }
#session { display: flex; gap: 0.75rem; align-items: center; }
#session[hidden] { display: none; }
section { background: #fff; margin: 1rem; padding: 1rem;
          border-radius: 6px; box-shadow: 0 1px 2px rgba(0,0,0,.15); }
h2 { font-size: 1.1rem; margin: 0 0 0.75rem; }
h2 small { font-weight: normal; color: #555; }
form { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
label { font-weight: 600; }
input { font: inherit; padding: 0.5rem; min-width: 18rem; flex: 1;
        border: 1px solid #8a8f98; border-radius: 4px; }
button { font: inherit; padding: 0.45rem 0.9rem; border-radius: 4px;
         border: 1px solid #17324d; background: #17324d; color: #fff;
         cursor: pointer; }
button.secondary, header button { background: #fff; color: #17324d; }
button.danger { background: #a4262c; border-color: #a4262c; }
button:disabled { opacity: 0.5; cursor: wait; }
table { width: 100%; border-collapse: collapse; margin-top: 0.5rem; }
th, td { text-align: left; padding: 0.4rem 0.5rem;
         border-bottom: 1px solid #e1e3e6; vertical-align: top;
         overflow-wrap: anywhere; }
th { background: #eef0f3; font-size: 0.9rem; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
td.available { font-weight: 700; }
td.available.zero { color: #a4262c; }
td.available summary { cursor: pointer; }
.breakdown { font-weight: normal; font-size: 0.9rem; margin: 0.25rem 0 0;
             display: grid; grid-template-columns: auto auto; gap: 0 0.75rem;
             justify-content: end; }
.breakdown dt { color: #555; }
.breakdown dd { margin: 0; text-align: right; }
.breakdown .total { border-top: 1px solid #8a8f98; font-weight: 700; }
td.actions button { margin: 0 0.35rem 0.25rem 0; }
.items { list-style: none; margin: 0; padding: 0; }
.items .sku { color: #555; font-size: 0.85rem; }
.promotion { color: #8a4b00; font-size: 0.85rem; }
#sync-banner { margin: 1rem; padding: 0.6rem 1rem; border-radius: 6px;
               background: #fff4ce; color: #5c4400; border: 1px solid #c19c00;
               font-weight: 600; }
/* A phone: each product and each order is a card, nothing wider than the
   screen, the figure that matters big and the action button in view. */
@media (max-width: 600px) {
  section { margin: 0.5rem; padding: 0.75rem; }
  header { padding: 0.5rem 0.75rem; flex-wrap: wrap; gap: 0.25rem; }
  form label { flex-basis: 100%; }
  input { min-width: 0; width: 100%; }
  form button { flex: 1 1 auto; }
  table.cards, table.cards tbody, table.cards tr, table.cards td {
    display: block; width: 100%; }
  table.cards thead { display: none; }
  table.cards tr { border: 1px solid #d5d8dc; border-radius: 6px;
                   padding: 0.5rem 0.75rem; margin: 0 0 0.75rem; }
  table.cards td { border: 0; padding: 0.15rem 0; text-align: left; }
  table.cards td[data-label]::before { content: attr(data-label) ": ";
                                       color: #555; font-weight: normal; }
  #results td[data-testid="name"] { font-weight: 700; font-size: 1.1rem; }
  #results td.available { font-size: 1.6rem; }
  #results td.available::before { font-size: 1rem; }
  .breakdown { justify-content: start; }
  td.actions button { min-height: 2.75rem; min-width: 6rem; }
}
.status { color: #555; margin: 0.5rem 0 0; min-height: 1.4em; }
.state { display: inline-block; padding: 0 0.4rem; border-radius: 3px;
         background: #e8eef7; }
.state.picked { background: #fff1c2; }
.state.collected { background: #d7f2dc; }
#message { margin: 1rem; padding: 0.75rem 1rem; border-radius: 6px;
           font-weight: 600; }
#message.error { background: #fde7e9; color: #7a1c20;
                 border: 1px solid #a4262c; }
#message.info { background: #e6f4ea; color: #1e5631;
                border: 1px solid #2e7d32; }
.discrepancy { color: #b00020; font-weight: 600; }
)PAGE";

constexpr std::string_view kJs = R"PAGE('use strict';
// The staff page: log in with a token, look products up (a name, a SKU or
// a scanned barcode), and work the pick list. Every figure shows its age.
// Managers also see the day's X/Z report and its cash-up discrepancies.
(function () {
  const TOKEN_KEY = 'storeagent.staff.token';
  const REQUEST_TIMEOUT_MS = 15000;
  const STATUS_POLL_MS = 15000;  // the head-office banner
  const $ = (id) => document.getElementById(id);
  let me = null;            // {name, role}
  let lastQuery = '';
  let freshness = [];       // [{cell, ageMs, receivedAt}]

  function token() { return sessionStorage.getItem(TOKEN_KEY) || ''; }

  function showMessage(text, kind) {
    const box = $('message');
    box.textContent = text;
    box.className = kind || 'error';
    box.hidden = !text;
  }

  class ApiError extends Error {
    constructor(status, code, field, message) {
      super(message);
      this.status = status; this.code = code; this.field = field;
    }
  }

  // Calls the JSON API; resolves with the parsed body or throws ApiError.
  async function api(method, path, body) {
    const headers = { 'Authorization': 'Bearer ' + token(),
                      'Accept': 'application/json' };
    const init = { method, headers, cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), REQUEST_TIMEOUT_MS);
    init.signal = ctl.signal;
    let resp;
    try {
      resp = await fetch(path, init);
    } catch (e) {
      throw new ApiError(0, 'UNAVAILABLE', '',
          'The agent did not answer. Check the network and try again.');
    } finally {
      clearTimeout(timer);
    }
    let data = null;
    try { data = await resp.json(); } catch (e) { data = null; }
    if (resp.ok && data) return data;
    const err = (data && data.error) || {};
    if (resp.status === 401) {
      logout('Your token was not accepted. Log in again.');
    }
    throw new ApiError(resp.status, err.code || 'HTTP_' + resp.status,
        err.field || '', err.message || ('Request failed: HTTP ' + resp.status));
  }

  function explain(e) {
    if (!(e instanceof ApiError)) return String(e);
    if (e.status === 403) return 'Only a manager may do that.';
    if (e.status === 409) return 'Not possible now: ' + e.message;
    if (e.status === 503) return 'The agent is busy, try again: ' + e.message;
    return e.message;
  }

  function ageText(ms) {
    if (ms < 1000) return 'just now';
    const s = Math.round(ms / 1000);
    if (s < 120) return s + ' s ago';
    return Math.round(s / 60) + ' min ago';
  }

  function trackAge(cell, asOf) {
    const entry = { cell, ageMs: asOf.age_ms, receivedAt: Date.now() };
    cell.dataset.ageMs = String(asOf.age_ms);
    cell.title = 'As of journal seq ' + asOf.seq + ' at ' + asOf.at;
    freshness.push(entry);
    renderAge(entry);
  }

  function renderAge(e) {
    e.cell.textContent = ageText(e.ageMs + (Date.now() - e.receivedAt));
  }

  // `label` names the figure on a phone, where each row is a card.
  function cell(row, text, cls, testid, label) {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    if (testid) td.dataset.testid = testid;
    if (label) td.dataset.label = label;
    row.appendChild(td);
    return td;
  }

  // Minor units in `currency` as the browser's locale writes money.
  function moneyText(minor, currency) {
    try {
      const f = new Intl.NumberFormat(undefined,
                                      {style: 'currency', currency: currency});
      const digits = f.resolvedOptions().maximumFractionDigits;
      return f.format(minor / Math.pow(10, digits));
    } catch (e) {
      return minor + ' ' + currency + ' (minor units)';
    }
  }

  // The shelf price and the promotions of a product (docs/pricing.md).
  function priceCell(row, pricing) {
    const td = cell(row, '', 'num', 'price', 'Price');
    if (!pricing || !pricing.unit_price) {
      td.textContent = pricing ? 'not priced' : '';
      return;
    }
    const price = document.createElement('span');
    price.dataset.testid = 'shelf-price';
    price.textContent =
        moneyText(pricing.unit_price.minor_units, pricing.unit_price.currency) +
        (pricing.unit === 'milli' ? ' / kg' : '');
    td.appendChild(price);
    for (const p of pricing.promotions) {
      const promo = document.createElement('div');
      promo.className = 'promotion';
      promo.dataset.testid = 'promotion';
      promo.dataset.id = p.id;
      promo.textContent = (p.description || p.id) +
                          (p.member_only ? ' (members)' : '');
      td.appendChild(promo);
    }
  }

  // "45 s", "12 min", "3 h 12 min", "2 d 5 h".
  function spanText(ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    if (s < 60) return s + ' s';
    const m = Math.floor(s / 60);
    if (m < 60) return m + ' min';
    const h = Math.floor(m / 60);
    if (h < 24) return h + ' h ' + (m % 60) + ' min';
    return Math.floor(h / 24) + ' d ' + (h % 24) + ' h';
  }

  // Available, and on a tap why it differs from on hand.
  function availableCell(row, a) {
    const td = cell(row, '', 'num available' + (a.available === 0 ? ' zero' : ''),
                    'available-cell', 'Available');
    const details = document.createElement('details');
    details.dataset.testid = 'available-details';
    const summary = document.createElement('summary');
    const figure = document.createElement('span');
    figure.dataset.testid = 'available';
    figure.textContent = String(a.available);
    summary.appendChild(figure);
    details.appendChild(summary);
    const dl = document.createElement('dl');
    dl.className = 'breakdown';
    dl.dataset.testid = 'breakdown';
    const line = (term, value, testid, cls) => {
      const dt = document.createElement('dt');
      dt.textContent = term;
      const dd = document.createElement('dd');
      dd.textContent = value;
      dd.dataset.testid = testid;
      if (cls) { dt.className = cls; dd.className = cls; }
      dl.append(dt, dd);
    };
    line('On hand', String(a.on_hand), 'bd-on-hand');
    line('− held for orders', String(a.held), 'bd-held');
    line('− safety stock', String(a.safety_stock), 'bd-safety');
    line('− unavailable (damaged, on hold)', String(a.unavailable),
         'bd-unavailable');
    line('= available', String(a.available), 'bd-available', 'total');
    details.appendChild(dl);
    td.appendChild(details);
    return td;
  }

  // ---- Head office link ----------------------------------------------------

  async function loadStatus() {
    let data;
    try {
      data = await api('GET', '/api/v1/status');
    } catch (e) {
      return;  // the next call says what is wrong
    }
    const banner = $('sync-banner');
    const sync = data.sync;
    if (!sync.enabled || sync.connected) {
      banner.hidden = true;
      banner.textContent = '';
      return;
    }
    banner.textContent = sync.last_exchange_age_ms === null
        ? 'Head office never reached since the agent started. ' +
          'Figures are this store\'s own.'
        : 'Head office last reached ' + spanText(sync.last_exchange_age_ms) +
          ' ago. Figures are this store\'s own.';
    banner.hidden = false;
  }

  // ---- Login ---------------------------------------------------------------

  async function startSession() {
    try {
      me = await api('GET', '/api/v1/whoami');
    } catch (e) {
      if (e.status !== 401) showMessage(explain(e));
      return;
    }
    $('whoami').textContent = me.name + ' (' + me.role + ')';
    $('session').hidden = false;
    $('login').hidden = true;
    $('app').hidden = false;
    showMessage('');
    $('search').focus();
    loadHolds();
    loadStatus();
    $('dayreport').hidden = me.role !== 'manager';
    if (me.role === 'manager') loadReport();
  }

  function logout(why) {
    sessionStorage.removeItem(TOKEN_KEY);
    me = null;
    $('session').hidden = true;
    $('sync-banner').hidden = true;
    $('app').hidden = true;
    $('login').hidden = false;
    $('token').value = '';
    $('token').focus();
    showMessage(why || '', why ? 'error' : 'info');
  }

  // ---- Lookup --------------------------------------------------------------

  // `refresh`: re-run after an action; keeps that action's message.
  async function search(query, refresh) {
    query = query.trim();
    if (!query) { showMessage('Type a product name, a SKU or scan a barcode.');
                  return; }
    lastQuery = query;
    $('results-status').textContent = 'Searching…';
    let data;
    try {
      data = await api('GET', '/api/v1/products?q=' +
                              encodeURIComponent(query) + '&limit=50');
    } catch (e) {
      $('results-status').textContent = '';
      showMessage(explain(e));
      return;
    }
    if (!refresh) showMessage('');
    freshness = freshness.filter((f) => !f.cell.closest('#results'));
    const body = $('results-body');
    body.replaceChildren();
    for (const p of data.products) {
      const a = p.availability;
      const row = document.createElement('tr');
      row.dataset.testid = 'product-row';
      row.dataset.sku = p.product.sku;
      cell(row, p.product.name, '', 'name');
      cell(row, p.product.sku, '', 'sku', 'SKU');
      priceCell(row, p.pricing);
      cell(row, String(a.on_hand), 'num', 'on-hand', 'On hand');
      cell(row, String(a.held), 'num', 'held', 'Held');
      availableCell(row, a);
      trackAge(cell(row, '', '', 'as-of', 'As of'), data.as_of);
      body.appendChild(row);
    }
    $('results').hidden = data.products.length === 0;
    $('results-status').textContent = data.products.length === 0
        ? 'No product matches "' + query + '".'
        : data.products.length + ' product(s) for "' + query + '".';
    $('search').select();
  }

  // ---- Pick list -----------------------------------------------------------

  function actionButton(label, testid, cls, onClick) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.dataset.testid = testid;
    if (cls) b.className = cls;
    b.addEventListener('click', onClick);
    return b;
  }

  async function loadHolds() {
    let data;
    try {
      data = await api('GET', '/api/v1/holds?state=open&limit=200');
    } catch (e) {
      showMessage(explain(e));
      return;
    }
    freshness = freshness.filter((f) => f.cell.id !== 'holds-age');
    const body = $('holds-body');
    body.replaceChildren();
    for (const h of data.holds) {
      const row = document.createElement('tr');
      row.dataset.testid = 'hold-row';
      row.dataset.order = h.order_ref;
      row.dataset.state = h.state;
      cell(row, h.order_ref, '', 'order', 'Order');
      const st = cell(row, '', '', 'hold-state-cell', 'State');
      const badge = document.createElement('span');
      badge.className = 'state ' + h.state;
      badge.dataset.testid = 'hold-state';
      badge.textContent = h.state;
      st.appendChild(badge);
      const items = document.createElement('ul');
      items.className = 'items';
      for (const l of h.lines) {
        const li = document.createElement('li');
        li.dataset.testid = 'hold-line';
        li.dataset.sku = l.sku;
        const name = document.createElement('span');
        name.dataset.testid = 'hold-line-name';
        name.textContent = l.quantity + ' × ' + (l.name || l.sku);
        li.appendChild(name);
        if (l.name) {
          const sku = document.createElement('span');
          sku.className = 'sku';
          sku.textContent = ' ' + l.sku;
          li.appendChild(sku);
        }
        items.appendChild(li);
      }
      cell(row, '', '', 'items').appendChild(items);
      cell(row, new Date(h.expires_at_us / 1000).toLocaleString(), '',
           'expires', 'Expires');
      const actions = cell(row, '', 'actions', 'actions');
      if (h.state === 'held') {
        actions.appendChild(actionButton('Pick', 'hold-pick', '',
            () => holdAction(h.order_ref, 'pick', row)));
      }
      if (h.state === 'picked') {
        actions.appendChild(actionButton('Collect', 'hold-collect', '',
            () => holdAction(h.order_ref, 'collect', row)));
      }
      if (me && me.role === 'manager') {
        actions.appendChild(actionButton('Cancel', 'hold-cancel', 'danger',
            () => holdAction(h.order_ref, 'cancel', row)));
      }
      body.appendChild(row);
    }
    $('holds').hidden = data.holds.length === 0;
    const status = $('holds-status');
    status.replaceChildren();
    status.append(data.holds.length === 0 ? 'No open holds. '
                                          : data.holds.length + ' open. ');
    const age = document.createElement('span');
    age.id = 'holds-age';
    status.append('Updated ', age, '.');
    trackAge(age, data.as_of);
  }

  async function holdAction(orderRef, action, row) {
    let body;
    if (action === 'cancel') {
      const reason = window.prompt('Cancel order ' + orderRef + '? Reason:',
                                   'cancelled by staff');
      if (reason === null) return;
      body = { reason };
    }
    for (const b of row.querySelectorAll('button')) b.disabled = true;
    let text, kind;
    try {
      const data = await api('POST', '/api/v1/holds/' +
          encodeURIComponent(orderRef) + '/' + action, body);
      text = 'Order ' + orderRef + ': ' + data.hold.state + '.';
      kind = 'info';
    } catch (e) {
      text = 'Order ' + orderRef + ': ' + explain(e);
      kind = 'error';
    }
    showMessage(text, kind);
    loadStatus();
    await loadHolds();
    if (lastQuery) await search(lastQuery, true);
  }

  // ---- Day report (managers) -----------------------------------------------

  async function loadReport() {
    const day = $('report-day').value;
    let data;
    try {
      data = await api('GET', '/api/v1/reports/day' +
                              (day ? '?day=' + encodeURIComponent(day) : ''));
    } catch (e) {
      $('report-status').textContent = '';
      showMessage(explain(e));
      return;
    }
    $('report-status').textContent = data.kind + ' report, business day ' +
        data.business_day + (data.kind === 'Z' ? ' (closed)'
                                               : ' (open: figures so far)') +
        (data.currency ? '; amounts in ' + data.currency + ' minor units'
                       : '');
    const t = data.totals;
    const body = $('report-body');
    body.replaceChildren();
    const line = (label, count, amount) => {
      const row = document.createElement('tr');
      row.dataset.testid = 'report-row';
      cell(row, label, '', 'report-figure');
      cell(row, count === null ? '' : String(count), 'num', 'report-count',
           'Count');
      cell(row, amount === null ? '' : String(amount), 'num', 'report-amount',
           'Amount');
      body.appendChild(row);
    };
    line('Sales', t.sale_count, t.sales_amount);
    line('Returns', t.return_count, t.returns_amount);
    line('Voids', t.void_count, t.voids_amount);
    line('No-sales', t.no_sale_count, null);
    line('Discounts', t.discount_count, t.discounts_amount);
    for (const x of t.tenders) line('Tender ' + x.kind, x.count, x.net_amount);
    for (const x of t.taxes) {
      line('Tax ' + (x.rate_bp / 100).toFixed(2) + ' % taxable', null,
           x.taxable);
      line('Tax ' + (x.rate_bp / 100).toFixed(2) + ' % tax', null, x.tax);
    }
    $('report').hidden = false;
    const list = $('report-discrepancies');
    list.replaceChildren();
    for (const c of data.closes) {
      const who = c.whole_store ? 'whole store' : 'terminal ' + c.terminal_id;
      if (c.differences.length === 0) {
        const li = document.createElement('li');
        li.textContent = 'Close of ' + who + ' (seq ' + c.seq +
                         '): agrees with the agent.';
        list.appendChild(li);
      }
      for (const d of c.differences) {
        const li = document.createElement('li');
        li.className = 'discrepancy';
        li.dataset.testid = 'discrepancy';
        li.textContent = 'Cash-up discrepancy (' + who + ', seq ' + c.seq +
                         '): ' + d.figure + ' pos ' + d.pos + ' agent ' +
                         d.agent;
        list.appendChild(li);
      }
    }
  }

  // ---- Wiring --------------------------------------------------------------

  document.addEventListener('DOMContentLoaded', () => {
    $('login-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const t = $('token').value.trim();
      if (!t) { showMessage('Enter your staff token.'); return; }
      sessionStorage.setItem(TOKEN_KEY, t);
      startSession();
    });
    $('logout').addEventListener('click', () => logout(''));
    $('search-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      search($('search').value);
    });
    $('holds-refresh').addEventListener('click', () => loadHolds());
    $('report-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      loadReport();
    });
    setInterval(() => freshness.forEach(renderAge), 1000);
    setInterval(() => { if (me) loadStatus(); }, STATUS_POLL_MS);
    if (token()) startSession(); else $('token').focus();
  });
})();
)PAGE";

constexpr std::string_view kIcon =
    R"PAGE(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">)PAGE"
    R"PAGE(<rect width="16" height="16" rx="3" fill="#17324d"/>)PAGE"
    R"PAGE(<path d="M4 6h8v6H4z" fill="#fff"/></svg>)PAGE";

constexpr StaticAsset kAssets[] = {
    {"/", "text/html; charset=utf-8", kHtml},
    {"/index.html", "text/html; charset=utf-8", kHtml},
    {"/app.js", "text/javascript; charset=utf-8", kJs},
    {"/app.css", "text/css; charset=utf-8", kCss},
    {"/favicon.svg", "image/svg+xml", kIcon},
    {"/favicon.ico", "image/svg+xml", kIcon},
};

}  // namespace

const StaticAsset* FindStaticAsset(std::string_view path) {
  for (const StaticAsset& a : kAssets) {
    if (a.path == path) return &a;
  }
  return nullptr;
}

}  // namespace storeagent::agent
