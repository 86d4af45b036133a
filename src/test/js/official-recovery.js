// The official @vertx/eventbus-bridge-client.js, unchanged, registering stream addresses with and without since.
// usage: node official-recovery.js BASE_URL ADDRESS SINCE   (prints "ok <step>" lines, exits 0 on success)
'use strict';
const EventBus = require('@vertx/eventbus-bridge-client.js');
const [base, address, since] = process.argv.slice(2);

const fail = (why) => { console.log('FAIL ' + why); process.exit(1); };
const timer = setTimeout(() => fail('timeout'), 20000);
const eb = new EventBus(base + '/eventbus', {transports: ['websocket']});

eb.onopen = () => {
  console.log('ok open');
  eb.registerHandler(address + '-foreign', {since: 'not-this-epoch:1'}, (err) => {
    if (!err || err.failureType !== 'history_unavailable') fail('expected history_unavailable, got ' + JSON.stringify(err));
    console.log('ok unavailable');
    const got = [];
    eb.registerHandler(address, {since: since}, (err2, msg) => {
      if (err2) fail('handler error ' + JSON.stringify(err2));
      got.push(msg.body + '@' + msg.headers.position);
      if (got.length === 3) {
        console.log('ok replayed ' + got.join(' '));
        clearTimeout(timer);
        eb.onclose = () => process.exit(0);
        eb.close();
      }
    });
    // Without since: the live stream only, each event with its position.
    eb.registerHandler(address + '-live', (err3, msg) => {
      if (err3) fail('live error ' + JSON.stringify(err3));
      console.log('ok live ' + msg.body + ' ' + (msg.headers.position ? 'with position' : 'without position'));
      eb.publish(address, 'three');
    });
    eb.publish(address + '-live', 'now');
  });
};
