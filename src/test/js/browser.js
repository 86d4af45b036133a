// Drives Debian's Chromium through Apache for BrowserThroughApacheTest: opens the pages as a logged-in
// (or not) user, and the hub's own demo page straight on a hub (it is not behind Apache), publishes
// through the hubs' publish API, and prints one JSON line per scenario for
// the Java test to check. Usage: node browser.js '<json config>' (fields: see the test); with
// "scenario": "rolling" only the rolling restart, which stops one of the hubs; with "crash" only the
// crash of a hub (kill -9), which kills one.
'use strict';
const { chromium } = require('playwright-core');
const path = require('path');

const config = JSON.parse(process.argv[2]);
const TIMEOUT = 30000;

function report(result) {
  process.stdout.write(JSON.stringify(result) + '\n');
}

async function publish(hubPort, text, address = 'demo.news') {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(`http://127.0.0.1:${hubPort}/api/publish`, {
      method: 'POST',
      headers: { 'Authorization': `Bearer ${config.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ address, body: { text } }),
    });
    if (response.status === 202) return;
    // 503 overloaded (a busy test machine): nothing was published; retry as the hub asks, a few times.
    if (response.status !== 503 || attempt >= 10) {
      throw new Error(`publish answered ${response.status}: ${await response.text()}`);
    }
    await response.text();
    await new Promise((resolve) => setTimeout(resolve, 1000 * Number(response.headers.get('retry-after') || 1)));
  }
}

/**
 * Opens a page: {@code path} through Apache (with the session as its PHPSESSID cookie), or an absolute
 * {@code url}. {@code problems} collects what a browser's console would show as an error: console
 * errors, uncaught exceptions, failed requests and HTTP error statuses.
 */
async function openPage(browser, { session, path: pagePath, url, withoutWebSocket, initScript }) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  if (initScript) await context.addInitScript(initScript);
  if (session) {
    await context.addCookies([{ name: 'PHPSESSID', value: session, url: config.base, secure: true, httpOnly: true }]);
  }
  if (withoutWebSocket) {
    // As in a browser or network that has no WebSocket: SockJS must fall back to HTTP requests.
    await context.addInitScript(() => { delete window.WebSocket; });
  }
  const page = await context.newPage();
  const console = [];
  const problems = [];
  page.on('console', (m) => {
    console.push(`${m.type()}: ${m.text()}`);
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => {
    console.push(`pageerror: ${e.message}`);
    problems.push(`pageerror: ${e.message}`);
  });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure() && r.failure().errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  await page.goto(url || config.base + pagePath);
  return { context, page, console, problems };
}

const texts = (page, selector) => page.$$eval(selector, (items) => items.map((li) => li.textContent.trim()));

/**
 * Publishes probes through every hub until the page shows one from each (its subscription has
 * reached every cluster member), then the real events, alternating hubs, and waits for them all.
 */
async function receive(page, selector, label, count) {
  const deadline = Date.now() + TIMEOUT;
  for (let round = 0; ; round++) {
    const seen = await texts(page, selector);
    if (config.hubs.every((_, i) => seen.some((t) => t.startsWith(`probe ${label} hub${i} `)))) break;
    if (Date.now() > deadline) throw new Error(`${label}: probes never arrived; page shows ${JSON.stringify(seen)}`);
    await Promise.all(config.hubs.map((port, i) => publish(port, `probe ${label} hub${i} ${round}`)));
    await page.waitForFunction(
      ([sel, n]) => document.querySelectorAll(sel).length > n, [selector, seen.length], { timeout: 500 },
    ).catch(() => {});
  }
  const expected = [];
  for (let n = 1; n <= count; n++) {
    const text = `${label} event ${n}`;
    expected.push(text);
    await publish(config.hubs[n % config.hubs.length], text);
  }
  await page.waitForFunction(
    ([sel, want]) => {
      const got = Array.from(document.querySelectorAll(sel), (li) => li.textContent.trim());
      return want.every((t) => got.includes(t));
    },
    [selector, expected], { timeout: TIMEOUT },
  );
  return (await texts(page, selector)).filter((t) => !t.startsWith('probe '));
}

async function routeOf(context) {
  const cookie = (await context.cookies()).find((c) => c.name === 'EVENTHUB_ROUTE');
  return cookie ? cookie.value : null;
}

async function shot(page, name) {
  const file = path.join(config.screenshots, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

const text = (page, id) => page.$eval(`#${id}`, (e) => e.textContent.trim());

/** The test page (the application's stand-in) with a transport choice, receiving published events. */
async function appPage(browser, label, options) {
  const { context, page, console } = await openPage(browser, { session: config.session, ...options });
  try {
    await page.waitForFunction(() => document.getElementById('ready').textContent === 'yes', null, { timeout: TIMEOUT });
    const events = await receive(page, '#events li', label, 5);
    return {
      scenario: label, state: await text(page, 'state'), transport: await text(page, 'transport'),
      route: await routeOf(context), events, screenshot: await shot(page, label),
    };
  } catch (e) {
    await shot(page, `${label}-failed`).catch(() => {});
    return { scenario: label, error: String(e), console };
  } finally {
    await context.close();
  }
}

async function refused(browser, label, session) {
  const { context, page, console } = await openPage(browser, { session, path: '/' });
  try {
    await page.waitForFunction(() => document.getElementById('state').textContent === 'refused', null, { timeout: TIMEOUT });
    return { scenario: label, fatal: await text(page, 'fatal'), screenshot: await shot(page, label) };
  } catch (e) {
    return { scenario: label, error: String(e), state: await text(page, 'state').catch(() => null), console };
  } finally {
    await context.close();
  }
}

async function angular(browser) {
  const { context, page, console } = await openPage(browser, { session: config.session, path: '/app/' });
  try {
    await page.waitForFunction(() => document.getElementById('state')?.textContent.trim() === 'open', null, { timeout: TIMEOUT });
    const events = await receive(page, '#events li', 'angular', 3);
    // The page's own publish button goes out over its connection and comes back as an event.
    await page.fill('input', 'typed in angular');
    await page.click('button');
    await page.waitForFunction(
      () => Array.from(document.querySelectorAll('#events li')).some((li) => li.textContent.includes('typed in angular')),
      null, { timeout: TIMEOUT });
    // Presence through the service: its own user, from the snapshot or its join.
    await page.waitForFunction(() => /\d/.test(document.getElementById('present')?.textContent ?? ''), null, { timeout: TIMEOUT });
    return {
      scenario: 'angular', state: await text(page, 'state'), events: await texts(page, '#events li'),
      published: events, present: await text(page, 'present'), screenshot: await shot(page, 'angular'),
    };
  } catch (e) {
    await shot(page, 'angular-failed').catch(() => {});
    return { scenario: 'angular', error: String(e), console };
  } finally {
    await context.close();
  }
}

/** The hub's own demo page at / on the {@code hub}-th hub, its session in the URL as the README has it. */
async function openDemoPage(browser, hub, session) {
  const p = await openPage(browser, {
    url: `http://127.0.0.1:${config.hubs[hub]}/?session=${encodeURIComponent(session)}`,
    // Every text the status element shows, so that a state shown only briefly (reconnecting) is seen too.
    initScript: () => {
      window.statusShown = [];
      new MutationObserver(() => {
        const status = document.getElementById('status');
        const text = status && status.textContent.trim();
        if (text && window.statusShown[window.statusShown.length - 1] !== text) window.statusShown.push(text);
      }).observe(document, { subtree: true, childList: true, characterData: true });
    },
  });
  p.shown = () => p.page.evaluate(() => window.statusShown);
  return p;
}

const statusIs = (page, want) => page.waitForFunction(
  (w) => document.getElementById('status').textContent.trim() === w, want, { timeout: TIMEOUT });

/**
 * The demo page, logged in: it shows "open", an event published with its own form comes back into its
 * list, and so does one published through the publish API; nothing goes wrong in its console.
 */
async function demo(browser) {
  const { context, page, problems, console, shown } = await openDemoPage(browser, 0, config.session);
  try {
    await statusIs(page, 'open');
    await page.fill('#text', 'typed on the demo page');
    await page.click('#form button');
    const arrived = (want) => page.waitForFunction(
      (w) => Array.from(document.querySelectorAll('#events li')).some((li) => li.textContent.includes(w)),
      want, { timeout: TIMEOUT });
    await arrived('typed on the demo page');
    // Its subscription is in place on this hub now (the form's event came back through it).
    await publish(config.hubs[0], 'published to the demo page');
    await arrived('published to the demo page');
    return {
      scenario: 'demo', status: await text(page, 'status'), shown: await shown(),
      events: await texts(page, '#events li'), problems, screenshot: await shot(page, 'demo'),
    };
  } catch (e) {
    await shot(page, 'demo-failed').catch(() => {});
    return { scenario: 'demo', error: String(e), status: await text(page, 'status').catch(() => null), console, problems };
  } finally {
    await context.close();
  }
}

/** The demo page with a session the hub does not know: it shows the refusal, code and reason. */
async function demoRefused(browser) {
  const { context, page, problems, console, shown } = await openDemoPage(browser, 0, config.badSession);
  try {
    await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('refused: '),
      null, { timeout: TIMEOUT });
    return {
      scenario: 'demo-refused', status: await text(page, 'status'), shown: await shown(), problems,
      loginHint: await page.isVisible('#login'),
      screenshot: await shot(page, 'demo-refused'),
    };
  } catch (e) {
    await shot(page, 'demo-refused-failed').catch(() => {});
    return { scenario: 'demo-refused', error: String(e), status: await text(page, 'status').catch(() => null), console, problems };
  } finally {
    await context.close();
  }
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** The numbers of the events a page shows as "PREFIX N", in the order shown. */
const numbered = (page, prefix) => page.$$eval('#events li', (items, p) => items.map((li) => li.textContent.trim())
  .filter((t) => t.startsWith(p)).map((t) => Number(t.slice(p.length))), prefix);
const rollNumbers = (page) => numbered(page, 'roll ');

async function until(what, condition, timeout = 60000) {
  const deadline = Date.now() + timeout;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await pause(100);
  }
}

/**
 * A rolling restart behind Apache: a WebSocket page and a polling page on the same member, a steady
 * stream of numbered events published through the other member, SIGTERM to theirs. Both pages must
 * come back through Apache to the member that stays and show every number once, in order.
 */
async function rolling(browser) {
  const opened = [];
  let victim = null;
  let demoPage = null;
  try {
    for (let i = 0; i < 10 && opened.length < 2; i++) {
      const polling = opened.length > 0;
      const p = await openPage(browser, polling
        ? { session: config.session, path: '/?transports=xhr-polling', withoutWebSocket: true }
        : { session: config.session, path: '/' });
      await p.page.waitForFunction(() => document.getElementById('ready').textContent === 'yes', null, { timeout: TIMEOUT });
      const route = await routeOf(p.context);
      if (victim === null) victim = route;
      if (route === victim) opened.push(p); else await p.context.close();
    }
    if (opened.length < 2) throw new Error(`no second page landed on ${victim}`);
    const leaving = Number(victim.replace('.hub', '')) - 1; // route hubN is hubs[N-1]
    const staying = config.hubs[1 - leaving];
    // The hub's demo page, straight on the leaving member: the drain's close code must show on it.
    demoPage = await openDemoPage(browser, leaving, config.session);
    await statusIs(demoPage.page, 'open');
    // Both subscriptions have reached both members (the probes of the one also reach the other page).
    for (const [i, p] of opened.entries()) await receive(p.page, '#events li', `rolling${i}`, 1);

    let published = 0;
    let running = true;
    const pump = (async () => {
      while (running && published < 5000) {
        await publish(staying, `roll ${published + 1}`);
        published++;
        await pause(10); // a steady stream, not a flood
      }
    })();
    await until('every page has 20 numbered events', async () =>
      (await Promise.all(opened.map((p) => rollNumbers(p.page)))).every((n) => n.length >= 20));
    process.kill(config.hubPids[leaving], 'SIGTERM');
    const atSigterm = published;
    await until('every page has reconnected and has 50 more events', async () => {
      for (const p of opened) {
        const numbers = await rollNumbers(p.page);
        if (await text(p.page, 'reconnects') === '0' || numbers.length === 0 || numbers[numbers.length - 1] < atSigterm + 50) return false;
      }
      return true;
    });
    running = false;
    await pump;
    await demoPage.page.waitForFunction(
      () => window.statusShown.some((t) => /^reconnecting in \d+ ms \(4000\)$/.test(t)), null, { timeout: TIMEOUT });
    const demoShown = await demoPage.shown();
    const last = published;
    await until(`every page shows roll ${last}`, async () =>
      (await Promise.all(opened.map((p) => rollNumbers(p.page)))).every((n) => n.includes(last)));
    const pages = [];
    for (const [i, p] of opened.entries()) {
      pages.push({
        transport: await text(p.page, 'transport'), reconnects: Number(await text(p.page, 'reconnects')),
        route: await routeOf(p.context), numbers: await rollNumbers(p.page), screenshot: await shot(p.page, `rolling${i}`),
      });
    }
    return { scenario: 'rolling', leaving: victim, atSigterm, last, pages, demoShown };
  } catch (e) {
    for (const [i, p] of opened.entries()) await shot(p.page, `rolling${i}-failed`).catch(() => {});
    const demoShown = demoPage && await demoPage.shown().catch(() => null);
    return { scenario: 'rolling', error: String(e), console: opened.map((p) => p.console), demoShown };
  } finally {
    for (const p of opened) await p.context.close();
    if (demoPage) await demoPage.context.close();
  }
}

/**
 * A hub killed (SIGKILL, no drain) under three pages that use it through Apache: the test page on the
 * stream demo.numbers (the hosted client), the Angular example on it too, and the Angular example on
 * demo.short, a stream too short to keep what is published while they are away. Published through
 * the other member meanwhile: the first two must show every number once, in order, and say they
 * recovered; the third must say it cannot (history unavailable) and go on live.
 */
async function crash(browser) {
  const wanted = [
    { name: 'page', path: '/?address=demo.numbers', prefix: 'crash ' },
    { name: 'angular', path: '/app/?address=demo.numbers', prefix: 'crash ' },
    { name: 'angular-short', path: '/app/?address=demo.short', prefix: 'short ' },
  ];
  const opened = [];
  let victim = null;
  try {
    // New browsers until the three pages sit on the same member (Apache spreads new sessions).
    for (let i = 0; i < 16 && opened.length < wanted.length; i++) {
      const want = wanted[opened.length];
      const p = await openPage(browser, { session: config.session, path: want.path });
      await p.page.waitForFunction(() => ['open', 'yes'].includes(
        (document.getElementById('ready') || document.getElementById('state')).textContent.trim()), null, { timeout: TIMEOUT });
      const route = await routeOf(p.context);
      if (victim === null) victim = route;
      if (route === victim) opened.push({ ...p, ...want }); else await p.context.close();
    }
    if (opened.length < wanted.length) throw new Error(`only ${opened.length} pages landed on ${victim}`);
    const leaving = Number(victim.replace('.hub', '')) - 1; // route hubN is hubs[N-1]
    const staying = config.hubs[1 - leaving];
    let n = 0;
    const publishBoth = async () => {
      n++;
      await publish(staying, `short ${n}`, 'demo.short');
      await publish(staying, `crash ${n}`, 'demo.numbers');
    };
    // Through the member that stays, until every page shows a few: their subscriptions reach it.
    await until('every page shows 3 numbered events', async () => {
      if (n >= 200) throw new Error('the pages show no events');
      await publishBoth();
      return (await Promise.all(opened.map((p) => numbered(p.page, p.prefix)))).every((shown) => shown.length >= 3);
    }, TIMEOUT);
    // The pages' way back is held until the events below are published, so that they are surely
    // missed, not raced: their reconnect attempts fail as on a network that is still down.
    await Promise.all(opened.map((p) => p.context.route('**/eventbus/**', (route) => route.abort())));
    process.kill(config.hubPids[leaving], 'SIGKILL');
    const atKill = n;
    await until('every page saw its connection go', async () => (await Promise.all(opened.map((p) => text(p.page, 'state'))))
      .every((state) => state.startsWith('reconnecting')), TIMEOUT);
    // More than demo.short keeps, and numbers.
    for (let i = 0; i < 20; i++) await publishBoth();
    await Promise.all(opened.map((p) => p.context.unroute('**/eventbus/**')));
    await until('every page has reconnected and shows what the hub answered', async () => {
      for (const p of opened) {
        if (await p.page.$eval('#recovery', (e) => e.textContent.trim()).catch(() => '-') === '-') return false;
      }
      return true;
    }, TIMEOUT * 2);
    for (let i = 0; i < 5; i++) await publishBoth();
    const last = n;
    await until(`every page shows number ${last}`, async () =>
      (await Promise.all(opened.map((p) => numbered(p.page, p.prefix)))).every((shown) => shown.includes(last)), TIMEOUT);
    const pages = [];
    for (const p of opened) {
      pages.push({
        name: p.name, route: await routeOf(p.context), numbers: await numbered(p.page, p.prefix),
        recovery: await p.page.$eval('#recovery', (e) => e.textContent.trim()),
        state: await text(p.page, 'state'), screenshot: await shot(p.page, `crash-${p.name}`),
      });
    }
    return { scenario: 'crash', killed: victim, atKill, last, pages };
  } catch (e) {
    for (const p of opened) await shot(p.page, `crash-${p.name}-failed`).catch(() => {});
    return { scenario: 'crash', error: String(e), console: opened.map((p) => p.console) };
  } finally {
    for (const p of opened) await p.context.close();
  }
}

/** Everything but the rolling restart and the crash, reported scenario by scenario. */
async function everyPage(browser) {
  report(await appPage(browser, 'websocket', { path: '/' }));
  // Polling across the two instances: new browsers until both members have served one.
  const routes = new Set();
  for (let i = 0; i < 8 && routes.size < config.hubs.length; i++) {
    const result = await appPage(browser, `polling${i}`, { path: '/?transports=xhr-polling', withoutWebSocket: true });
    report(result);
    if (result.error) break;
    routes.add(result.route);
  }
  report(await refused(browser, 'bad-session', config.badSession));
  report(await refused(browser, 'no-session', null));
  if (config.angular) report(await angular(browser));
  report(await demo(browser));
  report(await demoRefused(browser));
}

(async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    // The background-networking flags keep Chromium from calling out to Google's hosts.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  try {
    if (config.scenario === 'rolling') {
      report(await rolling(browser));
    } else if (config.scenario === 'crash') {
      report(await crash(browser));
    } else {
      await everyPage(browser);
    }
  } finally {
    await browser.close();
  }
  report({ scenario: 'done' });
})().catch((e) => {
  report({ scenario: 'crashed', error: String(e && e.stack || e) });
  process.exit(1);
});

