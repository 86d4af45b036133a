package io.eventhub.auth;

import io.eventhub.protocol.CloseCodes;

/**
 * The outcome of a handshake: admitted with an identity (and the session id, for revocation), or
 * refused with an HTTP status, the WebSocket/SockJS close code that matches it, and a reason.
 */
public record AuthResult(Identity identity, String sessionId, int status, String error, String message,
                         String clientAddress) {

  public static AuthResult admitted(Identity identity, String sessionId) {
    return new AuthResult(identity, sessionId, 200, null, null, null);
  }

  public static AuthResult unauthenticated(String message) {
    return new AuthResult(null, null, 401, "unauthenticated", message, null);
  }

  public static AuthResult forbidden(String message) {
    return new AuthResult(null, null, 403, "forbidden", message, null);
  }

  public static AuthResult unavailable(String message) {
    return new AuthResult(null, null, 503, "unavailable", message, null);
  }

  /** Too many connections of this user (or anonymous client address): 429 / 4429. */
  public static AuthResult tooManyConnections(String message) {
    return new AuthResult(null, null, 429, "too_many_connections", message, null);
  }

  /** Too many failed handshakes from this client address: 429 / 4429, with Retry-After. */
  public static AuthResult tooManyAttempts(String message) {
    return new AuthResult(null, null, 429, "too_many_attempts", message, null);
  }

  /** The same result, for a client at {@code address} (after X-Forwarded-For from a trusted proxy). */
  public AuthResult from(String address) {
    return new AuthResult(identity, sessionId, status, error, message, address);
  }

  public boolean admitted() {
    return identity != null;
  }

  public int closeCode() {
    return switch (status) {
      case 401 -> CloseCodes.UNAUTHENTICATED;
      case 403 -> CloseCodes.FORBIDDEN;
      case 429 -> CloseCodes.TOO_MANY;
      default -> CloseCodes.UNAVAILABLE;
    };
  }
}
