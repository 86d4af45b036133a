/**
 * event-hub: browsers hold WebSocket or SockJS connections, back ends publish events, and the hub fans
 * each event out to the connections subscribed to its address, over one instance or a cluster.
 *
 * <p>{@link io.eventhub.Main} is the command line: run the hub ({@code --conf FILE}), {@code check-config}
 * (validate and print the effective configuration) and {@code check-cert FILE...} (PEM preflight); exit
 * code 2 for a configuration that cannot be used, 1 for a hub that cannot start. {@link io.eventhub.Hub}
 * wires one instance and is the place to start reading: configuration, metrics, the session database,
 * the bridge with its publisher and delivery lag, the HTTP server verticles, and the drain on SIGTERM.
 *
 * <p>Dependencies point one way: {@code http} → {@code transport} → {@code bridge} → {@code delivery}
 * → {@code protocol}; {@code auth} and {@code publish} sit beside them and only use what is below. The
 * supporting packages {@code config}, {@code cluster}, {@code metrics}, {@code database} and
 * {@code tls} depend on none of them.
 */
package io.eventhub;
