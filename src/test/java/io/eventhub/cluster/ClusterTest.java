package io.eventhub.cluster;

import io.eventhub.testing.Await;
import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.HubProcess;
import io.eventhub.testing.Scrape;
import io.eventhub.testing.TestHub;
import io.eventhub.testing.WebSocketClients;
import io.vertx.core.json.JsonObject;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three hub processes on loopback as one Hazelcast cluster (static TCP members), WebSocket clients
 * spread over them. One cluster start-up is shared; the kill -9 test runs last and restarts the member.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTest {
  static final int MEMBERS = 3;
  static Path dir;
  static int[] hazelcastPorts = new int[MEMBERS];
  static HubProcess[] hubs = new HubProcess[MEMBERS];

  @BeforeAll
  static void startCluster() throws IOException {
    dir = Files.createTempDirectory("cluster");
    for (int i = 0; i < MEMBERS; i++) {
      hazelcastPorts[i] = HubProcess.freePort();
    }
    for (int i = 0; i < MEMBERS; i++) {
      hubs[i] = start(i);
    }
    for (int i = 0; i < MEMBERS; i++) {
      hubs[i].awaitPort();
    }
    awaitMembers(MEMBERS);
  }

  @AfterAll
  static void stopCluster() {
    for (HubProcess hub : hubs) {
      if (hub != null) {
        hub.close();
      }
    }
  }

  static HubProcess start(int index) {
    String members = IntStream.of(hazelcastPorts).mapToObj(p -> "\"127.0.0.1:" + p + "\"").collect(Collectors.joining(","));
    return HubProcess.withConfig(dir, "hub" + index, """
        {"http": {"host": "127.0.0.1", "port": 0, "instances": 1},
         "cluster": {"enabled": true, "host": "127.0.0.1", "hazelcastPort": %d, "members": [%s]},
         "auth": {"mode": "anonymous"},
         "bridge": {"permissions": {"subscribe": ["demo.*", "test.**"], "publish": ["demo.*"], "send": ["test.**"]}},
         "publish": {"token": "%s"},
         "shutdown": {"drainSeconds": 2}}""".formatted(hazelcastPorts[index], members, TestHub.TOKEN));
  }

  static void awaitMembers(int count) {
    HubProcess.awaitCluster(count, Arrays.asList(hubs));
  }

  static void publish(int hub, String address, Object body) {
    TestHub.publish(hubs[hub].port(), address, body);
  }

  /** Clients, {@code perHub} on each live hub, subscribed to {@code address}. */
  static List<BridgeClient> subscribers(String address, int perHub) {
    List<BridgeClient> clients = new ArrayList<>();
    for (HubProcess hub : hubs) {
      if (!hub.process().isAlive()) {
        continue;
      }
      for (int i = 0; i < perHub; i++) {
        BridgeClient client = new WebSocketClients.Raw(hub.port());
        client.register(address);
        client.sync();
        clients.add(client);
      }
    }
    return clients;
  }

  @Test
  @Order(1)
  @DisplayName("an event published on one member reaches every client on every member exactly once, in order")
  void crossInstancePublish() {
    List<BridgeClient> clients = subscribers("demo.cross", 5);
    try {
      awaitPropagationSimple(0, "demo.cross", clients);
      for (int n = 0; n < 49; n++) {
        publish(n % MEMBERS, "demo.cross", new JsonObject().put("n", n));
      }
      // The last one from a bridge client on member 1: client publishes cross members too.
      try (BridgeClient publisher = new WebSocketClients.Raw(hubs[1].port())) {
        publisher.send(new JsonObject().put("type", "publish").put("address", "demo.cross")
            .put("body", new JsonObject().put("n", 49)));
      }
      for (BridgeClient client : clients) {
        List<Integer> received = new ArrayList<>();
        for (int n = 0; n < 50; n++) {
          received.add(client.next().getJsonObject("body").getInteger("n"));
        }
        assertExactlyOnceInPublisherOrder(received, 50, MEMBERS);
      }
      BridgeClient last = clients.get(clients.size() - 1);
      last.sync();
      clients.forEach(c -> assertEquals(0, c.pending(), "no duplicates"));
    } finally {
      clients.forEach(BridgeClient::close);
    }
  }

  @Test
  @Order(2)
  @DisplayName("bus registrations grow with addresses times members, not with clients")
  void registrationCounts() {
    List<BridgeClient> clients = subscribers("demo.counted", 20);
    try {
      double addresses = 0;
      for (HubProcess hub : hubs) {
        Scrape scrape = Scrape.of(hub.port());
        assertEquals(20, scrape.value("eventhub_subscriptions"));
        addresses += scrape.value("eventhub_addresses");
      }
      assertEquals(MEMBERS, addresses, "60 clients on one address: one consumer per member");
    } finally {
      clients.forEach(BridgeClient::close);
    }
  }

  @Test
  @Order(3)
  @DisplayName("send with a reply works across members, both ways")
  void sendReplyAcrossMembers() {
    try (BridgeClient answerer = new WebSocketClients.Raw(hubs[1].port());
         BridgeClient asker = new WebSocketClients.Raw(hubs[2].port())) {
      answerer.register("test.questions");
      answerer.sync();
      JsonObject question = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (question == null) {
        asker.send(new JsonObject().put("type", "send").put("address", "test.questions").put("body", "ping")
            .put("replyAddress", "asker-reply"));
        Await.until("the question or its failure arrives", Duration.ofSeconds(10),
            () -> answerer.pending() > 0 || asker.pending() > 0);
        if (answerer.pending() > 0) {
          question = answerer.next();
        } else {
          JsonObject failure = asker.next(); // NO_HANDLERS until the registration has spread
          assertEquals("asker-reply", failure.getString("address"), failure.encode());
          assertTrue(System.nanoTime() < deadline, "the registration never reached the asker's member");
        }
      }
      assertEquals("ping", question.getString("body"));
      answerer.send(new JsonObject().put("type", "send").put("address", question.getString("replyAddress")).put("body", "pong"));
      JsonObject reply = asker.next();
      assertEquals("asker-reply", reply.getString("address"));
      assertEquals("pong", reply.getString("body"));
    }
  }

  @Test
  @Order(4)
  @DisplayName("publishes to addresses no member listens on are skipped and counted; a new subscriber anywhere is seen")
  void publishToNobody() {
    double before = Scrape.of(hubs[0].port()).value("eventhub_events_unsubscribed_total");
    for (int user = 0; user < 100; user++) {
      publish(0, "demo.offline-user-" + user, "nobody home");
    }
    assertEquals(100, Scrape.of(hubs[0].port()).value("eventhub_events_unsubscribed_total") - before);
    List<BridgeClient> late = new ArrayList<>();
    try {
      BridgeClient client = new WebSocketClients.Raw(hubs[2].port());
      late.add(client);
      client.register("demo.offline-user-7");
      client.sync();
      awaitPropagationSimple(0, "demo.offline-user-7", late);
      publish(0, "demo.offline-user-7", "now online");
      assertEquals("now online", client.next().getString("body"));
    } finally {
      late.forEach(BridgeClient::close);
    }
  }

  @Test
  @Order(6)
  @DisplayName("SIGTERM: the member leaves the cluster cleanly and the others see it go")
  void gracefulLeave() {
    hubs[2].terminate();
    assertEquals(143, hubs[2].waitFor());
    awaitMembers(MEMBERS - 1);
  }

  @Test
  @Order(5)
  @DisplayName("kill -9 of a member while events flow: clients on the survivors lose nothing; the member rejoins")
  void killAndRejoin() {
    List<BridgeClient> clients = subscribers("demo.survive", 3);
    List<BridgeClient> survivors = new ArrayList<>(clients.subList(0, 6));
    try {
      awaitPropagationSimple(0, "demo.survive", clients);
      for (int n = 0; n < 100; n++) {
        if (n == 30) {
          hubs[2].kill();
        }
        publish(n % 2, "demo.survive", n);
      }
      for (BridgeClient client : survivors) {
        List<Integer> received = new ArrayList<>();
        for (int n = 0; n < 100; n++) {
          received.add(client.next().getInteger("body"));
        }
        assertExactlyOnceInPublisherOrder(received, 100, 2);
      }
      hubs[2] = start(2);
      hubs[2].awaitPort();
      awaitMembers(MEMBERS);
      List<BridgeClient> rejoined = subscribers("demo.rejoined", 1);
      clients.addAll(rejoined);
      awaitPropagationSimple(0, "demo.rejoined", rejoined);
      publish(0, "demo.rejoined", "welcome back");
      for (BridgeClient client : rejoined) {
        assertEquals("welcome back", client.next().getString("body"));
      }
    } finally {
      clients.forEach(BridgeClient::close);
    }
  }

  /**
   * Every event 0..count-1 exactly once. Events published through different members have no order
   * between them; those through one member (n % publishers) arrive in publish order.
   */
  static void assertExactlyOnceInPublisherOrder(List<Integer> received, int count, int publishers) {
    assertEquals(IntStream.range(0, count).boxed().toList(), received.stream().sorted().toList(),
        "each event exactly once: " + received);
    for (int p = 0; p < publishers; p++) {
      int publisher = p;
      List<Integer> fromOne = received.stream().filter(n -> n % publishers == publisher).toList();
      assertEquals(fromOne.stream().sorted().toList(), fromOne, "in order per publishing member");
    }
  }

  /** Probes until every client got one (registrations spread asynchronously), then empties their queues. */
  static void awaitPropagationSimple(int hub, String address, List<BridgeClient> clients) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      publish(hub, address, "probe");
      try {
        Await.until("a probe reached every client", Duration.ofMillis(500), () -> clients.stream().allMatch(c -> c.pending() > 0));
        break;
      } catch (AssertionError notYet) {
        assertTrue(System.nanoTime() < deadline, "subscriptions did not reach every member");
      }
    }
    for (BridgeClient client : clients) {
      client.syncSkippingEvents();
    }
  }
}
