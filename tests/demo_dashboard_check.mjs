// What a person opening the dashboard URL that `airlab demo --keep-serving` prints sees,
// in Debian's Chromium driven by playwright-core: the readings channel with one chart per
// node, each with every reading the demo's summary counted, and the entries table with the
// gateway's exactly-once tags. Run by tests/demo_dashboard_test.cc:
//   node demo_dashboard_check.mjs CHANNEL_URL SLAVE NODE2 NODE3 SCREENSHOT
// Prints one line per failed check and "demo dashboard: N passed, M failed"; exits 1 on failure.
import { checks, withChromiumPage } from './browser.mjs';

const [url, slave, node2, node3, screenshot] = process.argv.slice(2);
const expected = [Number(slave), Number(node2), Number(node3)];

const { check, exit } = checks('demo dashboard');

await withChromiumPage(async (page) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

  await page.goto(url);
  await page.waitForSelector('#charts canvas', { timeout: 15000 });
  const charts = await page.evaluate(() => window.airlabDashboard.charts.map((c) => ({
    name: c.name,
    points: c.plot ? c.plot.data[1].filter((v) => v !== null).length : 0,
  })));
  check(charts.length === 3, `3 charts (slave, node2, node3), not ${charts.length}`);
  const names = charts.map((c) => c.name).join('|');
  check(names === 'slave|node2 temperature|node3 humidity', `chart names: ${names}`);
  for (let i = 0; i < 3; i++) {
    check(charts[i]?.points === expected[i],
          `chart ${i + 1} shows ${expected[i]} readings (the demo's count), not ${charts[i]?.points}`);
  }
  const rows = await page.locator('#entries tbody tr').count();
  check(rows > 0, 'the entries table has rows');
  const cells = await page.locator('#entries tbody td').allTextContents();
  check(cells.some((t) => /^airlab master [0-9a-f]{8} #[0-9]+$/.test(t)),
        'entries carry the gateway\'s tag in their status');
  await page.screenshot({ path: screenshot, fullPage: true });
  check(errors.length === 0, `no script errors: ${errors.join(' | ')}`);
});
exit();
