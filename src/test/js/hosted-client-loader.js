// Loads the hub's hosted client from a running hub (/eventbus/client.js, as a browser would) and runs it
// over sockjs-client in a sandbox of its own. Shared by the Node scripts that drive the hosted client.
'use strict';
const http = require('http');
const vm = require('vm');

function fetchText(url) {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => resolve(text));
    }).on('error', reject);
  });
}

/** Resolves with the hosted client's EventHub class, loaded from the hub at {@code base}. */
async function loadEventHub(base) {
  const sandbox = {SockJS: require('sockjs-client'), setTimeout, clearTimeout, console, Promise, Date, Math, JSON};
  vm.createContext(sandbox);
  vm.runInContext(await fetchText(base + '/eventbus/client.js'), sandbox);
  return sandbox.EventHub;
}

module.exports = { fetchText, loadEventHub };
