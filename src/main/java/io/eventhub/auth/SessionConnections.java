package io.eventhub.auth;

import java.util.Set;

/**
 * The open client connections of this instance, seen by the login session they were admitted with:
 * what revocation needs to end them. Implemented by the bridge, which sits above this package.
 */
public interface SessionConnections {
  /** The distinct login sessions of the open connections. */
  Set<String> sessionIds();

  /** Closes, each on its own context, every connection admitted with {@code sessionId}. */
  void closeSession(String sessionId, int code, String reason);
}
