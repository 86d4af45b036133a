package io.eventhub.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Apache httpd (Debian's apache2) running the shipped {@code apache/event-hub.conf} on loopback
 * ports. Only the site values ({@code event-hub-defines.conf}) and the server frame (modules, pid and
 * log files) are the test's own, so what is tested is what operators include.
 */
public final class ApacheServer implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/sbin/apache2");
  private static final Path MODULES = Path.of("/usr/lib/apache2/modules");
  private static final List<String> MODULE_NAMES = List.of(
      "mpm_event", "authz_core", "mime", "dir", "alias", "log_config", "unixd", "socache_shmcb", "ssl",
      "rewrite", "headers", "proxy", "proxy_http", "proxy_balancer", "slotmem_shm", "lbmethod_byrequests",
      "proxy_wstunnel"); // for event-hub-legacy.conf

  /** Site values for the shipped configuration. */
  public record Site(String serverName, int httpPort, int httpsPort, List<Integer> hubPorts,
                     Path cert, Path key, Path docRoot) {}

  private final Path dir;
  private final Process process;
  private final Site site;

  private ApacheServer(Path dir, Process process, Site site) {
    this.dir = dir;
    this.process = process;
    this.site = site;
  }

  /** Writes the configuration, checks it with {@code apache2 -t}, starts httpd and waits for both ports. */
  public static ApacheServer start(Path shippedConf, Site site) {
    return start(shippedConf, site, false);
  }

  /**
   * As {@link #start(Path, Site)}, with mod_php serving the document root's {@code .php} files and
   * {@code /index.php} as the front controller for paths that are no file. mod_php is not thread-safe,
   * so this httpd runs the prefork MPM, as Debian's libapache2-mod-php sets it up.
   */
  public static ApacheServer startWithPhp(Path shippedConf, Site site) {
    return start(shippedConf, site, true);
  }

  private static ApacheServer start(Path shippedConf, Site site, boolean php) {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException(BINARY + " is missing: the build installs it (src/test/scripts/install-test-tools.sh)");
    }
    try {
      Path dir = Files.createTempDirectory("apache");
      openForWorkers(dir);
      Files.createDirectories(dir.resolve("run"));
      Path conf = dir.resolve("httpd.conf");
      Files.writeString(conf, serverConf(dir, shippedConf, site, php));
      configTest(List.of("-f", conf.toString()), null);
      List<String> command = new ArrayList<>(List.of(BINARY.toString(), "-f", conf.toString(), "-DFOREGROUND"));
      if (php) {
        // The prefork MPM ends its children at shutdown by signalling its whole process group, which
        // in the foreground is this JVM's (and Maven's): a session of its own keeps that to httpd.
        // setsid execs httpd in place (a JVM's child leads no group), so the pid stays httpd's.
        command.add(0, "setsid");
      }
      Process process = new ProcessBuilder(command)
          .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
      ApacheServer apache = new ApacheServer(dir, process, site);
      apache.awaitListening();
      return apache;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String serverConf(Path dir, Path shippedConf, Site site, boolean php) {
    StringBuilder conf = new StringBuilder();
    conf.append("ServerRoot ").append(dir).append('\n');
    for (String module : MODULE_NAMES) {
      if (php && module.equals("mpm_event")) {
        module = "mpm_prefork";
      }
      // Some are compiled into Debian's httpd, and loading those again is an error.
      conf.append("<IfModule !").append(module).append("_module>\n  LoadModule ").append(module).append("_module ")
          .append(MODULES.resolve("mod_" + module + ".so")).append("\n</IfModule>\n");
    }
    conf.append("""
        PidFile %1$s/httpd.pid
        DefaultRuntimeDir %1$s/run
        ErrorLog %1$s/error.log
        LogLevel warn
        LogFormat "%%h %%r %%>s route=%%{BALANCER_WORKER_ROUTE}e" balanced
        CustomLog %1$s/access.log balanced
        TypesConfig /etc/mime.types
        DirectoryIndex index.html
        Listen 127.0.0.1:%2$d
        Listen 127.0.0.1:%3$d
        <Directory "%4$s">
            Require all granted
        </Directory>
        """.formatted(dir, site.httpPort(), site.httpsPort(), site.docRoot()));
    if (php) {
      conf.append("LoadModule php_module ").append(phpModule()).append('\n').append("""
          <FilesMatch "\\.php$">
              SetHandler application/x-httpd-php
          </FilesMatch>
          DirectoryIndex index.php
          <Directory "%s">
              FallbackResource /index.php
          </Directory>
          """.formatted(site.docRoot()));
    }
    if ("root".equals(System.getProperty("user.name"))) {
      // httpd refuses to serve as root; Debian's package creates www-data.
      conf.append("User www-data\nGroup www-data\n");
    }
    conf.append("Define EVENTHUB_SERVER_NAME ").append(site.serverName()).append('\n')
        .append("Define EVENTHUB_HTTP_PORT ").append(site.httpPort()).append('\n')
        .append("Define EVENTHUB_HTTPS_PORT ").append(site.httpsPort()).append('\n')
        .append("Define EVENTHUB_MEMBER1 127.0.0.1:").append(site.hubPorts().get(0)).append('\n')
        .append("Define EVENTHUB_MEMBER2 127.0.0.1:").append(site.hubPorts().get(1)).append('\n')
        .append("Define EVENTHUB_CERT ").append(site.cert()).append('\n')
        .append("Define EVENTHUB_KEY ").append(site.key()).append('\n')
        .append("Define EVENTHUB_DOCROOT ").append(site.docRoot()).append('\n')
        .append("Include ").append(shippedConf.toAbsolutePath()).append('\n');
    return conf.toString();
  }

  /** Debian's mod_php ({@code libphp8.2.so} in bookworm), whichever PHP version it is. */
  private static Path phpModule() {
    try (var modules = Files.newDirectoryStream(MODULES, "libphp*.so")) {
      for (Path module : modules) {
        return module;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException("no mod_php in " + MODULES + ": the build installs libapache2-mod-php (src/test/scripts/install-test-tools.sh)");
  }

  /** httpd's workers run as www-data: the directories they serve from must be readable by others. */
  public static void openForWorkers(Path dir) throws IOException {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /**
   * {@code apache2 -t} with these arguments, in exactly {@code environment} (null: this process's);
   * fails unless httpd accepts the configuration, and returns what it printed.
   */
  public static String configTest(List<String> arguments, Map<String, String> environment) throws IOException {
    List<String> command = new ArrayList<>(List.of(BINARY.toString(), "-t"));
    command.addAll(arguments);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    if (environment != null) {
      builder.environment().clear();
      builder.environment().putAll(environment);
    }
    Process check = builder.start();
    try {
      String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!check.waitFor(30, TimeUnit.SECONDS) || check.exitValue() != 0) {
        throw new AssertionError("apache2 -t refused the configuration " + arguments + ":\n" + out);
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private void awaitListening() {
    try {
      Await.until("Apache listening on " + site.httpPort() + " and " + site.httpsPort(), Duration.ofSeconds(30),
          () -> {
            if (!process.isAlive()) {
              throw new AssertionError("apache2 exited:\n" + log());
            }
            return accepts(site.httpPort()) && accepts(site.httpsPort());
          });
    } catch (AssertionError e) {
      close();
      throw e;
    }
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  public String httpsBase() {
    return "https://" + site.serverName() + ":" + site.httpsPort();
  }

  public String httpBase() {
    return "http://" + site.serverName() + ":" + site.httpPort();
  }

  public Site site() {
    return site;
  }

  /** The httpd.conf this server runs: the test's frame, which includes the shipped file. */
  public Path conf() {
    return dir.resolve("httpd.conf");
  }

  /** The access log: one line per request with the balancer member that served it. */
  public List<String> accessLog() {
    return readLines(dir.resolve("access.log"));
  }

  public String log() {
    return String.join("\n", readLines(dir.resolve("error.log"))) + "\n"
        + String.join("\n", readLines(dir.resolve("stdout.log")));
  }

  private static List<String> readLines(Path file) {
    try {
      return Files.exists(file) ? Files.readAllLines(file) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    // SIGTERM: httpd stops its children and removes its shared memory and pid file.
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
