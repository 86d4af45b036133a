/**
 * The HTTP face of the hub: routes, handshakes, health and the files it serves.
 *
 * <p>{@link io.eventhub.http.HubServerVerticle} is the entry point; the hub deploys
 * {@code http.instances} of them (default one per core), all sharing the port. Routes: {@code /eventbus}
 * (SockJS, every transport), {@code /eventbus/websocket} (raw WebSocket), {@code POST /api/publish},
 * {@code /health/live}, {@code /health/ready}, {@code /metrics} (unless it has a port of its own),
 * {@code /} (demo page), {@code /eventbus/client.js} and {@code /eventbus/sockjs.min.js}
 * ({@link io.eventhub.http.StaticAssets}, read once from the jar and served from memory).
 *
 * <p>Handshakes: a raw WebSocket is authenticated before the upgrade, so a refusal is a plain HTTP
 * 401/403/503 with a JSON body; a SockJS session when it opens (close 4401/4403/4503); the SockJS
 * {@code info} request holds nothing and is not checked. Past {@code http.maxConnections} new clients
 * get 503 / 4503. While draining, {@code /eventbus/info} answers 503 too, so that no new SockJS session
 * opens here and a proxy that fails over on 503 (Apache's {@code failonstatus}) moves the client to an
 * instance that stays.
 *
 * <p>WebSocket compression is off: every browser offers permessage-deflate, and with it each connection
 * kept a zlib deflater (127 KB instead of ~30 KB of resident memory per idle client) and every event was
 * compressed again per socket, where the fan-out writes the same pre-built bytes to all of them.
 * WebSocket frames over four times {@code bridge.maxFrameBytes} (at least 64 KB) are cut by Vert.x
 * itself with 1009; the bridge refuses the smaller oversized ones with 4009. The server speaks HTTP/1.1
 * only, as Apache and every client do: cleartext HTTP/2 would add a handler per connection that waits
 * for its preface and one that looks each request over for an h2c upgrade (TLS offers no ALPN either).
 *
 * <p>{@link io.eventhub.http.Health}: liveness (the process answers) apart from readiness (it should
 * get new clients), which turns DOWN while draining, while the session database does not answer and,
 * clustered, while this member is out of the cluster, so balancers stop sending clients before they
 * are cut; a peer's death leaves it UP. Every DOWN check names its reason, and answers before the
 * health-check framework's own timeout (which would make it a 500).
 */
package io.eventhub.http;
