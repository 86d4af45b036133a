// For SockJsCloseCodeTest: opens the official sockjs-client and the hub's hosted client (client.js, as
// the hub serves it) against a hub that refuses the handshake, over every SockJS transport, in Node
// where sockjs-client supports the transport and in Chromium (all six), and prints one JSON line per
// run: {where, client, transport, opened, code, reason}. usage: node sockjs-close.js BASE_URL
'use strict';
const { loadEventHub } = require('./hosted-client-loader');
const { chromium } = require('playwright-core');
const SockJS = require('sockjs-client');

const [base] = process.argv.slice(2);
const NODE_TRANSPORTS = ['websocket', 'xhr-streaming', 'xhr-polling', 'eventsource'];
const BROWSER_TRANSPORTS = [...NODE_TRANSPORTS, 'htmlfile', 'jsonp-polling'];
const RUN_TIMEOUT = 10000;

const report = (line) => process.stdout.write(JSON.stringify(line) + '\n');

/**
 * Runs in Node and, as the function's source, in the page: the official client's onclose, and the
 * hosted client's fatal (or, wrongly, reconnecting) event. Resolves with what the client saw.
 */
function runClients(SockJSClass, EventHubClass, url, transport, timeout) {
  const official = new Promise((resolve) => {
    let opened = false;
    const timer = setTimeout(() => resolve({ opened, code: -1, reason: 'no close within ' + timeout + ' ms' }), timeout);
    const sock = new SockJSClass(url, null, { transports: [transport] });
    sock.onopen = () => { opened = true; };
    sock.onclose = (e) => { clearTimeout(timer); resolve({ opened, code: e.code, reason: e.reason }); };
  });
  const hosted = official.then(() => new Promise((resolve) => {
    let opened = false;
    const timer = setTimeout(() => resolve({ opened, code: -1, reason: 'no close within ' + timeout + ' ms' }), timeout);
    const hub = new EventHubClass(url, { minDelay: 100, maxDelay: 400, sockjs: { transports: [transport] } });
    const done = (e) => { clearTimeout(timer); hub.close(); resolve({ opened, code: e.code, reason: e.reason }); };
    hub.on('open', () => { opened = true; });
    hub.on('fatal', done);
    hub.on('reconnecting', done); // a refused handshake must not be retried
  }));
  return Promise.all([official, hosted]).then(([sockjs, hostedResult]) => ({ sockjs, hosted: hostedResult }));
}

async function inNode() {
  const EventHub = await loadEventHub(base);
  for (const transport of NODE_TRANSPORTS) {
    const seen = await runClients(SockJS, EventHub, base + '/eventbus', transport, RUN_TIMEOUT);
    for (const client of ['sockjs', 'hosted']) report({ where: 'node', client, transport, ...seen[client] });
  }
}

async function inChromium() {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage();
    // The hub's demo page: same origin, with /eventbus/sockjs.min.js and /eventbus/client.js loaded.
    await page.goto(base + '/');
    for (const transport of BROWSER_TRANSPORTS) {
      const seen = await page.evaluate(([source, t, timeout]) => {
        const run = new Function('return (' + source + ')')();
        return run(window.SockJS, window.EventHub, '/eventbus', t, timeout);
      }, [runClients.toString(), transport, RUN_TIMEOUT]);
      for (const client of ['sockjs', 'hosted']) report({ where: 'chromium', client, transport, ...seen[client] });
    }
  } finally {
    await browser.close();
  }
}

(async () => {
  await inNode();
  await inChromium();
  process.exit(0);
})().catch((e) => {
  console.log('FAIL ' + (e && e.stack || e));
  process.exit(1);
});
