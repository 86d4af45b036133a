package io.eventhub.testing;

import java.util.function.IntFunction;

/** Every way a client can reach the bridge; suites run once per transport. */
public enum Transport {
  RAW_WEBSOCKET(WebSocketClients.Raw::new),
  SOCKJS_WEBSOCKET(WebSocketClients.SockJs::new),
  SOCKJS_XHR_STREAMING(port -> new SockJsHttpClient(port, SockJsHttpClient.Kind.XHR_STREAMING)),
  SOCKJS_XHR_POLLING(port -> new SockJsHttpClient(port, SockJsHttpClient.Kind.XHR_POLLING)),
  SOCKJS_EVENTSOURCE(port -> new SockJsHttpClient(port, SockJsHttpClient.Kind.EVENTSOURCE)),
  SOCKJS_HTMLFILE(port -> new SockJsHttpClient(port, SockJsHttpClient.Kind.HTMLFILE)),
  SOCKJS_JSONP(port -> new SockJsHttpClient(port, SockJsHttpClient.Kind.JSONP));

  private final IntFunction<BridgeClient> connector;

  Transport(IntFunction<BridgeClient> connector) {
    this.connector = connector;
  }

  public BridgeClient connect(int port) {
    return connector.apply(port);
  }
}
