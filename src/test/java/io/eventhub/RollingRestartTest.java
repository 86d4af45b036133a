package io.eventhub;

import io.eventhub.protocol.CloseCodes;
import io.eventhub.testing.Await;
import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.Credentials;
import io.eventhub.testing.HubProcess;
import io.eventhub.testing.TestDatabase;
import io.eventhub.testing.TestHub;
import io.eventhub.testing.Transport;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rolling update as Kubernetes or systemd does it: SIGTERM to one of two clustered hub processes
 * while clients on it receive a steady stream of events. Every client is told to reconnect (4000)
 * with a resume token, reconnects to the other instance, and its stream has no gap and no duplicate.
 */
class RollingRestartTest {
  static final String SESSION = "rolling-session-0123456789";
  static final String OTHER_SESSION = "rolling-other-0123456789ab";
  static final String ADDRESS = "demo.rolling";
  /**
   * The leaving instance holds each event for its clients this long: the events still waiting when a
   * resumed client commits must reach it all the same.
   */
  static final int SLOW_FLUSH_MILLIS = 300;

  /** One client's view: the numbers it received, across both connections. */
  record Client(Transport transport, List<Integer> numbers, BridgeClient connection) {
    /** Where the second connection's events begin, for a failure's message. */
    String seam() {
      return transport + " (events after the token from index " + numbers.size() + ")";
    }
  }

  @Test
  @DisplayName("SIGTERM: each client gets 4000 reconnect and a token, resumes on the second instance and misses no event")
  void sigtermHandsClientsOver() throws Exception {
    TestDatabase db = TestDatabase.get();
    db.session(SESSION, 11L, null, 3600);
    db.session(OTHER_SESSION, 12L, null, 3600);
    Path dir = Files.createTempDirectory("rolling");
    int[] hazelcast = {HubProcess.freePort(), HubProcess.freePort()};
    try (HubProcess leaving = HubProcess.withConfig(dir, "leaving", config(db, hazelcast[0], hazelcast, SLOW_FLUSH_MILLIS));
         HubProcess staying = HubProcess.withConfig(dir, "staying", config(db, hazelcast[1], hazelcast, 10))) {
      HubProcess.awaitCluster(2, List.of(leaving, staying));
      Credentials login = Credentials.cookie("PHPSESSID", SESSION);
      List<Client> clients = new ArrayList<>();
      for (Transport transport : Transport.values()) {
        BridgeClient connection = transport.connect(leaving.port(), login);
        connection.register(ADDRESS);
        connection.sync();
        clients.add(new Client(transport, new ArrayList<>(), connection));
      }

      Publishing publishing = new Publishing(staying.port());
      try {
        // Flowing everywhere before the restart: each client has its first event.
        for (Client client : clients) {
          client.numbers().add(number(client.connection().next()));
        }
        leaving.terminate();

        List<String> tokens = new ArrayList<>();
        for (Client client : clients) {
          tokens.add(readUntilToken(client));
          BridgeClient.CloseInfo close = client.connection().awaitClose();
          assertEquals(CloseCodes.RECONNECT, close.code(), client.transport() + ": " + close);
          assertEquals("reconnect", close.reason());
        }

        // A token is worth nothing to another login: refused, and still good for its owner.
        try (BridgeClient intruder = Transport.RAW_WEBSOCKET.connect(staying.port(), Credentials.cookie("PHPSESSID", OTHER_SESSION))) {
          intruder.send(new JsonObject().put("type", "resume").put("token", tokens.get(0)));
          JsonObject refused = intruder.next();
          assertEquals("resume_failed", refused.getString("body"), refused.encode());
          assertTrue(refused.getString("message").contains("another login session"), refused.encode());
        }

        List<Client> resumed = new ArrayList<>();
        List<String> seams = new ArrayList<>();
        for (int i = 0; i < clients.size(); i++) {
          Client client = clients.get(i);
          // What the hosted client does on open: the token first, then its subscriptions.
          BridgeClient connection = client.transport().connect(staying.port(), login);
          connection.send(new JsonObject().put("type", "resume").put("token", tokens.get(i)));
          connection.register(ADDRESS);
          resumed.add(new Client(client.transport(), client.numbers(), connection));
          seams.add(client.seam());
        }
        // Some events after everyone is back, then the last one.
        int last = publishing.stopAfter(50);
        for (Client client : resumed) {
          while (!client.numbers().subList(Math.max(0, client.numbers().size() - 2), client.numbers().size()).equals(List.of(last, last))) {
            JsonObject frame = client.connection().next();
            assertEquals("rec", frame.getString("type"), client.transport() + ": " + frame.encode());
            client.numbers().add(number(frame));
          }
          // The first event may be the second copy of its number.
          List<Integer> numbers = client.numbers().get(0).equals(client.numbers().get(1))
              ? client.numbers() : client.numbers().subList(1, client.numbers().size());
          int first = numbers.get(0);
          assertEquals(IntStream.rangeClosed(first, last).boxed().flatMap(n -> Stream.of(n, n)).toList(), numbers,
              client.transport() + ": every event from its first to the last, once each, in order; " + seams);
          client.connection().close();
        }
      } finally {
        publishing.stop();
      }
      assertEquals(143, leaving.waitFor(), "128 + SIGTERM, after the shutdown hook:\n" + leaving.output());
      assertTrue(leaving.output().contains("Drain complete: " + clients.size() + " clients resumed elsewhere, 0 did not come back"),
          leaving.output());
      assertFalse(leaving.output().contains("Drain time over"), leaving.output());
    }
  }

