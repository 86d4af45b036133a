package io.eventhub.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Arrays;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Typed reads from the merged configuration tree. Every bad value adds one problem that names its
 * key path, so a start-up failure lists all problems at once instead of the first.
 */
final class ConfigReader {
  private final JsonObject root;
  private final List<String> problems;
  /** Prefixed to every key path: where {@link #root} sits in the whole tree. */
  private final String at;

  ConfigReader(JsonObject root) {
    this(root, new ArrayList<>(), "");
  }

  private ConfigReader(JsonObject root, List<String> problems, String at) {
    this.root = root;
    this.problems = problems;
    this.at = at;
  }

  /**
   * A reader for one object of a list, reporting into the same problems under {@code at}; a key
   * other than {@code known} is a problem, like an unknown key in the file.
   */
  ConfigReader child(JsonObject item, String at, List<String> known) {
    for (String key : item.fieldNames()) {
      if (!known.contains(key)) {
        problems.add(at + "." + key + ": unknown key (known here: " + String.join(", ", known) + ")");
      }
    }
    return new ConfigReader(item, problems, at + ".");
  }

  /** A list of objects; anything else in it is a problem naming its index. */
  List<JsonObject> objects(String path) {
    Object value = raw(path);
    List<JsonObject> result = new ArrayList<>();
    if (value instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        if (array.getValue(i) instanceof JsonObject o) {
          result.add(o);
        } else {
          problem(path + "[" + i + "]", "must be an object, got " + show(array.getValue(i)));
        }
      }
    } else {
      problem(path, "must be a list of objects, got " + show(value));
    }
    return result;
  }

  List<String> problems() {
    return problems;
  }

  void problem(String path, String why) {
    problems.add(at + path + ": " + why);
  }

  private Object raw(String path) {
    Object node = root;
    for (String part : path.split("\\.")) {
      node = node instanceof JsonObject o ? o.getValue(part) : null;
    }
    return node;
  }

  int intIn(String path, int min, int max) {
    Object value = raw(path);
    if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
        && n.longValue() >= min && n.longValue() <= max) {
      return n.intValue();
    }
    problem(path, "must be a whole number from " + min + " to " + max + ", got " + show(value));
    return min;
  }

  boolean bool(String path) {
    Object value = raw(path);
    if (value instanceof Boolean b) {
      return b;
    }
    problem(path, "must be true or false, got " + show(value));
    return false;
  }

  String string(String path) {
    Object value = raw(path);
    if (value instanceof String s) {
      return s;
    }
    problem(path, "must be a string, got " + show(value));
    return "";
  }

  /** An enum constant written in lower case in the file ({@code php_serialize} for PHP_SERIALIZE). */
  <E extends Enum<E>> E enumValue(String path, Class<E> type) {
    String value = string(path);
    E[] constants = type.getEnumConstants();
    for (E constant : constants) {
      if (constant.name().equalsIgnoreCase(value)) {
        return constant;
      }
    }
    problem(path, "must be one of " + Arrays.stream(constants).map(c -> c.name().toLowerCase()).toList()
        + ", got " + show(value));
    return constants[0];
  }

  /** A table or column name: spliced into SQL, so only plain identifiers. */
  String identifier(String path) {
    String value = string(path);
    if (!IDENTIFIER.matcher(value).matches()) {
      problem(path, "must be a plain SQL identifier (letters, digits, _), got " + show(value));
    }
    return value;
  }

  String optionalIdentifier(String path) {
    String value = string(path);
    return value.isEmpty() ? value : identifier(path);
  }

  Pattern regex(String path) {
    String value = string(path);
    try {
      return Pattern.compile(value);
    } catch (PatternSyntaxException e) {
      problem(path, "is not a valid regular expression: " + e.getDescription());
      return Pattern.compile("a^");
    }
  }

  List<String> strings(String path) {
    Object value = raw(path);
    List<String> result = new ArrayList<>();
    if (value instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        if (array.getValue(i) instanceof String s && !s.isBlank()) {
          result.add(s);
        } else {
          problem(path + "[" + i + "]", "must be a non-empty string, got " + show(array.getValue(i)));
        }
      }
    } else {
      problem(path, "must be a list of strings, got " + show(value));
    }
    return List.copyOf(result);
  }

  List<String> addressPatterns(String path) {
    List<String> patterns = strings(path);
    for (String pattern : patterns) {
      addressPattern(path, pattern);
    }
    return patterns;
  }

  void addressPattern(String path, String pattern) {
    if (!ADDRESS_PATTERN.matcher(pattern).matches()) {
      problem(path, "pattern " + show(pattern)
          + " may hold only letters, digits, '.', '-', '_', ':', '*' and the {userId} placeholder");
    }
  }


  static String show(Object value) {
    if (value == null) {
      return "nothing";
    }
    return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
  }

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
  private static final Pattern ADDRESS_PATTERN =
      Pattern.compile("([A-Za-z0-9._:*\\-]|\\{userId\\})+");
}
