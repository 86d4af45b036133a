package io.eventhub.cluster;

import io.eventhub.history.Position;
import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.ClientVertx;
import io.eventhub.testing.HubProcess;
import io.eventhub.testing.TestHub;
import io.eventhub.testing.WebSocketClients;
import io.vertx.core.buffer.Buffer;
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
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * History in Hazelcast across three hub processes: one position sequence for a stream whatever member
 * an event is published on, and a client of a member killed with -9 recovers on another one.
 */
class ClusterHistoryTest {
  static final int MEMBERS = 3;
  static final String STREAM = "test.stream.numbers";
  static int[] hazelcastPorts = new int[MEMBERS];
  static HubProcess[] hubs = new HubProcess[MEMBERS];

  @BeforeAll
  static void startCluster() throws IOException {
    Path dir = Files.createTempDirectory("cluster-history");
    for (int i = 0; i < MEMBERS; i++) {
      hazelcastPorts[i] = HubProcess.freePort();
    }
    String members = IntStream.of(hazelcastPorts).mapToObj(p -> "\"127.0.0.1:" + p + "\"").collect(Collectors.joining(","));
    for (int i = 0; i < MEMBERS; i++) {
      hubs[i] = HubProcess.withConfig(dir, "hub" + i, """
          {"http": {"host": "127.0.0.1", "port": 0, "instances": 1},
           "cluster": {"enabled": true, "host": "127.0.0.1", "hazelcastPort": %d, "members": [%s]},
           "auth": {"mode": "anonymous"},
           "bridge": {"permissions": {"subscribe": ["test.**"], "publish": ["test.**"], "send": []}},
           "history": {"streams": [{"pattern": "test.stream.*", "size": 1000, "ttlSeconds": 600}]},
           "publish": {"token": "%s"},
           "shutdown": {"drainSeconds": 1}}""".formatted(hazelcastPorts[i], members, TestHub.TOKEN));
    }
    for (HubProcess hub : hubs) {
      hub.awaitPort();
    }
    HubProcess.awaitCluster(MEMBERS, Arrays.asList(hubs));
  }

  @AfterAll
  static void stopCluster() {
    for (HubProcess hub : hubs) {
      if (hub != null) {
        hub.close();
      }
    }
  }

  @Test
  @DisplayName("numbers published on each member in turn run without gap or repeat, live and after kill -9 of the client's member")
  void recoversOnAnotherMemberAfterKill() {
    String start = publish(0, 0);
    List<Integer> received = new ArrayList<>();
    String last;
    try (BridgeClient client = new WebSocketClients.Raw(hubs[0].port())) {
      registerSince(client, start);
      List<String> positions = new ArrayList<>();
      for (int n = 1; n <= 30; n++) {
        positions.add(publish(n % MEMBERS, n));
      }
      assertFollow(start, positions);
      last = start;
      for (int n = 1; n <= 30; n++) {
        JsonObject rec = client.next();
        received.add(rec.getInteger("body"));
        last = rec.getJsonObject("headers").getString("position");
        assertEquals(positions.get(n - 1), last, "the position the publish API answered, in order");
      }
      hubs[0].kill();
    }
    // Published while the client is away, through the survivors, as they notice the member is gone.
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
    HttpResponse<Buffer> response = WebClient.create(ClientVertx.get())
        .post(hubs[member].port(), "127.0.0.1", "/api/publish")
        .putHeader("Authorization", "Bearer " + TestHub.TOKEN)
        .sendBuffer(Buffer.buffer(new JsonObject().put("address", STREAM).put("body", n).encode())).await();
    assertEquals(202, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject().getString("position");
  }
}
