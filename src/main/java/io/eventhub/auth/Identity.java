package io.eventhub.auth;

import java.util.Set;

/**
 * Who is on the other end of a connection. The foundation admits anonymous clients only; session
 * validation fills {@code userId} and {@code roles} from the application's database.
 */
public record Identity(String userId, Set<String> roles) {
  public static final Identity ANONYMOUS = new Identity(null, Set.of());

  public boolean anonymous() {
    return userId == null;
  }
}
