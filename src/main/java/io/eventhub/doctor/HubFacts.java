package io.eventhub.doctor;

import io.eventhub.config.ConfigException;
import io.eventhub.config.ConfigLoader;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the checks need to know of the hub behind Apache: its heartbeat (Apache's timeouts must
 * outlast it), whom it trusts for X-Forwarded-Host, which origins it allows, its session cookie.
 * From the hub's configuration file when there is one, else the defaults.
 */
record HubFacts(int heartbeatMillis, List<String> trustedProxies, List<String> allowedOrigins, String cookie,
                boolean sessionAuth, String source) {

  static HubFacts load(Path conf, Map<String, String> env, List<Finding> problems) {
    if (conf == null) {
      return from(ConfigLoader.defaults(), "the hub's defaults");
    }
    try {
      return from(ConfigLoader.load(conf, env).effective(), conf.toString());
    } catch (ConfigException e) {
      for (String problem : e.problems()) {
        problems.add(new Finding(Finding.Severity.WARNING, "hub-config", conf.toString(), 0,
            "the hub's configuration is invalid: " + problem + "; the checks use the defaults",
            "java -jar event-hub.jar --conf " + conf + " check-config", ""));
      }
      return from(ConfigLoader.defaults(), "the hub's defaults");
    }
  }

  private static HubFacts from(JsonObject config, String source) {
    JsonObject http = config.getJsonObject("http", new JsonObject());
    JsonObject auth = config.getJsonObject("auth", new JsonObject());
    JsonObject bridge = config.getJsonObject("bridge", new JsonObject());
    return new HubFacts(bridge.getInteger("heartbeatMillis", 25_000), strings(http.getJsonArray("trustedProxies")),
        strings(auth.getJsonArray("allowedOrigins")), auth.getString("cookie", "PHPSESSID"),
        !"anonymous".equalsIgnoreCase(auth.getString("mode", "session")), source);
  }

  private static List<String> strings(JsonArray array) {
    List<String> out = new ArrayList<>();
    if (array != null) {
      array.forEach(v -> out.add(String.valueOf(v)));
    }
    return out;
  }

  int heartbeatSeconds() {
    return (heartbeatMillis + 999) / 1000;
  }
}
