// What a person on a phone sees of `airlab portal`, in Debian's Chromium driven by
// playwright-core with a phone's viewport and JavaScript turned off (the portal must not
// need it): the menu, the network list with the lab's routers (a hostile SSID shown as
// text, not run), the chosen router joined with its password, the success page, then the
// menu saying the device joined. Run by tests/portal_cli_test.cc:
//   node portal_check.mjs PORTAL_URL SSID PASSWORD SCREENSHOT_PREFIX
// Prints one line per failed check and "portal: N passed, M failed"; exits 1 on failure.
import { checks, withChromiumPage } from './browser.mjs';

const [url, ssid, password, shots] = process.argv.slice(2);
const { check, exit } = checks('portal');

await withChromiumPage(async (page) => {
  const dialogs = [];
  page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });

  await page.goto(url);
  check(await page.locator('h1').textContent() === 'Wi-Fi setup', 'the menu has its title');
  const viewport = await page.locator('meta[name=viewport]').getAttribute('content');
  check(viewport?.includes('width=device-width'), 'the page sets a phone viewport');
  check(await page.locator('script').count() === 0, 'the menu has no script');
  await page.getByRole('link', { name: 'Configure Wi-Fi' }).click();

  // The list reloads by itself until the scan is done.
  const radio = page.locator('label.n', { hasText: ssid }).locator('input[type=radio]');
  await radio.waitFor({ timeout: 60000 });
  const labels = await page.locator('label.n').allTextContents();
  check(labels.length >= 2, `the list shows the lab's routers: ${labels.join(' | ')}`);
  check(labels.some((t) => t.includes('<img src=x onerror=alert(1)>')),
        `the hostile SSID is shown as text: ${labels.join(' | ')}`);
  check(await page.locator('img').count() === 0, 'no element comes from an SSID');
  // No sideways scrolling on a phone.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
  check(overflow <= 390, `the list fits a 390-pixel screen (${overflow})`);
  await page.screenshot({ path: `${shots}-networks.png`, fullPage: true });

  await radio.check();
  await page.locator('input[name=p]').fill(password);
  await page.getByRole('button', { name: 'Save and connect' }).click();
  await page.waitForLoadState();
  const saved = await page.locator('p.ok').first().textContent();
  check(saved?.startsWith(`Saved. The device is joining ${ssid}`), `the success page: ${saved}`);
  await page.screenshot({ path: `${shots}-saved.png`, fullPage: true });

  // The success page goes back to the menu by itself, which shows how the join went.
  let joined = '';
  for (let i = 0; i < 60 && !joined.includes('Connected to'); i++) {
    await page.waitForTimeout(1000);
    await page.goto(url);
    joined = (await page.locator('body').textContent()) ?? '';
  }
  check(joined.includes(`Connected to ${ssid} as 192.168.`), `the menu says the device joined: ${joined}`);
  await page.screenshot({ path: `${shots}-joined.png`, fullPage: true });
  check(dialogs.length === 0, `no dialog opened (an SSID ran as code): ${dialogs.join(' | ')}`);
}, { viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
exit();
