// The hub's hosted client on a stream address of a cluster, moving on to the next member whenever its
// connection is lost (a balancer's job in production; here the members are given in order).
// Reports every event (body and position), reconnect and recovery outcome on stdout.
// usage: node hosted-failover.js ADDRESS[,OTHER...] SINCE BASE_URL [BASE_URL...]
// ADDRESS is a stream, subscribed from SINCE; the others are subscribed too, and nothing is published
// to them (an address without history keeps the drain handover's resume token in use).
'use strict';
const { loadEventHub } = require('./hosted-client-loader');
const [addresses, since, ...bases] = process.argv.slice(2);
const [address, ...others] = addresses.split(',');
const say = (line) => console.log(line);

loadEventHub(bases[0]).then(start, (e) => { say('FAIL fetch ' + e); process.exit(1); });

function start(EventHub) {
  let member = 0;
  const hub = new EventHub(bases[member] + '/eventbus', {minDelay: 200, maxDelay: 1000, sockjs: {transports: ['websocket'], timeout: 10000}});
  hub.on('open', () => say('open'));
  hub.on('reconnecting', (e) => {
    member = (member + 1) % bases.length;
    hub.url = bases[member] + '/eventbus';
    say('reconnecting ' + e.code);
  });
  hub.on('reconnect', () => say('reconnected ' + member));
  hub.on('recovery', (e) => say('recovery ' + e.recovered + ' ' + e.position));
  hub.on('error', (e) => say('error ' + JSON.stringify(e)));
  hub.subscribe(address, (body, message) => say('event ' + body + ' ' + message.headers.position), {since});
  for (const other of others) hub.subscribe(other, (body) => say('event ' + other + ' ' + body));
}
