package io.eventhub.bench;

import io.eventhub.cluster.Clustering;
import io.eventhub.cluster.SubscribedAddresses;
import io.eventhub.config.HubConfig;
import io.eventhub.delivery.DeliveryLag;
import io.eventhub.delivery.Publisher;
import io.eventhub.history.History;
import io.eventhub.metrics.HubMetrics;
import io.eventhub.presence.HazelcastPresence;
import io.eventhub.presence.MemoryPresence;
import io.eventhub.presence.Presence;
import io.eventhub.presence.PresenceHome;
import io.eventhub.testing.HubProcess;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What presence costs, below the transports: two clustered members in this JVM (each with its own
 * {@link Presence} on {@link HazelcastPresence}), or one member on {@link MemoryPresence}.
 * <ul>
 *   <li>memory: the heap (after a full GC) that N users present costs, on one address and on N
 *   addresses, Hazelcast's primary and backup entries included;</li>
 *   <li>join/leave: with no grace, N users leave member 0, then join on member 1: leave and join
 *   events per second until a listener on the bus has them all; within the grace, N users move from
 *   member 0 to member 1 (a rolling restart): events sent and writes made.</li>
 * </ul>
 * Usage: QuickPresence [users=10000] [cluster|memory]
 */
public final class QuickPresence {
  private static final String ADDRESS = "room.big";

  public static void main(String[] args) throws Exception {
    int users = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    boolean cluster = args.length < 2 || args[1].equals("cluster");
    int members = cluster ? 2 : 1;
    Vertx[] nodes = new Vertx[members];
    int[] ports = {HubProcess.freePort(), HubProcess.freePort()};
    List<String> memberList = List.of("127.0.0.1:" + ports[0], "127.0.0.1:" + ports[1]);
    for (int i = 0; i < members; i++) {
      if (cluster) {
        HubConfig.Cluster config = new HubConfig.Cluster(true, "bench-presence", "127.0.0.1", "", 0, ports[i],
            HubConfig.Discovery.STATIC, memberList, "", false);
        nodes[i] = Vertx.builder().with(new VertxOptions().setEventBusOptions(Clustering.eventBus(config)))
            .withClusterManager(Clustering.clusterManager(config)).buildClustered().await();
      } else {
        nodes[i] = Vertx.vertx();
      }
    }
    System.out.printf("%s, %d users%n", cluster ? "two clustered members (Hazelcast home)" : "one member (memory home)", users);
    memory(nodes, users, 0, 1, ADDRESS);
    memory(nodes, users, 0, users, "room.each.");
    if (cluster) {
      reconnects(nodes, users, 0);
      reconnects(nodes, users, 30);
    }
    for (Vertx node : nodes) {
      node.close().await();
    }
  }

  static Presence[] presences(Vertx[] nodes, int graceSeconds, HubMetrics metrics) {
    HubConfig.Presence config = new HubConfig.Presence(List.of("room.**"), 1_000_000, graceSeconds);
    Presence[] presences = new Presence[nodes.length];
    for (int i = 0; i < nodes.length; i++) {
      Vertx node = nodes[i];
      PresenceHome home = node instanceof VertxInternal internal && internal.clusterManager() instanceof HazelcastClusterManager hz
          ? new HazelcastPresence(node, hz.getHazelcastInstance()) : new MemoryPresence();
      Publisher publisher = new Publisher(node.eventBus(), SubscribedAddresses.of(node), metrics,
          new DeliveryLag(10_000, 100_000), History.NONE);
      presences[i] = new Presence(node, config, home, publisher, metrics);
    }
    return presences;
  }

