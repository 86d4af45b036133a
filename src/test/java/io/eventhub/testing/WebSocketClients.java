package io.eventhub.testing;

import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** Clients over WebSocket: the raw endpoint, and SockJS's websocket transport with its framing. */
public final class WebSocketClients {
  private static final WebSocketClient CLIENT = ClientVertx.get().createWebSocketClient(
      new WebSocketClientOptions().setMaxFrameSize(64 * 1024 * 1024).setMaxMessageSize(64 * 1024 * 1024)
          .setMaxConnections(20_000).setConnectTimeout(5000));

  private WebSocketClients() {}

  public static WebSocket connect(int port, String uri) {
    return connect(port, uri, Credentials.NONE, ws -> { });
  }

  /** {@code setup} runs on the event loop as the socket opens, so no frame arrives before its handlers. */
  public static WebSocket connect(int port, String uri, Credentials credentials, Consumer<WebSocket> setup) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI(uri + credentials.query());
    credentials.headers().forEach(options::addHeader);
    return ClientVertx.call(() -> CLIENT.connect(options).onSuccess(setup::accept));
  }

  /** The hub's refusal of a WebSocket upgrade: HTTP status and JSON body. */
  public static io.vertx.core.http.UpgradeRejectedException rejection(int port, String uri, Credentials credentials) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI(uri + credentials.query());
    credentials.headers().forEach(options::addHeader);
    try {
      CLIENT.connect(options).await().close();
    } catch (io.vertx.core.http.UpgradeRejectedException e) {
      return e;
    }
    throw new AssertionError("the upgrade of " + uri + " was accepted");
  }

  /** {@code /eventbus/websocket}: one bridge frame per text frame. */
  public static final class Raw extends BridgeClient {
    private final WebSocket socket;

    public Raw(int port) {
      this(port, Credentials.NONE);
    }

    public Raw(int port, Credentials credentials) {
      socket = connect(port, "/eventbus/websocket", credentials, ws -> {
        ws.textMessageHandler(this::deliver);
        ws.closeHandler(v -> closed.complete(new CloseInfo(
            ws.closeStatusCode() == null ? -1 : ws.closeStatusCode(), ws.closeReason())));
      });
    }

    public WebSocket socket() {
      return socket;
    }

    @Override
    public void sendText(String text) {
      socket.writeTextMessage(text);
    }

    @Override
    public void close() {
      socket.close();
    }
  }

  /** {@code /eventbus/<server>/<session>/websocket}: SockJS frames o, h, a[...], c[...]. */
  public static final class SockJs extends BridgeClient {
    private final WebSocket socket;
    private final CompletableFuture<String> answered = new CompletableFuture<>();

    public SockJs(int port) {
      this(port, Credentials.NONE);
    }

    public SockJs(int port, Credentials credentials) {
      socket = connect(port, "/eventbus/000/" + UUID.randomUUID().toString().substring(0, 8) + "/websocket", credentials, ws -> {
        ws.textMessageHandler(this::onFrame);
        ws.closeHandler(v -> closed.complete(new CloseInfo(-1, "socket closed without a SockJS close frame")));
      });
      SockJsFrames.awaitAnswer(answered, "websocket");
    }

    @Override
    public String firstFrame() {
      return answered.getNow(null);
    }

    public WebSocket socket() {
      return socket;
    }

    private void onFrame(String frame) {
      SockJsFrames.dispatch(frame, answered, this::deliver, closed);
    }

    @Override
    public void sendText(String text) {
      socket.writeTextMessage(new JsonArray().add(text).encode());
    }

    @Override
    public void close() {
      socket.close();
    }
  }
}
