/*
 * event-hub client, served by the hub at /eventbus/client.js (load /eventbus/sockjs.min.js first).
 *
 *   var hub = new EventHub('/eventbus');
 *   var stop = hub.subscribe('demo.news', function (body, message) { ... });
 *   hub.publish('demo.news', {text: 'hi'});
 *   hub.send('demo.echo', {q: 1}).then(function (reply) { ... });
 *   hub.on('fatal', function (e) { ... });  // 4401 / 4403 / 4009: log in again, do not retry
 *   hub.on('recovery', function (e) { if (!e.recovered) refetch(e.address); });
 *   hub.subscribe('user.7.notices', handler, {since: positionFromThePage});
 *   hub.presence('room.7').then(function (p) { ... });  // {address, connections, userCount, users: [...]}
 *   var stopWatching = hub.onPresence('room.7', function (e) { ... });  // {event: 'join'|'leave', userId, connections}
 *
 * Speaks the Vert.x event bus bridge protocol over SockJS. Reconnects with exponential backoff and
 * jitter, registers every subscription again after a reconnect, resumes without losing events when a
 * draining hub hands it a token, and stops for good on the close codes that retrying cannot fix.
 * For addresses with history (the hub's history.streams), it remembers the last position seen and
 * asks for what it missed on every reconnect; 'recovery' tells the application, per address, whether
 * it missed nothing ({recovered: true, replayed: N}, as soon as the hub has read the history, ahead of
 * the N events replayed) or must resynchronise ({recovered: false}, history_unavailable; position is
 * where the live stream goes on from), and hub.recovered is false from such an answer until the next
 * reconnect.
 */
