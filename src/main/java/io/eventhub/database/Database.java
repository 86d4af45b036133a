package io.eventhub.database;

import io.eventhub.config.HubConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The connection pool to the application's database; with {@code database.embedded}, first starts a
 * MariaDB, applies {@code conf/schema.sql} and seeds a demo user and session.
 */
public final class Database {
  private static final Logger log = LoggerFactory.getLogger(Database.class);
  /** conf/schema.sql, packed into the jar by the build. */
  private static final String SCHEMA = "/schema.sql";
  public static final String DEMO_SESSION_ID = "demo-session-0123456789abcdef";

  private final Pool pool;
  private final EmbeddedMariaDb embedded;

  private Database(Pool pool, EmbeddedMariaDb embedded) {
    this.pool = pool;
    this.embedded = embedded;
  }

  public static Future<Database> open(Vertx vertx, HubConfig.Database config) {
    if (!config.embedded()) {
      return Future.succeededFuture(new Database(pool(vertx, config, config.host(), config.port()), null));
    }
    return vertx.executeBlocking(() -> EmbeddedMariaDb.start(config.embeddedDataDir()))
        .compose(db -> db.prepare(vertx, config.name(), schema() + DEMO_SEED)
            .recover(failure -> vertx.executeBlocking(() -> {
              db.stop();
              return null;
            }).transform(stopped -> Future.<Void>failedFuture(failure)))
            .map(db))
        .map(db -> {
          log.info("Demo login: user 1 with session id {} (open /?session={} or send it as the PHPSESSID cookie)",
              DEMO_SESSION_ID, DEMO_SESSION_ID);
          return new Database(pool(vertx, config, "127.0.0.1", db.port()), db);
        });
  }

  /** The statements of an SQL script, split at semicolons: no statement of ours has one inside. */
  public static List<String> statements(String sql) {
    return Arrays.stream(sql.split(";"))
        .filter(statement -> !statement.replaceAll("--[^\n]*", "").isBlank())
        .toList();
  }

  private static Pool pool(Vertx vertx, HubConfig.Database config, String host, int port) {
    MySQLConnectOptions connect = new MySQLConnectOptions()
        .setHost(host)
        .setPort(port)
        .setDatabase(config.name())
        .setUser(config.user())
        .setPassword(config.password())
        .setCachePreparedStatements(true);
    PoolOptions pool = new PoolOptions()
        .setMaxSize(config.poolSize())
        .setConnectionTimeout(config.connectTimeoutMillis())
        .setConnectionTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS)
        .setMaxWaitQueueSize(10_000)
        // An event loop apart from the HTTP servers' (Vert.x has two per core; the servers, one per core
        // by default, take the ones after this): in a storm of handshakes their loops run seconds behind,
        // and a database answer read there would look seconds late, a timeout and 503s while the
        // database is fine.
        .setEventLoopSize(1)
        .setName("event-hub-sessions");
    return MySQLBuilder.pool()
        .with(pool)
        .with(new NetClientOptions().setConnectTimeout(config.connectTimeoutMillis()))
        .connectingTo(connect)
        .using(vertx)
        .build();
  }

  /** The application tables the embedded database is created with (users, sessions). */
  public static String schema() {
    try (InputStream in = Database.class.getResourceAsStream(SCHEMA)) {
      if (in == null) {
        throw new IllegalStateException(SCHEMA + " is missing from the classpath (the build copies conf/schema.sql)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + SCHEMA, e);
    }
  }

  private static final String DEMO_SEED = """
      INSERT IGNORE INTO users (id, name) VALUES (1, 'demo');
      INSERT INTO sessions (id, user_id, roles, expires_at) VALUES ('%s', 1, 'user', NOW() + INTERVAL 1 YEAR)
        ON DUPLICATE KEY UPDATE expires_at = NOW() + INTERVAL 1 YEAR;
      """.formatted(DEMO_SESSION_ID);

  public Pool pool() {
    return pool;
  }

  /** The embedded server, when the hub started one. */
  public EmbeddedMariaDb embedded() {
    return embedded;
  }

  public Future<Void> close() {
    return pool.close().onComplete(v -> {
      if (embedded != null) {
        embedded.stop();
      }
    });
  }
}
