// Drives the official @vertx/eventbus-bridge-client.js, unchanged, against a hub.
// usage: node official-client.js BASE_URL TRANSPORT   (prints "ok <step>" lines, exits 0 on success)
'use strict';
const EventBus = require('@vertx/eventbus-bridge-client.js');
const [base, transport] = process.argv.slice(2);

const fail = (why) => { console.log('FAIL ' + why); process.exit(1); };
const timer = setTimeout(() => fail('timeout'), 20000);
const eb = new EventBus(base + '/eventbus', {transports: [transport]});
eb.onerror = (e) => console.log('onerror ' + JSON.stringify(e));

eb.onopen = () => {
  console.log('ok open');
  eb.registerHandler('secret.plans', (err) => {
    if (!err || err.failureType !== 'access_denied') fail('expected access_denied, got ' + JSON.stringify(err));
    console.log('ok denied');
    eb.registerHandler('demo.node', (err2, msg) => {
      if (err2) fail('handler error ' + JSON.stringify(err2));
      if (msg.body.hello !== transport) fail('wrong body ' + JSON.stringify(msg));
      console.log('ok received');
      eb.send('echo', {q: transport}, (err3, reply) => {
        if (err3) fail('reply error ' + JSON.stringify(err3));
        if (reply.body.echo.q !== transport) fail('wrong reply ' + JSON.stringify(reply));
        console.log('ok reply');
        eb.send('secret.plans', {}, (err4) => {
          if (!err4) fail('send to a denied address got a reply');
          console.log('ok send-denied');
          clearTimeout(timer);
          eb.onclose = () => process.exit(0);
          eb.close();
        });
      });
    });
    // Frames are handled in order: the register above is in place before this publish arrives.
    eb.publish('demo.node', {hello: transport});
  });
};
