package io.eventhub.bench;

import io.eventhub.testing.ClientVertx;
import io.eventhub.testing.TestHub;
import io.vertx.core.Future;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A quick fan-out figure: C clients subscribed to one address (raw WebSocket or SockJS websocket),
 * one publisher at R events/s for T seconds, ~200-byte events carrying their send time. Hub and
 * clients share this JVM, so the figure is a floor, not the benchmark (that one pins processes).
 * Usage: QuickFanOut [clients=1000] [rate=200] [seconds=10] [raw|sockjs]
 */
public final class QuickFanOut {
  public static void main(String[] args) throws Exception {
    int clients = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int rate = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    boolean sockJs = args.length > 3 && args[3].equals("sockjs");
    int events = rate * seconds;

    try (TestHub hub = TestHub.start(new JsonObject().put("http", new JsonObject().put("instances", 1)))) {
      WebSocketClient wsClient = ClientVertx.get().createWebSocketClient(new WebSocketClientOptions()
          .setMaxConnections(clients + 10));
      AtomicLong delivered = new AtomicLong();
      AtomicLongArray latencyMicros = new AtomicLongArray(events * Math.min(clients, 200));
      AtomicLong samples = new AtomicLong();
      List<WebSocket> sockets = new ArrayList<>();
      long connectStart = System.nanoTime();
      for (int i = 0; i < clients; i++) {
        String uri = sockJs ? "/eventbus/000/b" + i + "/websocket" : "/eventbus/websocket";
        boolean sampled = i < 200;
        WebSocket ws = wsClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(hub.port()).setURI(uri))
            .onSuccess(socket -> socket.textMessageHandler(text -> {
              long now = System.nanoTime();
              for (String frame : sockJs ? unwrap(text) : List.of(text)) {
                JsonObject json = new JsonObject(frame);
                if (!"rec".equals(json.getString("type"))) {
                  continue;
                }
                delivered.incrementAndGet();
                if (sampled) {
                  long sent = json.getJsonObject("body").getLong("t");
                  long index = samples.getAndIncrement();
                  if (index < latencyMicros.length()) {
                    latencyMicros.set((int) index, (now - sent) / 1000);
                  }
                }
              }
            })).await();
        ws.writeTextMessage(sockJs ? new JsonArray().add(register()).encode() : register());
        sockets.add(ws);
      }
      double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (hub.hub().bridge().fanOut().subscriberCount("demo.bench") < clients && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }

      long cpuBefore = processCpuNanos();
      String pad = "x".repeat(140);
      long start = System.nanoTime();
      long intervalNanos = 1_000_000_000L / rate;
      for (int n = 0; n < events; n++) {
        long due = start + n * intervalNanos;
        while (System.nanoTime() < due) {
          Thread.onSpinWait();
        }
        hub.vertx().eventBus().publish("demo.bench", new JsonObject().put("n", n).put("t", System.nanoTime()).put("pad", pad));
      }
      long expected = (long) events * clients;
      long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (delivered.get() < expected && System.nanoTime() < drainDeadline) {
        Thread.sleep(5);
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      long cpu = processCpuNanos() - cpuBefore;

      int count = (int) Math.min(samples.get(), latencyMicros.length());
      long[] lat = new long[count];
      for (int i = 0; i < count; i++) {
        lat[i] = latencyMicros.get(i);
      }
      Arrays.sort(lat);
      JsonObject result = new JsonObject()
          .put("scenario", "quick-fanout").put("transport", sockJs ? "sockjs-websocket" : "raw-websocket")
          .put("clients", clients).put("rate", rate).put("seconds", seconds)
          .put("connectsPerSecond", Math.round(clients / connectSeconds))
          .put("deliveriesPerSecond", Math.round(delivered.get() / elapsed))
          .put("expected", expected).put("delivered", delivered.get()).put("lost", expected - delivered.get())
          .put("p50ms", pct(lat, 0.50)).put("p99ms", pct(lat, 0.99)).put("p999ms", pct(lat, 0.999))
          .put("maxms", lat.length == 0 ? 0 : lat[lat.length - 1] / 1000.0)
          .put("jvmCpuMsPer1000Deliveries", delivered.get() == 0 ? 0 : cpu / 1e6 / (delivered.get() / 1000.0));
      System.out.printf("%-18s %6d clients %5d ev/s %9d deliveries/s  lost %d  p50 %.2f ms  p99 %.2f ms  max %.2f ms%n",
          result.getString("transport"), clients, rate, result.getLong("deliveriesPerSecond"), result.getLong("lost"),
          result.getDouble("p50ms"), result.getDouble("p99ms"), result.getDouble("maxms"));
      System.out.println(result.encode());
      Future.all(sockets.stream().map(WebSocket::close).toList()).await();
    }
    ClientVertx.get().close().await();
  }

  private static String register() {
    return new JsonObject().put("type", "register").put("address", "demo.bench").encode();
  }

  private static List<String> unwrap(String sockJsFrame) {
    if (!sockJsFrame.startsWith("a")) {
      return List.of();
    }
    return new JsonArray(sockJsFrame.substring(1)).stream().map(String.class::cast).toList();
  }

  private static double pct(long[] sorted, double p) {
    return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1000.0;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }
}
