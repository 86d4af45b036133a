package io.eventhub.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Assumptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The Kubernetes manifests under k8s/, loaded into fabric8's Kubernetes model as strictly as the API
 * server reads them: a field the model does not know (a typo, a wrong indentation level) and a value
 * of the wrong type (an unquoted number where a string belongs) are failures, not silently kept.
 */
final class Manifests {
  static final Path K8S = Path.of("k8s");
  static final Path BASE = K8S.resolve("base");
  static final Path PRODUCTION = K8S.resolve("overlays/production");
  static final Path SECRETS_EXAMPLE = K8S.resolve("secrets.example.yaml");

  /** The YAML files under k8s/ that are Kubernetes objects (kustomizations and alert rules are not). */
  static final Set<String> NOT_OBJECTS = Set.of("kustomization.yaml", "eventhub-alerts.yaml");

  /** Custom resources without a model here, checked against {@link #CUSTOM_FIELDS} instead. */
  static final Map<String, Map<String, Set<String>>> CUSTOM_FIELDS = Map.of(
      "monitoring.coreos.com/v1/ServiceMonitor", Map.of(
          "", Set.of("apiVersion", "kind", "metadata", "spec"),
          "spec", Set.of("selector", "endpoints", "namespaceSelector", "jobLabel"),
          "spec.selector", Set.of("matchLabels", "matchExpressions"),
          "spec.endpoints[]", Set.of("port", "path", "interval", "scrapeTimeout", "scheme", "honorLabels")));

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private Manifests() {}

