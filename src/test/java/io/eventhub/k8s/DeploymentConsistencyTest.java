package io.eventhub.k8s;

import io.eventhub.config.ConfigLoader;
import io.eventhub.config.HubConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rendered manifests (base and production overlay) fit each other and the hub: selectors and
 * the pods they must select, ports and the hub's configuration, environment variables and the
 * configuration keys, secrets and their description, grace period and drain time.
 */
class DeploymentConsistencyTest {

  static List<Rendered> renderings() {
    return Rendered.both();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  @DisplayName("every selector selects the pods it is meant for: Deployments, Services, PDB, HPA, topology spread, ServiceMonitor")
  void selectorsMatchPodLabels(Rendered k8s) {
    Map<String, String> hubPods = k8s.hubDeployment().getSpec().getTemplate().getMetadata().getLabels();
    Deployment apacheDeployment = k8s.get(Deployment.class, Rendered.APACHE);
    Map<String, String> apachePods = apacheDeployment.getSpec().getTemplate().getMetadata().getLabels();
    assertFalse(Manifests.selects(hubPods, apachePods), "hub and Apache pods are told apart by their labels");

    assertTrue(Manifests.selects(k8s.hubDeployment().getSpec().getSelector().getMatchLabels(), hubPods));
    assertTrue(Manifests.selects(apacheDeployment.getSpec().getSelector().getMatchLabels(), apachePods));
    for (String service : List.of(Rendered.HUB, Rendered.HEADLESS)) {
      Map<String, String> selector = k8s.get(Service.class, service).getSpec().getSelector();
      assertTrue(Manifests.selects(selector, hubPods), service + " selects the hub pods");
      assertFalse(Manifests.selects(selector, apachePods), service + " does not select Apache");
    }
    Map<String, String> apacheService = k8s.get(Service.class, Rendered.APACHE).getSpec().getSelector();
    assertTrue(Manifests.selects(apacheService, apachePods));
    assertFalse(Manifests.selects(apacheService, hubPods));

    Map<String, String> pdb = k8s.get(PodDisruptionBudget.class, Rendered.HUB).getSpec().getSelector().getMatchLabels();
    assertTrue(Manifests.selects(pdb, hubPods) && !Manifests.selects(pdb, apachePods));
    k8s.hubPod().getTopologySpreadConstraints().forEach(spread ->
        assertTrue(Manifests.selects(spread.getLabelSelector().getMatchLabels(), hubPods)));

    HorizontalPodAutoscaler hpa = k8s.get(HorizontalPodAutoscaler.class, Rendered.HUB);
    assertEquals("Deployment", hpa.getSpec().getScaleTargetRef().getKind());
    assertEquals(Rendered.HUB, hpa.getSpec().getScaleTargetRef().getName());

    for (HasMetadata monitor : k8s.objects().stream().filter(o -> o.getKind().equals("ServiceMonitor")).toList()) {
      Map<String, Object> spec = serviceMonitorSpec(monitor);
      @SuppressWarnings("unchecked")
      Map<String, String> matchLabels = (Map<String, String>) ((Map<String, Object>) spec.get("selector")).get("matchLabels");
      List<String> selected = Manifests.all(k8s.objects(), Service.class).stream()
          .filter(service -> Manifests.selects(matchLabels, service.getMetadata().getLabels()))
          .map(service -> service.getMetadata().getName()).toList();
      assertEquals(List.of(Rendered.HUB), selected, "the ServiceMonitor selects the hub Service, and only it");
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> serviceMonitorSpec(HasMetadata monitor) {
    return (Map<String, Object>) ((io.fabric8.kubernetes.api.model.GenericKubernetesResource) monitor).getAdditionalProperties().get("spec");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  @DisplayName("the hub's configuration from the ConfigMap and the Deployment's environment loads, without a warning")
  void hubConfigurationLoads(Rendered k8s) {
    ConfigLoader.Loaded loaded = k8s.hubConfig();
    assertEquals(List.of(), loaded.warnings());
    HubConfig config = loaded.config();
    assertFalse(config.database().embedded(), "no embedded database in a pod (the image leaves it out)");
    assertEquals(HubConfig.AuthMode.SESSION, config.auth().mode());
    assertTrue(config.publish().enabled(), "the publish token comes from the Secret");
    assertTrue(config.metrics().enabled() && config.metrics().separatePort(),
        "metrics on a port of their own, so that only Prometheus may reach them");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  @DisplayName("every environment variable of the hub container is a configuration key the hub knows")
  void environmentVariablesAreConfigKeys(Rendered k8s) {
    Set<String> known = ConfigLoader.envNames(ConfigLoader.defaults()).keySet();
    List<EnvVar> env = k8s.hubContainer().getEnv();
    assertFalse(env.isEmpty());
    for (EnvVar var : env) {
      assertTrue(known.contains(var.getName()), var.getName() + " is not a configuration variable; known: " + known);
    }
    assertTrue(k8s.hubContainer().getEnvFrom().isEmpty(), "envFrom would bring in variables no test sees");
    assertEquals(Boolean.FALSE, k8s.hubPod().getEnableServiceLinks(),
        "service links would add variables of Kubernetes' own to the environment");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  @DisplayName("Service, container and probe ports are the ports the hub's configuration listens on")
  void portsMatchTheConfiguration(Rendered k8s) {
    ConfigLoader.Loaded loaded = k8s.hubConfig();
    Container hub = k8s.hubContainer();
    Set<String> names = new TreeSet<>();
    hub.getPorts().forEach(port -> names.add(port.getName()));
    assertEquals(new TreeSet<>(Rendered.PORT_KEYS.keySet()), names, "the hub container declares exactly the hub's ports");
    for (Map.Entry<String, String> port : Rendered.PORT_KEYS.entrySet()) {
      Object configured = Rendered.value(loaded, port.getValue());
      assertEquals(((Number) configured).intValue(), Rendered.containerPort(hub, port.getKey()),
          "container port " + port.getKey() + " is " + port.getValue());
      assertTrue(((Number) configured).intValue() > 0, port.getValue() + " must be fixed, not 0 (any free port)");
    }
    for (String name : List.of(Rendered.HUB, Rendered.HEADLESS)) {
      for (ServicePort port : k8s.get(Service.class, name).getSpec().getPorts()) {
        assertTrue(Rendered.PORT_KEYS.containsKey(port.getName()), name + " port " + port.getName() + " is not a hub port");
        int target = Rendered.resolvePort(hub, port.getTargetPort());
        assertEquals(((Number) Rendered.value(loaded, Rendered.PORT_KEYS.get(port.getName()))).intValue(), target,
            name + " port " + port.getName() + " reaches the port the hub listens on");
      }
    }
    Map<String, String> annotations = k8s.hubDeployment().getSpec().getTemplate().getMetadata().getAnnotations();
    assertEquals("true", annotations.get("prometheus.io/scrape"));
    assertEquals(String.valueOf(loaded.config().metrics().port()), annotations.get("prometheus.io/port"));
    assertEquals("/metrics", annotations.get("prometheus.io/path"));
    for (HasMetadata monitor : k8s.objects().stream().filter(o -> o.getKind().equals("ServiceMonitor")).toList()) {
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> endpoints = (List<Map<String, Object>>) serviceMonitorSpec(monitor).get("endpoints");
      assertEquals(List.of("metrics"), endpoints.stream().map(e -> e.get("port")).toList());
      assertEquals(List.of("/metrics"), endpoints.stream().map(e -> e.get("path")).toList());
      assertTrue(k8s.get(Service.class, Rendered.HUB).getSpec().getPorts().stream().anyMatch(p -> "metrics".equals(p.getName())));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  @DisplayName("the probes call /health/live and /health/ready on the client port")
  void probes(Rendered k8s) {
    Container hub = k8s.hubContainer();
    int http = k8s.hubConfig().config().http().port();
    checkProbe(hub, hub.getStartupProbe(), "/health/live", http);
    checkProbe(hub, hub.getLivenessProbe(), "/health/live", http);
    checkProbe(hub, hub.getReadinessProbe(), "/health/ready", http);
    Probe startup = hub.getStartupProbe();
    assertTrue(startup.getPeriodSeconds() * startup.getFailureThreshold() >= 60,
        "a minute for the start, Hazelcast's join included, before liveness may restart the pod");
    int databaseCheckMillis = k8s.hubConfig().config().database().queryTimeoutMillis();
    assertTrue(hub.getReadinessProbe().getTimeoutSeconds() * 1000 >= databaseCheckMillis + 1000,
        "readiness waits up to database.queryTimeoutMillis for the database check; a probe timeout without a second to spare reads as DOWN");
  }

  private static void checkProbe(Container hub, Probe probe, String path, int port) {
    assertNotNull(probe, path);
    assertEquals(path, probe.getHttpGet().getPath());
    assertEquals(port, Rendered.resolvePort(hub, probe.getHttpGet().getPort()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  @DisplayName("the headless Service is the one Hazelcast's DNS discovery looks up, and the members advertise their pod IP")
  void hazelcastDiscovery(Rendered k8s) {
    HubConfig.Cluster cluster = k8s.hubConfig().config().cluster();
    assertTrue(cluster.enabled());
    assertEquals(HubConfig.Discovery.KUBERNETES, cluster.discovery());
    Service headless = k8s.get(Service.class, Rendered.HEADLESS);
    assertEquals("None", headless.getSpec().getClusterIP());
    assertEquals(Boolean.TRUE, headless.getSpec().getPublishNotReadyAddresses(),
        "a starting pod must find the others before it is ready");
    String[] dns = cluster.kubernetesServiceDns().split("\\.");
    assertEquals(Rendered.HEADLESS, dns[0], "cluster.kubernetesServiceDns names the headless Service");
    String namespace = k8s.hubDeployment().getMetadata().getNamespace();
    if (dns.length > 1 && namespace != null) {
      assertEquals(namespace, dns[1], "a qualified name must carry the namespace the hub runs in");
    }
    assertEquals("0.0.0.0", cluster.host(), "bind every interface of the pod");
    assertEquals(Rendered.POD_IP, cluster.publicHost(), "advertise the pod IP (downward API)");
    assertEquals(cluster.hazelcastPort(), Rendered.resolvePort(k8s.hubContainer(), headless.getSpec().getPorts().get(0).getTargetPort()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  @DisplayName("every secret key the pods reference is in the documented Secret, and every documented key is used")
  void secretKeysAreDocumented(Rendered k8s) {
    Map<String, Set<String>> documented = new HashMap<>();
    for (HasMetadata object : Manifests.load(Manifests.SECRETS_EXAMPLE)) {
      documented.put(object.getMetadata().getName(), ((Secret) object).getStringData().keySet());
    }
    Map<String, Set<String>> referenced = new HashMap<>();
    for (Deployment deployment : Manifests.all(k8s.objects(), Deployment.class)) {
      for (Container container : deployment.getSpec().getTemplate().getSpec().getContainers()) {
        for (EnvVar var : container.getEnv()) {
          SecretKeySelector ref = var.getValueFrom() == null ? null : var.getValueFrom().getSecretKeyRef();
          if (ref != null) {
            referenced.computeIfAbsent(ref.getName(), n -> new HashSet<>()).add(ref.getKey());
          }
        }
      }
      for (Volume volume : deployment.getSpec().getTemplate().getSpec().getVolumes()) {
        if (volume.getSecret() != null) {
          Set<String> keys = referenced.computeIfAbsent(volume.getSecret().getSecretName(), n -> new HashSet<>());
          assertFalse(volume.getSecret().getItems().isEmpty(), "name the keys of " + volume.getSecret().getSecretName());
          volume.getSecret().getItems().forEach(item -> keys.add(item.getKey()));
        }
      }
    }
    assertEquals(documented, referenced);
    assertTrue(Manifests.all(k8s.objects(), Secret.class).isEmpty(), "no Secret is applied from the repository");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  @DisplayName("the grace period covers the preStop pause, the drain and the hub's stop, so no client is cut by SIGKILL")
  void gracePeriodCoversTheDrain(Rendered k8s) {
    int drain = k8s.hubConfig().config().shutdown().drainSeconds();
    List<String> preStop = k8s.hubContainer().getLifecycle().getPreStop().getExec().getCommand();
    assertEquals("sleep", preStop.get(0), "preStop pauses while the endpoints drop the pod: " + preStop);
    int pause = Integer.parseInt(preStop.get(1));
    assertTrue(pause >= 3, "time for kube-proxy and Apache's connections to stop picking this pod");
    // Main's shutdown hook allows the stop drainSeconds + 5 s (the drain, then leaving the cluster);
    // 5 s more for the JVM to end after it.
    int grace = k8s.hubPod().getTerminationGracePeriodSeconds().intValue();
    assertTrue(grace >= pause + drain + 5 + 5, "terminationGracePeriodSeconds " + grace + " < preStop " + pause
        + " + shutdown.drainSeconds " + drain + " + 5 s stop allowance + 5 s margin");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  @DisplayName("rolling updates and disruptions take one hub at a time, and replicas start at the autoscaler's minimum")
  void oneAtATime(Rendered k8s) {
    Deployment hub = k8s.hubDeployment();
    HorizontalPodAutoscaler hpa = k8s.get(HorizontalPodAutoscaler.class, Rendered.HUB);
    assertTrue(hub.getSpec().getReplicas() >= 3, "several members, so one can leave");
    assertEquals(hpa.getSpec().getMinReplicas(), hub.getSpec().getReplicas());
    assertTrue(hpa.getSpec().getMaxReplicas() > hpa.getSpec().getMinReplicas());
    assertEquals(0, hub.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal(),
        "a new pod is ready before an old one drains");
    assertEquals(1, hub.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getIntVal());
    assertEquals(1, k8s.get(PodDisruptionBudget.class, Rendered.HUB).getSpec().getMaxUnavailable().getIntVal());
    assertTrue(hub.getSpec().getMinReadySeconds() > 0, "partitions migrate to the new member before the next old one goes");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  @DisplayName("the NetworkPolicy lets Apache to the client port, Prometheus to the metrics port, hub pods to the cluster ports, and no one else")
  void networkPolicy(Rendered k8s) {
    NetworkPolicy policy = k8s.get(NetworkPolicy.class, Rendered.HUB);
    Map<String, String> hubPods = k8s.hubDeployment().getSpec().getTemplate().getMetadata().getLabels();
    Map<String, String> apachePods = k8s.get(Deployment.class, Rendered.APACHE).getSpec().getTemplate().getMetadata().getLabels();
    assertTrue(Manifests.selects(policy.getSpec().getPodSelector().getMatchLabels(), hubPods));
    assertEquals(List.of("Ingress"), policy.getSpec().getPolicyTypes());

    Map<String, String> allowed = new HashMap<>();
    for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
      assertEquals(1, rule.getFrom().size(), "one kind of peer per rule");
      NetworkPolicyPeer from = rule.getFrom().get(0);
      String who;
      if (from.getNamespaceSelector() != null) {
        assertEquals(Map.of("kubernetes.io/metadata.name", "monitoring"), from.getNamespaceSelector().getMatchLabels());
        assertEquals(Map.of("app.kubernetes.io/name", "prometheus"), from.getPodSelector().getMatchLabels(),
            "Prometheus only, not every pod of the monitoring namespace");
        who = "prometheus";
      } else if (Manifests.selects(from.getPodSelector().getMatchLabels(), apachePods)) {
        assertFalse(Manifests.selects(from.getPodSelector().getMatchLabels(), hubPods));
        who = "apache";
      } else {
        assertTrue(Manifests.selects(from.getPodSelector().getMatchLabels(), hubPods), "unknown peer " + from);
        who = "hub";
      }
      assertFalse(rule.getPorts() == null || rule.getPorts().isEmpty(), who + ": a rule without ports opens every port");
      for (NetworkPolicyPort port : rule.getPorts()) {
        String name = port.getPort().getStrVal();
        Rendered.containerPort(k8s.hubContainer(), name); // the named port exists on the container
        assertEquals(null, allowed.put(name, who), "port " + name + " is opened twice");
      }
    }
    assertEquals(Map.of("http", "apache", "metrics", "prometheus", "hazelcast", "hub", "eventbus", "hub"), allowed);
  }

  private static final Pattern APACHE_VARIABLE = Pattern.compile("\\$\\{([A-Za-z0-9_]+)}");

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  @DisplayName("Apache gets every value its configuration uses, proxies to the hub Service's client port, and finds its files where they are mounted")
  void apache(Rendered k8s) throws IOException {
    Deployment deployment = k8s.get(Deployment.class, Rendered.APACHE);
    Container apache = Rendered.container(deployment, "apache");
    Map<String, String> env = new HashMap<>();
    apache.getEnv().forEach(var -> env.put(var.getName(), var.getValue()));

    Set<String> used = new TreeSet<>();
    for (String file : List.of("apache/event-hub.conf", "apache/httpd-container.conf")) {
      String withoutComments = Files.readString(Path.of(file)).replaceAll("(?m)^\\s*#.*$", "");
      Matcher m = APACHE_VARIABLE.matcher(withoutComments);
      while (m.find()) {
        used.add(m.group(1));
      }
    }
    assertTrue(used.contains("EVENTHUB_MEMBER1"), used.toString());
    assertEquals(used, new TreeSet<>(env.keySet()), "every ${NAME} of the configuration is set, and nothing else");
    Set<String> defines = new TreeSet<>();
    Matcher define = Pattern.compile("(?m)^Define\\s+(\\S+)").matcher(Files.readString(Path.of("apache/event-hub-defines.conf")));
    while (define.find()) {
      defines.add(define.group(1));
    }
    assertTrue(env.keySet().containsAll(defines), "the values event-hub-defines.conf sets outside Kubernetes: " + defines);

    int hubPort = k8s.get(Service.class, Rendered.HUB).getSpec().getPorts().stream()
        .filter(p -> p.getName().equals("http")).findFirst().orElseThrow().getPort();
    for (String member : List.of("EVENTHUB_MEMBER1", "EVENTHUB_MEMBER2")) {
      assertEquals(Rendered.HUB + ":" + hubPort, env.get(member), member + " is the hub Service's client port");
    }
    int https = Rendered.containerPort(apache, "https");
    int http = Rendered.containerPort(apache, "http");
    assertEquals(String.valueOf(https), env.get("EVENTHUB_HTTPS_PORT"));
    assertEquals(String.valueOf(http), env.get("EVENTHUB_HTTP_PORT"));
    for (ServicePort port : k8s.get(Service.class, Rendered.APACHE).getSpec().getPorts()) {
      assertEquals(port.getPort().intValue(), Rendered.resolvePort(apache, port.getTargetPort()),
          "the redirect to https names EVENTHUB_HTTPS_PORT, so outside and inside ports are the same");
    }

    // httpd -f <mount>/httpd.conf, which includes <mount>/event-hub.conf: both keys of the mounted ConfigMap.
    String mount = apache.getVolumeMounts().stream().filter(m -> m.getName().equals("config")).findFirst().orElseThrow().getMountPath();
    List<String> command = apache.getCommand();
    assertEquals(mount + "/httpd.conf", command.get(command.indexOf("-f") + 1));
    String configMap = deployment.getSpec().getTemplate().getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals("config")).findFirst().orElseThrow().getConfigMap().getName();
    Set<String> keys = Manifests.all(k8s.objects(), io.fabric8.kubernetes.api.model.ConfigMap.class).stream()
        .filter(c -> c.getMetadata().getName().equals(configMap)).findFirst().orElseThrow().getData().keySet();
    assertEquals(Set.of("httpd.conf", "event-hub.conf"), keys);
    assertTrue(Files.readString(Path.of("apache/httpd-container.conf")).contains("\nInclude " + mount + "/event-hub.conf\n"));
    String tls = apache.getVolumeMounts().stream().filter(m -> m.getName().equals("tls")).findFirst().orElseThrow().getMountPath();
    Set<String> tlsFiles = new HashSet<>();
    deployment.getSpec().getTemplate().getSpec().getVolumes().stream().filter(v -> v.getName().equals("tls")).findFirst().orElseThrow()
        .getSecret().getItems().forEach(item -> tlsFiles.add(tls + "/" + item.getPath()));
    assertEquals(Set.of(env.get("EVENTHUB_CERT"), env.get("EVENTHUB_KEY")), tlsFiles);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  @DisplayName("the alert rules' job label is the name Prometheus gives the hub's scrape job (the Service's)")
  void alertsJob(Rendered k8s) throws IOException {
    String alerts = Files.readString(Path.of("k8s/monitoring/eventhub-alerts.yaml"));
    Matcher job = Pattern.compile("job=\"([^\"]+)\"").matcher(alerts);
    assertTrue(job.find(), "the EventHubDown alert selects the job");
    assertEquals(k8s.get(Service.class, Rendered.HUB).getMetadata().getName(), job.group(1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  @DisplayName("both Deployments run as non-root with a read-only root file system, and the hub's user is the image's")
  void securityContext(Rendered k8s) throws IOException {
    for (Deployment deployment : Manifests.all(k8s.objects(), Deployment.class)) {
      var pod = deployment.getSpec().getTemplate().getSpec();
      assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot(), deployment.getMetadata().getName());
      for (Container container : pod.getContainers()) {
        assertEquals(Boolean.TRUE, container.getSecurityContext().getReadOnlyRootFilesystem());
        assertEquals(Boolean.FALSE, container.getSecurityContext().getAllowPrivilegeEscalation());
        assertTrue(container.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/tmp")),
            "a writable /tmp (emptyDir) beside the read-only root");
        assertNotNull(container.getResources().getRequests().get("memory"));
        assertNotNull(container.getResources().getLimits().get("memory"));
      }
    }
    assertEquals(ImageTest.imageUser(), k8s.hubPod().getSecurityContext().getRunAsUser().intValue());
  }
}
