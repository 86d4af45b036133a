package io.eventhub.bench;

import io.eventhub.bench.Benchmark.Server;
import io.eventhub.testing.HubProcess;
import io.eventhub.testing.TestDatabase;
import io.eventhub.testing.TestHub;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * What per-address history costs (issue #19), history off and on in the same run, the hub pinned to
 * one core and the generator to the other as in {@link Benchmark}: delivery CPU per 1,000 deliveries
 * (1,000 raw WebSocket clients, 200 events/s on one stream address), off and on alternating twice;
 * the publish API's CPU per 1,000 publishes and its latency, which with history includes the append,
 * measured on the three servers (off, in memory, Hazelcast) at once with requests taking turns; the time 1,000 clients take to
 * recover 100 missed events when they all register with {@code since} at once; and the live heap
 * per stored event, in memory (single instance) and in Hazelcast (one member, so without the backup
 * copy a cluster keeps on another member).
 *
 * <p>{@code mvn -B -q -Pbench verify -Dbench.history=true [-Dbench.seconds=N]} (N at least 5 here).
 */
public final class HistoryBench {
  private static final String FAN = "bench.fan";
  private static final String PAD = "x".repeat(129);
  private static final int CLIENTS = 1000;
  private static final int RATE = 200;
  private static final int API_RATE = 200;
  private static final int MISSED = 100;
  private static final int ROUNDS = 2;
  private static final int MEMORY_ADDRESSES = 1000;
  private static final int MEMORY_EVENTS_EACH = 100;
  private static final JsonObject STREAMS = new JsonObject().put("streams", new JsonArray()
      .add(new JsonObject().put("pattern", "bench.mem.*").put("size", MEMORY_EVENTS_EACH).put("ttlSeconds", 3600))
      .add(new JsonObject().put("pattern", "bench.*").put("size", 1000).put("ttlSeconds", 3600)));

  private static int seconds;
  private static JsonObject database;
  private static final List<String> table = new ArrayList<>();

  private HistoryBench() {}

  public static void main(String[] args) throws Exception {
    long began = System.nanoTime();
    seconds = Math.max(5, args.length > 0 ? Integer.parseInt(args[0]) : 5);
    TestDatabase db = TestDatabase.get();
    for (int i = 0; i < Benchmark.SESSIONS; i++) {
      db.session(Benchmark.sessionId(i), 10_000L + i, null, 3600);
    }
    database = db.hubConfig().put("connectTimeoutMillis", 10_000).put("queryTimeoutMillis", 10_000);
    Benchmark.pin(ProcessHandle.current().pid(), 1);
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setPreferNativeTransport(true));
    // Delivery: off and on alternate, twice; on a loaded machine one pair alone says little.
    for (int round = 1; round <= ROUNDS; round++) {
      for (boolean history : new boolean[] {false, true}) {
        Server server = Server.startHub(config(history), List.of());
        try {
          fanOut(vertx, server, (history ? "on (memory)" : "off") + " #" + round);
        } finally {
          server.stop();
        }
      }
    }
    // Publishing: the three servers at once, requests taking turns, so that whatever else the
    // machine does falls on all three alike.
    int hazelcastPort = HubProcess.freePort();
    JsonObject clustered = config(true).put("cluster", new JsonObject().put("enabled", true).put("name", "bench-history")
        .put("host", "127.0.0.1").put("hazelcastPort", hazelcastPort).put("members", new JsonArray().add("127.0.0.1:" + hazelcastPort)));
    List<Server> servers = List.of(Server.startHub(config(false), List.of()), Server.startHub(config(true), List.of()),
        Server.startHub(clustered, List.of("-Dhazelcast.wait.seconds.before.join=1", "-Dhazelcast.max.wait.seconds.before.join=2")));
    try {
      publishes(vertx, servers, List.of("off", "on (memory)", "on (Hazelcast, 1 member)"));
      recovery(vertx, servers.get(1));
      memory(vertx, servers.get(1), "memory");
      memory(vertx, servers.get(2), "Hazelcast, 1 member");
    } finally {
      for (Server server : servers) {
        server.stop();
      }
    }
    System.out.println();
    table.forEach(System.out::println);
    System.out.printf("%nThe history benchmark took %.1f minutes.%n", (System.nanoTime() - began) / 60e9);
    vertx.close().await();
    if (TestDatabase.get().embedded() != null) {
      TestDatabase.get().embedded().stop();
    }
    System.exit(0);
  }

  private static JsonObject config(boolean history) {
    JsonObject config = BenchServer.hubConfig(database).put("publish", new JsonObject().put("token", TestHub.TOKEN));
    return history ? config.put("history", STREAMS.copy()) : config;
  }

  /** 1,000 clients on one address, 200 events/s published by a bridge client, after a warm-up. */
  private static void fanOut(Vertx vertx, Server server, String label) throws Exception {
    LoadClients load = new LoadClients(vertx, server.port, false, FAN);
    load.connect(CLIENTS, 200, "");
    WebSocket publisher = publisher(vertx, server.port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!load.allReceived() && System.nanoTime() < deadline) {
      publish(publisher, -1, LoadClients.PROBE_TAG);
      Thread.sleep(200);
    }
    // Warm-up: the same pace, uncounted, so the run measures the compiled delivery path.
    paced(publisher, RATE, 3, LoadClients.PROBE_TAG);
    server.awaitQuiet(3);
    byte tag = 'H';
    load.startRecording(tag);
    long cpu = server.cpuNanos();
    long start = System.nanoTime();
    int published = paced(publisher, RATE, seconds, tag);
    long expected = (long) published * CLIENTS;
    for (int i = 0; i < 100 && load.delivered.get() < expected; i++) {
      Thread.sleep(50);
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    load.stopRecording();
    long delivered = load.delivered.get();
    double[] latency = load.latencies();
    double cpuMs = (server.cpuNanos() - cpu) / 1e6;
    emit(new JsonObject().put("scenario", "fan-out").put("history", label).put("clients", CLIENTS).put("rate", RATE)
        .put("delivered", delivered).put("lost", expected - delivered).put("p50ms", latency[0]).put("p99ms", latency[1])
        .put("serverCpuMsPer1000", round(cpuMs / (delivered / 1000.0))).put("deliveriesPerSecond", Math.round(delivered / elapsed)),
        String.format("fan-out 1000 x 200   history %-26s %,9d deliveries, %d lost, p50 %.1f ms, p99 %.1f ms, %.2f ms CPU per 1,000 deliveries",
            label, delivered, expected - delivered, latency[0], latency[1], cpuMs / (delivered / 1000.0)));
    publisher.close();
    load.close();
  }

  /**
   * POST /api/publish of one ~200-byte event to a stream address nobody subscribes to, 200/s to each
   * server in turn, open loop: the answer waits for the position, so its latency includes the
   * history write.
   */
  private static void publishes(Vertx vertx, List<Server> servers, List<String> labels) throws Exception {
    WebClient web = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(64));
    apiRun(web, servers, 5); // warm-up
    for (Server server : servers) {
      server.awaitQuiet(3);
    }
    long[] cpu = servers.stream().mapToLong(Server::cpuNanos).toArray();
    List<List<Long>> all = apiRun(web, servers, 2 * seconds);
    for (int i = 0; i < servers.size(); i++) {
      double cpuMs = (servers.get(i).cpuNanos() - cpu[i]) / 1e6;
      List<Long> micros = all.get(i);
      Collections.sort(micros);
      double p50 = micros.get(micros.size() / 2) / 1000.0;
      double p99 = micros.get((int) (micros.size() * 0.99)) / 1000.0;
      emit(new JsonObject().put("scenario", "publish-api").put("history", labels.get(i)).put("rate", API_RATE)
          .put("published", micros.size()).put("p50ms", p50).put("p99ms", p99)
          .put("serverCpuMsPer1000", round(cpuMs / (micros.size() / 1000.0))),
          String.format("publish API 200/s    history %-26s %,9d publishes, p50 %.2f ms, p99 %.2f ms, %.1f ms CPU per 1,000 publishes",
              labels.get(i), micros.size(), p50, p99, cpuMs / (micros.size() / 1000.0)));
    }
    web.close();
  }

  private static List<List<Long>> apiRun(WebClient web, List<Server> servers, int runSeconds) {
    List<List<Long>> micros = new ArrayList<>();
    servers.forEach(s -> micros.add(Collections.synchronizedList(new ArrayList<>())));
    List<Future<?>> answers = new ArrayList<>();
    long start = System.nanoTime();
    long interval = 1_000_000_000L / (API_RATE * servers.size());
    for (int n = 0; n < API_RATE * servers.size() * runSeconds; n++) {
      waitUntil(start + n * interval);
      long sent = System.nanoTime();
      List<Long> times = micros.get(n % servers.size());
      answers.add(web.post(servers.get(n % servers.size()).port, "127.0.0.1", "/api/publish")
          .putHeader("Authorization", "Bearer " + TestHub.TOKEN)
          .sendBuffer(Buffer.buffer(event("bench.solo", n, 'A').encode()))
          .onSuccess(response -> {
            if (response.statusCode() == 202) {
              times.add((System.nanoTime() - sent) / 1000);
            }
          }));
    }
    Future.join(answers).await();
    return micros.stream().<List<Long>>map(ArrayList::new).toList();
  }

  /**
   * 100 events published while 1,000 clients were away; they come back at once (connect storm), then
   * all register with {@code since} in the same instant: how long until each has all 100 (100,000
   * replayed deliveries), and the server's CPU for it.
   */
  private static void recovery(Vertx vertx, Server server) throws Exception {
    String address = "bench.recover";
    WebClient web = WebClient.create(vertx);
    String since = post(web, server, event(address, 0, 'A')).getString("position");
    JsonArray batch = new JsonArray();
    for (int n = 1; n <= MISSED; n++) {
      batch.add(event(address, n, 'A'));
    }
    post(web, server, batch);
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(CLIENTS + 10)
        .setConnectTimeout(30_000));
    AtomicInteger complete = new AtomicInteger();
    Promise<Void> allDone = Promise.promise();
    long connectStart = System.nanoTime();
    List<Future<WebSocket>> connecting = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      AtomicInteger received = new AtomicInteger();
      connecting.add(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(server.port)
          .setURI("/eventbus/websocket").addHeader("Cookie", Benchmark.cookie(i))).onSuccess(ws -> ws.textMessageHandler(text -> {
            if (text.startsWith("{\"type\":\"rec\"") && received.incrementAndGet() == MISSED && complete.incrementAndGet() == CLIENTS) {
              allDone.tryComplete();
            }
          })));
    }
    List<WebSocket> sockets = Future.all(connecting).await().list();
    double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
    server.awaitQuiet(3);
    String register = new JsonObject().put("type", "register").put("address", address)
        .put("headers", new JsonObject().put("since", since)).encode();
    long cpu = server.cpuNanos();
    long start = System.nanoTime();
    vertx.runOnContext(v -> sockets.forEach(ws -> ws.writeTextMessage(register)));
    allDone.future().timeout(60, TimeUnit.SECONDS).await();
    double recoverMs = (System.nanoTime() - start) / 1e6;
    double cpuMs = (server.cpuNanos() - cpu) / 1e6;
    emit(new JsonObject().put("scenario", "recovery").put("clients", CLIENTS).put("missed", MISSED)
        .put("connectStormSeconds", round(connectSeconds)).put("recoveryMs", round(recoverMs))
        .put("serverCpuMsPerClient", round(cpuMs / CLIENTS)),
        String.format("recovery             1,000 clients back at once (connect storm %.1f s), all register with since: "
            + "all %d missed events at every client after %.0f ms, %.2f ms CPU per client", connectSeconds, MISSED, recoverMs, cpuMs / CLIENTS));
    sockets.forEach(WebSocket::close);
    web.close();
  }

  /** 1,000 addresses x 100 stored events (~200-byte bodies): live heap after a full GC, before and after. */
  private static void memory(Vertx vertx, Server server, String home) throws Exception {
    WebClient web = WebClient.create(vertx);
    long before = server.liveHeapBytes("history");
    for (int a = 0; a < MEMORY_ADDRESSES; a++) {
      JsonArray batch = new JsonArray();
      for (int n = 0; n < MEMORY_EVENTS_EACH; n++) {
        batch.add(event("bench.mem." + a, n, 'A'));
      }
      post(web, server, batch);
    }
    long after = server.liveHeapBytes("history");
    long events = (long) MEMORY_ADDRESSES * MEMORY_EVENTS_EACH;
    emit(new JsonObject().put("scenario", "memory").put("home", home).put("events", events)
        .put("liveHeapBytesPerEvent", (after - before) / events),
        String.format("memory               %-34s %,d events on %,d addresses (size 100): %,d B of live heap per stored event",
            home, events, MEMORY_ADDRESSES, (after - before) / events));
    web.close();
  }

  private static JsonObject event(String address, int n, char tag) {
    return new JsonObject().put("address", address)
        .put("body", new JsonObject().put("n", n).put("t", System.nanoTime()).put("pad", PAD + tag));
  }

  private static JsonObject post(WebClient web, Server server, Object json) {
    var response = web.post(server.port, "127.0.0.1", "/api/publish").putHeader("Authorization", "Bearer " + TestHub.TOKEN)
        .sendBuffer(Buffer.buffer(io.vertx.core.json.Json.encode(json))).await();
    if (response.statusCode() != 202) {
      throw new IllegalStateException("publish answered " + response.statusCode() + ": " + response.bodyAsString());
    }
    return response.bodyAsJsonObject();
  }

  private static WebSocket publisher(Vertx vertx, int port) {
    return vertx.createWebSocketClient().connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/eventbus/websocket").addHeader("Cookie", Benchmark.cookie(0))).await();
  }

  private static void publish(WebSocket publisher, int n, byte tag) {
    publisher.writeTextMessage(new JsonObject().put("type", "publish").put("address", FAN)
        .put("body", new JsonObject().put("n", n).put("t", System.nanoTime()).put("pad", PAD + (char) tag)).encode());
  }

  private static int paced(WebSocket publisher, int rate, int runSeconds, byte tag) {
    long start = System.nanoTime();
    long interval = 1_000_000_000L / rate;
    int n = 0;
    for (; n < rate * runSeconds; n++) {
      waitUntil(start + n * interval);
      publish(publisher, n, tag);
    }
    return n;
  }

  private static void waitUntil(long due) {
    for (long left = due - System.nanoTime(); left > 0; left = due - System.nanoTime()) {
      LockSupport.parkNanos(left);
    }
  }

  private static void emit(JsonObject result, String line) {
    System.out.println(result.encode());
    table.add(line);
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }
}
