/**
 * Prometheus metrics: {@link io.eventhub.metrics.Metrics} builds Vert.x with one Micrometer registry for
 * Vert.x's meters (HTTP server, event bus, SQL pool), the JVM's and the hub's own,
 * {@link io.eventhub.metrics.HubMetrics} ({@code eventhub_*}).
 *
 * <p>Labels come only from small fixed sets (transport, outcome, result, source, reason), never an
 * address, a path or a user id, which would make series without bound; Vert.x's address label is
 * switched off for the same reason. Meters recorded on every handshake are looked up by outcome alone,
 * with nothing built per connect. The delivery-latency histogram is sampled once per event and event
 * loop, since all of a loop's sockets are written in the same turn. The README's metric table is
 * checked against what is exported, and the alert rules under {@code k8s/monitoring} against both.
 */
package io.eventhub.metrics;
