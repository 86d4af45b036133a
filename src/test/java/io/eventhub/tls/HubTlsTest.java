package io.eventhub.tls;

import io.eventhub.Main;
import io.eventhub.config.ConfigException;
import io.eventhub.testing.ClientVertx;
import io.eventhub.testing.HubProcess;
import io.eventhub.testing.TestHub;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hub terminating TLS itself, its start-up preflight, and the check-cert command. */
class HubTlsTest {
  static final TestCertificates certs = TestCertificates.shared();

  static JsonObject tls(Path cert, Path key) {
    return new JsonObject().put("tls", new JsonObject().put("enabled", true)
        .put("certFile", cert.toString()).put("keyFile", key.toString()));
  }

  @Test
  @DisplayName("with tls.enabled the hub serves HTTPS and WSS with the PEM chain and key")
  void servesTls() throws InterruptedException {
    try (TestHub hub = TestHub.start(tls(certs.chain(), certs.leafKey))) {
      WebClient https = WebClient.create(ClientVertx.get(), new WebClientOptions().setSsl(true).setTrustAll(true)
          .setVerifyHost(false));
      assertEquals(200, https.get(hub.port(), "127.0.0.1", "/health/live").send().await().statusCode());
      var wss = ClientVertx.get().createWebSocketClient(new WebSocketClientOptions().setSsl(true).setTrustAll(true)
          .setVerifyHost(false));
      var socket = ClientVertx.call(() -> wss.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
          .setPort(hub.port()).setURI("/eventbus/websocket").setSsl(true)));
      assertTrue(!socket.isClosed());
      // Events are written to the channel as pre-built frames: they must pass through TLS like any write.
      BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
      socket.textMessageHandler(text -> frames.add(new JsonObject(text)));
      socket.writeTextMessage(new JsonObject().put("type", "register").put("address", "demo.tls").encode());
      socket.writeTextMessage(new JsonObject().put("type", "register").put("address", "sync.barrier").encode());
      assertEquals("err", poll(frames).getString("type"), "the barrier's refusal: the registration is in place");
      hub.vertx().eventBus().publish("demo.tls", new JsonObject().put("secret", "over tls"));
      assertEquals("over tls", poll(frames).getJsonObject("body").getString("secret"));
      socket.close();
    }
  }

  private static JsonObject poll(BlockingQueue<JsonObject> frames) throws InterruptedException {
    JsonObject frame = frames.poll(10, TimeUnit.SECONDS);
    assertNotNull(frame, "no frame within 10 s");
    return frame;
  }

  @Test
  @DisplayName("a broken certificate stops the start with a problem naming tls, the file and the line")
  void brokenCertificateRefusesToStart() {
    Path broken = certs.write("start-four-dashes.pem", certs.read(certs.chain()).replaceFirst("-----BEGIN", "----BEGIN"));
    ConfigException e = assertThrows(ConfigException.class, () -> TestHub.load(
        TestHub.baseConfig().mergeIn(tls(broken, certs.leafKey), true), Map.of()));
    assertTrue(e.problems().get(0).startsWith("tls: " + broken + ":1: BEGIN line has 4 dashes"), e.problems().toString());
    ConfigException mismatch = assertThrows(ConfigException.class, () -> TestHub.load(
        TestHub.baseConfig().mergeIn(tls(certs.chain(), certs.otherKey), true), Map.of()));
    assertTrue(mismatch.problems().get(0).contains("does not belong to the certificate"), mismatch.problems().toString());
  }

  @Test
  @DisplayName("check-cert: exit 0 and a summary for good files, exit 1 and the problems for broken ones")
  void checkCertCommand() {
    HubProcess good = HubProcess.spawn(Map.of(), "check-cert", certs.chain().toString(), certs.leafKey.toString());
    assertEquals(0, good.waitFor(), good.output());
    assertTrue(good.output().contains("CN=localhost") && good.output().contains("certificates OK"), good.output());

    Path broken = certs.write("cli-four-dashes.pem", certs.read(certs.leafPem).replaceFirst("-----BEGIN", "----BEGIN"));
    HubProcess bad = HubProcess.spawn(Map.of(), "check-cert", broken.toString());
    assertEquals(Main.EXIT_CERT_PROBLEMS, bad.waitFor(), bad.output());
    assertTrue(bad.output().contains("cli-four-dashes.pem:1: BEGIN line has 4 dashes before and 5 after"), bad.output());
  }
}