  static String config(TestDatabase db, int hazelcastPort, int[] hazelcastPorts, int flushIntervalMillis) {
    return """
        {"http": {"host": "127.0.0.1", "port": 0, "instances": 2},
         "cluster": {"enabled": true, "host": "127.0.0.1", "hazelcastPort": %d,
                     "members": ["127.0.0.1:%d", "127.0.0.1:%d"]},
         "auth": {"mode": "session"},
         "database": %s,
         "bridge": {"permissions": {"subscribe": ["demo.*"], "publish": [], "send": []}, "maxMessagesPerSecond": 1000,
                    "flushIntervalMillis": %d},
         "publish": {"token": "%s"},
         "shutdown": {"drainSeconds": 30, "handoverSeconds": 25}}"""
        .formatted(hazelcastPort, hazelcastPorts[0], hazelcastPorts[1], db.hubConfig().encode(), flushIntervalMillis,
            TestHub.TOKEN);
  }

  /** Takes the client's events up to the resume token the draining hub sends before closing. */
  static String readUntilToken(Client client) {
    while (true) {
      JsonObject frame = client.connection().next();
      switch (frame.getString("type")) {
        case "rec" -> client.numbers().add(number(frame));
        case "resume" -> {
          assertNotNull(frame.getString("token"), frame.encode());
          return frame.getString("token");
        }
        default -> throw new AssertionError(client.transport() + ": unexpected " + frame.encode());
      }
    }
  }

  static int number(JsonObject frame) {
    return frame.getJsonObject("body").getInteger("n");
  }

  /** Numbered events through the staying instance's publish API, one after the other, until stopped. */
  static final class Publishing {
    private static final int MAX_EVENTS = 100_000;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger published = new AtomicInteger();
    private final CompletableFuture<Void> done;

    Publishing(int port) {
      done = CompletableFuture.runAsync(() -> {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (running.get() && published.get() < MAX_EVENTS && System.nanoTime() < deadline) {
          int n = published.get() + 1;
          // Twice, the same body: two events, which the handover must not mistake for one.
          TestHub.publish(port, ADDRESS, new JsonObject().put("n", n));
          TestHub.publish(port, ADDRESS, new JsonObject().put("n", n));
          published.set(n);
        }
      });
    }

    /** Publishes {@code more} further events, stops, and returns the number of the last one. */
    int stopAfter(int more) {
      int target = published.get() + more;
      Await.until(more + " more events published", Duration.ofSeconds(60), () -> published.get() >= target || done.isDone());
      stop();
      return published.get();
    }

    void stop() {
      running.set(false);
      done.join();
    }
  }
}
