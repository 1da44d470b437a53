// Drives the storeagent staff page in headless Chromium, as a member of
// staff would: log in with a token, scan a barcode (type the GTIN + Enter),
// read the product's availability and why it differs from on hand, then
// pick and collect a click-and-collect order (its lines named) from the pick
// list. With --viewport 360x740 it is a phone: nothing may be wider than the
// screen (document.documentElement.scrollWidth <= 360) on the lookup, on the
// pick list and after a pick, and the Pick button must be inside the
// viewport. --banner TEXT: the head-office banner must show TEXT; without
// it the banner must stay hidden. Exits 0 when every step worked, 1 (with
// the step that failed) otherwise. Every wait is bounded.
//
//   node staff_page.mjs --url http://127.0.0.1:PORT --token T --gtin G \
//       --order ORDER --name PRODUCT_NAME [--viewport WxH] [--banner TEXT] \
//       [--spki BASE64] [--screenshot DIR] [--chromium /usr/bin/chromium]
//
// --spki: for an https:// URL, the base64 SHA-256 of the server
// certificate's public key, the one key Chromium accepts without a trusted
// CA (--ignore-certificate-errors-spki-list); nothing else is accepted.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

import { parseViewport, requireArgs, runInChromium, steps } from '../browser_harness.mjs';

const STEP_TIMEOUT_MS = 10_000;
const TOTAL_TIMEOUT_MS = 90_000;

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    token: { type: 'string' },
    gtin: { type: 'string' },
    order: { type: 'string' },
    name: { type: 'string' },
    viewport: { type: 'string', default: '1100x800' },
    banner: { type: 'string' },
    spki: { type: 'string' },
    screenshot: { type: 'string' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
requireArgs('staff_page.mjs', args, ['url', 'token', 'gtin', 'order', 'name']);
const viewport = parseViewport('staff_page.mjs', args.viewport);
const { width: vw, height: vh, phone } = viewport;
const shot = (name) => args.screenshot
    ? join(args.screenshot, `staff_page_${vw}_${name}.png`) : null;

const run = steps('staff_page', TOTAL_TIMEOUT_MS);
const { log, begin, check } = run;

await runInChromium(chromium, run, {
  profilePrefix: 'staff-page',
  executablePath: args.chromium,
  viewport,
  stepTimeoutMs: STEP_TIMEOUT_MS,
  flags: args.spki ? [`--ignore-certificate-errors-spki-list=${args.spki}`] : [],
}, async ({ page, consoleErrors, tid }) => {
  // Nothing wider than the screen: no sideways scrolling.
  async function checkNoSideways(where) {
    const width = await page.evaluate(
        () => document.documentElement.scrollWidth);
    log(`${where}: scrollWidth ${width} (viewport ${vw})`);
    check(width <= vw, `${where}: the page is ${width} px wide on a ${vw} px screen`);
    // Nor may a part of it scroll sideways inside itself.
    const wide = await page.evaluate(() => Array.from(
        document.querySelectorAll('header, main, section, table, tr'))
        .filter((e) => e.offsetParent !== null &&
                       e.scrollWidth > e.clientWidth + 1)
        .map((e) => `${e.tagName.toLowerCase()}#${e.id} ${e.scrollWidth}>${e.clientWidth}`));
    check(wide.length === 0, `${where}: wider than their box: ${wide.join(', ')}`);
  }
  // `locator` lies wholly inside the viewport once scrolled to.
  async function checkInView(locator, what) {
    await locator.scrollIntoViewIfNeeded();
    const box = await locator.boundingBox();
    check(box !== null, `${what} is not rendered`);
    check(box.x >= 0 && box.x + box.width <= vw && box.y >= 0 &&
          box.y + box.height <= vh,
          `${what} is outside the viewport: ${JSON.stringify(box)}`);
  }

  begin('open the page');
  const resp = await page.goto(args.url, { timeout: STEP_TIMEOUT_MS });
  check(resp && resp.status() === 200, `GET / answered ${resp && resp.status()}`);
  log(`opened ${resp.url()}${args.spki ? ' (HTTPS, the one pinned key)' : ''}`);
  check(resp.url().startsWith(args.url), `landed on ${resp.url()}`);
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

  begin('the head-office banner');
  if (args.banner) {
    await page.locator('[data-testid="sync-banner"]', { hasText: args.banner })
        .waitFor({ state: 'visible' });
    log(`banner: "${await tid('sync-banner').innerText()}"`);
  } else {
    // The status call answers before or with the pick list: wait for the
    // list, then the banner must still be hidden.
    await tid('holds-status').getByText('Updated').waitFor({ state: 'visible' });
    await page.waitForLoadState('networkidle', { timeout: STEP_TIMEOUT_MS });
    check(await tid('sync-banner').isHidden(),
          `the banner shows "${await tid('sync-banner').innerText()}"`);
  }

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
  if (phone) {
    await checkNoSideways('lookup');
    await checkInView(row.getByTestId('available'), 'Available');
  }

  begin('why available differs from on hand');
  check(await row.getByTestId('breakdown').isHidden(),
        'the breakdown shows before it is asked for');
  await row.getByTestId('available').click();
  await row.getByTestId('breakdown').waitFor({ state: 'visible' });
  const figure = async (id) => Number(await row.getByTestId(id).innerText());
  const bd = {
    onHand: await figure('bd-on-hand'), held: await figure('bd-held'),
    safety: await figure('bd-safety'),
    unavailable: await figure('bd-unavailable'),
    available: await figure('bd-available'),
  };
  log(`breakdown ${JSON.stringify(bd)}`);
  check(bd.onHand === onHand && bd.held === held && bd.available === available,
        'the breakdown disagrees with the row');
  check(Math.max(0, bd.onHand - bd.held - bd.safety - bd.unavailable) ===
        bd.available, 'the breakdown does not add up');
  if (phone) await checkNoSideways('lookup with the breakdown open');

  begin('find the order in the pick list');
  const hold = page.locator(`[data-testid="hold-row"][data-order="${args.order}"]`);
  await hold.waitFor({ state: 'visible' });
  check(await hold.getByTestId('hold-state').innerText() === 'held',
        'the order is not "held"');
  const lineName = await hold.getByTestId('hold-line-name').first().innerText();
  check(lineName.includes(args.name),
        `the pick list line is "${lineName}", not named "${args.name}"`);
  if (phone) {
    await checkNoSideways('pick list');
    await checkInView(hold.getByTestId('hold-pick'), 'the Pick button');
  }
  if (shot('before')) await page.screenshot({ path: shot('before'), fullPage: true });

  begin('mark it picked');
  await hold.getByTestId('hold-pick').click();
  await page.locator(`[data-testid="hold-row"][data-order="${args.order}"][data-state="picked"]`)
      .waitFor({ state: 'visible' });
  await page.locator('[data-testid="message"]', { hasText: 'picked' })
      .waitFor({ state: 'visible' });
  if (phone) {
    await checkNoSideways('after a pick');
    await checkInView(hold.getByTestId('hold-collect'), 'the Collect button');
  }
  if (shot('picked')) await page.screenshot({ path: shot('picked'), fullPage: true });

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
  if (shot('after')) await page.screenshot({ path: shot('after'), fullPage: true });

  check(consoleErrors.length === 0,
        `console errors: ${consoleErrors.join(' | ')}`);
  log('PASS');
});
