// Drives the dashboard in Debian's Chromium with playwright-core and checks what a person would
// see: the channel list, one chart per field with the posted points, the entries table with
// markup shown as text (and never run), live updates, and the read-key form of a private
// channel. Run by server/dashboard_test.cc against a server it started:
//   node dashboard_check.mjs BASE_URL PUBLIC_ID WRITE_KEY ENTRIES PRIVATE_ID READ_KEY SCREENSHOT
// Prints one line per failed check and "dashboard: N passed, M failed"; exits 1 on failure.
import { checks, withChromiumPage } from '../../../tests/browser.mjs';

const [base, publicId, writeKey, entriesText, privateId, readKey, screenshot] = process.argv.slice(2);
const entries = Number(entriesText);
const INJECTED = '<img src=x onerror="window.__pwned=1">';

const { check, exit } = checks('dashboard');

await withChromiumPage(async (page) => {
  const dialogs = [];
  const errors = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  page.on('pageerror', (e) => errors.push(String(e)));
  // The private channel's first read is refused with 401 by design; other errors count.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().includes('status of 401')) errors.push(m.text());
  });

  // The channel list.
  await page.goto(base + '/');
  await page.waitForSelector('#channels tbody tr', { timeout: 10000 });
  const listed = await page.locator('#channels tbody tr').count();
  check(listed === 2, `channel list shows 2 channels, not ${listed}`);

  // A public channel: charts and table.
  await page.goto(`${base}/channels/${publicId}`);
  await page.waitForSelector('#charts canvas', { timeout: 10000 });
  const charts = await page.evaluate(() => window.airlabDashboard.charts.map((c) => ({
    name: c.name,
    series: c.plot ? c.plot.series.length - 1 : 0,
    points: c.plot ? c.plot.data[1].filter((v) => v !== null).length : 0,
  })));
  const canvases = await page.locator('#charts canvas').count();
  check(charts.length === 3, `3 charts (one per field), not ${charts.length}`);
  check(canvases >= 3, `a canvas per chart, found ${canvases}`);
  check(charts.every((c) => c.series === 1), `each chart draws one series: ${JSON.stringify(charts)}`);
  check(charts[0]?.points === entries && charts[1]?.points === entries,
        `numeric fields plot ${entries} points each: ${JSON.stringify(charts)}`);
  check(charts[2]?.points === 0, 'the text field plots no points');

  const rows = await page.locator('#entries tbody tr').count();
  check(rows === Math.min(entries, 20), `table shows ${Math.min(entries, 20)} rows, not ${rows}`);
  const cells = await page.locator('#entries tbody td').allTextContents();
  check(cells.includes(INJECTED), 'the injected markup appears as text in the table');
  check(cells.includes('<b>bold</b>'), 'the <b> status appears as text');
  const injectedElements = await page.evaluate(() =>
    document.querySelectorAll('#entries img, #entries b, #entries script').length);
  check(injectedElements === 0, `no element was made from field values (${injectedElements})`);
  const headers = await page.locator('#entries thead th').allTextContents();
  check(headers.join('|') === 'Time|Entry|temperature|humidity|note|Status',
        `table headers: ${headers.join('|')}`);

  // Live: a new entry posted now shows up without reloading.
  const posted = await fetch(`${base}/update?api_key=${writeKey}&field1=30.5&field2=41&status=live`);
  const newId = Number(await posted.text());
  check(newId === entries + 1, `the live update got entry ${entries + 1}, not ${newId}`);
  await page.waitForSelector(`#entries tbody tr[data-entry-id="${newId}"]`, { timeout: 10000 })
    .then(() => check(true, ''), () => check(false, 'the live entry reached the table'));
  const livePoints = await page.evaluate(() =>
    window.airlabDashboard.charts[0].plot.data[1].filter((v) => v !== null).length);
  check(livePoints === entries + 1, `the chart gained the live point (${livePoints})`);
  const latest = await page.locator('.chart-card[data-field="1"] .latest b').textContent();
  check(latest === '30.5', `latest temperature shows 30.5, not ${latest}`);
  await page.screenshot({ path: screenshot, fullPage: true });

  check(await page.evaluate(() => window.__pwned === undefined), 'injected onerror never ran');
  check(dialogs.length === 0, `no dialog opened: ${dialogs.join(', ')}`);

  // A private channel asks for its read key, then shows its data.
  await page.goto(`${base}/channels/${privateId}`);
  await page.waitForSelector('form.key input[name="api_key"]', { timeout: 10000 });
  await page.fill('form.key input[name="api_key"]', readKey);
  await page.click('form.key button');
  await page.waitForSelector('#charts canvas', { timeout: 10000 })
    .then(() => check(true, ''), () => check(false, 'the private channel opened with its read key'));
  const privateRows = await page.locator('#entries tbody tr').count();
  check(privateRows === 1, `the private channel shows its 1 entry, not ${privateRows}`);

  check(errors.length === 0, `no script errors: ${errors.join(' | ')}`);
});
exit();
