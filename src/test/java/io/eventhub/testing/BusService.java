package io.eventhub.testing;

import com.hazelcast.config.Config;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A Vert.x service in a JVM of its own, no hub: it joins the hubs' cluster as any application would
 * (its own Hazelcast configuration from Vert.x's defaults, the cluster's name and member list) and does
 * what its standard input says, one line each:
 * <ul>
 *   <li>{@code consumers ADDRESS N}: waits until exactly N consumers of live members are registered on ADDRESS, prints {@code consumers N};</li>
 *   <li>{@code members N}: waits until it sees exactly N cluster members (itself included), prints {@code members N};</li>
 *   <li>{@code publish ADDRESS JSON}: publishes the JSON object on the bus, prints {@code published}.</li>
 * </ul>
 * Arguments: its Hazelcast port and the members' {@code host:port} list, comma-separated. Prints
 * {@code ready} once in the cluster.
 */
public final class BusService {
  private BusService() {}

  public static void main(String[] args) throws Exception {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName("event-hub");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", "6");
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.getNetworkConfig().setPort(Integer.parseInt(args[0])).setPortAutoIncrement(false)
        .getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
    config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
    config.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).setMembers(List.of(args[1].split(",")));
    HazelcastClusterManager manager = new HazelcastClusterManager(config);
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1")))
        .withClusterManager(manager).buildClustered().toCompletionStage().toCompletableFuture().get();
    System.out.println("ready");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      String[] command = line.split(" ", 3);
      if (command[0].equals("consumers")) {
        int wanted = Integer.parseInt(command[2]);
        long deadline = System.nanoTime() + 60_000_000_000L;
        int count = consumers(manager, command[1]);
        while (count != wanted && System.nanoTime() < deadline) {
          Thread.sleep(20); // polling the cluster: it has no event for "the count is now N" to wait on
          count = consumers(manager, command[1]);
        }
        System.out.println("consumers " + count);
      } else if (command[0].equals("members")) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (manager.getNodes().size() != Integer.parseInt(command[1]) && System.nanoTime() < deadline) {
          Thread.sleep(20); // as above
        }
        System.out.println("members " + manager.getNodes().size());
      } else if (command[0].equals("publish")) {
        vertx.eventBus().publish(command[1], new JsonObject(command[2]));
        System.out.println("published");
      }
    }
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  /** The consumers on {@code address} that this member's bus would publish to: those of live members. */
  private static int consumers(HazelcastClusterManager manager, String address) throws Exception {
    Promise<List<RegistrationInfo>> registrations = Promise.promise();
    manager.getRegistrations(address, registrations);
    List<String> nodes = manager.getNodes();
    return (int) registrations.future().toCompletionStage().toCompletableFuture().get().stream()
        .filter(registration -> nodes.contains(registration.nodeId())).count();
  }
}
