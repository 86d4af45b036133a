package io.eventhub.bench;

import io.eventhub.cluster.Clustering;
import io.eventhub.cluster.SubscribedAddresses;
import io.eventhub.config.HubConfig;
import io.eventhub.testing.HubProcess;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.util.List;

/**
 * Publishes per second on a two-member cluster (both in this JVM): to addresses with a subscriber on
 * the other member, and to per-user addresses nobody listens on. Usage: QuickClusterPublish [count=20000]
 */
public final class QuickClusterPublish {
  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 20000;
    int[] ports = {HubProcess.freePort(), HubProcess.freePort()};
    List<String> members = List.of("127.0.0.1:" + ports[0], "127.0.0.1:" + ports[1]);
    Vertx[] nodes = new Vertx[2];
    for (int i = 0; i < 2; i++) {
      HubConfig.Cluster cluster = new HubConfig.Cluster(true, "bench", "127.0.0.1", "", 0, ports[i],
          HubConfig.Discovery.STATIC, members, "", false);
      nodes[i] = Vertx.builder().with(new VertxOptions().setEventBusOptions(Clustering.eventBus(cluster)))
          .withClusterManager(Clustering.clusterManager(cluster)).buildClustered().await();
    }
    nodes[1].eventBus().consumer("subscribed.address", m -> { }).completion().await();
    Thread.sleep(1000); // let the registration spread; a benchmark set-up step, not a test
    SubscribedAddresses view = SubscribedAddresses.of(nodes[0]);
    for (String kind : List.of("subscribed", "nobody", "nobody-with-view", "subscribed", "nobody", "nobody-with-view")) {
      long start = System.nanoTime();
      for (int n = 0; n < count; n++) {
        String address = kind.equals("subscribed") ? "subscribed.address" : "user." + n + ".inbox";
        if (!kind.equals("nobody-with-view") || view.anywhere(address)) {
          nodes[0].eventBus().publish(address, n);
        }
      }
      // publish() returns at once; a request round trip to the other member marks the end of the queue
      nodes[0].eventBus().request("subscribed.address.end", "").otherwiseEmpty().await();
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("%-16s %9.0f publishes/s (%d in %.2f s)%n", kind, count / seconds, count, seconds);
    }
    latency(nodes);
    for (Vertx node : nodes) {
      node.close().await();
    }
  }

  /** Publish to a consumer on the same member and on the other one, 2,000 events at 1,000/s each. */
  private static void latency(Vertx[] nodes) throws Exception {
    for (int target = 0; target < 2; target++) {
      long[] micros = new long[2000];
      java.util.concurrent.atomic.AtomicInteger received = new java.util.concurrent.atomic.AtomicInteger();
      String address = "latency." + target;
      var consumer = nodes[target].eventBus().<Long>consumer(address,
          m -> micros[received.getAndIncrement()] = (System.nanoTime() - m.body()) / 1000);
      consumer.completion().await();
      Thread.sleep(500); // registration spreads to the other member; set-up, not a measurement
      long start = System.nanoTime();
      for (int n = 0; n < micros.length; n++) {
        long due = start + n * 1_000_000L;
        while (System.nanoTime() < due) {
          Thread.onSpinWait();
        }
        nodes[0].eventBus().publish(address, System.nanoTime());
      }
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (received.get() < micros.length && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      java.util.Arrays.sort(micros);
      System.out.printf("%-16s p50 %.3f ms  p99 %.3f ms  (%d events at 1000/s, publisher on member 0)%n",
          target == 0 ? "same member" : "other member", micros[1000] / 1000.0, micros[1980] / 1000.0, received.get());
      consumer.unregister().await();
    }
  }
}
