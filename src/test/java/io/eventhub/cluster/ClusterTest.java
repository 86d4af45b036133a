package io.eventhub.cluster;

import io.eventhub.testing.Await;
import io.eventhub.testing.BridgeClient;
import io.eventhub.testing.HubProcess;
import io.eventhub.testing.ReadinessPolls;
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
import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three hub processes on loopback as one Hazelcast cluster (static TCP members), WebSocket clients
 * spread over them. One cluster start-up is shared; the kill -9 drill restarts the member it kills.
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
  @DisplayName("kill -9 of a member while events flow: the survivors' clients get every event exactly once, the survivors stay ready and log one line, not stack traces; the member rejoins")
  void killAndRejoin() {
    List<BridgeClient> clients = subscribers("demo.survive", 3);
    List<BridgeClient> survivors = new ArrayList<>(clients.subList(0, 6));
    List<ReadinessPolls> readiness = new ArrayList<>();
    try {
      awaitPropagationSimple(0, "demo.survive", clients);
      // Events through the victim too: it holds event-bus connections to the survivors when it dies.
      awaitPropagationSimple(2, "demo.survive", clients);
      int[] marks = {hubs[0].lines().size(), hubs[1].lines().size()};
      readiness.add(ReadinessPolls.start(hubs[0].port()));
      readiness.add(ReadinessPolls.start(hubs[1].port()));

      Kill kill = publishThroughKill("demo.survive");
      for (BridgeClient client : survivors) {
        List<Integer> received = new ArrayList<>();
        for (int n = 0; n < kill.published(); n++) {
          received.add(client.next().getInteger("body"));
        }
        assertExactlyOnceInPublisherOrder(received, kill.published(), 2);
        assertEquals(0, client.syncSkippingEvents(), "no duplicates after the last event");
      }
      List<List<ReadinessPolls.Answer>> answers = readiness.stream().map(ReadinessPolls::stop).toList();
      List<List<String>> logs = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        List<String> printed = hubs[i].lines();
        logs.add(printed.subList(marks[i], printed.size()));
      }
      System.out.printf("kill -9 drill: the survivors logged the departure %s ms after the kill and counted 2 members within %d ms; "
              + "%d events published through the survivors, each received exactly once by %d clients; readiness answers %s; "
              + "warnings and errors logged %s%n",
          logs.stream().map(log -> noticeDelayMillis(log, kill.wallClock())).toList(), kill.detectedAfterMillis(),
          kill.published(), survivors.size(), answers.stream().map(ClusterTest::statusCounts).toList(),
          logs.stream().map(ClusterTest::warningsAndErrors).toList());
      List<Executable> checks = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        checks.addAll(survivorChecks(i, answers.get(i), logs.get(i)));
      }
      assertAll(checks);

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
      readiness.forEach(ReadinessPolls::stop);
      clients.forEach(BridgeClient::close);
    }
  }

  /** Events published before the kill, and after both survivors have seen the member go. */
  static final int BEFORE_KILL = 50;
  static final int AFTER_DETECTION = 300;
  static final Pattern LOG_LINE = Pattern.compile("^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) (WARN|ERROR)");
  static final String DEPARTURE = "left the cluster";

  /** How the kill went: events published in all, when, and how long until both survivors counted one member less. */
  record Kill(int published, LocalTime wallClock, long detectedAfterMillis) {}

  /**
   * Publishes through the survivors (n % 2) while member 2 is killed, while the survivors notice it and
   * while Hazelcast moves its partitions, and a while after: every step is bounded by a count.
   */
  static Kill publishThroughKill(String address) {
    long killedAt = 0;
    LocalTime wallClock = null;
    long detectedAfterMillis = -1;
    int detectedAt = -1;
    int published = 0;
    while (detectedAt < 0 || published < detectedAt + AFTER_DETECTION) {
      if (published == BEFORE_KILL) {
        wallClock = LocalTime.now();
        killedAt = System.nanoTime();
        hubs[2].kill();
      }
      publish(published % 2, address, published);
      published++;
      if (killedAt != 0 && detectedAt < 0 && membersSeenBySurvivors() == MEMBERS - 1) {
        detectedAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        detectedAt = published;
      }
      assertTrue(published < BEFORE_KILL + 20_000, "the survivors never saw the member leave");
    }
    return new Kill(published, wallClock, detectedAfterMillis);
  }

  /** Survivor {@code i} answered ready throughout, and logged the death as one line. */
  static List<Executable> survivorChecks(int i, List<ReadinessPolls.Answer> polled, List<String> log) {
    String transcript = "\n" + String.join("\n", log);
    return List.of(
        () -> assertTrue(polled.size() > 10, "readiness was polled through the death: " + polled.size()),
        () -> assertEquals(List.of(), ReadinessPolls.notReady(polled).stream().distinct().toList(),
            "survivor " + i + " stays ready while a peer dies: " + statusCounts(polled)),
        () -> assertEquals(List.of(), log.stream().filter(line -> line.startsWith("\tat ") || line.startsWith("Exception in")).toList(),
            "survivor " + i + " logs no stack trace for a member's death:" + transcript),
        () -> assertEquals(1, warningsAndErrors(log).size(), "survivor " + i + " logs one warning, none else:" + transcript),
        () -> assertTrue(warningsAndErrors(log).stream().anyMatch(line -> line.contains(DEPARTURE)), "survivor " + i + " says that the member left:" + transcript));
  }

  static List<String> warningsAndErrors(List<String> log) {
    return log.stream().filter(line -> LOG_LINE.matcher(line).find()).toList();
  }

  /** From the kill to the survivor's line about it, by the wall clock both share. */
  static String noticeDelayMillis(List<String> log, LocalTime killed) {
    return log.stream().filter(line -> line.contains(DEPARTURE)).findFirst()
        .map(line -> Long.toString(Duration.between(killed, LocalTime.parse(line.substring(0, 12))).toMillis()))
        .orElse("(no line)");
  }

  /** The most members either survivor (hubs 0 and 1) still counts. */
  static int membersSeenBySurvivors() {
    return (int) Math.max(Scrape.of(hubs[0].port()).value("eventhub_cluster_members"),
        Scrape.of(hubs[1].port()).value("eventhub_cluster_members"));
  }

  static Map<Integer, Long> statusCounts(List<ReadinessPolls.Answer> answers) {
    return answers.stream().collect(Collectors.groupingBy(ReadinessPolls.Answer::status, TreeMap::new, Collectors.counting()));
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
