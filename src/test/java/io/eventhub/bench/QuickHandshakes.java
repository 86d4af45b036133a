package io.eventhub.bench;

import io.eventhub.testing.ClientVertx;
import io.eventhub.testing.TestDatabase;
import io.eventhub.testing.TestHub;
import io.vertx.core.Future;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A quick handshake figure against the real (embedded) MariaDB: a reconnect storm of C connects over
 * S sessions, cold cache then warm, with the queries each costs. Hub, database and clients share the
 * machine. Usage: QuickHandshakes [connects=3000] [sessions=300]
 */
public final class QuickHandshakes {
  public static void main(String[] args) {
    int connects = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
    int sessionCount = args.length > 1 ? Integer.parseInt(args[1]) : 300;
    TestDatabase db = TestDatabase.get();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < sessionCount; i++) {
      String id = "bench-session-" + i + "-0123456789abcdef";
      db.session(id, 5000L + i, null, 3600);
      ids.add(id);
    }
    JsonObject config = new JsonObject()
        .put("http", new JsonObject().put("instances", 1))
        .put("auth", new JsonObject().put("mode", "session").put("revalidateSeconds", 0).put("cacheSeconds", 300))
        .put("database", db.hubConfig().put("queryTimeoutMillis", 10_000).put("connectTimeoutMillis", 10_000));
    try (TestHub hub = TestHub.start(config)) {
      WebSocketClient client = ClientVertx.get().createWebSocketClient(new WebSocketClientOptions().setMaxConnections(connects + 10));
      for (String phase : List.of("cold", "warm")) {
        long queriesBefore = hub.hub().sessions().queries();
        long[] micros = new long[connects];
        List<WebSocket> sockets = new ArrayList<>();
        long start = System.nanoTime();
        for (int from = 0; from < connects; from += 500) {
          List<Future<WebSocket>> batch = new ArrayList<>();
          for (int i = from; i < Math.min(connects, from + 500); i++) {
            int index = i;
            long t0 = System.nanoTime();
            batch.add(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(hub.port())
                    .setURI("/eventbus/websocket").addHeader("Cookie", "PHPSESSID=" + ids.get(i % ids.size())))
                .onSuccess(ws -> micros[index] = (System.nanoTime() - t0) / 1000));
          }
          Future.all(batch).await();
          batch.forEach(f -> sockets.add(f.result()));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Arrays.sort(micros);
        JsonObject result = new JsonObject().put("scenario", "quick-handshake").put("cache", phase)
            .put("connects", connects).put("sessions", sessionCount)
            .put("handshakesPerSecond", Math.round(connects / seconds))
            .put("p50ms", micros[connects / 2] / 1000.0).put("p99ms", micros[(int) (connects * 0.99)] / 1000.0)
            .put("queries", hub.hub().sessions().queries() - queriesBefore);
        System.out.printf("%-4s cache: %d connects over %d sessions, %d handshakes/s, p50 %.1f ms, p99 %.1f ms, %d queries%n",
            phase, connects, sessionCount, result.getLong("handshakesPerSecond"), result.getDouble("p50ms"),
            result.getDouble("p99ms"), result.getLong("queries"));
        System.out.println(result.encode());
        Future.all(sockets.stream().map(WebSocket::close).toList()).await();
      }
    }
    if (db.embedded() != null) {
      db.embedded().stop();
    }
    ClientVertx.get().close().await();
  }
}
