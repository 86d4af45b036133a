package io.eventhub.auth;

import java.util.Set;

/**
 * Who is on the other end of a connection: the user id and roles its login session holds in the
 * application's database, or {@link #ANONYMOUS} ({@code auth.mode} anonymous).
 */
public record Identity(String userId, Set<String> roles) {
  public static final Identity ANONYMOUS = new Identity(null, Set.of());

  public boolean anonymous() {
    return userId == null;
  }
}
