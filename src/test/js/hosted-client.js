// Loads the hub's own client script from the hub (as a browser would) and runs it over sockjs-client.
// Reads commands from the Java test on stdin, reports on stdout.
// usage: node hosted-client.js BASE_URL [SOCKJS_TRANSPORT]   (websocket when not given)
'use strict';
const { loadEventHub } = require('./hosted-client-loader');
const readline = require('readline');
const [base, transport = 'websocket'] = process.argv.slice(2);
const say = (line) => console.log(line);

loadEventHub(base).then(start, (e) => { say('FAIL fetch ' + e); process.exit(1); });

function start(EventHub) {
  const hub = new EventHub(base + '/eventbus', {minDelay: 100, maxDelay: 400, sockjs: {transports: [transport]}});
  hub.on('open', () => say('open'));
  hub.on('reconnecting', (e) => say('reconnecting ' + e.code));
  hub.on('reconnect', () => say('reconnected'));
  hub.on('fatal', (e) => {
    say('fatal ' + e.code);
    // A fatal close must not be retried: wait well past the longest backoff, then report.
    setTimeout(() => { say('still ' + hub.state); process.exit(0); }, 1500);
  });
  hub.subscribe('demo.hosted', (body) => say('event ' + body));
  readline.createInterface({input: process.stdin}).on('line', (line) => {
    if (line === 'publish') hub.publish('demo.hosted', 'from-client');
  });
}