(function (root, factory) {
  if (typeof module === 'object' && module.exports) {
    module.exports = factory(root.SockJS || require('sockjs-client'));
  } else {
    root.EventHub = factory(root.SockJS);
  }
}(typeof self !== 'undefined' ? self : this, function (SockJS) {
  'use strict';

  /** Close codes after which a retry cannot succeed: the user must log in again or be let in. */
  var FATAL_CODES = {4401: 'unauthenticated', 4403: 'forbidden', 4009: 'frame too large'};
  var TOO_MANY = 4429;
  var MAX_QUEUED = 1000;

  function EventHub(url, options) {
    if (!(this instanceof EventHub)) return new EventHub(url, options);
    options = options || {};
    this.url = url || '/eventbus';
    this.minDelay = options.minDelay || 500;
    this.maxDelay = options.maxDelay || 30000;
    this.replyTimeout = options.replyTimeout || 30000;
    this.sockjsOptions = options.sockjs || {};
    this.state = 'connecting';
    this.attempt = 0;
    this.handlers = {};       // address -> [handler]
    this.replies = {};        // replyAddress -> {resolve, reject, timer}
    this.queue = [];          // frames written while not open
    this.listeners = {};
    this.closedByUser = false;
    this.resumeToken = null;  // from a draining hub, to claim missed events on the next connection
    this.positions = {};      // address -> last position seen (stream addresses only)
    this.delivered = {};      // address -> position of the last event handed to the handlers
    this.recovering = {};     // address -> since, until the first answer after a register with since
    this.recovered = true;
    this.connect();
  }

  EventHub.FATAL_CODES = FATAL_CODES;

  EventHub.prototype.on = function (event, listener) {
    (this.listeners[event] = this.listeners[event] || []).push(listener);
    return this;
  };

  EventHub.prototype.emit = function (event, arg) {
    (this.listeners[event] || []).forEach(function (l) {
      try { l(arg); } catch (e) { if (typeof console !== 'undefined') console.error(e); }
    });
  };

  EventHub.prototype.connect = function () {
    var self = this;
    var sock = new SockJS(this.url, null, this.sockjsOptions);
    this.sock = sock;
    this.state = 'connecting';
    sock.onopen = function () {
      var reconnected = self.attempt > 0;
      self.state = 'open';
      self.attempt = 0;
      // Moved off a draining hub: claim the events sent while we were away, before anything else.
      // The token is kept until this connection delivers something: a hub that is draining too
      // closes right after opening, and the next attempt must still carry it.
      // When every subscription is a stream with a known position, since recovers more than the
      // handover can (events published on a third member too): the token is not needed.
      var addresses = Object.keys(self.handlers);
      if (self.resumeToken && addresses.length && addresses.every(function (a) { return self.positions[a]; })) {
        self.resumeToken = null;
      }
      if (self.resumeToken) self.write({type: 'resume', token: self.resumeToken});
      if (reconnected) self.recovered = true;
      addresses.forEach(function (address) { self.register(address); });
      var queued = self.queue;
      self.queue = [];
      queued.forEach(function (frame) { self.write(frame); });
      self.emit(reconnected ? 'reconnect' : 'open');
    };
    sock.onmessage = function (e) { self.receive(e.data); };
    sock.onclose = function (e) {
      if (self.sock !== sock) return;
      self.state = 'closed';
      self.failReplies('connection closed');
      // The hub's own code on every transport: its SockJS close frame carries it, refusals included.
      var info = {code: e.code, reason: e.reason};
      self.emit('close', info);
      if (self.closedByUser) return;
      if (FATAL_CODES[e.code]) {
        self.state = 'failed';
        self.emit('fatal', info);
        return;
      }
      // 4429: too many connections or failed logins from here; coming back at once would only be
      // refused again, so the backoff starts as if several attempts had failed already (16 s by default).
      if (e.code === TOO_MANY) self.attempt = Math.max(self.attempt, 5);
      var delay = self.backoff();
      self.attempt++;
      self.emit('reconnecting', {code: e.code, reason: e.reason, delay: delay, attempt: self.attempt});
      self.timer = setTimeout(function () { self.connect(); }, delay);
    };
  };

  /** Exponential backoff with jitter, so a hub restart does not bring every client back at once. */
  EventHub.prototype.backoff = function () {
    var ceiling = Math.min(this.maxDelay, this.minDelay * Math.pow(2, this.attempt));
    return Math.floor(ceiling / 2 + Math.random() * ceiling / 2);
  };

  /** Registers address, with the last position seen when there is one, so the hub replays what was missed. */
  EventHub.prototype.register = function (address) {
    var since = this.positions[address];
    if (since) {
      this.recovering[address] = since;
      // ack: the hub answers 'recovered' ahead of the replay, so the outcome is known at once, even
      // when nothing was missed.
      this.write({type: 'register', address: address, headers: {since: since, ack: 'true'}});
    } else {
      this.write({type: 'register', address: address});
    }
  };

  EventHub.prototype.receive = function (data) {
    var msg;
    try { msg = JSON.parse(data); } catch (e) { this.emit('error', {message: 'unreadable frame', data: data}); return; }
    if (msg.type === 'resume') {
      this.resumeToken = msg.token; // a draining hub's 4000 close follows
      return;
    }
    if (msg.type === 'rec' || msg.body === 'resume_failed') this.resumeToken = null;
    var pending = msg.address && this.replies[msg.address];
    if (pending) {
      delete this.replies[msg.address];
      clearTimeout(pending.timer);
      if (msg.type === 'err') pending.reject(msg); else pending.resolve(this.decorate(msg));
      return;
    }
    if (msg.type === 'err' && msg.body === 'history_unavailable') {
      // Events were missed and cannot be replayed: the application resynchronises from here on.
      delete this.recovering[msg.address];
      this.recovered = false;
      if (msg.headers && msg.headers.position) this.positions[msg.address] = msg.headers.position;
      this.emit('recovery', {address: msg.address, recovered: false, position: msg.headers && msg.headers.position});
      return;
    }
    if (msg.type === 'err') {
      this.emit('error', msg);
      return;
    }
    if (msg.type === 'recovered') {
      // The replay (headers.replayed events, up to headers.position) follows: nothing is lost.
      if (this.recovering[msg.address]) {
        delete this.recovering[msg.address];
        this.emit('recovery', {address: msg.address, recovered: true, position: msg.headers.position,
          replayed: Number(msg.headers.replayed)});
      }
      return;
    }
    var position = msg.headers && msg.headers.position;
    if (position && this.handlers[msg.address]) {
      // A stream's events come in position order: one at or before the last handed over is a second
      // copy (a drain handover's, when since replayed it too), not news.
      if (samePositionOrEarlier(position, this.delivered[msg.address])) return;
      this.delivered[msg.address] = position;
      this.positions[msg.address] = position;
      // No 'recovered' came: an older hub, or a resume had registered the address before the register.
      if (this.recovering[msg.address]) {
        delete this.recovering[msg.address];
        this.emit('recovery', {address: msg.address, recovered: true, position: position});
      }
    }
    var handlers = this.handlers[msg.address];
    if (!handlers) return;
    var message = this.decorate(msg);
    handlers.slice().forEach(function (h) {
      try { h(message.body, message); } catch (e) { if (typeof console !== 'undefined') console.error(e); }
    });
  };

  /** Whether position (EPOCH:OFFSET) is last, or before it in the same epoch. */
  function samePositionOrEarlier(position, last) {
    if (!last) return false;
    var i = position.lastIndexOf(':');
    var j = last.lastIndexOf(':');
    return position.slice(0, i) === last.slice(0, j) && Number(position.slice(i + 1)) <= Number(last.slice(j + 1));
  }

  EventHub.prototype.decorate = function (msg) {
    var self = this;
    if (msg.replyAddress) {
      msg.reply = function (body, headers) { return self.send(msg.replyAddress, body, headers); };
    }
    return msg;
  };

  EventHub.prototype.write = function (frame) {
    if (this.state === 'open') {
      this.sock.send(JSON.stringify(frame));
    } else if (this.state !== 'failed' && !this.closedByUser) {
      if (this.queue.length >= MAX_QUEUED) throw new Error('event-hub: not connected and ' + MAX_QUEUED + ' frames queued');
      this.queue.push(frame);
    } else {
      throw new Error('event-hub: connection ' + this.state);
    }
  };

  /**
   * Calls handler(body, message) for each event on address; returns a function that unsubscribes.
   * options.since: a position (e.g. from GET /api/history when the page was rendered) to start after.
   */
  EventHub.prototype.subscribe = function (address, handler, options) {
    var self = this;
    var list = this.handlers[address];
    if (!list) {
      list = this.handlers[address] = [];
      if (options && options.since) this.positions[address] = this.delivered[address] = options.since;
      if (this.state === 'open') this.register(address);
    }
    list.push(handler);
    return function unsubscribe() {
      var current = self.handlers[address];
      if (!current) return;
      var i = current.indexOf(handler);
      if (i >= 0) current.splice(i, 1);
      if (current.length === 0) {
        delete self.handlers[address];
        delete self.positions[address];
        delete self.delivered[address];
        delete self.recovering[address];
        if (self.state === 'open') self.write({type: 'unregister', address: address});
      }
    };
  };

  EventHub.prototype.publish = function (address, body, headers) {
    this.write({type: 'publish', address: address, body: body, headers: headers || {}});
  };

  /** Point-to-point with a reply: resolves with the reply message, rejects with the err frame. */
  EventHub.prototype.send = function (address, body, headers) {
    var self = this;
    var replyAddress = 'r.' + Date.now().toString(36) + '.' + Math.random().toString(36).slice(2);
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () {
        delete self.replies[replyAddress];
        reject({type: 'err', failureType: 'TIMEOUT', message: 'no reply within ' + self.replyTimeout + ' ms'});
      }, self.replyTimeout);
      self.replies[replyAddress] = {resolve: resolve, reject: reject, timer: timer};
      try {
        self.write({type: 'send', address: address, body: body, headers: headers || {}, replyAddress: replyAddress});
      } catch (e) {
        clearTimeout(timer);
        delete self.replies[replyAddress];
        reject(e);
      }
    });
  };

  /**
   * Who is on address (one of the hub's presence.patterns), for the whole cluster: resolves with
   * {address, connections, userCount, users: [{userId, connections}]} (users empty and countsOnly
   * past the hub's presence.maxUsers); rejects with the err frame (access_denied, not tracked).
   */
  EventHub.prototype.presence = function (address) {
    return this.send('$presence', {address: address}).then(function (reply) { return reply.body; });
  };

  /**
   * Calls handler({event: 'join'|'leave', userId, connections}) as users join and leave address (per
   * user, not per connection); returns a function that stops. Registered again after a reconnect.
   */
  EventHub.prototype.onPresence = function (address, handler) {
    return this.subscribe('$presence:' + address, function (body) { handler(body); });
  };

  EventHub.prototype.failReplies = function (why) {
    var replies = this.replies;
    this.replies = {};
    Object.keys(replies).forEach(function (k) {
      clearTimeout(replies[k].timer);
      replies[k].reject({type: 'err', failureType: 'DISCONNECTED', message: why});
    });
  };

  EventHub.prototype.close = function () {
    this.closedByUser = true;
    clearTimeout(this.timer);
    this.state = 'closed';
    if (this.sock) this.sock.close();
  };

  return EventHub;
}));
