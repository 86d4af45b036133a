package io.eventhub.auth;

import io.eventhub.config.HubConfig.DataFormat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads PHP's session serialization: the {@code php} handler ({@code name|value name|value ...}) and
 * {@code php_serialize} (one serialized array). Values become String, Long, Double, Boolean, null or
 * Map (arrays and objects; private/protected property names lose their NUL markers). Lengths in PHP's
 * format count bytes, so parsing works on the UTF-8 bytes.
 */
public final class PhpSession {
  private final byte[] data;
  private int pos;

  private PhpSession(byte[] data) {
    this.data = data;
  }

  /** The session's variables; throws IllegalArgumentException for data that is not in the format. */
  public static Map<String, Object> decode(byte[] data, DataFormat format) {
    PhpSession parser = new PhpSession(data);
    return format == DataFormat.PHP_SERIALIZE ? parser.serializedArray() : parser.phpHandler();
  }

  /** Follows a dotted path ({@code _sf2_attributes.user_id}) through nested arrays. */
  public static Object lookup(Map<String, Object> session, String path) {
    Object node = session;
    for (String key : path.split("\\.")) {
      if (!(node instanceof Map<?, ?> map)) {
        return null;
      }
      node = map.get(key);
    }
    return node;
  }

  private Map<String, Object> serializedArray() {
    Object value = value();
    if (!(value instanceof Map<?, ?>)) {
      throw new IllegalArgumentException("php_serialize session data is not an array");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) value;
    return map;
  }

  private Map<String, Object> phpHandler() {
    Map<String, Object> vars = new LinkedHashMap<>();
    while (pos < data.length) {
      int bar = indexOf((byte) '|', pos);
      String name = new String(data, pos, bar - pos, StandardCharsets.UTF_8);
      pos = bar + 1;
      vars.put(name, value());
    }
    return vars;
  }

  private Object value() {
    char type = (char) next();
    switch (type) {
      case 'N' -> {
        expect(';');
        return null;
      }
      case 'b' -> {
        expect(':');
        return !"0".equals(until(';'));
      }
      case 'i' -> {
        expect(':');
        return Long.parseLong(until(';'));
      }
      case 'd' -> {
        expect(':');
        return Double.parseDouble(until(';'));
      }
      case 's' -> {
        expect(':');
        String text = string(Integer.parseInt(until(':')));
        expect(';');
        return text;
      }
      case 'a' -> {
        expect(':');
        return entries(Integer.parseInt(until(':')));
      }
      case 'O' -> {
        expect(':');
        string(Integer.parseInt(until(':'))); // the class name
        expect(':');
        return entries(Integer.parseInt(until(':')));
      }
      case 'E' -> {
        expect(':');
        String enumCase = string(Integer.parseInt(until(':')));
        expect(';');
        return enumCase;
      }
      case 'r', 'R' -> {
        expect(':');
        until(';');
        return null; // a back-reference; never a user id
      }
      default -> throw new IllegalArgumentException("unexpected PHP type '" + type + "' at byte " + (pos - 1));
    }
  }

  private Map<String, Object> entries(int count) {
    expect('{');
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      Object key = value();
      map.put(propertyName(String.valueOf(key)), value());
    }
    expect('}');
    return map;
  }

  /** "\0Class\0name" (private) and "\0*\0name" (protected) become "name". */
  private static String propertyName(String key) {
    int marker = key.lastIndexOf('\0');
    return marker >= 0 ? key.substring(marker + 1) : key;
  }

  private String string(int length) {
    expect('"');
    if (length < 0 || pos + length > data.length) {
      throw new IllegalArgumentException("string length " + length + " runs past the data");
    }
    String text = new String(data, pos, length, StandardCharsets.UTF_8);
    pos += length;
    expect('"');
    return text;
  }

  private String until(char end) {
    int at = indexOf((byte) end, pos);
    String text = new String(data, pos, at - pos, StandardCharsets.US_ASCII);
    pos = at + 1;
    return text;
  }

  private int indexOf(byte b, int from) {
    for (int i = from; i < data.length; i++) {
      if (data[i] == b) {
        return i;
      }
    }
    throw new IllegalArgumentException("expected '" + (char) b + "' after byte " + from);
  }

  private int next() {
    if (pos >= data.length) {
      throw new IllegalArgumentException("session data ends early");
    }
    return data[pos++];
  }

  private void expect(char c) {
    if (next() != c) {
      throw new IllegalArgumentException("expected '" + c + "' at byte " + (pos - 1));
    }
  }
}
