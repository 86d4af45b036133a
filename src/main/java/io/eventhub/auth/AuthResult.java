package io.eventhub.auth;

import io.eventhub.protocol.CloseCodes;

/**
 * The outcome of a handshake: admitted with an identity (and the session id, for revocation), or
 * refused with an HTTP status, the WebSocket/SockJS close code that matches it, and a reason.
 */
public record AuthResult(Identity identity, String sessionId, int status, String error, String message) {

  public static AuthResult admitted(Identity identity, String sessionId) {
    return new AuthResult(identity, sessionId, 200, null, null);
  }

  public static AuthResult unauthenticated(String message) {
    return new AuthResult(null, null, 401, "unauthenticated", message);
  }

  public static AuthResult forbidden(String message) {
    return new AuthResult(null, null, 403, "forbidden", message);
  }

  public static AuthResult unavailable(String message) {
    return new AuthResult(null, null, 503, "unavailable", message);
  }

  public boolean admitted() {
    return identity != null;
  }

  public int closeCode() {
    return switch (status) {
      case 401 -> CloseCodes.UNAUTHENTICATED;
      case 403 -> CloseCodes.FORBIDDEN;
      default -> CloseCodes.UNAVAILABLE;
    };
  }
}
