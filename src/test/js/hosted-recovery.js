// The hub's hosted client recovering stream addresses after its connection is cut.
// Reads commands from the Java test on stdin (cut), reports on stdout.
// usage: node hosted-recovery.js BASE_URL
'use strict';
const { loadEventHub } = require('./hosted-client-loader');
const readline = require('readline');
const [base] = process.argv.slice(2);
const say = (line) => console.log(line);

loadEventHub(base).then(start, (e) => { say('FAIL fetch ' + e); process.exit(1); });

function start(EventHub) {
  // Reconnects after 0.5 to 1 s: long enough for the test to publish while the client is away.
  const hub = new EventHub(base + '/eventbus', {minDelay: 1000, maxDelay: 1000, sockjs: {transports: ['websocket']}});
  hub.on('open', () => say('open'));
  hub.on('reconnect', () => say('reconnected'));
  hub.on('recovery', (e) => say('recovery ' + e.address + ' ' + e.recovered + ' ' + hub.recovered));
  hub.on('error', (e) => say('error ' + JSON.stringify(e)));
  for (const address of ['test.stream.hosted', 'test.short.hosted']) {
    hub.subscribe(address, (body, message) => say('event ' + address + ' ' + body + ' ' + message.headers.position));
  }
  readline.createInterface({input: process.stdin}).on('line', (line) => {
    // The socket goes away under the client, as on a network loss: not a close the client asked for.
    if (line === 'cut') hub.sock.close();
  });
}