  /** Every document of a YAML file, strictly loaded. */
  static List<HasMetadata> load(Path file) {
    try {
      return parse(Files.readString(file), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code kubectl kustomize DIR} (kustomize built into kubectl), strictly loaded. */
  static List<HasMetadata> render(Path kustomization) {
    return parse(kustomize(kustomization), "kustomize " + kustomization);
  }

  static String kustomize(Path kustomization) {
    try {
      Process process = new ProcessBuilder("kubectl", "kustomize", kustomization.toString())
          .redirectError(ProcessBuilder.Redirect.PIPE).start();
      byte[] out = process.getInputStream().readAllBytes();
      byte[] err = process.getErrorStream().readAllBytes();
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new AssertionError("kubectl kustomize " + kustomization + " failed:\n" + new String(err, StandardCharsets.UTF_8));
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      // Not in Debian's packages at a version new enough (1.20's kustomize predates components), so
      // the build cannot install it; where it is missing, the tests that need a rendering are skipped
      // and KustomizeTest still checks that every file a kustomization names exists.
      Assumptions.abort("kubectl is not installed; it brings kustomize, needed to render the kustomizations: " + e.getMessage());
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * Loads every document of {@code yaml}. SnakeYAML reads YAML 1.1 as Kubernetes does (0440 is octal);
   * fabric8 maps each document to its class by apiVersion and kind.
   */
  static List<HasMetadata> parse(String yaml, String source) {
    List<HasMetadata> objects = new ArrayList<>();
    int index = 0;
    for (Object document : new Yaml().loadAll(yaml)) {
      index++;
      if (document == null) {
        continue;
      }
      String where = source + " document " + index;
      if (!(document instanceof Map<?, ?> tree)) {
        throw new AssertionError(where + ": not a YAML mapping");
      }
      KubernetesResource object = SERIALIZATION.convertValue(tree, KubernetesResource.class);
      if (!(object instanceof HasMetadata resource)) {
        throw new AssertionError(where + ": not a Kubernetes object: " + object);
      }
      where = where + " (" + resource.getKind() + " " + resource.getMetadata().getName() + ")";
      if (resource instanceof GenericKubernetesResource) {
        checkCustom(tree, resource, where);
      } else {
        checkNoUnknownFields(resource, where);
        checkSameValues(tree, SERIALIZATION.convertValue(resource, Map.class), where);
      }
      objects.add(resource);
    }
    return objects;
  }

  /** fabric8 keeps fields it does not know in additionalProperties: there must be none, at any depth. */
  static void checkNoUnknownFields(Object node, String path) {
    if (node == null) {
      return;
    }
    if (node instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        checkNoUnknownFields(list.get(i), path + "[" + i + "]");
      }
      return;
    }
    if (node instanceof Map<?, ?> map) {
      map.forEach((key, value) -> checkNoUnknownFields(value, path + "." + key));
      return;
    }
    if (!node.getClass().getName().startsWith("io.fabric8.")) {
      return;
    }
    for (Class<?> type = node.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
      for (Field field : type.getDeclaredFields()) {
        if (Modifier.isStatic(field.getModifiers()) || field.getType().isPrimitive() || field.getType().isEnum()) {
          continue;
        }
        Object value = read(field, node);
        if (field.getName().equals("additionalProperties") && value instanceof Map<?, ?> extra && !extra.isEmpty()) {
          throw new AssertionError(path + ": fields the Kubernetes API does not know here: " + extra.keySet());
        }
        checkNoUnknownFields(value, path + "." + field.getName());
      }
    }
  }

  private static Object read(Field field, Object owner) {
    try {
      field.setAccessible(true);
      return field.get(owner);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Every value written in the file comes back from the model unchanged and with the same JSON type:
   * Jackson would quietly turn {@code value: 80} into the string "80", where the API server refuses it.
   */
  static void checkSameValues(Object written, Object modelled, String path) {
    if (written instanceof Map<?, ?> map) {
      if (!(modelled instanceof Map<?, ?> back)) {
        throw new AssertionError(path + ": written as a mapping, read as " + modelled);
      }
      map.forEach((key, value) -> {
        if (!back.containsKey(key)) {
          throw new AssertionError(path + "." + key + ": not kept by the Kubernetes model (an unknown or misplaced field)");
        }
        checkSameValues(value, back.get(key), path + "." + key);
      });
    } else if (written instanceof List<?> list) {
      if (!(modelled instanceof List<?> back) || back.size() != list.size()) {
        throw new AssertionError(path + ": written as a list of " + list.size() + ", read as " + modelled);
      }
      for (int i = 0; i < list.size(); i++) {
        checkSameValues(list.get(i), back.get(i), path + "[" + i + "]");
      }
    } else if (written instanceof Number number) {
      if (!(modelled instanceof Number back) || new BigDecimal(number.toString()).compareTo(new BigDecimal(back.toString())) != 0) {
        throw new AssertionError(path + ": the number " + number + " is read as " + describe(modelled)
            + " (quote it if the field takes a string)");
      }
    } else if (written != null && !written.equals(modelled)) {
      throw new AssertionError(path + ": " + describe(written) + " is read as " + describe(modelled)
          + " (a string where a number belongs, or the other way round?)");
    }
  }

  private static String describe(Object value) {
    return value == null ? "nothing" : value.getClass().getSimpleName() + " " + value;
  }

  /** A custom resource: only the fields in {@link #CUSTOM_FIELDS} for its kind. */
  private static void checkCustom(Map<?, ?> tree, HasMetadata resource, String where) {
    Map<String, Set<String>> allowed = CUSTOM_FIELDS.get(resource.getApiVersion() + "/" + resource.getKind());
    if (allowed == null) {
      throw new AssertionError(where + ": no Kubernetes model knows " + resource.getApiVersion() + " " + resource.getKind());
    }
    checkCustomLevel(tree, "", allowed, where);
    checkNoUnknownFields(resource.getMetadata(), where + ".metadata");
  }

  private static void checkCustomLevel(Object node, String path, Map<String, Set<String>> allowed, String where) {
    if (node instanceof List<?> list) {
      list.forEach(item -> checkCustomLevel(item, path + "[]", allowed, where));
    } else if (node instanceof Map<?, ?> map && allowed.containsKey(path)) {
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        if (!allowed.get(path).contains(String.valueOf(entry.getKey()))) {
          throw new AssertionError(where + ": " + (path.isEmpty() ? "" : path + ".") + entry.getKey()
              + " is not a field of this resource (known: " + allowed.get(path) + ")");
        }
        checkCustomLevel(entry.getValue(), path.isEmpty() ? String.valueOf(entry.getKey()) : path + "." + entry.getKey(), allowed, where);
      }
    }
  }

  /** The one object of this kind and name. */
  static <T extends HasMetadata> T find(List<HasMetadata> objects, Class<T> type, String name) {
    List<T> found = objects.stream().filter(type::isInstance).map(type::cast)
        .filter(o -> o.getMetadata().getName().equals(name)).toList();
    if (found.size() != 1) {
      throw new AssertionError("expected one " + type.getSimpleName() + " " + name + ", found " + found.size());
    }
    return found.get(0);
  }

  static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** Every label of the selector is on the pod, with the same value (what matchLabels means). */
  static boolean selects(Map<String, String> selector, Map<String, String> podLabels) {
    return selector != null && !selector.isEmpty() && podLabels.entrySet().containsAll(selector.entrySet());
  }
}
