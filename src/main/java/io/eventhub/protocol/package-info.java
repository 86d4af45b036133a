/**
 * What crosses the wire, whatever the transport: the Vert.x event bus bridge frames, the codes the hub
 * answers with, and the JSON error bodies of its HTTP endpoints. It depends on no other hub package, so
 * every layer may use it.
 *
 * <p>{@link io.eventhub.protocol.InboundFrame} is a client's frame checked for shape (register,
 * unregister, publish, send, ping, resume). {@link io.eventhub.protocol.OutboundFrame} is one frame for
 * clients, encoded once and shared by every connection it goes to: the raw endpoint writes its JSON as a
 * text frame, SockJS connections write it as an element of an {@code a[...]} frame whose escaped form
 * is also computed once, on first use. Event headers starting with {@code hub-} are the hub's own and
 * are left out of that encoding: {@code hub-published-at} (epoch microseconds) carries the publish time
 * across instances for the delivery-latency histogram.
 *
 * <p>{@link io.eventhub.protocol.ErrorCode} is the {@code body} of an {@code err} frame,
 * {@link io.eventhub.protocol.CloseCodes} the close codes (4000 reconnect, 4008, 4009, 4029, 4401, 4403,
 * 4503) on which the hosted client decides whether to retry, and the metric label of each;
 * {@link io.eventhub.protocol.JsonErrors} the {@code {"error": CODE, "message": TEXT}} bodies of HTTP
 * refusals. These names are a contract with clients and operators: change one only everywhere at once,
 * README included. {@link io.eventhub.protocol.WireFrames} builds WebSocket text frames as wire bytes,
 * the same for every socket since server frames are not masked. {@link io.eventhub.protocol.AddressGlob} reads the
 * address patterns of permissions and history streams.
 */
package io.eventhub.protocol;
