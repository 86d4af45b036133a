package io.eventhub.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.eventhub.config.ConfigException;
import io.eventhub.config.HubConfig;
import io.eventhub.testing.TestHub;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Hazelcast configuration the hub builds from cluster.*, and its validation. */
class ClusteringTest {

  static HubConfig.Cluster cluster(JsonObject cluster) {
    return TestHub.load(new JsonObject().put("cluster", cluster.put("enabled", true)), Map.of()).config().cluster();
  }

  @Test
  @DisplayName("static discovery: TCP members, no multicast, bound to the configured interface, Vert.x's maps kept")
  void staticDiscovery() {
    Config config = Clustering.hazelcast(cluster(new JsonObject().put("hazelcastPort", 5801)
        .put("members", List.of("10.0.0.1:5801", "10.0.0.2:5801")).put("host", "127.0.0.1")));
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertFalse(join.getMulticastConfig().isEnabled());
    assertFalse(join.getKubernetesConfig().isEnabled());
    assertTrue(join.getTcpIpConfig().isEnabled());
    assertEquals(List.of("10.0.0.1:5801", "10.0.0.2:5801"), join.getTcpIpConfig().getMembers());
    assertEquals(5801, config.getNetworkConfig().getPort());
    assertTrue(config.getNetworkConfig().getInterfaces().getInterfaces().contains("127.0.0.1"));
    assertEquals(1, config.getMultiMapConfig("__vertx.subs").getBackupCount(), "the subscription table keeps a backup");
    assertEquals("event-hub", config.getClusterName());
  }

  @Test
  @DisplayName("kubernetes discovery: DNS lookup of the headless Service, public address for pods")
  void kubernetesDiscovery() {
    Config config = Clustering.hazelcast(cluster(new JsonObject().put("discovery", "kubernetes")
        .put("kubernetesServiceDns", "event-hub-hazelcast.hub.svc.cluster.local")
        .put("host", "0.0.0.0").put("publicHost", "10.1.2.3")));
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertTrue(join.getKubernetesConfig().isEnabled());
    assertEquals("event-hub-hazelcast.hub.svc.cluster.local", join.getKubernetesConfig().getProperty("service-dns"));
    assertFalse(join.getTcpIpConfig().isEnabled());
    assertEquals("10.1.2.3:5701", config.getNetworkConfig().getPublicAddress());
  }

  @Test
  @DisplayName("cluster settings are validated with the key named")
  void validation() {
    ConfigException noDns = assertThrows(ConfigException.class,
        () -> cluster(new JsonObject().put("discovery", "kubernetes")));
    assertTrue(noDns.problems().get(0).startsWith("cluster.kubernetesServiceDns:"), noDns.problems().toString());
    ConfigException badMember = assertThrows(ConfigException.class,
        () -> cluster(new JsonObject().put("members", List.of("no-port"))));
    assertTrue(badMember.problems().get(0).startsWith("cluster.members:"), badMember.problems().toString());
  }
}
