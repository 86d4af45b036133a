-- The default session layout (auth.session.preset "plain"): the web application writes a row at
-- login and deletes it (or lets it expire) at logout. The hub only reads it.
CREATE TABLE IF NOT EXISTS users (
  id         BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  name       VARCHAR(190)    NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS sessions (
  id         VARCHAR(256)    NOT NULL PRIMARY KEY, -- the PHP session id (PHPSESSID)
  user_id    BIGINT UNSIGNED NULL,                 -- NULL: a guest session, not logged in
  roles      VARCHAR(255)    NULL,                 -- comma-separated, optional
  data       MEDIUMBLOB      NULL,                 -- PHP's serialized $_SESSION, optional
  expires_at DATETIME        NOT NULL,
  KEY sessions_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
