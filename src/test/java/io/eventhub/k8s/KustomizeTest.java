package io.eventhub.k8s;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kustomizations render (kustomize as built into kubectl), and render what the files say. */
class KustomizeTest {

  @Test
  @DisplayName("every file and directory a kustomization names exists")
  void referencedFilesExist() throws IOException {
    try (Stream<Path> files = Stream.concat(Files.walk(Path.of("k8s")), Files.walk(Path.of("apache")))) {
      List<Path> kustomizations = files.filter(f -> f.getFileName().toString().equals("kustomization.yaml")).toList();
      assertTrue(kustomizations.containsAll(Stream.of("k8s/base", "k8s/overlays/production", "k8s/components/prometheus-operator",
          "k8s/monitoring", "apache").map(dir -> Path.of(dir, "kustomization.yaml")).toList()), kustomizations.toString());
      for (Path kustomization : kustomizations) {
        for (Path named : namedPaths(kustomization)) {
          assertTrue(Files.exists(named), kustomization + " names " + named + ", which does not exist");
        }
      }
    }
  }

  /** resources, components, patches and generator files of a kustomization, resolved against its directory. */
  @SuppressWarnings("unchecked")
  static List<Path> namedPaths(Path kustomization) throws IOException {
    Map<String, Object> k = new Yaml().load(Files.readString(kustomization));
    Path dir = kustomization.getParent();
    List<Path> paths = new ArrayList<>();
    for (String list : List.of("resources", "components")) {
      ((List<String>) k.getOrDefault(list, List.of())).forEach(p -> paths.add(dir.resolve(p)));
    }
    ((List<Map<String, Object>>) k.getOrDefault("patches", List.of()))
        .forEach(p -> paths.add(dir.resolve((String) p.get("path"))));
    ((List<Map<String, Object>>) k.getOrDefault("configMapGenerator", List.of())).forEach(g ->
        ((List<String>) g.getOrDefault("files", List.of())).forEach(f -> paths.add(dir.resolve(f.substring(f.indexOf('=') + 1)))));
    return paths;
  }

  @Test
  @DisplayName("the base renders every object of the hub, Apache and monitoring, and nothing needs the Prometheus Operator")
  void baseRenders() {
    Rendered base = Rendered.of(Manifests.BASE);
    base.get(Deployment.class, Rendered.HUB);
    base.get(Service.class, Rendered.HUB);
    base.get(Service.class, Rendered.HEADLESS);
    base.get(PodDisruptionBudget.class, Rendered.HUB);
    base.get(HorizontalPodAutoscaler.class, Rendered.HUB);
    base.get(NetworkPolicy.class, Rendered.HUB);
    base.get(Deployment.class, Rendered.APACHE);
    base.get(Service.class, Rendered.APACHE);
    base.get(ConfigMap.class, "event-hub-grafana-dashboard");
    base.get(ConfigMap.class, "event-hub-prometheus-rules");
    assertTrue(base.objects().stream().noneMatch(o -> o.getApiVersion().startsWith("monitoring.coreos.com")),
        "the base applies on a cluster without the operator's CRDs");
    assertTrue(base.objects().stream().allMatch(o -> o.getMetadata().getNamespace() == null),
        "the base leaves the namespace to the overlay (or kubectl -n)");
  }

  @Test
  @DisplayName("the generated ConfigMaps hold the repository's files byte for byte: hub.json, Apache's configuration, dashboard and alert rules")
  void configMapsHoldTheFiles() throws IOException {
    Rendered base = Rendered.of(Manifests.BASE);
    assertEquals(Files.readString(Manifests.BASE.resolve("hub.json")), base.hubConfigText());
    assertTrue(base.hubConfigMap().getMetadata().getName().matches("event-hub-config-[a-z0-9]{10}"),
        "a name with the content's hash, so that a configuration change rolls the pods: " + base.hubConfigMap().getMetadata().getName());

    ConfigMap apache = base.objects().stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
        .filter(c -> c.getMetadata().getName().startsWith("event-hub-apache-config-")).findFirst().orElseThrow();
    assertEquals(Files.readString(Path.of("apache/event-hub.conf")), apache.getData().get("event-hub.conf"));
    assertEquals(Files.readString(Path.of("apache/httpd-container.conf")), apache.getData().get("httpd.conf"));

    assertEquals(Files.readString(Path.of("k8s/monitoring/grafana-dashboard.json")),
        base.get(ConfigMap.class, "event-hub-grafana-dashboard").getData().get("grafana-dashboard.json"));
    assertEquals("1", base.get(ConfigMap.class, "event-hub-grafana-dashboard").getMetadata().getLabels().get("grafana_dashboard"),
        "the label Grafana's dashboard sidecar looks for");
    assertEquals(Files.readString(Path.of("k8s/monitoring/eventhub-alerts.yaml")),
        base.get(ConfigMap.class, "event-hub-prometheus-rules").getData().get("eventhub-alerts.yaml"));
  }

  @Test
  @DisplayName("the production overlay sets namespace, image, replicas, sizes, database host and server name, and adds the ServiceMonitor")
  void productionOverlay() {
    Rendered base = Rendered.of(Manifests.BASE);
    Rendered production = Rendered.of(Manifests.PRODUCTION);
    for (HasMetadata object : production.objects()) {
      assertEquals("event-hub", object.getMetadata().getNamespace(), object.getKind() + " " + object.getMetadata().getName());
    }
    assertEquals("event-hub:latest", base.hubContainer().getImage());
    assertEquals("registry.example.com/event-hub:0.1.0", production.hubContainer().getImage());
    assertEquals(4, production.hubDeployment().getSpec().getReplicas());
    assertEquals(3, production.get(Deployment.class, Rendered.APACHE).getSpec().getReplicas());
    assertEquals("2Gi", production.hubContainer().getResources().getLimits().get("memory").toString());
    assertEquals("mysql.database.svc.cluster.local", production.hubEnvironment().get("HUB_DATABASE_HOST"));
    Set<String> added = new HashSet<>(production.hubEnvironment().keySet());
    assertTrue(added.containsAll(base.hubEnvironment().keySet()), "the overlay's env patch adds to the base's variables, it does not replace them");
    added.removeAll(base.hubEnvironment().keySet());
    assertEquals(Set.of("HUB_DATABASE_HOST"), added);
    assertEquals("events.example.com", Rendered.container(production.get(Deployment.class, Rendered.APACHE), "apache").getEnv().stream()
        .filter(e -> e.getName().equals("EVENTHUB_SERVER_NAME")).findFirst().orElseThrow().getValue());
    assertFalse(production.objects().stream().filter(o -> o.getKind().equals("ServiceMonitor")).toList().isEmpty());
  }
}
