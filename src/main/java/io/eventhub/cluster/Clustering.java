package io.eventhub.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.eventhub.config.HubConfig;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Hazelcast for the clustered event bus, from {@code cluster.*}: Vert.x's own map and multimap
 * settings (backups for the subscription table), bound to one interface, joined by a static TCP
 * member list or by Kubernetes DNS lookup of a headless Service (no API-server permissions needed).
 * Multicast is always off.
 */
public final class Clustering {
  private Clustering() {}

  public static HazelcastClusterManager clusterManager(HubConfig.Cluster cluster) {
    return new HazelcastClusterManager(hazelcast(cluster));
  }

  public static EventBusOptions eventBus(HubConfig.Cluster cluster) {
    EventBusOptions options = new EventBusOptions().setHost(cluster.host()).setPort(cluster.eventBusPort());
    if (!cluster.publicHost().isEmpty()) {
      options.setClusterPublicHost(cluster.publicHost());
    }
    return options;
  }

  static Config hazelcast(HubConfig.Cluster cluster) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(cluster.name());
    config.setLiteMember(cluster.liteMember());
    // Tells hubs from the other Vert.x services that may join the same cluster.
    config.getMemberAttributeConfig().setAttribute(HubMembers.ATTRIBUTE, "1");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    // Vert.x leaves the cluster itself on close; Hazelcast's own hook would race it.
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    // Notice a killed member within seconds, not the default minute.
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", "6");
    config.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
    config.setProperty("hazelcast.merge.next.run.delay.seconds", "5");

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.hazelcastPort()).setPortAutoIncrement(false);
    if (!"0.0.0.0".equals(cluster.host())) {
      config.setProperty("hazelcast.socket.bind.any", "false");
      network.getInterfaces().setEnabled(true).addInterface(cluster.host());
    }
    if (!cluster.publicHost().isEmpty()) {
      network.setPublicAddress(cluster.publicHost() + ":" + cluster.hazelcastPort());
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (cluster.discovery() == HubConfig.Discovery.KUBERNETES) {
      join.getTcpIpConfig().setEnabled(false);
      join.getKubernetesConfig().setEnabled(true)
          .setProperty("service-dns", cluster.kubernetesServiceDns())
          .setProperty("service-port", Integer.toString(cluster.hazelcastPort()));
    } else {
      join.getKubernetesConfig().setEnabled(false);
      join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members());
    }
    return config;
  }
}
