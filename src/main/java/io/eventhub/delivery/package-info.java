/**
 * Getting each event to every subscribed connection of this instance, cheaply, in order, and without
 * losing it across a rolling restart.
 *
 * <p>{@link io.eventhub.delivery.FanOut} is the per-instance subscription table: address → connections,
 * grouped by the event loop they live on. It holds exactly one event-bus consumer per address with
 * subscribers (registered with the first, removed after the last), never one per client: bus
 * registrations, and in a cluster Hazelcast's subscription entries, grow with distinct addresses, not
 * with clients, and the bus dispatches an event once per instance instead of once per client. An event
 * is encoded once; each event loop gets one task that writes the same bytes to all of its connections
 * on that address. Point-to-point messages go round-robin to one subscriber.
 *
 * <p>Flush interval: the events of one address that arrive within the interval after its last write
 * to a loop's connections wait and go out together; an event after a quiet interval goes at once.
 * Under load a socket then gets one write, one system call, per address and interval instead of one
 * per event: the kernel's part is the largest of what a delivery costs (54-71 % of the hub's CPU in
 * the benchmark's 1,000 × 200 runs). The interval adapts ({@code FlushPace}): 4× what the group's last
 * write took, between {@code bridge.flushIntervalMillis} (10 ms) and {@code maxFlushIntervalMillis}
 * (30 ms, the latency budget: p99 31-38 ms at 1,000 × 200), so that a big or slowed group carries
 * more events per system call. A {@link io.eventhub.delivery.Batch} holds one interval's frames for
 * one loop and builds each transport's bytes once for all its connections (one SockJS {@code a[...]}
 * frame; the raw frames back to back), at most 256 frames per write.
 *
 * <p>{@link io.eventhub.delivery.Publisher} is where events enter (publish API, bridge clients): it
 * stamps the publish time, counts the event by source and, in a cluster, skips addresses no member
 * listens on instead of making Vert.x look each one up in Hazelcast.
 * {@link io.eventhub.delivery.DeliveryLag} refuses publishers ({@code overloaded}) as soon as events
 * are written more than {@code bridge.maxDeliveryLagMillis} after their publish, or what waits would
 * take longer than that to write: refusing, not queueing, is what bounds latency and memory. Events put
 * on the bus by other services cannot be refused; past a hard cap of waiting events they are dropped and
 * counted.
 *
 * <p>{@link io.eventhub.delivery.Handover}: on drain, each client's subscriptions pass, in the same
 * event-loop turn, to a stand-in that keeps the events the client would have got (up to 10,000, for
 * {@code shutdown.handoverSeconds}), and the client receives a resume token
 * ({@code <instance>.<secret>}, valid only with the same login session) before the 4000 close. The
 * instance it reconnects to claims the subscriptions over the event bus, registers them cluster-wide,
 * waits until its own publishes reach them ({@code FanOut.routed}: Vert.x learns of a new consumer a
 * little after its registration, and meanwhile routes even this member's publishes to the others only),
 * lets the flush interval hand over what it already held ({@code FanOut.settle}), and only then commits:
 * the kept events are written ahead of anything newer. Events that arrive both ways are recognised by
 * their bytes and publish stamp ({@code Replayed}) and written once. {@code Subscriber} is a connection
 * as this package sees it; every call to it arrives on the connection's own context.
 */
package io.eventhub.delivery;
