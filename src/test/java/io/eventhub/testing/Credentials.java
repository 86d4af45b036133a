package io.eventhub.testing;

import java.util.Map;

/** How a test client presents itself: a query string for the connect URL and extra headers. */
public record Credentials(String query, Map<String, String> headers) {
  public static final Credentials NONE = new Credentials("", Map.of());

  public static Credentials query(String name, String value) {
    return new Credentials("?" + name + "=" + java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8), Map.of());
  }

  public static Credentials cookie(String name, String value) {
    return new Credentials("", Map.of("Cookie", name + "=" + value));
  }

  public static Credentials bearer(String token) {
    return new Credentials("", Map.of("Authorization", "Bearer " + token));
  }

  public static Credentials header(String name, String value) {
    return new Credentials("", Map.of(name, value));
  }

  public Credentials with(String header, String value) {
    java.util.Map<String, String> more = new java.util.HashMap<>(headers);
    more.put(header, value);
    return new Credentials(query, Map.copyOf(more));
  }
}
