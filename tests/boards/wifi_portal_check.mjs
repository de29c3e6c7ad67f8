// What a person on a phone sees on the hotspot of a board running examples/wifi_manager,
// in Debian's Chromium driven by playwright-core: the page lists the routers the board
// scanned (SSIDs escaped), a wrong password says so, the right one shows the success page.
// Run by tests/boards/wifi_manager_test.py:
//   node wifi_portal_check.mjs PORTAL_URL SSID PASSWORD SCREENSHOT
// (the success page; the network list goes beside it as SCREENSHOT-list.png).
// Prints one line per failed check and "wifi portal: N passed, M failed"; exits 1 on failure.
import { checks, withChromiumPage } from '../browser.mjs';

const [url, ssid, password, screenshot] = process.argv.slice(2);
const { check, exit } = checks('wifi portal');

await withChromiumPage(async (page) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.setViewportSize({ width: 390, height: 844 });  // a phone

  await page.goto(url);
  const labels = await page.locator('form label').allTextContents();
  check(labels.some((t) => t.includes(ssid)), `the list shows ${ssid}: ${labels.join(' | ')}`);
  check(labels.some((t) => t.includes('<b>evil</b>')),
        `an SSID holding HTML shows as text: ${labels.join(' | ')}`);
  check(await page.locator('form label b').count() === 0, 'no SSID became markup');
  await page.screenshot({ path: screenshot.replace(/\.png$/, '-list.png'), fullPage: true });

  async function submit(pass) {
    await page.locator('form label', { hasText: ssid }).locator('input[type=radio]').check();
    await page.fill('input[name=password]', pass);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    return page.locator('body').innerText();
  }
  const refused = await submit('not-the-password');
  check(/Could not join .*wrong password/s.test(refused), `a wrong password says so: ${refused}`);
  await Promise.all([page.waitForNavigation(), page.click('text=Try again')]);
  const joined = await submit(password);
  check(new RegExp(`Joined ${ssid} as 192\\.168\\.\\d+\\.\\d+`).test(joined),
        `the success page names the network and the address: ${joined}`);
  await page.screenshot({ path: screenshot, fullPage: true });
  check(errors.length === 0, `no script errors: ${errors.join(' | ')}`);
});
exit();
