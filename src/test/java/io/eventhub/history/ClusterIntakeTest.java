package io.eventhub.history;

import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.BusService;
import io.eventhub.testing.ClientVertx;
import io.eventhub.testing.HubProcess;
import io.eventhub.testing.Scrape;
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
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Events a Vert.x service in another JVM publishes straight onto the clustered bus (no hub on its
 * way out) get one position for the whole cluster, are kept in the history, are recovered with
 * {@code since}, also while nobody was subscribed, and still after the hub that gave their positions
 * was killed with -9. Two hub processes and the service in a third.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIntakeTest {
  static final String STREAM = "test.stream.service";
  static final int HUBS = 2;
  static HubProcess[] hubs = new HubProcess[HUBS];
  static HubProcess service;
  static List<String> positions = new ArrayList<>();

  @BeforeAll
  static void startCluster() throws IOException {
    Path dir = Files.createTempDirectory("cluster-intake");
    int[] ports = IntStream.range(0, HUBS + 1).map(i -> HubProcess.freePort()).toArray();
    String members = HubProcess.memberList(ports);
    for (int i = 0; i < HUBS; i++) {
      hubs[i] = HubProcess.withConfig(dir, "hub" + i, HubProcess.streamMemberConfig(ports[i], members));
    }
    service = HubProcess.spawnMain(BusService.class.getName(), Integer.toString(ports[HUBS]), members.replace("\"", ""));
    service.awaitLine("ready");
    // The gauge counts hubs only: the service is a cluster member, not a hub.
    HubProcess.awaitClusterOf(hubs);
  }

  @AfterAll
  static void stopCluster() {
    HubProcess.closeAll(hubs);
    HubProcess.closeAll(service);
  }

  @Test
  @Order(1)
  @DisplayName("a service's events get one position each, the same on every member, in order, each delivered once, and are stored once")
  void positionsForServiceEvents() throws InterruptedException {
    try (BridgeClient first = new WebSocketClients.Raw(hubs[0].port());
         BridgeClient second = new WebSocketClients.Raw(hubs[1].port())) {
      for (BridgeClient client : List.of(first, second)) {
        client.register(STREAM);
        client.sync();
      }
      // Two fan-outs and the intake of the address's home hub.
      awaitConsumers(3);
      for (int n = 1; n <= 10; n++) {
        publishFromService(n);
      }
      List<String> seenByFirst = positionsOf(first, 1, 10);
      assertEquals(seenByFirst, positionsOf(second, 1, 10), "one position per event for the whole cluster");
      assertConsecutive(seenByFirst);
      positions.addAll(seenByFirst);
      // Nothing else may come: an unpositioned copy would be released after the hold.
      Thread.sleep(ClusterIntake.HOLD_MILLIS + 500);
      publishFromService(11);
      for (BridgeClient client : List.of(first, second)) {
        JsonObject next = client.next();
        assertEquals(11, next.getJsonObject("body").getInteger("n"), "no second copy of a service's event: " + next);
      }
      JsonArray stored = historyOn(1, null).getJsonArray("events");
      assertEquals(11, stored.size(), "each event stored once: " + stored);
      for (int i = 0; i < 10; i++) {
        assertEquals(positions.get(i), stored.getJsonObject(i).getString("position"));
        assertEquals(i + 1, stored.getJsonObject(i).getJsonObject("body").getInteger("n"));
      }
      positions.add(stored.getJsonObject(10).getString("position"));
    }
  }

  @Test
  @Order(2)
  @DisplayName("what a service published while nobody was subscribed is recovered with since")
  void recoveredAfterNobodyListened() {
    // Only the intake is left.
    awaitConsumers(1);
    for (int n = 12; n <= 15; n++) {
      publishFromService(n);
    }
    try (BridgeClient client = new WebSocketClients.Raw(hubs[0].port())) {
      registerSince(client, positions.get(positions.size() - 1));
      List<String> recovered = positionsOf(client, 12, 15);
      assertConsecutive(List.of(positions.get(positions.size() - 1), recovered.get(0)));
      assertConsecutive(recovered);
      positions.addAll(recovered);
    }
  }

  @Test
  @Order(3)
  @DisplayName("kill -9 of the hub that gives the positions: the other one takes its intakes over, the history is intact, nothing is given a position twice")
  void intakeMovesWhenItsHubIsKilled() {
    int home = storedOn(0) > 0 ? 0 : 1;
    int survivor = 1 - home;
    assertTrue(storedOn(home) > 0 && storedOn(survivor) == 0,
        "one hub stored the service's events: " + storedOn(0) + " / " + storedOn(1));
    hubs[home].kill();
    HubProcess.awaitCluster(1, List.of(hubs[survivor]));
    // The service's bus publishes to the consumers of the members it knows: not the dead one's.
    service.tell("members 2");
    assertEquals("members 2", service.awaitLine("members "));
    // The survivor's intake (taken over from the map of intakes), nobody subscribed. The service's bus
    // learns of it a little later than its cluster does: probes until one is stored (events published
    // on the bus in between go to no hub, as they would without history).
    awaitConsumers(1);
    String last = positions.get(positions.size() - 1);
    int probes = 0;
    while (historyOn(survivor, last).getJsonArray("events").isEmpty()) {
      assertTrue(++probes < 100, "the survivor's intake never stored a probe");
      service.tell("publish " + STREAM + " " + new JsonObject().put("probe", probes).encode());
      service.awaitLine("published");
    }
    for (int n = 16; n <= 18; n++) {
      publishFromService(n);
    }
    try (BridgeClient client = new WebSocketClients.Raw(hubs[survivor].port())) {
      registerSince(client, last);
      List<String> recovered = new ArrayList<>(List.of(last));
      JsonObject rec = client.next();
      while (rec.getJsonObject("body").containsKey("probe")) {
        recovered.add(rec.getJsonObject("headers").getString("position"));
        rec = client.next();
      }
      assertEquals(16, rec.getJsonObject("body").getInteger("n"), rec.encode());
      recovered.add(rec.getJsonObject("headers").getString("position"));
      recovered.addAll(positionsOf(client, 17, 18));
      assertConsecutive(recovered);
    }
    JsonArray all = historyOn(survivor, null).getJsonArray("events");
    assertEquals(IntStream.rangeClosed(1, 18).boxed().toList(), all.stream().map(e -> ((JsonObject) e).getJsonObject("body"))
        .filter(body -> !body.containsKey("probe")).map(body -> body.getInteger("n")).toList(), "all kept, once each");
  }

  private static void awaitConsumers(int count) {
    service.tell("consumers " + STREAM + " " + count);
    assertEquals("consumers " + count, service.awaitLine("consumers "), "consumers on " + STREAM);
  }

  private static void publishFromService(int n) {
    service.tell("publish " + STREAM + " " + new JsonObject().put("n", n).encode());
    service.awaitLine("published");
  }

  private static void registerSince(BridgeClient client, String since) {
    client.send(new JsonObject().put("type", "register").put("address", STREAM)
        .put("headers", new JsonObject().put("since", since)));
  }

  /** The positions of the next events, which must be numbers {@code from} to {@code to}. */
  private static List<String> positionsOf(BridgeClient client, int from, int to) {
    List<String> seen = new ArrayList<>();
    for (int n = from; n <= to; n++) {
      JsonObject rec = client.next();
      assertEquals("rec", rec.getString("type"), rec.encode());
      assertEquals(n, rec.getJsonObject("body").getInteger("n"), "in order, without gap or repeat: " + rec);
      JsonObject headers = rec.getJsonObject("headers");
      assertNotNull(headers, "a position: " + rec);
      assertFalse(headers.containsKey("hub-intake"), "the hub's own headers stay inside: " + rec);
      seen.add(headers.getString("position"));
    }
    return seen;
  }

  private static void assertConsecutive(List<String> texts) {
    for (int i = 1; i < texts.size(); i++) {
      Position previous = Position.parse(texts.get(i - 1));
      assertEquals(new Position(previous.epoch(), previous.offset() + 1), Position.parse(texts.get(i)), texts.toString());
    }
  }

  private static double storedOn(int hub) {
    return Scrape.of(hubs[hub].port()).value("eventhub_history_stored_total");
  }

  private static JsonObject historyOn(int hub, String since) {
    HttpResponse<Buffer> response = WebClient.create(ClientVertx.get())
        .get(hubs[hub].port(), "127.0.0.1", "/api/history?address=" + STREAM + "&limit=100"
            + (since == null ? "" : "&since=" + since))
        .putHeader("Authorization", "Bearer " + TestHub.TOKEN).send().await();
    assertEquals(200, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject();
  }
}
