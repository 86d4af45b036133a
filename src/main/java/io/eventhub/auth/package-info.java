/**
 * Who may connect: the handshake check against the application's login sessions, and the end of
 * connections whose session ended.
 *
 * <p>{@link io.eventhub.auth.Authenticator} is the entry point, called before a raw WebSocket upgrade
 * and when a SockJS session opens: the origin check (same origin unless {@code auth.allowedOrigins},
 * {@code X-Forwarded-Host} believed only from {@code http.trustedProxies}), then the session id from the
 * cookie, the query parameter or an {@code Authorization: Bearer} header, in that order, then its
 * validity. It fails closed: no id, a malformed id (refused without a query), an unknown, expired or
 * guest session, or a database that cannot answer all refuse, as HTTP 401/403/503 before an upgrade or
 * close codes 4401/4403/4503 after.
 *
 * <p>{@link io.eventhub.auth.SessionStore} looks sessions up with prepared statements
 * ({@code SessionQuery}, built from the preset: plain, Laravel, Symfony or a custom query, always the
 * same four columns) through the pooled MySQL client, behind a cache: valid sessions for
 * {@code auth.cacheSeconds} and never past their own expiry, unknown or expired ones for
 * {@code auth.negativeCacheSeconds}, failures not at all, so an error never admits anyone and never
 * outlives the outage. Concurrent lookups of one id share one query, and {@code SessionBatches} sends
 * the ids that miss the cache many to a statement ({@code WHERE id IN (...)}; a custom query one id per
 * statement), at most one statement per pooled connection in flight, each timed from when it is sent:
 * a reconnect storm of thousands of clients over a few hundred new sessions costs a handful of queries
 * and is not refused for the queue in front of the database. With a preset, ids match exactly,
 * whatever the column's collation. {@link io.eventhub.auth.PhpSession} reads PHP's {@code php} and {@code php_serialize}
 * session formats (lengths count UTF-8 bytes) for the user id in the session data.
 *
 * <p>{@link io.eventhub.auth.SessionRevocation} closes connections with 4401 at once when a back end
 * publishes a session id to {@code auth.revocationAddress} (logout), and every
 * {@code auth.revalidateSeconds} looks the live sessions up again in batches of 100 (with a preset,
 * one statement each). A database outage during revalidation keeps connections open and cached
 * sessions admitted, each unanswered round renewing their cache time: only a definite "unknown or
 * expired" closes them.
 * {@link io.eventhub.auth.SessionConnections} is what revocation needs of the open connections,
 * implemented by the bridge above.
 */
package io.eventhub.auth;
