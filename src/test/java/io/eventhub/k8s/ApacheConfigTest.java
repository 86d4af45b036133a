package io.eventhub.k8s;

import io.eventhub.testing.ApacheServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Apache itself reads the configuration the Apache pod gets (the ConfigMap's files, the Deployment's
 * environment), where Debian's apache2 is installed: {@code apache2 -t} checks modules, directives
 * and every ${NAME}. The httpd image's ServerRoot is stood in for by a directory with Debian's
 * modules and mime.types; the certificate, key and document root by files of the test. The
 * configuration's Apache start itself, in front of hubs, is the end-to-end test's (issue #7).
 */
class ApacheConfigTest {
  @TempDir
  Path dir;

  static List<Rendered> renderings() {
    return Rendered.both();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  @DisplayName("apache2 -t accepts the Apache pod's configuration with the Deployment's environment")
  void apacheAcceptsTheConfiguration(Rendered k8s) throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(ApacheServer.BINARY), "Debian's apache2 is not installed (apt-get install apache2)");
    Deployment deployment = k8s.get(Deployment.class, Rendered.APACHE);
    Container apache = Rendered.container(deployment, "apache");
    String mount = apache.getVolumeMounts().stream().filter(m -> m.getName().equals("config")).findFirst().orElseThrow().getMountPath();
    String configMapName = deployment.getSpec().getTemplate().getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals("config")).findFirst().orElseThrow().getConfigMap().getName();
    ConfigMap config = k8s.get(ConfigMap.class, configMapName);

    Path serverRoot = Files.createDirectories(dir.resolve("server-root/conf"));
    Files.createSymbolicLink(serverRoot.getParent().resolve("modules"), Path.of("/usr/lib/apache2/modules"));
    Files.copy(Path.of("/etc/mime.types"), serverRoot.resolve("mime.types"));
    Path mounted = Files.createDirectories(dir.resolve("mounted"));
    for (Map.Entry<String, String> file : config.getData().entrySet()) {
      Files.writeString(mounted.resolve(file.getKey()), file.getValue().replace(mount + "/", mounted + "/"));
    }

    Map<String, String> environment = new HashMap<>();
    for (EnvVar var : apache.getEnv()) {
      environment.put(var.getName(), var.getValue());
    }
    // -t checks that the certificate and key files are there; their contents are read at start only.
    environment.put("EVENTHUB_CERT", Files.writeString(dir.resolve("chain.pem"), "certificate").toString());
    environment.put("EVENTHUB_KEY", Files.writeString(dir.resolve("key.pem"), "key").toString());
    environment.put("EVENTHUB_DOCROOT", Files.createDirectories(dir.resolve("htdocs")).toString());

    String output = ApacheServer.configTest(List.of("-d", serverRoot.getParent().toString(),
        "-f", mounted.resolve("httpd.conf").toString()), environment);
    assertTrue(output.contains("Syntax OK"), output);
  }
}
