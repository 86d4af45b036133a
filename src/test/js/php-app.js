// Drives Debian's Chromium through Apache + mod_php for PhpAppThroughApacheTest: for each variant of
// the PHP test application (plain, laravel, symfony sessions) it logs in through the PHP form, waits
// for the page's hub connection, has PHP publish an order event, logs out through PHP and waits for
// the hub's 4401. Prints one JSON line per variant, then {"scenario":"done"}.
// Usage: node php-app.js '{"apps":[{"variant":..,"base":..,"cookie":..}],"screenshots":..}'
'use strict';
const { chromium } = require('playwright-core');
const path = require('path');

const config = JSON.parse(process.argv[2]);
const TIMEOUT = 20000;

function report(result) {
  process.stdout.write(JSON.stringify(result) + '\n');
}

const texts = (page, selector) => page.$$eval(selector, (items) => items.map((li) => li.textContent.trim()));

async function shot(page, name) {
  const file = path.join(config.screenshots, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

async function run(browser, app) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const console = [];
  page.on('console', (m) => console.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => console.push(`pageerror: ${e.message}`));
  const result = { scenario: app.variant, console };
  try {
    await page.goto(app.base + '/');
    result.loginUrl = new URL(page.url()).pathname;
    await shot(page, `php-${app.variant}-1-login`);
    await page.fill('#name', 'ada');
    await Promise.all([page.waitForURL(app.base + '/', { timeout: TIMEOUT }), page.click('#login')]);

    const cookie = (await context.cookies()).find((c) => c.name === app.cookie);
    result.sessionCookie = cookie ? cookie.value : null;
    result.cookieNames = (await context.cookies()).map((c) => c.name);
    await page.waitForFunction(
      () => document.getElementById('ready').textContent === 'yes' || document.getElementById('fatal').textContent !== '-',
      null, { timeout: TIMEOUT },
    );
    result.state = await page.textContent('#state');

    for (let n = 1; n <= 2; n++) {
      await page.click('#ship');
      await page.waitForFunction(
        (want) => Array.from(document.querySelectorAll('#events li')).some((li) => li.textContent.endsWith(want)),
        `order ${n} shipped`, { timeout: TIMEOUT },
      );
    }
    result.events = await texts(page, '#events li');
    result.screenshot = await shot(page, `php-${app.variant}-2-shipped`);

    await page.click('#logout');
    await page.waitForFunction(() => document.getElementById('fatal').textContent !== '-', null, { timeout: TIMEOUT });
    result.fatal = await page.textContent('#fatal');
    result.logoutAnswer = await page.textContent('#answer');
    await shot(page, `php-${app.variant}-3-logged-out`);

    // The session is gone in PHP too: the application sends the browser to its login form again.
    await page.goto(app.base + '/');
    result.afterLogout = new URL(page.url()).pathname;
  } catch (e) {
    result.error = `${e.message}`;
    result.page = await page.content().catch(() => null);
    await shot(page, `php-${app.variant}-failed`).catch(() => {});
  } finally {
    await context.close();
  }
  return result;
}

(async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    // As browser.js: the background-networking flags keep Chromium from calling out to Google's hosts.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  try {
    for (const app of config.apps) {
      report(await run(browser, app));
    }
  } finally {
    await browser.close();
  }
  report({ scenario: 'done' });
})().catch((e) => {
  report({ scenario: 'done', error: `${e.stack || e}` });
  process.exit(1);
});
