package io.eventhub;

import io.eventhub.config.ConfigException;
import io.eventhub.config.ConfigLoader;
import io.eventhub.config.HubConfig;
import io.eventhub.doctor.Doctor;
import io.eventhub.tls.PemCheck;
import io.eventhub.tls.TlsPreflight;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar event-hub.jar [--conf FILE] [check-config | check-cert FILE... | doctor ...]}: runs the
 * hub, validates and prints the effective configuration, checks PEM files, or diagnoses the Apache in
 * front of the hub. Exit code 2 for a configuration that cannot be used, 1 when the hub
 * cannot start (e.g. the port is taken).
 */
public final class Main {
  public static final int EXIT_BAD_CONFIG = 2;
  public static final int EXIT_START_FAILED = 1;
  public static final int EXIT_CERT_PROBLEMS = 1;
  static final Path DEFAULT_CONF = Path.of("conf", "hub.json");

  private Main() {}

  public static void main(String[] args) {
    Path conf = DEFAULT_CONF;
    boolean confGiven = false;
    List<String> commands = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--conf") && i + 1 < args.length) {
        conf = Path.of(args[++i]);
        confGiven = true;
      } else if (!commands.isEmpty() && commands.get(0).equals("doctor")) {
        commands.add(args[i]); // the doctor's own options
      } else if (args[i].equals("--help") || args[i].equals("-h")) {
        System.out.println(USAGE);
        return;
      } else {
        commands.add(args[i]);
      }
    }
    if (!commands.isEmpty() && commands.get(0).equals("doctor")) {
      Path hubConf = confGiven || Files.exists(conf) ? conf : null;
      System.exit(Doctor.run(commands.subList(1, commands.size()), hubConf, System.out, System.err));
    }
    if (!commands.isEmpty() && commands.get(0).equals("check-cert")) {
      System.exit(checkCert(commands.subList(1, commands.size())));
    }
    if (commands.size() > 1 || (commands.size() == 1 && !commands.get(0).equals("check-config"))) {
      System.err.println("unknown command " + commands + "; " + USAGE);
      System.exit(EXIT_BAD_CONFIG);
    }
    ConfigLoader.Loaded loaded = loadOrExit(conf);
    if (commands.contains("check-config")) {
      System.out.println(loaded.effective().encodePrettily());
      System.out.println("configuration OK");
      return;
    }
    run(loaded.config());
  }

  static final String USAGE = "usage: java -jar event-hub.jar [--conf FILE] [check-config | check-cert FILE... | doctor ...]\n  "
      + Doctor.USAGE;

  /** Checks PEM files (certificate, chain, key) before Apache or the hub loads them; 0 if all are fine. */
  static int checkCert(List<String> files) {
    if (files.isEmpty()) {
      System.err.println("check-cert needs the PEM files to check, e.g. check-cert cert.pem chain.pem key.pem");
      return EXIT_BAD_CONFIG;
    }
    TlsPreflight.Report report = TlsPreflight.check(files.stream().map(Path::of).toList());
    report.results().stream().filter(PemCheck.Result::ok).map(TlsPreflight::describe).forEach(System.out::println);
    report.problems().forEach(System.out::println);
    System.out.println(report.ok() ? "certificates OK" : report.problems().size() + " problem(s) found");
    return report.ok() ? 0 : EXIT_CERT_PROBLEMS;
  }

  private static ConfigLoader.Loaded loadOrExit(Path conf) {
    try {
      ConfigLoader.Loaded loaded = ConfigLoader.load(conf, System.getenv());
      loaded.warnings().forEach(w -> System.err.println("warning: " + w));
      return loaded;
    } catch (ConfigException e) {
      e.warnings().forEach(w -> System.err.println("warning: " + w));
      System.err.println("event-hub: invalid configuration (" + conf + "), " + e.problems().size() + " problem(s):");
      e.problems().forEach(p -> System.err.println("  " + p));
      System.exit(EXIT_BAD_CONFIG);
      return null;
    }
  }

  private static void run(HubConfig config) {
    Logger log = LoggerFactory.getLogger(Main.class);
    Hub hub;
    try {
      hub = Hub.start(config).await();
    } catch (Exception e) {
      log.error("event-hub could not start on {}:{}: {}", config.http().host(), config.http().port(), e.toString());
      System.exit(EXIT_START_FAILED);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        hub.stop().toCompletionStage().toCompletableFuture()
            .get(config.shutdown().drainSeconds() + 5L, TimeUnit.SECONDS);
        log.info("event-hub stopped");
      } catch (Exception e) {
        log.warn("Shutdown did not finish cleanly: {}", e.toString());
      }
    }, "event-hub-shutdown"));
    log.info("event-hub listening on http://{}:{}/ ({} server verticles; SockJS at /eventbus, raw WebSocket at /eventbus/websocket)",
        config.http().host(), hub.port(), config.http().instances());
    if (!config.publish().enabled()) {
      log.info("Publish API off: set HUB_PUBLISH_TOKEN (at least 16 characters) to switch on POST /api/publish");
    }
  }
}
