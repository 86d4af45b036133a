package io.eventhub.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every manifest file under k8s/ is a Kubernetes object the API server would take as written. */
class ManifestFilesTest {

  static List<Path> manifestFiles() throws IOException {
    try (Stream<Path> files = Files.walk(Manifests.K8S)) {
      return files.filter(f -> f.toString().endsWith(".yaml"))
          .filter(f -> !Manifests.NOT_OBJECTS.contains(f.getFileName().toString()))
          .sorted().toList();
    }
  }

  @Test
  @DisplayName("every manifest file under k8s/ loads into the Kubernetes model with no unknown field and no wrongly typed value")
  void everyFileLoadsStrictly() throws IOException {
    List<Path> files = manifestFiles();
    assertTrue(files.contains(Manifests.BASE.resolve("hub-deployment.yaml")) && files.size() >= 13, "found only " + files);
    for (Path file : files) {
      List<HasMetadata> objects = Manifests.load(file);
      assertFalse(objects.isEmpty(), file + " holds no object");
      for (HasMetadata object : objects) {
        assertFalse(object.getMetadata().getName() == null || object.getMetadata().getName().isEmpty(), file + ": an object without a name");
        if (object instanceof GenericKubernetesResource) {
          assertEquals("ServiceMonitor", object.getKind(), file + ": the only custom resource is the ServiceMonitor");
        }
      }
    }
  }

  @Test
  @DisplayName("the strict loading catches a misspelt field, a field at the wrong level and an unquoted number for a string")
  void strictnessCatchesMistakes() throws IOException {
    String deployment = Files.readString(Manifests.BASE.resolve("hub-deployment.yaml"));
    assertInstanceOf(Deployment.class, Manifests.parse(deployment, "as written").get(0));

    AssertionError typo = assertThrows(AssertionError.class, () -> Manifests.parse(
        deployment.replace("terminationGracePeriodSeconds:", "terminationGracePeriodSecond:"), "typo"));
    assertTrue(typo.getMessage().contains("terminationGracePeriodSecond"), typo.getMessage());

    // readinessProbe one level too high: a field of the pod instead of the container.
    AssertionError misplaced = assertThrows(AssertionError.class, () -> Manifests.parse(
        deployment.replace("      enableServiceLinks: false", "      enableServiceLinks: false\n      readinessProbe: {}"), "misplaced"));
    assertTrue(misplaced.getMessage().contains("readinessProbe"), misplaced.getMessage());

    AssertionError unquoted = assertThrows(AssertionError.class, () -> Manifests.parse(
        deployment.replace("prometheus.io/port: \"9090\"", "prometheus.io/port: 9090"), "unquoted"));
    assertTrue(unquoted.getMessage().contains("prometheus.io/port"), unquoted.getMessage());

    String monitor = Files.readString(Manifests.K8S.resolve("components/prometheus-operator/servicemonitor.yaml"));
    AssertionError customTypo = assertThrows(AssertionError.class, () -> Manifests.parse(
        monitor.replace("    - port: metrics", "    - prot: metrics"), "custom typo"));
    assertTrue(customTypo.getMessage().contains("prot"), customTypo.getMessage());
  }

  @Test
  @DisplayName("the Secret description holds every key with an empty value and no kustomization lists it")
  void secretsExampleHasNoValues() throws IOException {
    for (HasMetadata object : Manifests.load(Manifests.SECRETS_EXAMPLE)) {
      io.fabric8.kubernetes.api.model.Secret secret = (io.fabric8.kubernetes.api.model.Secret) object;
      assertTrue(secret.getData() == null || secret.getData().isEmpty(), secret.getMetadata().getName() + " has base64 data");
      assertFalse(secret.getStringData().isEmpty(), secret.getMetadata().getName() + " names no key");
      secret.getStringData().forEach((key, value) -> assertEquals("", value,
          secret.getMetadata().getName() + "/" + key + " must not hold a value in the repository"));
    }
    try (Stream<Path> files = Files.walk(Manifests.K8S)) {
      for (Path kustomization : files.filter(f -> f.getFileName().toString().equals("kustomization.yaml")).toList()) {
        assertFalse(Files.readString(kustomization).contains(Manifests.SECRETS_EXAMPLE.getFileName().toString()),
            kustomization + " must not apply the Secret description");
      }
    }
  }
}
