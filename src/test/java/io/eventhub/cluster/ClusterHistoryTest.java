package io.eventhub.cluster;

import io.eventhub.history.Position;
import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.ClientVertx;
import io.eventhub.testing.HubProcess;
import io.eventhub.testing.NodeScript;
import io.eventhub.testing.TestHub;
import io.eventhub.testing.WebSocketClients;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * History in Hazelcast across three hub processes: one position sequence for a stream whatever member
 * an event is published on, and a client of a member killed with -9 recovers on another one: a raw
 * WebSocket client sending {@code since} itself, and the hub's hosted client in Node.js; the hosted
 * client drained off its member (4000) recovers with {@code since} too, events published on a third
 * member included.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterHistoryTest {
  static final int MEMBERS = 3;
  static final String STREAM = "test.stream.numbers";
  static int[] hazelcastPorts = new int[MEMBERS];
  static HubProcess[] hubs = new HubProcess[MEMBERS];
  static String[] configs = new String[MEMBERS];
  static Path dir;

  @BeforeAll
  static void startCluster() throws IOException {
    dir = Files.createTempDirectory("cluster-history");
    for (int i = 0; i < MEMBERS; i++) {
      hazelcastPorts[i] = HubProcess.freePort();
    }
    String members = HubProcess.memberList(hazelcastPorts);
    for (int i = 0; i < MEMBERS; i++) {
      configs[i] = HubProcess.streamMemberConfig(hazelcastPorts[i], members);
      hubs[i] = HubProcess.withConfig(dir, "hub" + i, configs[i]);
    }
    HubProcess.awaitClusterOf(hubs);
  }

  @AfterAll
  static void stopCluster() {
    HubProcess.closeAll(hubs);
  }

  @Test
  @Order(1)
  @DisplayName("the hosted client drained off its member (4000) recovers with since on the next one, third-member publishes included, each event once even when it also claims the handover")
  void hostedClientDrained() {
    String address = "test.stream.drain";
    String start = publish(address, 0, 0);
    // Both on hubs[2]; they move on to hubs[0] (bases[1]); hubs[1] is the third member. The second one
    // also has an address without history, so it claims the drain handover too (resume token).
    try (NodeScript streamOnly = NodeScript.start("hosted-failover.js", address, start, base(2), base(0), base(1));
         NodeScript mixed = NodeScript.start("hosted-failover.js", address + ",test.plain.drain", start,
             base(2), base(0), base(1))) {
      List<NodeScript> clients = List.of(streamOnly, mixed);
      for (NodeScript hosted : clients) {
        hosted.expect("open");
        hosted.expect("recovery true " + start);
      }
      List<String> positions = new ArrayList<>();
      for (int n = 1; n <= 10; n++) {
        positions.add(publish(address, n % MEMBERS, n));
      }
      for (NodeScript hosted : clients) {
        assertEquals(IntStream.rangeClosed(1, 10).mapToObj(n -> "event " + n + " " + positions.get(n - 1)).toList(),
            lines(hosted, 10));
      }
      hubs[2].terminate();
      for (NodeScript hosted : clients) {
        assertEquals("reconnecting 4000", hosted.next(BridgeClient.TIMEOUT), hosted.transcript().toString());
      }
      // Published as the clients move: on the third member and on the one they land on.
      for (int n = 11; n <= 30; n++) {
        positions.add(publish(address, n % 2, n));
      }
      for (NodeScript hosted : clients) {
        // The handover may time out on a busy machine (resume_failed): since recovers all the same.
        List<String> after = lines(hosted, 2 + 20, line -> line.startsWith("error {\"type\":\"err\",\"body\":\"resume_failed\""));
        assertEquals("reconnected 1", after.get(0), after.toString());
        assertTrue(after.get(1).startsWith("recovery true "), "recovered, not history_unavailable: " + after);
        assertEquals(IntStream.rangeClosed(11, 30).mapToObj(n -> "event " + n + " " + positions.get(n - 1)).toList(),
            after.subList(2, after.size()), "no gap, no repeat, in order");
      }
      assertEquals(143, hubs[2].waitFor(), hubs[2].output());
    } finally {
      if (!hubs[2].process().isAlive()) {
        hubs[2] = HubProcess.withConfig(dir, "hub2", configs[2]);
        hubs[2].awaitPort();
        HubProcess.awaitCluster(MEMBERS, Arrays.asList(hubs));
      }
    }
  }

  @Test
  @Order(2)
  @DisplayName("numbers published on each member in turn run without gap or repeat, live and after kill -9 of the client's member, for a raw client and the hosted one")
  void recoversOnAnotherMemberAfterKill() {
    String start = publish(0, 0);
    List<Integer> received = new ArrayList<>();
    String last = start;
    // The hosted client, on the same member as the raw one: it recovers by itself, on the next member.
    try (NodeScript hosted = NodeScript.start("hosted-failover.js", STREAM, start, base(0), base(1), base(2))) {
      hosted.expect("open");
      hosted.expect("recovery true " + start);
      List<String> positions = new ArrayList<>();
      try (BridgeClient client = new WebSocketClients.Raw(hubs[0].port())) {
        registerSince(client, start);
        for (int n = 1; n <= 30; n++) {
          positions.add(publish(n % MEMBERS, n));
        }
        assertFollow(start, positions);
        for (int n = 1; n <= 30; n++) {
          JsonObject rec = client.next();
          received.add(rec.getInteger("body"));
          last = rec.getJsonObject("headers").getString("position");
          assertEquals(positions.get(n - 1), last, "the position the publish API answered, in order");
        }
        assertEquals(IntStream.rangeClosed(1, 30).mapToObj(n -> "event " + n + " " + positions.get(n - 1)).toList(),
            lines(hosted, 30), "the hosted client, live");
        hubs[0].kill();
      }
      // Published while the clients are away, through the survivors, as they notice the member is
      // gone; the hosted client comes back when its backoff says, so part of this may reach it live.
      for (int n = 31; n <= 60; n++) {
        publish(1 + n % 2, n);
      }
      try (BridgeClient client = new WebSocketClients.Raw(hubs[1 + received.size() % 2].port())) {
        registerSince(client, last);
        for (int n = 31; n <= 60; n++) {
          received.add(client.next().getInteger("body"));
        }
        publish(2, 61);
        received.add(client.next().getInteger("body"));
        assertEquals(IntStream.rangeClosed(1, 61).boxed().toList(), received, "no gap, no repeat");
        assertEquals(0, client.syncSkippingEvents(), "nothing more");
      }
      List<String> after = lines(hosted, 3 + 31);
      assertEquals(List.of("reconnecting 1006", "reconnected 1"), after.subList(0, 2), after.toString());
      assertTrue(after.get(2).startsWith("recovery true "), "recovered, not history_unavailable: " + after);
      List<String> events = after.subList(3, after.size());
      assertEquals(IntStream.rangeClosed(31, 61).mapToObj(n -> "event " + n).toList(),
          events.stream().map(l -> l.replaceAll(" \\S+$", "")).toList(), "the hosted client: no gap, no repeat");
      assertFollow(positions.get(29), events.stream().map(l -> l.substring(l.lastIndexOf(' ') + 1)).toList());
    }
  }

  /** The next {@code count} lines the script prints, each within the bridge client's timeout. */
  private static List<String> lines(NodeScript script, int count) {
    return lines(script, count, line -> false);
  }

  /** As {@link #lines(NodeScript, int)}, passing over the lines {@code ignored} (at most 10). */
  private static List<String> lines(NodeScript script, int count, Predicate<String> ignored) {
    List<String> lines = new ArrayList<>();
    for (int skipped = 0; lines.size() < count && skipped <= 10; ) {
      String line = script.next(BridgeClient.TIMEOUT);
      if (line == null) {
        throw new AssertionError("no line " + (lines.size() + 1) + " of " + count + " within " + BridgeClient.TIMEOUT
            + "; transcript: " + script.transcript());
      }
      if (ignored.test(line)) {
        skipped++;
      } else {
        lines.add(line);
      }
    }
    assertEquals(count, lines.size(), script.transcript().toString());
    return lines;
  }

  private static String base(int member) {
    return "http://127.0.0.1:" + hubs[member].port();
  }

  private static void registerSince(BridgeClient client, String since) {
    client.send(new JsonObject().put("type", "register").put("address", STREAM)
        .put("headers", new JsonObject().put("since", since)));
  }

  private static void assertFollow(String since, List<String> positions) {
    Position previous = Position.parse(since);
    for (String text : positions) {
      Position position = Position.parse(text);
      assertEquals(new Position(previous.epoch(), previous.offset() + 1), position, "one sequence for the cluster");
      previous = position;
    }
  }

  private static String publish(int member, int n) {
    return publish(STREAM, member, n);
  }

  private static String publish(String address, int member, int n) {
    HttpResponse<Buffer> response = WebClient.create(ClientVertx.get())
        .post(hubs[member].port(), "127.0.0.1", "/api/publish")
        .putHeader("Authorization", "Bearer " + TestHub.TOKEN)
        .sendBuffer(Buffer.buffer(new JsonObject().put("address", address).put("body", n).encode())).await();
    assertEquals(202, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject().getString("position");
  }
}
