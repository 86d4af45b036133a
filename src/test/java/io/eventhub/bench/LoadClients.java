package io.eventhub.bench;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * C subscriber connections on one address, raw WebSocket or SockJS websocket. The first
 * {@link #SAMPLED} are full WebSocket clients that parse their frames for the send time the events
 * carry (latency). The others speak just enough WebSocket over a plain TCP socket to subscribe, then
 * only count one byte in what they read, so the generator costs far less per delivery than the server
 * it measures.
 *
 * <p>That byte is the run's tag: every event ends its padding with one upper-case letter, which
 * nothing else in a frame's payload contains (the envelopes, numbers and SockJS framing have none).
 * A frame's length bytes may be any byte, so the counting clients count the tag only after two
 * padding bytes ({@code xx}), which a length field cannot hold. A run counts its own letter only, so
 * events a slow server still delivers from an earlier run are not counted again, and the probes and
 * warm-up events ({@link #PROBE_TAG}) are told apart without parsing.
 */
final class LoadClients {
  static final int SAMPLED = 50;
  /**
   * {@code -Dbench.offerDeflate=true}: the counting clients offer permessage-deflate, as every browser
   * does. A server that accepts it compresses what it sends, so these clients then count any frame as
   * the probe having arrived (their event counts mean nothing; for the idle scenario only).
   */
  static final boolean OFFER_DEFLATE = Boolean.getBoolean("bench.offerDeflate");
  /** The tag of the probes that show every subscription in place, and of the warm-up events. */
  static final byte PROBE_TAG = 'P';

  private final Vertx vertx;
  private final int port;
  private final boolean sockJs;
  private final String address;
  private final List<WebSocket> sockets = Collections.synchronizedList(new ArrayList<>());
  private final List<NetSocket> netSockets = Collections.synchronizedList(new ArrayList<>());
  final AtomicLong delivered = new AtomicLong();
  private final AtomicInteger reached = new AtomicInteger();
  private final AtomicLongArray latencyMicros = new AtomicLongArray(2_000_000);
  private final AtomicInteger latencyCount = new AtomicInteger();
  private volatile boolean recording;
  /** The tag counted now: {@link #PROBE_TAG}, or the recorded run's. */
  private volatile byte tag = PROBE_TAG;
  /** Clients the server closed (the hub's slow-consumer policy closes those that fall too far behind). */
  private final AtomicInteger closedByServer = new AtomicInteger();
  private volatile boolean closing;

  LoadClients(Vertx vertx, int port, boolean sockJs, String address) {
    this.vertx = vertx;
    this.port = port;
    this.sockJs = sockJs;
    this.address = address;
  }

  Vertx vertx() {
    return vertx;
  }

  /**
   * Connects and subscribes {@code count} more clients, {@code parallel} handshakes at a time; returns
   * connects/s.
   */
  private static final int PORTS_PER_SOURCE = 10_000;

  double connect(int count, int parallel, String query) {
    return connect(count, parallel, query, i -> Benchmark.cookie(i));
  }

  /** Handshake times of the last {@link #connect}, sorted, in microseconds. */
  long[] handshakeMicros() {
    long[] sorted = handshakes.stream().mapToLong(Long::longValue).sorted().toArray();
    return sorted;
  }

  private final List<Long> handshakes = Collections.synchronizedList(new ArrayList<>());

  /** As {@link #connect(int, int, String)}, client i sending the cookie {@code cookie.apply(i)} (null: none). */
  double connect(int count, int parallel, String query, java.util.function.IntFunction<String> cookie) {
    handshakes.clear();
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(SAMPLED + 10)
        .setConnectTimeout(30_000));
    // One loopback source address gives about 28,000 ports (ip_local_port_range), fewer while earlier
    // runs' sockets sit in TIME_WAIT: every 10,000 clients take the next source address, 127.0.0.2,
    // .3, ... (the whole 127/8 is loopback on Linux).
    List<NetClient> nets = new ArrayList<>();
    for (int source = 1; source <= 1 + (size() + count) / PORTS_PER_SOURCE; source++) {
      nets.add(vertx.createNetClient(new NetClientOptions().setConnectTimeout(30_000).setLocalAddress("127.0.0." + source)));
    }
    long start = System.nanoTime();
    int first = size();
    for (int from = first; from < first + count; from += parallel) {
      List<Future<?>> batch = new ArrayList<>();
      for (int i = from; i < Math.min(first + count, from + parallel); i++) {
        String uri = (sockJs ? "/eventbus/0/" + i + "x/websocket" : "/eventbus/websocket") + query;
        long started = System.nanoTime();
        Future<?> connected = i < SAMPLED ? sampledClient(client, uri, cookie.apply(i)) : countingClient(nets.get(i / PORTS_PER_SOURCE), uri, cookie.apply(i));
        batch.add(connected.onSuccess(v -> handshakes.add((System.nanoTime() - started) / 1000)));
      }
      Future.all(batch).await();
    }
    return count / ((System.nanoTime() - start) / 1e9);
  }

  private Future<WebSocket> sampledClient(WebSocketClient client, String uri, String cookie) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri);
    if (cookie != null) {
      options.addHeader("Cookie", cookie);
    }
    return client.connect(options)
        .onSuccess(ws -> {
          FirstProbe firstProbe = new FirstProbe();
          // handler: text and binary messages alike (the stock bridge sends binary on its raw endpoint)
          ws.handler(buffer -> onSampled(buffer.toString(), firstProbe));
          ws.writeTextMessage(registerFrame());
          ws.closeHandler(v -> onClosed());
          sockets.add(ws);
        });
  }

  private Future<NetSocket> countingClient(NetClient net, String uri, String cookie) {
    Promise<NetSocket> upgraded = Promise.promise();
    net.connect(port, "127.0.0.1").onFailure(upgraded::fail).onSuccess(socket -> {
      Counter counter = new Counter();
      Buffer head = Buffer.buffer();
      socket.handler(buffer -> {
        if (upgraded.future().isComplete()) {
          counter.read(buffer);
          return;
        }
        // Frames may only follow the server's 101 answer.
        head.appendBuffer(buffer);
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
          return;
        }
        if (!text.startsWith("HTTP/1.1 101")) {
          upgraded.tryFail("upgrade refused: " + text.lines().findFirst().orElse(""));
          return;
        }
        socket.write(maskedTextFrame(registerFrame()));
        socket.closeHandler(v -> onClosed());
        netSockets.add(socket);
        upgraded.tryComplete(socket);
        counter.read(head.getBuffer(end + 4, head.length()));
      });
      socket.write("GET " + uri + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
          + (OFFER_DEFLATE ? "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" : "")
          + (cookie == null ? "" : "Cookie: " + cookie + "\r\n") + "\r\n");
    });
    return upgraded.future();
  }

  private String registerFrame() {
    String register = new JsonObject().put("type", "register").put("address", address).encode();
    return sockJs ? new JsonArray().add(register).encode() : register;
  }

  /** A client-to-server text frame (clients must mask; a zero mask leaves the payload as it is). */
  private static Buffer maskedTextFrame(String text) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    return Buffer.buffer().appendByte((byte) 0x81).appendByte((byte) (0x80 | payload.length))
        .appendInt(0).appendBytes(payload);
  }

  /** Counts the current tag, after two padding bytes, in one connection's byte stream. */
  private final class Counter {
    private final FirstProbe firstProbe = new FirstProbe();
    /** The last two bytes of the previous read: the padding before a tag may end a read. */
    private byte previous;
    private byte beforePrevious;

    void read(Buffer buffer) {
      ByteBuf bytes = ((BufferInternal) buffer).getByteBuf();
      byte counted = tag;
      int found = 0;
      int start = bytes.readerIndex();
      int end = bytes.writerIndex();
      for (int at = bytes.indexOf(start, end, counted); at >= 0; at = bytes.indexOf(at + 1, end, counted)) {
        byte one = at - 1 >= start ? bytes.getByte(at - 1) : previous;
        byte two = at - 2 >= start ? bytes.getByte(at - 2) : at - 1 >= start ? previous : beforePrevious;
        if (one == 'x' && two == 'x') {
          found++;
        }
      }
      if (end - start >= 2) {
        beforePrevious = bytes.getByte(end - 2);
        previous = bytes.getByte(end - 1);
      } else if (end - start == 1) {
        beforePrevious = previous;
        previous = bytes.getByte(end - 1);
      }
      if (OFFER_DEFLATE && found == 0 && bytes.isReadable()) {
        found = 1; // compressed or not, something arrived
      }
      counted(found, counted, firstProbe);
    }
  }

  /** Whether a client's probe is its first: one per client, sampled or counting. */
  private static final class FirstProbe {
    private boolean seen;

    boolean take() {
      boolean first = !seen;
      seen = true;
      return first;
    }
  }

  /** Books {@code found} events of tag {@code counted}: deliveries of a run, or a client's first probe. */
  private void counted(int found, byte counted, FirstProbe firstProbe) {
    if (found == 0) {
      return;
    }
    if (counted != PROBE_TAG) {
      delivered.addAndGet(found);
    } else if (firstProbe.take()) {
      reached.incrementAndGet();
    }
  }

  private void onSampled(String text, FirstProbe firstProbe) {
    byte counted = tag;
    int found = 0;
    for (int at = text.indexOf(counted); at >= 0; at = text.indexOf(counted, at + 1)) {
      found++;
    }
    if (OFFER_DEFLATE && found == 0 && !text.isEmpty()) {
      found = 1;
    }
    counted(found, counted, firstProbe);
    if (!recording || counted == PROBE_TAG || found == 0) {
      return;
    }
    long now = System.nanoTime();
    for (String frame : sockJs ? unwrap(text) : List.of(text)) {
      JsonObject body = new JsonObject(frame).getJsonObject("body");
      String pad = body == null ? null : body.getString("pad");
      if (pad != null && pad.charAt(pad.length() - 1) == counted) {
        int index = latencyCount.getAndIncrement();
        if (index < latencyMicros.length()) {
          latencyMicros.set(index, (now - body.getLong("t")) / 1000);
        }
      }
    }
  }

  /** Clients that have received at least one probe. */
  int reached() {
    return reached.get();
  }

  /** Whether every client has received at least one event (the probes), so all subscriptions are in place. */
  boolean allReceived() {
    return reached.get() >= size();
  }

  /** Counts the events tagged {@code runTag} from now on. */
  void startRecording(byte runTag) {
    delivered.set(0);
    latencyCount.set(0);
    tag = runTag;
    recording = true;
  }

  void stopRecording() {
    recording = false;
    tag = PROBE_TAG;
  }

  /** p50, p99, p99.9 and max of the sampled latencies, in milliseconds. */
  double[] latencies() {
    int n = Math.min(latencyCount.get(), latencyMicros.length());
    if (n == 0) {
      return new double[] {0, 0, 0, 0};
    }
    long[] sorted = new long[n];
    for (int i = 0; i < n; i++) {
      sorted[i] = latencyMicros.get(i);
    }
    Arrays.sort(sorted);
    return new double[] {sorted[n / 2] / 1000.0, sorted[(int) (n * 0.99)] / 1000.0,
        sorted[Math.min(n - 1, (int) (n * 0.999))] / 1000.0, sorted[n - 1] / 1000.0};
  }

  int size() {
    return sockets.size() + netSockets.size();
  }

  private void onClosed() {
    if (!closing) {
      closedByServer.incrementAndGet();
    }
  }

  int closedByServer() {
    return closedByServer.get();
  }

  /** Closes without waiting for an overloaded server's answer; the server process ends right after. */
  void close() {
    closing = true;
    sockets.forEach(WebSocket::close);
    netSockets.forEach(NetSocket::close);
    sockets.clear();
    netSockets.clear();
  }

  private static List<String> unwrap(String sockJsFrame) {
    return sockJsFrame.startsWith("a") ? new JsonArray(sockJsFrame.substring(1)).stream().map(String.class::cast).toList() : List.of();
  }
}
