// What the dashboard checks share (tests/demo_dashboard_check.mjs,
// server/web/test/dashboard_check.mjs): Debian's Chromium driven by playwright-core, and the
// pass/fail tally they print and exit with.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Runs `body(page)` in a headless /usr/bin/chromium with a throwaway profile, which is
// removed afterwards whatever `body` does. `options` override the context's (a phone's
// viewport, JavaScript off).
export async function withChromiumPage(body, options = {}) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlab-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    ...options,
  });
  try {
    await body(context.pages()[0] ?? await context.newPage());
  } finally {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

// check(ok, what) prints "FAIL: what" when !ok; exit() prints "NAME: N passed, M failed"
// and ends the process, with status 1 when any check failed.
export function checks(name) {
  let passed = 0;
  let failed = 0;
  return {
    check(ok, what) {
      if (ok) passed++;
      else { failed++; console.log('FAIL: ' + what); }
    },
    exit() {
      console.log(`${name}: ${passed} passed, ${failed} failed`);
      process.exit(failed === 0 ? 0 : 1);
    },
  };
}
