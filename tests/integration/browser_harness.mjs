// What the browser tests' scripts (staff_page/staff_page.mjs,
// report_page/report_page.mjs) share: bounded steps that name where a run
// failed, and one headless Chromium on a throw-away profile that is always
// closed. The caller passes playwright-core's `chromium` from its own
// node_modules, so this file imports nothing outside Node.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The flags every run gives Chromium: headless, no sandbox (tests run as
// root), nothing that reaches out of the machine.
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu',
                        '--disable-quic', '--no-first-run',
                        '--disable-background-networking',
                        '--disable-component-update', '--disable-sync'];

// `--viewport WxH` as numbers, or exit 2 naming the option. A screen no
// wider than 600 px is a phone (touch, mobile layout).
export function parseViewport(script, text) {
  const [width, height] = text.split('x').map(Number);
  if (!(width > 0 && height > 0)) {
    console.error(`${script}: --viewport must be WxH, not "${text}"`);
    process.exit(2);
  }
  return { width, height, phone: width <= 600 };
}

// Exits 2 naming the first of `names` missing from `args`.
export function requireArgs(script, args, names) {
  for (const name of names) {
    if (!args[name]) {
      console.error(`${script}: --${name} is required`);
      process.exit(2);
    }
  }
}

// Named steps and checks for a run of `tag`, bounded by `totalTimeoutMs`
// whatever hangs: past it the process exits 1 naming the step it was in.
export function steps(tag, totalTimeoutMs) {
  const s = {
    step: 'start',
    checks: 0,
    log(msg) { console.log(`[${tag}] ${msg}`); },
    begin(name) { s.step = name; s.log(`step: ${name}`); },
    check(cond, msg) {
      ++s.checks;
      if (!cond) throw new Error(msg);
    },
  };
  const watchdog = setTimeout(() => {
    console.error(`FAIL: timed out after ${totalTimeoutMs} ms during "${s.step}"`);
    process.exit(1);
  }, totalTimeoutMs);
  watchdog.unref();
  return s;
}

// Runs `body({ page, consoleErrors, tid })` in a fresh headless Chromium and
// exits the process: 0 when the body returned, 1 (naming the step) when it
// threw. `options`: executablePath, viewport {width, height, phone},
// stepTimeoutMs, flags (added to CHROMIUM_FLAGS), context (more of
// launchPersistentContext's options). `consoleErrors` collects what the
// page logged as an error or threw.
export async function runInChromium(chromium, s, options, body) {
  const profile = mkdtempSync(join(tmpdir(), `${options.profilePrefix}-chromium-`));
  let context;
  let exitCode = 1;
  try {
    s.begin('launch chromium');
    const { width, height, phone } = options.viewport;
    context = await chromium.launchPersistentContext(profile, {
      executablePath: options.executablePath,
      headless: true,
      args: [...CHROMIUM_FLAGS, ...(options.flags ?? [])],
      timeout: 30_000,
      viewport: { width, height },
      isMobile: phone,
      hasTouch: phone,
      ...(options.context ?? {}),
    });
    context.setDefaultTimeout(options.stepTimeoutMs);
    const page = context.pages()[0] ?? await context.newPage();
    const consoleErrors = [];
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    const tid = (id) => page.getByTestId(id);
    await body({ page, consoleErrors, tid });
    exitCode = 0;
  } catch (e) {
    console.error(`FAIL during "${s.step}": ${e && e.message ? e.message : e}`);
  } finally {
    try { if (context) await context.close(); } catch (e) { /* closing */ }
    rmSync(profile, { recursive: true, force: true });
  }
  process.exit(exitCode);
}
