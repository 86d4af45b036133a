package io.eventhub.k8s;

import io.eventhub.config.ConfigLoader;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One kustomization rendered (base or an overlay), with what the hub pods get from it: the
 * configuration file from the ConfigMap, the environment from the Deployment, and the effective
 * configuration the hub's own loader makes of both.
 */
record Rendered(Path kustomization, List<HasMetadata> objects) {
  static final String HUB = "event-hub";
  static final String APACHE = "event-hub-apache";
  static final String HEADLESS = "event-hub-hazelcast";
  static final String POD_IP = "10.1.2.3";

  /**
   * Which configuration key each named container port of the hub is: the Services, probes and the
   * NetworkPolicy name these ports, and the hub listens where its configuration says.
   */
  static final Map<String, String> PORT_KEYS = Map.of(
      "http", "http.port",
      "metrics", "metrics.port",
      "hazelcast", "cluster.hazelcastPort",
      "eventbus", "cluster.eventBusPort");

  private static final Map<Path, Rendered> CACHE = new ConcurrentHashMap<>();

  static Rendered of(Path kustomization) {
    return CACHE.computeIfAbsent(kustomization, k -> new Rendered(k, Manifests.render(k)));
  }

  static List<Rendered> both() {
    return List.of(of(Manifests.BASE), of(Manifests.PRODUCTION));
  }

  @Override
  public String toString() {
    return kustomization.toString();
  }

  <T extends HasMetadata> T get(Class<T> type, String name) {
    return Manifests.find(objects, type, name);
  }

  Deployment hubDeployment() {
    return get(Deployment.class, HUB);
  }

  PodSpec hubPod() {
    return hubDeployment().getSpec().getTemplate().getSpec();
  }

  Container hubContainer() {
    return container(hubDeployment(), "hub");
  }

  static Container container(Deployment deployment, String name) {
    return deployment.getSpec().getTemplate().getSpec().getContainers().stream()
        .filter(c -> c.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError(deployment.getMetadata().getName() + " has no container " + name));
  }

  static int containerPort(Container container, String name) {
    return container.getPorts().stream().filter(p -> name.equals(p.getName())).map(ContainerPort::getContainerPort)
        .findFirst().orElseThrow(() -> new AssertionError(container.getName() + " has no port named " + name));
  }

  /** The value a probe or Service port (a number or a container port's name) stands for. */
  static int resolvePort(Container container, io.fabric8.kubernetes.api.model.IntOrString port) {
    return port.getIntVal() != null ? port.getIntVal() : containerPort(container, port.getStrVal());
  }

  /** The ConfigMap mounted at the directory of the file named by the hub's --conf argument. */
  ConfigMap hubConfigMap() {
    Path conf = confFile();
    VolumeMount mount = hubContainer().getVolumeMounts().stream()
        .filter(m -> conf.getParent().equals(Path.of(m.getMountPath()))).findFirst()
        .orElseThrow(() -> new AssertionError("no volume is mounted at " + conf.getParent()));
    Volume volume = hubPod().getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + mount.getName()));
    return get(ConfigMap.class, volume.getConfigMap().getName());
  }

  /** The file the hub is started with: {@code --conf FILE} in the container's arguments. */
  Path confFile() {
    List<String> args = hubContainer().getArgs();
    int at = args.indexOf("--conf");
    if (at < 0 || at + 1 >= args.size()) {
      throw new AssertionError("the hub container is not started with --conf FILE: " + args);
    }
    return Path.of(args.get(at + 1));
  }

  /** The configuration file's text as the pod sees it (the ConfigMap entry named like the file). */
  String hubConfigText() {
    String text = hubConfigMap().getData().get(confFile().getFileName().toString());
    if (text == null) {
      throw new AssertionError("the ConfigMap has no entry " + confFile().getFileName());
    }
    return text;
  }

  /**
   * The Deployment's environment with stand-ins for what only a cluster has: the pod IP for
   * downward-API fields and placeholder text for secrets (long enough for the publish token's rule).
   */
  Map<String, String> hubEnvironment() {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar var : hubContainer().getEnv()) {
      if (var.getValue() != null) {
        env.put(var.getName(), var.getValue());
      } else if (var.getValueFrom() != null && var.getValueFrom().getFieldRef() != null
          && var.getValueFrom().getFieldRef().getFieldPath().equals("status.podIP")) {
        env.put(var.getName(), POD_IP);
      } else if (var.getValueFrom() != null && var.getValueFrom().getSecretKeyRef() != null) {
        env.put(var.getName(), "stand-in-for-" + var.getValueFrom().getSecretKeyRef().getKey());
      } else {
        throw new AssertionError(var.getName() + ": no stand-in for this kind of value: " + var);
      }
    }
    return env;
  }

  /** What the hub's own loader makes of the ConfigMap's file and the Deployment's environment. */
  ConfigLoader.Loaded hubConfig() {
    return ConfigLoader.load(writeHubConfig(), hubEnvironment());
  }

  /** The configuration file written where a hub process can be started with it. */
  Path writeHubConfig() {
    try {
      Path file = Files.createTempFile("k8s-hub", ".json");
      file.toFile().deleteOnExit();
      Files.writeString(file, hubConfigText());
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The value of a configuration key in the effective configuration (e.g. http.port). */
  static Object value(ConfigLoader.Loaded loaded, String path) {
    Object node = loaded.effective();
    for (String part : path.split("\\.")) {
      node = ((io.vertx.core.json.JsonObject) node).getValue(part);
    }
    return node;
  }
}
