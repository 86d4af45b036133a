package io.eventhub.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Loads the configuration: built-in defaults, then the JSON file, then {@code HUB_*} environment
 * variables ({@code http.port} becomes {@code HUB_HTTP_PORT}, {@code bridge.maxFrameBytes} becomes
 * {@code HUB_BRIDGE_MAX_FRAME_BYTES}). Unknown keys in the file are errors (a typo must not silently
 * fall back to a default); unknown {@code HUB_*} variables are reported as warnings.
 */
public final class ConfigLoader {
  public static final String ENV_PREFIX = "HUB_";

  /**
   * A loaded configuration, its effective values as JSON with secrets masked (for {@code check-config}
   * and the start-up log), and what is worth telling the operator about it.
   */
  public record Loaded(HubConfig config, JsonObject effective, List<String> warnings) {}

  private static final List<String> SECRET_KEYS = List.of("publish.token", "database.password");

  private ConfigLoader() {}

  public static Loaded load(Path file, Map<String, String> env) {
    List<String> problems = new ArrayList<>();
    JsonObject defaults = defaults();
    JsonObject merged = defaults.copy();
    JsonObject fromFile = readFile(file, problems);
    // What cannot be merged is reported and left out, so that every other key is still read and
    // checked: one run names every problem of the file and the environment.
    checkKnown(fromFile, defaults, "", problems);
    merged.mergeIn(fromFile, true);
    Map<String, String> envNames = envNames(defaults);
    List<String> warnings = applyEnv(merged, defaults, envNames, env, problems);
    ConfigReader reader = new ConfigReader(merged);
    HubConfig config = HubConfig.read(reader);
    problems.addAll(reader.problems());
    if (!problems.isEmpty()) {
      throw new ConfigException(problems, warnings);
    }
    for (String secret : SECRET_KEYS) {
      if (!String.valueOf(leaf(merged, secret)).isEmpty()) {
        setLeaf(merged, secret, "***");
      }
    }
    return new Loaded(config, merged, List.copyOf(warnings));
  }

  /** The environment variable that overrides a key path. */
  public static String envName(String path) {
    return ENV_PREFIX + Arrays.stream(path.split("\\."))
        .map(part -> part.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT))
        .collect(Collectors.joining("_"));
  }

  /** Every configuration key path, in file order, by its environment variable name. */
  public static Map<String, String> envNames(JsonObject defaults) {
    Map<String, String> names = new LinkedHashMap<>();
    collectLeaves(defaults, "", names);
    return names;
  }

  public static JsonObject defaults() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream("/defaults.json")) {
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("defaults.json missing from the jar", e);
    }
  }

  private static JsonObject readFile(Path file, List<String> problems) {
    try {
      return new JsonObject(Files.readString(file));
    } catch (NoSuchFileException e) {
      problems.add("conf: file " + file + " does not exist (pass another with --conf FILE)");
    } catch (IOException e) {
      problems.add("conf: cannot read " + file + ": " + e.getMessage());
    } catch (DecodeException e) {
      problems.add("conf: " + file + " is not a JSON object: " + e.getMessage());
    }
    return new JsonObject();
  }

  /** Reports, and removes from {@code given}, the keys that are unknown or not the object expected. */
  private static void checkKnown(JsonObject given, JsonObject known, String prefix, List<String> problems) {
    for (String key : List.copyOf(given.fieldNames())) {
      String path = prefix + key;
      if (!known.containsKey(key)) {
        problems.add(path + ": unknown key (known here: " + String.join(", ", known.fieldNames()) + ")");
        given.remove(key);
      } else if (known.getValue(key) instanceof JsonObject knownChild) {
        if (given.getValue(key) instanceof JsonObject givenChild) {
          checkKnown(givenChild, knownChild, path + ".", problems);
        } else {
          problems.add(path + ": must be an object, got " + ConfigReader.show(given.getValue(key)));
          given.remove(key);
        }
      }
    }
  }

  private static void collectLeaves(JsonObject node, String prefix, Map<String, String> names) {
    for (String key : node.fieldNames()) {
      String path = prefix + key;
      if (node.getValue(key) instanceof JsonObject child) {
        collectLeaves(child, path + ".", names);
      } else {
        names.put(envName(path), path);
      }
    }
  }

  private static List<String> applyEnv(JsonObject merged, JsonObject defaults, Map<String, String> envNames,
                                       Map<String, String> env, List<String> problems) {
    List<String> warnings = new ArrayList<>();
    env.keySet().stream().sorted().filter(name -> name.startsWith(ENV_PREFIX)).forEach(name -> {
      String path = envNames.get(name);
      if (path == null) {
        warnings.add(name + ": not a configuration variable, ignored (known: " + String.join(", ", envNames.keySet()) + ")");
        return;
      }
      Object parsed = parseEnv(name, env.get(name), leaf(defaults, path), problems);
      if (parsed != null) {
        setLeaf(merged, path, parsed);
      }
    });
    return warnings;
  }

  private static Object parseEnv(String name, String text, Object example, List<String> problems) {
    String value = text.trim();
    try {
      if (example instanceof Number) {
        return Long.parseLong(value);
      }
      if (example instanceof Boolean) {
        if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
          throw new IllegalArgumentException();
        }
        return Boolean.parseBoolean(value.toLowerCase(Locale.ROOT));
      }
      if (example instanceof JsonArray) {
        return value.startsWith("[") ? new JsonArray(value) : new JsonArray(
            Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
      }
      return text;
    } catch (RuntimeException e) {
      String kind = example instanceof Number ? "a whole number"
          : example instanceof Boolean ? "true or false" : "a JSON array or a comma-separated list";
      problems.add(name + ": must be " + kind + ", got \"" + text + "\"");
      return null;
    }
  }

  private static Object leaf(JsonObject root, String path) {
    String[] parts = path.split("\\.");
    JsonObject node = root;
    for (int i = 0; i < parts.length - 1; i++) {
      node = node.getJsonObject(parts[i]);
    }
    return node.getValue(parts[parts.length - 1]);
  }

  private static void setLeaf(JsonObject root, String path, Object value) {
    String[] parts = path.split("\\.");
    JsonObject node = root;
    for (int i = 0; i < parts.length - 1; i++) {
      node = node.getJsonObject(parts[i]);
    }
    node.put(parts[parts.length - 1], value);
  }
}
