package io.eventhub;

import io.eventhub.config.ConfigException;
import io.eventhub.config.ConfigLoader;
import io.eventhub.config.HubConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar event-hub.jar [--conf FILE] [check-config]}: runs the hub, or validates and prints
 * the effective configuration. Exit code 2 for a configuration that cannot be used, 1 when the hub
 * cannot start (e.g. the port is taken).
 */
public final class Main {
  public static final int EXIT_BAD_CONFIG = 2;
  public static final int EXIT_START_FAILED = 1;
  static final Path DEFAULT_CONF = Path.of("conf", "hub.json");

  private Main() {}

  public static void main(String[] args) {
    Path conf = DEFAULT_CONF;
    List<String> commands = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--conf") && i + 1 < args.length) {
        conf = Path.of(args[++i]);
      } else if (args[i].equals("--help") || args[i].equals("-h")) {
        System.out.println("usage: java -jar event-hub.jar [--conf FILE] [check-config]");
        return;
      } else {
        commands.add(args[i]);
      }
    }
    if (commands.size() > 1 || (commands.size() == 1 && !commands.get(0).equals("check-config"))) {
      System.err.println("unknown command " + commands + "; usage: java -jar event-hub.jar [--conf FILE] [check-config]");
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

  private static ConfigLoader.Loaded loadOrExit(Path conf) {
    try {
      ConfigLoader.Loaded loaded = ConfigLoader.load(conf, System.getenv());
      loaded.warnings().forEach(w -> System.err.println("warning: " + w));
      return loaded;
    } catch (ConfigException e) {
      System.err.println("event-hub: invalid configuration (" + conf + "):");
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
