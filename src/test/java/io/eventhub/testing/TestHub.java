package io.eventhub.testing;

import io.eventhub.Hub;
import io.eventhub.config.ConfigLoader;
import io.eventhub.config.HubConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A real hub in this JVM, on a loopback port the OS picks, with a test configuration. */
public final class TestHub implements AutoCloseable {
  public static final String TOKEN = "test-publish-token-0123456789";

  private final Vertx vertx;
  private final Hub hub;

  private TestHub(Vertx vertx, Hub hub) {
    this.vertx = vertx;
    this.hub = hub;
  }

  /** The test configuration: everything a suite needs allowed, merged with {@code overrides}. */
  /** Publishes one event through the publish API of the hub on {@code port} and checks it was accepted. */
  public static void publish(int port, String address, Object body) {
    int status = WebClient.create(ClientVertx.get()).post(port, "127.0.0.1", "/api/publish")
        .putHeader("Authorization", "Bearer " + TOKEN)
        .sendBuffer(Buffer.buffer(new JsonObject().put("address", address).put("body", body).encode()))
        .await().statusCode();
    if (status != 202) {
      throw new AssertionError("publish to " + address + " answered " + status);
    }
  }

  public static JsonObject baseConfig() {
    return new JsonObject("""
        {
          "http": {"host": "127.0.0.1", "port": 0, "instances": 2},
          "auth": {"mode": "anonymous"},
          "bridge": {
            "permissions": {
              "subscribe": ["demo.*", "test.**"],
              "publish": ["demo.*", "test.**"],
              "send": ["echo", "test.**"]
            }
          },
          "publish": {"token": "%s"},
          "shutdown": {"drainSeconds": 5}
        }""".formatted(TOKEN));
  }

  public static TestHub start() {
    return start(new JsonObject());
  }

  public static TestHub start(JsonObject overrides) {
    HubConfig config = load(baseConfig().mergeIn(overrides, true), Map.of()).config();
    Hub hub = Hub.start(config).await();
    return new TestHub(hub.vertx(), hub);
  }

  public static ConfigLoader.Loaded load(JsonObject json, Map<String, String> env) {
    try {
      Path file = Files.createTempFile("hub", ".json");
      try {
        Files.writeString(file, json.encode());
        return ConfigLoader.load(file, env);
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Hub hub() {
    return hub;
  }

  public Vertx vertx() {
    return vertx;
  }

  public int port() {
    return hub.port();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
