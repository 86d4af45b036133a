package io.eventhub.k8s;

import io.eventhub.config.HubConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where SockJS's HTTP fallbacks, which spread one session over several requests, stay on the hub pod
 * that holds the session: the Service for browsers without Apache keeps each client on one pod; the
 * Service Apache's balancer uses does not, since client affinity there would pin each Apache pod to
 * one hub pod.
 */
class SockJsStickinessTest {
  static final String CLIENTS = "event-hub-clients";

  static List<Rendered> renderings() {
    return Rendered.both();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  @DisplayName("the Service for browsers without Apache keeps each client on one hub pod for longer than a SockJS session's pauses")
  void directAccessIsSticky(Rendered k8s) {
    Service clients = k8s.get(Service.class, CLIENTS);
    Map<String, String> hubPods = k8s.hubDeployment().getSpec().getTemplate().getMetadata().getLabels();
    Map<String, String> apachePods = k8s.get(Deployment.class, Rendered.APACHE).getSpec().getTemplate().getMetadata().getLabels();
    assertTrue(Manifests.selects(clients.getSpec().getSelector(), hubPods), "it selects the hub pods");
    assertFalse(Manifests.selects(clients.getSpec().getSelector(), apachePods));

    assertEquals("ClientIP", clients.getSpec().getSessionAffinity(), "kube-proxy keeps a client address on one pod");
    HubConfig.Bridge bridge = k8s.hubConfig().config().bridge();
    long timeoutMillis = clients.getSpec().getSessionAffinityConfig().getClientIP().getTimeoutSeconds() * 1000L;
    assertTrue(timeoutMillis > 100L * Math.max(bridge.sessionTimeoutMillis(), bridge.heartbeatMillis()),
        "the affinity outlives a session's pauses (and a quiet streaming response) by far: " + timeoutMillis + " ms");
    assertEquals("true", clients.getMetadata().getAnnotations().get("traefik.ingress.kubernetes.io/service.sticky.cookie"),
        "Traefik, which sends to the pods itself, sticks by cookie");

    Container hub = k8s.hubContainer();
    List<ServicePort> ports = clients.getSpec().getPorts();
    assertEquals(List.of("http"), ports.stream().map(ServicePort::getName).toList(), "the client port only: no metrics, no cluster ports");
    assertEquals(k8s.hubConfig().config().http().port(), Rendered.resolvePort(hub, ports.get(0).getTargetPort()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  @DisplayName("the Service Apache's balancer members name has no client affinity, so that every Apache pod spreads its clients over all hub pods")
  void apacheSpreads(Rendered k8s) {
    Set<String> members = apacheMemberServices(k8s);
    assertEquals(Set.of(Rendered.HUB), members);
    for (String name : members) {
      Service service = k8s.get(Service.class, name);
      String affinity = service.getSpec().getSessionAffinity();
      assertTrue(affinity == null || affinity.equals("None"), name + " has sessionAffinity " + affinity);
      assertTrue(service.getSpec().getType() == null || service.getSpec().getType().equals("ClusterIP"),
          name + " is for Apache, not for browsers: its fallbacks are not sticky");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  @DisplayName("every other Service that reaches the hubs' client port is sticky")
  void everyOtherClientPathIsSticky(Rendered k8s) {
    Map<String, String> hubPods = k8s.hubDeployment().getSpec().getTemplate().getMetadata().getLabels();
    int http = k8s.hubConfig().config().http().port();
    Set<String> apache = apacheMemberServices(k8s);
    Set<String> sticky = new TreeSet<>();
    for (Service service : Manifests.all(k8s.objects(), Service.class)) {
      if (!Manifests.selects(service.getSpec().getSelector(), hubPods) || apache.contains(service.getMetadata().getName())
          || service.getSpec().getPorts().stream().noneMatch(port -> Rendered.resolvePort(k8s.hubContainer(), port.getTargetPort()) == http)) {
        continue;
      }
      assertEquals("ClientIP", service.getSpec().getSessionAffinity(), service.getMetadata().getName()
          + " reaches the client port without Apache and must keep each client on one pod");
      sticky.add(service.getMetadata().getName());
    }
    assertEquals(Set.of(CLIENTS), sticky);
  }

  /** The Services named by Apache's EVENTHUB_MEMBER* variables (host:port). */
  private static Set<String> apacheMemberServices(Rendered k8s) {
    Container apache = Rendered.container(k8s.get(Deployment.class, Rendered.APACHE), "apache");
    Set<String> services = new TreeSet<>();
    apache.getEnv().stream().filter(var -> var.getName().startsWith("EVENTHUB_MEMBER"))
        .forEach(var -> services.add(var.getValue().split(":")[0]));
    assertFalse(services.isEmpty(), "Apache names its balancer members");
    return services;
  }
}
