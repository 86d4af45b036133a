package io.eventhub.transport;

import io.eventhub.auth.SessionStore;
import io.eventhub.testing.Await;
import io.eventhub.testing.Credentials;
import io.eventhub.testing.LogCapture;
import io.eventhub.testing.Scrape;
import io.eventhub.testing.TestDatabase;
import io.eventhub.testing.TestHub;
import io.eventhub.testing.WebSocketClients;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The hub upgrades WebSockets itself (no Vert.x WebSocket per client): the handshake, fragments, pings,
 * close frames and refusals behave as RFC 6455 says, seen byte for byte from a plain TCP socket.
 */
class WebSocketUpgradeTest {
  private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

  @Test
  @DisplayName("101 with the RFC's accept key and no Content-Length; a request that is no handshake gets 400, another version 426")
  void handshake() throws IOException {
    try (TestHub hub = TestHub.start(); Socket socket = connect(hub)) {
      String head = upgrade(socket, "13");
      assertTrue(head.startsWith("HTTP/1.1 101 "), head);
      assertTrue(head.toLowerCase(Locale.ROOT).contains("sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".toLowerCase(Locale.ROOT)), head);
      assertFalse(head.toLowerCase(Locale.ROOT).contains("content-length"), head);
      Await.until("the connection counts", Duration.ofSeconds(5), () -> hub.hub().bridge().connections().count() == 1);
    }
    try (TestHub hub = TestHub.start(); Socket plain = connect(hub); Socket old = connect(hub)) {
      send(plain, "GET /eventbus/websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      String refused = readHead(plain.getInputStream());
      assertTrue(refused.startsWith("HTTP/1.1 400 "), refused);
      String versioned = upgrade(old, "8");
      assertTrue(versioned.startsWith("HTTP/1.1 426 "), versioned);
      assertTrue(versioned.toLowerCase(Locale.ROOT).contains("sec-websocket-version: 13"), versioned);
      assertEquals(0, hub.hub().bridge().connections().count());
    }
  }

  @Test
  @DisplayName("a message in fragments is one bridge frame; a ping is answered with its payload; a close is echoed and ends the connection, also in Vert.x's metrics")
  void framesAndClose() throws Exception {
    try (TestHub hub = TestHub.start(); Socket socket = connect(hub)) {
      double before = activeConnections(hub);
      assertTrue(upgrade(socket, "13").startsWith("HTTP/1.1 101 "));
      assertEquals(before + 1, activeConnections(hub), "the socket counts as an active HTTP connection");
      String register = new JsonObject().put("type", "register").put("address", "demo.fragments").encode();
      int half = register.length() / 2;
      write(socket, 0x01, register.substring(0, half).getBytes(StandardCharsets.UTF_8)); // text, not final
      write(socket, 0x80, register.substring(half).getBytes(StandardCharsets.UTF_8)); // continuation, final
      write(socket, 0x89, "are you there".getBytes(StandardCharsets.UTF_8)); // ping
      InputStream in = socket.getInputStream();
      byte[] pong = readFrame(in, 0x8A);
      assertArrayEquals("are you there".getBytes(StandardCharsets.UTF_8), pong);
      // A register the hub refuses, answered after the one in fragments has taken effect.
      write(socket, 0x81, "{\"type\":\"register\",\"address\":\"sync.barrier\"}".getBytes(StandardCharsets.UTF_8));
      assertTrue(new String(readFrame(in, 0x81), StandardCharsets.UTF_8).contains("access_denied"));
      TestHub.publish(hub.port(), "demo.fragments", new JsonObject().put("n", 1));
      byte[] event = readFrame(in, 0x81);
      assertEquals(1, new JsonObject(new String(event, StandardCharsets.UTF_8)).getJsonObject("body").getInteger("n"));

      write(socket, 0x88, new byte[] {0x03, (byte) 0xE8}); // close 1000
      byte[] echoed = readFrame(in, 0x88);
      assertEquals(1000, ((echoed[0] & 0xFF) << 8) | (echoed[1] & 0xFF));
      assertEquals(-1, in.read(), "the hub closed the socket after the close handshake");
      Await.until("the connection is gone", Duration.ofSeconds(5), () -> hub.hub().bridge().connections().count() == 0);
      Await.until("Vert.x's gauge counts it gone", Duration.ofSeconds(5), () -> activeConnections(hub) == before);
    }
  }

  @Test
  @DisplayName("a handshake whose connection is gone by the time its session is looked up ends quietly, raw and SockJS alike")
  void connectionGoneDuringLookup() throws Exception {
    TestDatabase db = TestDatabase.get();
    assumeTrue(db.embedded() != null, "needs the embedded MariaDB, to hold a lookup by freezing it");
    // The connection goes the hub's own way (its idle timeout) while the lookup waits: as a browser
    // tab closed mid-handshake does, but at a moment the test can wait for.
    JsonObject config = new JsonObject()
        .put("http", new JsonObject().put("idleTimeoutSeconds", 1))
        .put("auth", new JsonObject().put("mode", "session").put("revalidateSeconds", 0))
        .put("database", db.hubConfig().put("queryTimeoutMillis", 20_000).put("connectTimeoutMillis", 20_000));
    String warm = "gone-warm-0123456789abcdef";
    db.session(warm, 93L, null, 3600);
    try (TestHub hub = TestHub.start(config); LogCapture log = LogCapture.start()) {
      SessionStore sessions = hub.hub().sessions();
      // A first client, so that the pool holds a connection to ask the frozen server on.
      connectClient(hub, warm);
      for (String path : List.of("/eventbus/websocket", "/eventbus/000/gone0001/websocket")) {
        String session = "gone-" + path.length() + "-0123456789abcdef";
        db.session(session, 94L, null, 3600);
        long queries = sessions.queries();
        try (TestDatabase.Frozen frozen = db.freeze(); Socket socket = connect(hub)) {
          send(socket, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\nCookie: PHPSESSID=" + session + "\r\n\r\n");
          Await.until("the session is asked for", Duration.ofSeconds(10), () -> sessions.queries() > queries);
          assertClosedUnanswered(socket);
        }
        Await.until("the lookup is answered: " + attempts(hub), Duration.ofSeconds(20), () -> sessions.cached(session) != null);
        // Clients after it pass through the same event loops, behind the answer to the one that is gone.
        for (int i = 0; i < 4; i++) {
          connectClient(hub, session);
        }
      }
      assertEquals(List.of(), log.errors(), "nothing logged as an error");
      Await.until("no connection left", Duration.ofSeconds(10), () -> hub.hub().bridge().connections().count() == 0);
    }
  }

  /** The hub closes (or resets) the connection without having written a byte. */
  private static void assertClosedUnanswered(Socket socket) throws IOException {
    try {
      assertEquals(-1, socket.getInputStream().read(), "closed, nothing written");
    } catch (java.net.SocketException reset) {
      assertTrue(reset.getMessage().contains("reset"), reset.toString());
    }
  }

  private static void connectClient(TestHub hub, String session) {
    WebSocketClients.connect(hub.port(), "/eventbus/websocket", Credentials.cookie("PHPSESSID", session), ws -> { })
        .close().await();
  }

  private static java.util.Map<String, Double> attempts(TestHub hub) {
    java.util.Map<String, Double> byOutcome = new java.util.TreeMap<>();
    hub.hub().metrics().registry().find("eventhub.connection.attempts").counters()
        .forEach(c -> byOutcome.put(c.getId().getTag("outcome"), c.count()));
    return byOutcome;
  }

  /** Vert.x's gauge, which the Grafana dashboard shows; the scrape's own connection is in it too. */
  private static double activeConnections(TestHub hub) {
    return Scrape.of(hub.port()).value("vertx_http_server_active_connections");
  }

  @Test
  @DisplayName("a fragmented message past the limit is cut off with 1009, and the hub's own close gets the client's code back")
  void tooBigAndHubClose() throws Exception {
    JsonObject smallFrames = new JsonObject().put("bridge", new JsonObject().put("maxFrameBytes", 1024));
    try (TestHub hub = TestHub.start(smallFrames); Socket socket = connect(hub)) {
      assertTrue(upgrade(socket, "13").startsWith("HTTP/1.1 101 "));
      byte[] chunk = "x".repeat(30_000).getBytes(StandardCharsets.UTF_8);
      write(socket, 0x01, chunk);
      write(socket, 0x00, chunk);
      write(socket, 0x00, chunk); // 90,000 bytes: past the 65,536 a socket takes with maxFrameBytes 1024
      byte[] close = readFrame(socket.getInputStream(), 0x88);
      assertEquals(1009, ((close[0] & 0xFF) << 8) | (close[1] & 0xFF));
    }
    try (TestHub hub = TestHub.start(smallFrames)) {
      WebSocket client = WebSocketClients.connect(hub.port(), "/eventbus/websocket");
      CompletableFuture<Short> closed = new CompletableFuture<>();
      client.closeHandler(v -> closed.complete(client.closeStatusCode()));
      Await.until("the connection counts", Duration.ofSeconds(5), () -> hub.hub().bridge().connections().count() == 1);
      client.writeFrame(WebSocketFrame.textFrame("{\"type\":\"register\",\"address\":\"" + "a".repeat(70_000) + "\"}", true));
      assertEquals((short) 1009, closed.get(10, TimeUnit.SECONDS));
      Await.until("the connection is gone", Duration.ofSeconds(5), () -> hub.hub().bridge().connections().count() == 0);
    }
  }

  private static Socket connect(TestHub hub) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), hub.port());
    socket.setSoTimeout(10_000);
    return socket;
  }

  private static String upgrade(Socket socket, String version) throws IOException {
    send(socket, "GET /eventbus/websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: " + version + "\r\n\r\n");
    return readHead(socket.getInputStream());
  }

  private static void send(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  /** A masked client frame: {@code first} is the FIN bit and opcode. */
  private static void write(Socket socket, int first, byte[] payload) throws IOException {
    OutputStream out = socket.getOutputStream();
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.write(first);
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else {
      frame.write(0x80 | 126);
      frame.write(payload.length >> 8);
      frame.write(payload.length & 0xFF);
    }
    byte[] mask = {1, 2, 3, 4};
    frame.write(mask);
    for (int i = 0; i < payload.length; i++) {
      frame.write(payload[i] ^ mask[i % 4]);
    }
    out.write(frame.toByteArray());
    out.flush();
  }

  /** The payload of the next frame whose first byte is {@code first}, skipping others (heartbeats). */
  private static byte[] readFrame(InputStream in, int first) throws IOException {
    for (int frames = 0; frames < 100; frames++) {
      int b0 = in.read();
      int b1 = in.read();
      if (b0 < 0 || b1 < 0) {
        throw new IOException("socket closed before a frame " + Integer.toHexString(first));
      }
      long length = b1 & 0x7F;
      if (length == 126) {
        length = (in.read() << 8) | in.read();
      } else if (length == 127) {
        length = 0;
        for (int i = 0; i < 8; i++) {
          length = (length << 8) | in.read();
        }
      }
      byte[] payload = in.readNBytes((int) length);
      if (b0 == first) {
        return payload;
      }
    }
    throw new IOException("no frame " + Integer.toHexString(first) + " in 100");
  }
}
