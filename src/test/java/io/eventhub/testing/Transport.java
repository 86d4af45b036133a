package io.eventhub.testing;

import java.util.function.BiFunction;

/** Every way a client can reach the bridge; suites run once per transport. */
public enum Transport {
  RAW_WEBSOCKET(WebSocketClients.Raw::new),
  SOCKJS_WEBSOCKET(WebSocketClients.SockJs::new),
  SOCKJS_XHR_STREAMING((port, c) -> new SockJsHttpClient(port, SockJsHttpClient.Kind.XHR_STREAMING, c)),
  SOCKJS_XHR_POLLING((port, c) -> new SockJsHttpClient(port, SockJsHttpClient.Kind.XHR_POLLING, c)),
  SOCKJS_EVENTSOURCE((port, c) -> new SockJsHttpClient(port, SockJsHttpClient.Kind.EVENTSOURCE, c)),
  SOCKJS_HTMLFILE((port, c) -> new SockJsHttpClient(port, SockJsHttpClient.Kind.HTMLFILE, c)),
  SOCKJS_JSONP((port, c) -> new SockJsHttpClient(port, SockJsHttpClient.Kind.JSONP, c));

  private final BiFunction<Integer, Credentials, BridgeClient> connector;

  Transport(BiFunction<Integer, Credentials, BridgeClient> connector) {
    this.connector = connector;
  }

  public BridgeClient connect(int port) {
    return connect(port, Credentials.NONE);
  }

  public BridgeClient connect(int port, Credentials credentials) {
    return connector.apply(port, credentials);
  }
}
