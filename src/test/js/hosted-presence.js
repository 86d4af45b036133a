// The hub's hosted client watching presence: the join/leave stream, snapshots and a refusal.
// Commands from the Java test on stdin (snapshot ADDRESS), reports on stdout.
// usage: node hosted-presence.js BASE_URL SESSION ADDRESS
'use strict';
const { loadEventHub } = require('./hosted-client-loader');
const readline = require('readline');
const [base, session, address] = process.argv.slice(2);
const say = (line) => console.log(line);

loadEventHub(base).then(start, (e) => { say('FAIL fetch ' + e); process.exit(1); });

function start(EventHub) {
  const hub = new EventHub(base + '/eventbus?session=' + encodeURIComponent(session), {sockjs: {transports: ['websocket']}});
  hub.on('open', () => say('open'));
  hub.on('error', (e) => say('error ' + JSON.stringify(e)));
  hub.onPresence(address, (e) => say('presence ' + JSON.stringify(e)));
  readline.createInterface({input: process.stdin}).on('line', (line) => {
    const [command, asked] = line.split(' ');
    if (command === 'snapshot') {
      hub.presence(asked).then((p) => say('snapshot ' + JSON.stringify(p)), (e) => say('refused ' + e.body));
    }
  });
}
