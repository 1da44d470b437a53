// Drives the storeagent staff page in headless Chromium, as a member of
// staff would: log in with a token, scan a barcode (type the GTIN + Enter),
// read the product's availability, then pick and collect a click-and-collect
// order from the pick list. Exits 0 when every step worked, 1 (with the step
// that failed) otherwise. Every wait is bounded.
//
//   node staff_page.mjs --url http://127.0.0.1:PORT --token T --gtin G \
//       --order ORDER [--screenshot DIR] [--chromium /usr/bin/chromium]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const STEP_TIMEOUT_MS = 10_000;
const TOTAL_TIMEOUT_MS = 90_000;

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    token: { type: 'string' },
    gtin: { type: 'string' },
    order: { type: 'string' },
    screenshot: { type: 'string' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
for (const name of ['url', 'token', 'gtin', 'order']) {
  if (!args[name]) {
    console.error(`staff_page.mjs: --${name} is required`);
    process.exit(2);
  }
}

let step = 'start';
function log(msg) { console.log(`[staff_page] ${msg}`); }
function begin(name) { step = name; log(`step: ${name}`); }
function check(cond, msg) {
  if (!cond) throw new Error(msg);
}

// The whole run is bounded, whatever hangs.
const watchdog = setTimeout(() => {
  console.error(`FAIL: timed out after ${TOTAL_TIMEOUT_MS} ms during "${step}"`);
  process.exit(1);
}, TOTAL_TIMEOUT_MS);
watchdog.unref();

const profile = mkdtempSync(join(tmpdir(), 'staff-page-chromium-'));
let context;
let exitCode = 1;
try {
  begin('launch chromium');
  context = await chromium.launchPersistentContext(profile, {
    executablePath: args.chromium,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
           '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
    timeout: 30_000,
    viewport: { width: 1100, height: 800 },
  });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  const page = context.pages()[0] ?? await context.newPage();
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  const tid = (id) => page.getByTestId(id);

  begin('open the page');
  const resp = await page.goto(args.url, { timeout: STEP_TIMEOUT_MS });
  check(resp && resp.status() === 200, `GET / answered ${resp && resp.status()}`);
  await tid('login-token').waitFor({ state: 'visible' });

  begin('a wrong token is refused with a clear message');
  await tid('login-token').fill('not-the-token');
  await tid('login-submit').click();
  await tid('message').waitFor({ state: 'visible' });
  const refused = await tid('message').innerText();
  check(/not accepted/i.test(refused), `unexpected message: "${refused}"`);
  check(await tid('app').isHidden(), 'the app is shown after a wrong token');

  begin('log in');
  await tid('login-token').fill(args.token);
  await tid('login-submit').click();
  await tid('app').waitFor({ state: 'visible' });
  const who = await tid('whoami').innerText();
  check(who.length > 0, 'whoami is empty');
  log(`logged in as ${who}`);
  consoleErrors.length = 0;  // the refused token's 401 was expected

  begin('scan the barcode (GTIN + Enter)');
  const search = tid('search-input');
  await search.click();
  await search.pressSequentially(args.gtin, { delay: 5 });  // like a scanner
  await search.press('Enter');
  const row = page.locator('[data-testid="product-row"]');
  await row.first().waitFor({ state: 'visible' });
  check(await row.count() === 1, `expected one product, got ${await row.count()}`);
  const onHand = Number(await row.getByTestId('on-hand').innerText());
  const held = Number(await row.getByTestId('held').innerText());
  const available = Number(await row.getByTestId('available').innerText());
  const asOf = await row.getByTestId('as-of').innerText();
  log(`on hand ${onHand}, held ${held}, available ${available}, as of "${asOf}"`);
  check(Number.isInteger(onHand) && onHand > 0, `on hand is "${onHand}"`);
  check(held > 0, `held is ${held}; the order's hold should count`);
  check(available >= 0 && available <= onHand - held, `available is ${available}`);
  check(/ago|just now/.test(asOf), `as-of age is "${asOf}"`);

  begin('find the order in the pick list');
  const hold = page.locator(`[data-testid="hold-row"][data-order="${args.order}"]`);
  await hold.waitFor({ state: 'visible' });
  check(await hold.getByTestId('hold-state').innerText() === 'held',
        'the order is not "held"');
  if (args.screenshot) {
    await page.screenshot({ path: join(args.screenshot, 'staff_page_before.png'),
                            fullPage: true });
  }

  begin('mark it picked');
  await hold.getByTestId('hold-pick').click();
  await page.locator(`[data-testid="hold-row"][data-order="${args.order}"][data-state="picked"]`)
      .waitFor({ state: 'visible' });
  await page.locator('[data-testid="message"]', { hasText: 'picked' })
      .waitFor({ state: 'visible' });

  begin('hand it over (collect)');
  await hold.getByTestId('hold-collect').click();
  await hold.waitFor({ state: 'detached' });  // no longer open
  await page.locator('[data-testid="message"]', { hasText: 'collected' })
      .waitFor({ state: 'visible' });

  begin('the figures follow');
  await page.waitForFunction(
      ([expected]) => {
        const cell = document.querySelector(
            '[data-testid="product-row"] [data-testid="on-hand"]');
        return cell && Number(cell.textContent) === expected;
      },
      [onHand - held], { timeout: STEP_TIMEOUT_MS });
  const heldAfter = Number(await row.getByTestId('held').innerText());
  check(heldAfter === 0, `held after collecting is ${heldAfter}`);
  if (args.screenshot) {
    await page.screenshot({ path: join(args.screenshot, 'staff_page_after.png'),
                            fullPage: true });
  }

  check(consoleErrors.length === 0,
        `console errors: ${consoleErrors.join(' | ')}`);
  log('PASS');
  exitCode = 0;
} catch (e) {
  console.error(`FAIL at "${step}": ${e && e.message ? e.message : e}`);
} finally {
  try { if (context) await context.close(); } catch (e) { /* closing */ }
  rmSync(profile, { recursive: true, force: true });
}
process.exit(exitCode);
