package io.eventhub.history;

import io.eventhub.config.ConfigException;
import io.eventhub.config.HubConfig;
import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.ClientVertx;
import io.eventhub.testing.TestHub;
import io.eventhub.testing.Transport;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** History and recovery on a single hub (the in-memory home), over real WebSocket and SockJS clients. */
class HistoryTest {
  static final JsonArray STREAMS = new JsonArray()
      .add(new JsonObject().put("pattern", "test.stream.*").put("size", 1000).put("ttlSeconds", 600))
      .add(new JsonObject().put("pattern", "test.short.{userId}").put("size", 5).put("ttlSeconds", 600));
  static TestHub hub;
  static WebClient web;

  @BeforeAll
  static void start() {
    hub = TestHub.start(new JsonObject().put("history", new JsonObject().put("streams", STREAMS)));
    web = WebClient.create(ClientVertx.get());
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"RAW_WEBSOCKET", "SOCKJS_WEBSOCKET"})
  @DisplayName("a client back with its last position gets what it missed (publish API and bus alike), in order, then live")
  void recoversWhatItMissed(Transport transport) {
    String address = "test.stream." + transport.name().toLowerCase();
    String last;
    try (BridgeClient client = transport.connect(hub.port())) {
      client.register(address);
      client.sync();
      String first = publish(address, 1).getString("position");
      JsonObject rec = client.next();
      assertEquals(1, rec.getInteger("body"));
      assertEquals(first, rec.getJsonObject("headers").getString("position"), "the rec frame carries the position");
      last = first;
    }
    // Missed while away: through the publish API, and straight on the bus as another service would.
    publish(address, 2);
    hub.vertx().eventBus().publish(address, 3, new DeliveryOptions().addHeader("kind", "bus"));
    publish(address, 4);
    try (BridgeClient client = transport.connect(hub.port())) {
      registerSince(client, address, last);
      List<JsonObject> replayed = List.of(client.next(), client.next(), client.next());
      assertEquals(List.of(2, 3, 4), replayed.stream().map(f -> f.getInteger("body")).toList());
      assertEquals("bus", replayed.get(1).getJsonObject("headers").getString("kind"));
      assertOffsetsFollow(last, replayed);
      publish(address, 5);
      JsonObject live = client.next();
      assertEquals(5, live.getInteger("body"));
      assertOffsetsFollow(replayed.get(2).getJsonObject("headers").getString("position"), List.of(live));
      assertEquals(0, client.syncSkippingEvents(), "nothing replayed twice");
    }
  }

  @Test
  @DisplayName("events published while the replay is read come after it: no gap, no duplicate, in position order")
  void recoveryRacingPublishes() {
    String address = "test.stream.race";
    String since = publish(address, 0).getString("position");
    for (int i = 1; i <= 200; i++) {
      publish(address, i);
    }
    int total = 600;
    try (BridgeClient client = Transport.RAW_WEBSOCKET.connect(hub.port())) {
      // Bus publishes from the hub's own event loop run on while the register is handled.
      hub.vertx().runOnContext(v -> {
        for (int i = 201; i <= total; i++) {
          hub.vertx().eventBus().publish(address, i);
        }
      });
      registerSince(client, address, since);
      List<JsonObject> frames = new ArrayList<>();
      for (int i = 1; i <= total; i++) {
        frames.add(client.next());
      }
      assertEquals(java.util.stream.IntStream.rangeClosed(1, total).boxed().toList(),
          frames.stream().map(f -> f.getInteger("body")).toList());
      assertOffsetsFollow(since, frames);
    }
  }

  @Test
  @DisplayName("a register with since and ack is answered with recovered (where the replay ends, how many) ahead of the replay, even when nothing was missed")
  void recoveredFrameOnRequest() {
    String address = "test.stream.ack";
    String since = publish(address, 1).getString("position");
    try (BridgeClient client = Transport.SOCKJS_WEBSOCKET.connect(hub.port())) {
      registerSinceWithAck(client, address, since);
      JsonObject nothingMissed = client.next();
      assertEquals(new JsonObject().put("type", "recovered").put("address", address)
          .put("headers", new JsonObject().put("position", since).put("replayed", "0")), nothingMissed);
      String next = publish(address, 2).getString("position");
      assertEquals(next, client.next().getJsonObject("headers").getString("position"), "then live");
    }
    String last = publish(address, 3).getString("position");
    try (BridgeClient client = Transport.RAW_WEBSOCKET.connect(hub.port())) {
      registerSinceWithAck(client, address, since);
      JsonObject recovered = client.next();
      assertEquals("recovered", recovered.getString("type"), recovered.encode());
      assertEquals(new JsonObject().put("position", last).put("replayed", "2"), recovered.getJsonObject("headers"));
      assertEquals(List.of(2, 3), List.of(client.next().getInteger("body"), client.next().getInteger("body")));
      assertEquals(0, client.syncSkippingEvents(), "nothing else");
    }
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"RAW_WEBSOCKET", "SOCKJS_WEBSOCKET"})
  @DisplayName("a foreign epoch or a trimmed position gets history_unavailable with the current position, then live")
  void unavailable(Transport transport) {
    String address = "test.short." + transport.name().toLowerCase();
    String oldest = publish(address, 0).getString("position");
    String current = oldest;
    for (int i = 1; i <= 7; i++) {
      current = publish(address, i).getString("position");
    }
    String epoch = current.substring(0, current.indexOf(':'));
    try (BridgeClient trimmed = transport.connect(hub.port());
         BridgeClient foreign = transport.connect(hub.port())) {
      registerSince(trimmed, address, oldest);
      registerSince(foreign, address, "other" + epoch + ":3");
      for (BridgeClient client : List.of(trimmed, foreign)) {
        JsonObject err = client.next();
        assertEquals("err", err.getString("type"), err.encode());
        assertEquals("history_unavailable", err.getString("body"));
        assertEquals(address, err.getString("address"));
        assertEquals(current, err.getJsonObject("headers").getString("position"));
      }
      String next = publish(address, 8).getString("position");
      for (BridgeClient client : List.of(trimmed, foreign)) {
        assertEquals(next, client.next().getJsonObject("headers").getString("position"), "then live");
      }
    }
    // The oldest kept event is still recoverable from the one before it.
    try (BridgeClient client = transport.connect(hub.port())) {
      registerSince(client, address, epoch + ":4");
      assertEquals(List.of(4, 5, 6, 7, 8), List.of(client.next(), client.next(), client.next(), client.next(),
          client.next()).stream().map(f -> f.getInteger("body")).toList());
    }
  }

  @Test
  @DisplayName("an address that matches no stream behaves as before: no position anywhere, since ignored")
  void otherAddressesUnchanged() {
    try (BridgeClient client = Transport.RAW_WEBSOCKET.connect(hub.port())) {
      client.send(new JsonObject().put("type", "register").put("address", "test.plain")
          .put("headers", new JsonObject().put("since", "x:1")));
      client.sync();
      JsonObject answer = publish("test.plain", "hi");
      assertEquals(new JsonObject().put("accepted", 1), answer);
      JsonObject rec = client.next();
      assertEquals("hi", rec.getString("body"));
      assertNull(rec.getJsonObject("headers"));
    }
  }

  @Test
  @DisplayName("a batch publish answers one position per event, null for addresses without history")
  void batchPositions() {
    JsonArray batch = new JsonArray()
        .add(new JsonObject().put("address", "test.stream.batch").put("body", 1))
        .add(new JsonObject().put("address", "test.plain").put("body", 2))
        .add(new JsonObject().put("address", "test.stream.batch").put("body", 3));
    JsonObject answer = post(batch);
    JsonArray positions = answer.getJsonArray("positions");
    assertEquals(3, answer.getInteger("accepted"));
    assertNull(positions.getValue(1));
    Position a = Position.parse(positions.getString(0));
    Position b = Position.parse(positions.getString(2));
    assertEquals(a.epoch(), b.epoch());
    assertEquals(a.offset() + 1, b.offset());
  }

  @Test
  @DisplayName("GET /api/history: the latest events, those since a position, 410 for a foreign or trimmed one")
  void historyApi() {
    String address = "test.stream.api";
    String first = publish(address, "a").getString("position");
    publish(address, "b");
    String last = publish(address, "c").getString("position");
    JsonObject latest = get("?address=" + address + "&limit=2", 200);
    assertEquals(last, latest.getString("position"));
    assertEquals(List.of("b", "c"), bodies(latest));
    JsonObject since = get("?address=" + address + "&since=" + first, 200);
    assertEquals(List.of("b", "c"), bodies(since));
    assertEquals(last, since.getJsonArray("events").getJsonObject(1).getString("position"));
    JsonObject page = get("?address=" + address + "&since=" + first + "&limit=1", 200);
    assertEquals(List.of("b"), bodies(page));
    assertNotEquals(last, page.getString("position"), "a cut page says how far it goes, not the tail");
    JsonObject gone = get("?address=" + address + "&since=nope:1", 410);
    assertEquals("history_unavailable", gone.getString("error"));
    assertEquals(last, gone.getString("position"));
    String trimmed = publish("test.short.api", 0).getString("position");
    String shortLast = trimmed;
    for (int i = 1; i <= 6; i++) {
      shortLast = publish("test.short.api", i).getString("position");
    }
    JsonObject cut = get("?address=test.short.api&since=" + trimmed, 410);
    assertEquals("history_unavailable", cut.getString("error"), "a trimmed position is gone too");
    assertEquals(shortLast, cut.getString("position"));
    get("?address=test.plain", 404);
    assertEquals(401, web.get(hub.port(), "127.0.0.1", "/api/history?address=" + address).send().await().statusCode());
  }

  @Test
  @DisplayName("the hub's route probes on a stream address are nobody's event: neither stored nor delivered")
  void probesAreNotStored() throws Exception {
    String address = "test.stream.probed";
    String first = publish(address, 1).getString("position");
    try (BridgeClient client = Transport.RAW_WEBSOCKET.connect(hub.port())) {
      client.register(address);
      client.sync();
      hub.hub().bridge().fanOut().routed(address).await(10, java.util.concurrent.TimeUnit.SECONDS);
      publish(address, 2);
      JsonObject live = client.next();
      assertEquals(2, live.getInteger("body"), live.encode());
      assertOffsetsFollow(first, List.of(live));
    }
    assertEquals(List.of(1, 2), bodies(get("?address=" + address, 200)));
  }

  @Test
  @DisplayName("metrics: events stored, recoveries by outcome, events replayed, read latency")
  void metrics() {
    var registry = hub.hub().metrics().registry();
    double recovered = count(registry, "eventhub.history.recoveries", "recovered");
    double unavailable = count(registry, "eventhub.history.recoveries", "unavailable");
    double replayed = count(registry, "eventhub.history.replayed", null);
    double stored = count(registry, "eventhub.history.stored", null);
    String address = "test.stream.metrics";
    String since = publish(address, 1).getString("position");
    publish(address, 2);
    publish(address, 3);
    try (BridgeClient ok = Transport.RAW_WEBSOCKET.connect(hub.port());
         BridgeClient gone = Transport.RAW_WEBSOCKET.connect(hub.port())) {
      registerSince(ok, address, since);
      registerSince(gone, address, "elsewhere:1");
      assertEquals(List.of(2, 3), List.of(ok.next().getInteger("body"), ok.next().getInteger("body")));
      assertEquals("history_unavailable", gone.next().getString("body"));
    }
    assertEquals(recovered + 1, count(registry, "eventhub.history.recoveries", "recovered"));
    assertEquals(unavailable + 1, count(registry, "eventhub.history.recoveries", "unavailable"));
    assertEquals(replayed + 2, count(registry, "eventhub.history.replayed", null));
    assertEquals(stored + 3, count(registry, "eventhub.history.stored", null));
    assertTrue(registry.get("eventhub.history.read.duration").timer().count() >= 2);
  }

  private static double count(io.micrometer.core.instrument.MeterRegistry registry, String name, String outcome) {
    var search = registry.find(name);
    var counter = (outcome == null ? search : search.tag("outcome", outcome)).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  @DisplayName("history.streams is validated: bounds, pattern syntax, unknown keys, each named by its path; env too")
  void configValidated() {
    JsonArray bad = new JsonArray()
        .add(new JsonObject().put("pattern", "ok.*").put("size", 0).put("ttlSeconds", 60))
        .add(new JsonObject().put("pattern", "bad pattern!").put("size", 10).put("ttlSeconds", 99_999_999))
        .add(new JsonObject().put("pattern", "x").put("size", 10).put("ttlSeconds", 60).put("ttl", 1))
        .add("nope");
    ConfigException e = assertThrows(ConfigException.class, () -> TestHub.load(
        TestHub.baseConfig().put("history", new JsonObject().put("streams", bad)), Map.of()));
    String message = e.getMessage();
    for (String expected : List.of("history.streams[0].size", "history.streams[1].pattern",
        "history.streams[1].ttlSeconds", "history.streams[2].ttl: unknown key", "history.streams[3]: must be an object")) {
      assertTrue(message.contains(expected), "names " + expected + ": " + message);
    }
    HubConfig fromEnv = TestHub.load(TestHub.baseConfig(), Map.of("HUB_HISTORY_STREAMS",
        "[{\"pattern\":\"a.*\",\"size\":3,\"ttlSeconds\":9}]")).config();
    assertEquals(List.of(new HubConfig.Stream("a.*", 3, 9)), fromEnv.history().streams());
    assertFalse(TestHub.load(TestHub.baseConfig(), Map.of()).config().history().streams().iterator().hasNext(),
        "no streams by default");
  }

  private static void registerSince(BridgeClient client, String address, String since) {
    client.send(new JsonObject().put("type", "register").put("address", address)
        .put("headers", new JsonObject().put("since", since)));
  }

  private static void registerSinceWithAck(BridgeClient client, String address, String since) {
    client.send(new JsonObject().put("type", "register").put("address", address)
        .put("headers", new JsonObject().put("since", since).put("ack", "true")));
  }

  /** Each frame's position is the one after the previous, in the same epoch. */
  private static void assertOffsetsFollow(String since, List<JsonObject> frames) {
    Position previous = Position.parse(since);
    for (JsonObject frame : frames) {
      Position position = Position.parse(frame.getJsonObject("headers").getString("position"));
      assertEquals(new Position(previous.epoch(), previous.offset() + 1), position, frame.encode());
      previous = position;
    }
  }

  private static List<Object> bodies(JsonObject answer) {
    return answer.getJsonArray("events").stream().map(e -> ((JsonObject) e).getValue("body")).toList();
  }

  private static JsonObject publish(String address, Object body) {
    return post(new JsonObject().put("address", address).put("body", body));
  }

  private static JsonObject post(Object json) {
    HttpResponse<Buffer> response = web.post(hub.port(), "127.0.0.1", "/api/publish")
        .putHeader("Authorization", "Bearer " + TestHub.TOKEN)
        .sendBuffer(Buffer.buffer(io.vertx.core.json.Json.encode(json))).await();
    assertEquals(202, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject();
  }

  private static JsonObject get(String query, int status) {
    HttpResponse<Buffer> response = web.get(hub.port(), "127.0.0.1", "/api/history" + query)
        .putHeader("Authorization", "Bearer " + TestHub.TOKEN).send().await();
    assertEquals(status, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject();
  }
}
