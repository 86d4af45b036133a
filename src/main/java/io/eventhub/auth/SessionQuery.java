package io.eventhub.auth;

import io.eventhub.config.HubConfig;

/**
 * The one prepared statement that looks a session up, from the configured preset. Every preset
 * returns the same four columns: user id, roles (comma-separated), expiry (epoch seconds) and the
 * serialized session data, each possibly NULL. Names come from validated configuration (plain
 * identifiers), the session id only ever as the parameter.
 */
public final class SessionQuery {
  private SessionQuery() {}

  public static String sql(HubConfig.Session s) {
    return switch (s.preset()) {
      case PLAIN -> "SELECT " + orNull(s.userColumn()) + ", " + orNull(s.rolesColumn()) + ", "
          + (s.expiresColumn().isEmpty() ? "NULL" : "UNIX_TIMESTAMP(" + s.expiresColumn() + ")") + ", "
          + orNull(s.dataColumn()) + " FROM " + s.table() + " WHERE " + s.idColumn() + " = ?";
      // Laravel's database driver: user_id is a column; a session lives lifetime seconds after last_activity.
      case LARAVEL -> "SELECT user_id, NULL, last_activity + " + s.lifetimeSeconds() + ", NULL FROM "
          + s.table() + " WHERE id = ?";
      // Symfony's PdoSessionHandler: sess_lifetime holds the expiry time; the user is in sess_data.
      case SYMFONY -> "SELECT NULL, NULL, sess_lifetime, sess_data FROM " + s.table() + " WHERE sess_id = ?";
      case CUSTOM -> s.query();
    };
  }

  private static String orNull(String column) {
    return column.isEmpty() ? "NULL" : column;
  }
}
