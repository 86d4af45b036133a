package io.eventhub.transport;

import io.eventhub.bridge.Connections;
import io.eventhub.testing.Await;
import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.TestHub;
import io.eventhub.testing.WebSocketClients;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on the hub as a client with ordinary access would make them, measured where they would
 * hurt: the kernel's socket table and TCP memory, the handshakes of everybody else.
 */
class HostileClientsTest {
  static final int STALLED = 200;
  static final int HEALTHY = 100;
  static final int MAX_EVENTS = 400;
  static final String BODY = "x".repeat(8 * 1024);

  @Test
  @DisplayName("200 never-reading clients are cut off and let go within 2 s, 100 readers get every event meanwhile")
  void neverReadingClients() {
    long memBefore = KernelSockets.tcpMemPages();
    JsonObject config = new JsonObject().put("bridge", new JsonObject().put("writeQueueMaxBytes", 32 * 1024));
    try (TestHub hub = TestHub.start(config)) {
      Connections connections = hub.hub().bridge().connections();
      List<BridgeClient> readers = new ArrayList<>();
      List<StalledSocket> stalled = new ArrayList<>();
      try {
        for (int i = 0; i < HEALTHY; i++) {
          BridgeClient reader = new WebSocketClients.Raw(hub.port());
          reader.register("demo.firehose");
          reader.sync();
          readers.add(reader);
        }
        Set<Integer> stalledPorts = new HashSet<>();
        for (int i = 0; i < STALLED; i++) {
          StalledSocket socket = StalledSocket.subscribe(hub.port(), "demo.firehose");
          stalled.add(socket);
          stalledPorts.add(socket.localPort());
        }
        assertEquals(HEALTHY + STALLED, connections.count());
        Drops drops = new Drops(hub.port(), stalledPorts, connections);

        long worstLatency = 0;
        int events = 0;
        long memPeak = 0;
        // A steady stream, each event awaited by every reader before the next: its latency is the slowest reader's.
        for (; events < MAX_EVENTS && (connections.count() > HEALTHY || events < 100); events++) {
          long sent = System.nanoTime();
          hub.vertx().eventBus().publish("demo.firehose", new JsonObject().put("i", events).put("pad", BODY));
          for (BridgeClient reader : readers) {
            assertEquals(events, reader.next().getJsonObject("body").getInteger("i"), "a reader missed an event");
          }
          worstLatency = Math.max(worstLatency, System.nanoTime() - sent);
          drops.sample();
          memPeak = Math.max(memPeak, KernelSockets.tcpMemPages());
        }
        assertEquals(HEALTHY, connections.count(), "every stalled client was cut off after " + events + " events");
        try {
          Await.until("the kernel holds no socket of a dropped client", Duration.ofSeconds(5), drops::sampleAllGone);
        } catch (AssertionError e) {
          throw new AssertionError(e.getMessage() + "\n" + KernelSockets.describe(hub.port()), e);
        }
        long memAfter = KernelSockets.tcpMemPages();
        System.out.printf("stalled clients: %d events, worst event latency %d ms, drop-to-gone max %d ms (median %d ms),"
                + " TCP mem pages before %d peak %d after %d%n", events, worstLatency / 1_000_000,
            drops.worstMillis(), drops.medianMillis(), memBefore, memPeak, memAfter);
        assertTrue(drops.worstMillis() < 2000, "a dropped client's socket stayed " + drops.worstMillis() + " ms");
        assertTrue(worstLatency < Duration.ofSeconds(2).toNanos(), "readers were held up " + worstLatency / 1_000_000 + " ms");
        // What is left: the stalled clients' own (4 KB) receive buffers, on the client side of this test.
        assertTrue(memAfter - memBefore < STALLED * 4, "TCP memory went from " + memBefore + " to " + memAfter + " pages");
        readers.forEach(r -> assertFalse(r.isClosed()));
      } finally {
        stalled.forEach(StalledSocket::close);
        readers.forEach(BridgeClient::close);
      }
    }
  }

  /**
   * When stalled clients were dropped (the hub's count) and when their sockets left the kernel's
   * table: the k-th drop is matched with the k-th disappearance, as a socket cannot go before its drop.
   */
  private static final class Drops {
    private final int port;
    private final Set<Integer> ports;
    private final Connections connections;
    private final int healthy;
    private final long[] dropped;
    private final long[] gone;

    Drops(int port, Set<Integer> ports, Connections connections) {
      this.port = port;
      this.ports = ports;
      this.connections = connections;
      this.healthy = connections.count() - ports.size();
      this.dropped = new long[ports.size()];
      this.gone = new long[ports.size()];
    }

    void sample() {
      long now = System.nanoTime();
      int droppedSoFar = ports.size() - (connections.count() - healthy);
      Set<Integer> present = KernelSockets.peersOf(port);
      present.retainAll(ports);
      int goneSoFar = ports.size() - present.size();
      for (int k = 0; k < droppedSoFar; k++) {
        if (dropped[k] == 0) {
          dropped[k] = now;
        }
      }
      for (int k = 0; k < goneSoFar; k++) {
        if (gone[k] == 0) {
          gone[k] = now;
        }
      }
    }

    boolean sampleAllGone() {
      sample();
      return gone[gone.length - 1] != 0;
    }

    private long[] delaysMillis() {
      long[] delays = new long[dropped.length];
      for (int k = 0; k < dropped.length; k++) {
        delays[k] = Math.max(0, (gone[k] - dropped[k]) / 1_000_000);
      }
      java.util.Arrays.sort(delays);
      return delays;
    }

    long worstMillis() {
      long[] delays = delaysMillis();
      return delays[delays.length - 1];
    }

    long medianMillis() {
      long[] delays = delaysMillis();
      return delays[delays.length / 2];
    }
  }
}
