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
    <table id="results" data-testid="results" hidden>
      <thead><tr>
        <th>SKU</th><th>Product</th><th class="num">On hand</th>
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
    <table id="holds" data-testid="holds" hidden>
      <thead><tr>
        <th>Order</th><th>State</th><th>Items</th><th>Expires</th><th></th>
      </tr></thead>
      <tbody id="holds-body"></tbody>
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
section { background: #fff; margin: 1rem; padding: 1rem; overflow-x: auto;
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
         border-bottom: 1px solid #e1e3e6; vertical-align: top; }
th { background: #eef0f3; font-size: 0.9rem; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
td.available { font-weight: 700; }
td.available.zero { color: #a4262c; }
td.actions { white-space: nowrap; }
td.actions button { margin-right: 0.35rem; }
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
)PAGE";

constexpr std::string_view kJs = R"PAGE('use strict';
// The staff page: log in with a token, look products up (a name, a SKU or
// a scanned barcode), and work the pick list. Every figure shows its age.
(function () {
  const TOKEN_KEY = 'storeagent.staff.token';
  const REQUEST_TIMEOUT_MS = 15000;
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

  function cell(row, text, cls, testid) {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    if (testid) td.dataset.testid = testid;
    row.appendChild(td);
    return td;
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
  }

  function logout(why) {
    sessionStorage.removeItem(TOKEN_KEY);
    me = null;
    $('session').hidden = true;
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
      cell(row, p.product.sku, '', 'sku');
      cell(row, p.product.name, '', 'name');
      cell(row, String(a.on_hand), 'num', 'on-hand');
      cell(row, String(a.held), 'num', 'held');
      cell(row, String(a.available),
           'num available' + (a.available === 0 ? ' zero' : ''), 'available');
      trackAge(cell(row, '', '', 'as-of'), data.as_of);
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
      cell(row, h.order_ref, '', 'order');
      const st = cell(row, '', '', 'hold-state-cell');
      const badge = document.createElement('span');
      badge.className = 'state ' + h.state;
      badge.dataset.testid = 'hold-state';
      badge.textContent = h.state;
      st.appendChild(badge);
      cell(row, h.lines.map((l) => l.quantity + ' × ' + l.sku).join(', '),
           '', 'items');
      cell(row, new Date(h.expires_at_us / 1000).toLocaleString(), '',
           'expires');
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
    await loadHolds();
    if (lastQuery) await search(lastQuery, true);
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
    setInterval(() => freshness.forEach(renderAge), 1000);
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