  /** Heap growth once {@code users} users are present on {@code addresses} addresses, all through member 0. */
  static void memory(Vertx[] nodes, int users, int graceSeconds, int addresses, String address) throws Exception {
    HubMetrics metrics = HubMetrics.none();
    Presence[] presences = presences(nodes, graceSeconds, metrics);
    long before = usedHeapAfterGc();
    for (int n = 0; n < users; n++) {
      presences[0].subscribed(addresses == 1 ? address : address + n, "user-" + n);
    }
    awaitUsers(presences[0], addresses == 1 ? address : address + (users - 1), addresses == 1 ? users : 1);
    Thread.sleep(1000); // the other addresses' writes of the same flush land too; set-up, not a measurement
    long after = usedHeapAfterGc();
    System.out.printf("memory: %,d users on %,d address(es): %,d bytes of heap per present user (this member's counts,"
        + " the entries and their backups)%n", users, addresses, (after - before) / users);
    for (int n = 0; n < users; n++) {
      presences[0].unsubscribed(addresses == 1 ? address : address + n, "user-" + n);
    }
    awaitUsers(presences[0], addresses == 1 ? address : address + (users - 1), 0);
  }

  /** {@code users} present on member 0 all move to member 1, as in a rolling restart of member 0. */
  static void reconnects(Vertx[] nodes, int users, int graceSeconds) throws Exception {
    HubMetrics metrics = HubMetrics.none();
    Presence[] presences = presences(nodes, graceSeconds, metrics);
    AtomicInteger events = new AtomicInteger();
    nodes[1].eventBus().<JsonObject>consumer(Presence.STREAM_PREFIX + ADDRESS, m -> events.incrementAndGet()).completion().await();
    Thread.sleep(1000); // the registration spreads to member 0; set-up, not a measurement
    for (int n = 0; n < users; n++) {
      presences[0].subscribed(ADDRESS, "user-" + n);
    }
    awaitUsers(presences[1], ADDRESS, users);
    awaitCount(events, users, 60);
    events.set(0);
    double writesBefore = metrics.registry().get("eventhub.presence.writes").counter().count();
    if (graceSeconds == 0) {
      // Everybody goes, then everybody comes back on the other member: N leaves, then N joins.
      long start = System.nanoTime();
      for (int n = 0; n < users; n++) {
        presences[0].unsubscribed(ADDRESS, "user-" + n);
      }
      awaitCount(events, users, 120);
      double leaving = (System.nanoTime() - start) / 1e9;
      start = System.nanoTime();
      for (int n = 0; n < users; n++) {
        presences[1].subscribed(ADDRESS, "user-" + n);
      }
      awaitCount(events, 2 * users, 120);
      double joining = (System.nanoTime() - start) / 1e9;
      System.out.printf("no grace: %,d users leave member 0: %,d leaves in %.2f s (%,.0f/s); join on member 1: %,d joins"
              + " in %.2f s (%,.0f/s); %.0f writes%n", users, users, leaving, users / leaving, users, joining, users / joining,
          metrics.registry().get("eventhub.presence.writes").counter().count() - writesBefore);
      for (int n = 0; n < users; n++) {
        presences[1].unsubscribed(ADDRESS, "user-" + n);
      }
      awaitUsers(presences[1], ADDRESS, 0);
    } else {
      long start = System.nanoTime();
      for (int n = 0; n < users; n++) {
        presences[0].unsubscribed(ADDRESS, "user-" + n);
        presences[1].subscribed(ADDRESS, "user-" + n);
      }
      awaitUsers(presences[0], ADDRESS, users);
      Thread.sleep(2000); // what would be sent is sent by now (a flush is 20 ms); the grace is 30 s
      System.out.printf("reconnect to the other member within a %d s grace: %,d users moved, %,d events sent, %.0f writes"
              + " (%.2f s)%n", graceSeconds, users, events.get(),
          metrics.registry().get("eventhub.presence.writes").counter().count() - writesBefore, (System.nanoTime() - start) / 1e9 - 2);
    }
  }

  private static void awaitUsers(Presence presence, String address, int users) throws InterruptedException {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (System.nanoTime() < deadline) {
      JsonObject snapshot = presence.snapshot(address).await();
      if (snapshot.getInteger("userCount") == users) {
        return;
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("presence of " + address + " did not reach " + users + " users");
  }

  private static void awaitCount(AtomicInteger count, int expected, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (count.get() < expected && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    if (count.get() < expected) {
      throw new IllegalStateException("only " + count.get() + " of " + expected + " events");
    }
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
