package io.eventhub.cluster;

import io.eventhub.history.Position;
import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.ClientVertx;
import io.eventhub.testing.HubProcess;
import io.eventhub.testing.TestHub;
import io.eventhub.testing.WebSocketClients;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stream's history really lost in a cluster: of three hub processes, two are killed with -9 at
 * once. Each Ringbuffer has one backup, so the streams whose partition had both copies on the two
 * killed members are gone (about two in three), the others are kept by the survivor. Which streams
 * are which is not chosen: many streams are written, and each must come out either whole in its
 * epoch or empty in a new one, never empty under its old epoch (old positions would match new
 * events) nor old events under a new one.
 */
class ClusterHistoryLossTest {
  static final int MEMBERS = 3;
  static final int STREAMS = 40;
  static final int EVENTS = 3;
  static final HubProcess[] hubs = new HubProcess[MEMBERS];
  static WebClient web;

  @BeforeAll
  static void startCluster() throws IOException {
    web = WebClient.create(ClientVertx.get());
    Path dir = Files.createTempDirectory("cluster-history-loss");
    int[] hazelcastPorts = new int[MEMBERS];
    for (int i = 0; i < MEMBERS; i++) {
      hazelcastPorts[i] = HubProcess.freePort();
    }
    String members = HubProcess.memberList(hazelcastPorts);
    for (int i = 0; i < MEMBERS; i++) {
      hubs[i] = HubProcess.withConfig(dir, "hub" + i, HubProcess.streamMemberConfig(hazelcastPorts[i], members));
    }
    HubProcess.awaitClusterOf(hubs);
  }

  @AfterAll
  static void stopCluster() {
    HubProcess.closeAll(hubs);
  }

  @Test
  @DisplayName("kill -9 of both members holding a stream: new epoch, history_unavailable and 410 with the new position, new events in the new epoch")
  void lostHistoryStartsANewEpoch() {
    // Each stream gets its events from every member in turn.
    List<List<String>> positions = new ArrayList<>();
    for (int s = 0; s < STREAMS; s++) {
      positions.add(new ArrayList<>());
    }
    for (int member = 0; member < EVENTS; member++) {
      JsonArray batch = new JsonArray();
      for (int s = 0; s < STREAMS; s++) {
        batch.add(new JsonObject().put("address", stream(s)).put("body", member + 1));
      }
      JsonArray answered = publish(member, batch).getJsonArray("positions");
      for (int s = 0; s < STREAMS; s++) {
        positions.get(s).add(answered.getString(s));
      }
    }
    try (BridgeClient live = new WebSocketClients.Raw(hubs[2].port())) {
      for (int s = 0; s < STREAMS; s++) {
        live.register(stream(s));
      }
      live.sync();
      // At once: no time for the cluster to copy a partition's last replica elsewhere.
      hubs[0].process().destroyForcibly();
      hubs[1].process().destroyForcibly();
      hubs[0].waitFor();
      hubs[1].waitFor();
      HubProcess.awaitCluster(1, List.of(hubs[2]));

      List<Integer> lost = new ArrayList<>();
      for (int s = 0; s < STREAMS; s++) {
        Position first = Position.parse(positions.get(s).get(0));
        HttpResponse<Buffer> since = history(stream(s), "&since=" + first);
        JsonObject answer = since.bodyAsJsonObject();
        Position now = Position.parse(answer.getString("position"));
        if (since.statusCode() == 200) {
          assertEquals(first.epoch(), now.epoch(), "a kept stream keeps its epoch: " + answer);
          assertEquals(positions.get(s).subList(1, EVENTS), answer.getJsonArray("events").stream()
              .map(e -> ((JsonObject) e).getString("position")).toList(), "a kept stream keeps its events");
          continue;
        }
        assertEquals(410, since.statusCode(), answer.encode());
        assertEquals("history_unavailable", answer.getString("error"));
        assertNotEquals(first.epoch(), now.epoch(), stream(s) + " lost its events but kept its epoch");
        assertEquals(0, now.offset(), "the new epoch holds nothing yet: " + answer);
        JsonObject latest = history(stream(s), "").bodyAsJsonObject();
        assertEquals(now.toString(), latest.getString("position"));
        assertTrue(latest.getJsonArray("events").isEmpty(), "no old event under the new epoch: " + latest);
        lost.add(s);
      }
      assertFalse(lost.isEmpty(), "no stream had both copies on the killed members");
      assertTrue(lost.size() < STREAMS, "every stream lost, though the survivor held a copy of some");

      int s = lost.get(0);
      String oldLast = positions.get(s).get(EVENTS - 1);
      String current = history(stream(s), "").bodyAsJsonObject().getString("position");
      try (BridgeClient back = new WebSocketClients.Raw(hubs[2].port())) {
        registerSince(back, stream(s), oldLast);
        JsonObject err = back.next();
        assertEquals("err", err.getString("type"), err.encode());
        assertEquals("history_unavailable", err.getString("body"));
        assertEquals(current, err.getJsonObject("headers").getString("position"), "the new current position");
        String next = publish(2, new JsonObject().put("address", stream(s)).put("body", "after")).getString("position");
        Position nextPosition = Position.parse(next);
        assertEquals(new Position(Position.parse(current).epoch(), 1), nextPosition, "new events in the new epoch");
        JsonObject rec = back.next();
        assertEquals(next, rec.getJsonObject("headers").getString("position"), "then live");
        JsonObject liveRec = live.next();
        assertEquals(stream(s), liveRec.getString("address"));
        assertEquals(next, liveRec.getJsonObject("headers").getString("position"),
            "a subscriber from before the loss goes on in the new epoch");
      }
      // The new epoch recovers like any other.
      try (BridgeClient again = new WebSocketClients.Raw(hubs[2].port())) {
        registerSince(again, stream(s), current);
        assertEquals("after", again.next().getString("body"));
        assertEquals(0, again.syncSkippingEvents());
      }
    }
  }

  private static String stream(int s) {
    return "test.stream.loss-" + s;
  }

  private static void registerSince(BridgeClient client, String address, String since) {
    client.send(new JsonObject().put("type", "register").put("address", address)
        .put("headers", new JsonObject().put("since", since)));
  }

  private static JsonObject publish(int member, Object json) {
    HttpResponse<Buffer> response = web.post(hubs[member].port(), "127.0.0.1", "/api/publish")
        .putHeader("Authorization", "Bearer " + TestHub.TOKEN)
        .sendBuffer(Buffer.buffer(io.vertx.core.json.Json.encode(json))).await();
    assertEquals(202, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject();
  }

  private static HttpResponse<Buffer> history(String address, String query) {
    return web.get(hubs[2].port(), "127.0.0.1", "/api/history?address=" + address + query)
        .putHeader("Authorization", "Bearer " + TestHub.TOKEN).send().await();
  }
}
