/**
 * The event bus bridge: what one client connection may do, whatever its transport.
 *
 * <p>{@link io.eventhub.bridge.Bridge} is the entry point, shared by all HTTP server verticles of an
 * instance: the HTTP layer hands it every admitted connection, and it holds the fan-out, the publisher,
 * the handover and the open {@link io.eventhub.bridge.Connections} (for counting, heartbeats, closing a
 * revoked session's connections and draining).
 *
 * <p>{@link io.eventhub.bridge.BridgeConnection} handles one client's frames: register, unregister,
 * publish, send (with replies routed back, across instances too), ping and resume. Every address is
 * checked against the connection's {@link io.eventhub.bridge.AddressRules}; limits are enforced per
 * connection: frame size ({@code bridge.maxFrameBytes}, close 4009), rate ({@code err rate_limited}
 * over {@code bridge.maxMessagesPerSecond}, close 4029 at twice that), subscriptions
 * ({@code max_subscriptions}). Its outbound queue is bounded ({@code bridge.writeQueueMaxBytes}); when
 * it is full the slow-consumer policy disconnects (4008) or drops and counts, so one stalled client
 * neither grows memory nor delays the others. On drain it gets a resume token, then close 4000. Its
 * parts each have a class: {@code PointToPoint} (sends, requests and replies both ways),
 * {@code InboundLimits} (frame size and rate), {@code Recovery} (history replay on register with
 * {@code since}; with header {@code ack} too, a {@code recovered} frame ahead of the replay, so that a
 * client learns it missed nothing even when nothing is replayed), {@code Resumption} (taking over
 * what a drained instance kept for it) and {@code PresenceQueries} (snapshots asked by a send to
 * {@code $presence}). Every subscription made or ended goes through {@link io.eventhub.bridge.Bridge},
 * which tells the fan-out and presence alike.
 *
 * <p>{@link io.eventhub.bridge.AddressRules}: exact addresses, {@code *} within one dot-separated
 * segment, {@code **} across dots, {@code {userId}} replaced by the connection's user id. For an
 * anonymous connection a {@code {userId}} pattern matches nothing, so a missing identity can never widen
 * access; addresses under {@code hub.} and {@code $presence} are the hub's own and never open to
 * clients' publish or send. {@code $presence:A} may be subscribed by whoever may subscribe to A.
 */
package io.eventhub.bridge;
