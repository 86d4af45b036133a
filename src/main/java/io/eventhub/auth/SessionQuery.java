package io.eventhub.auth;

import io.eventhub.config.HubConfig;

import java.util.Collections;

/**
 * The prepared statements that look sessions up, from the configured preset. Every preset returns the
 * same four columns: user id, roles (comma-separated), expiry (epoch seconds) and the serialized
 * session data, each possibly NULL; the statement for many ids at once adds the session id as a fifth.
 * Names come from validated configuration (plain identifiers), session ids only ever as parameters.
 */
public final class SessionQuery {
  /** Index of the session id in the rows of {@link #batchSql}. */
  static final int ID_COLUMN = 4;

  private SessionQuery() {}

  /** One session: the id is the one parameter. */
  public static String sql(HubConfig.Session s) {
    return switch (s.preset()) {
      case CUSTOM -> s.query();
      default -> "SELECT " + columns(s) + " FROM " + s.table() + " WHERE " + idColumn(s) + " = ?";
    };
  }

  /**
   * {@code ids} sessions in one statement ({@code IN} with that many parameters), the id as fifth
   * column; null for a custom query, which may not take a list and is sent once per id.
   */
  public static String batchSql(HubConfig.Session s, int ids) {
    if (s.preset() == HubConfig.SessionPreset.CUSTOM) {
      return null;
    }
    return "SELECT " + columns(s) + ", " + idColumn(s) + " FROM " + s.table() + " WHERE " + idColumn(s)
        + " IN (" + String.join(", ", Collections.nCopies(ids, "?")) + ")";
  }

  private static String columns(HubConfig.Session s) {
    return switch (s.preset()) {
      case PLAIN -> orNull(s.userColumn()) + ", " + orNull(s.rolesColumn()) + ", "
          + (s.expiresColumn().isEmpty() ? "NULL" : "UNIX_TIMESTAMP(" + s.expiresColumn() + ")") + ", "
          + orNull(s.dataColumn());
      // Laravel's database driver: user_id is a column; a session lives lifetime seconds after last_activity.
      case LARAVEL -> "user_id, NULL, last_activity + " + s.lifetimeSeconds() + ", NULL";
      // Symfony's PdoSessionHandler: sess_lifetime holds the expiry time; the user is in sess_data.
      case SYMFONY -> "NULL, NULL, sess_lifetime, sess_data";
      case CUSTOM -> throw new IllegalArgumentException("a custom query has no preset columns");
    };
  }

  private static String idColumn(HubConfig.Session s) {
    return switch (s.preset()) {
      case PLAIN -> s.idColumn();
      case LARAVEL -> "id";
      case SYMFONY -> "sess_id";
      case CUSTOM -> throw new IllegalArgumentException("a custom query has no preset id column");
    };
  }

  private static String orNull(String column) {
    return column.isEmpty() ? "NULL" : column;
  }
}
