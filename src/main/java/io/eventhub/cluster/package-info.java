/**
 * Clustering over Hazelcast: {@link io.eventhub.cluster.Clustering} builds Vert.x's cluster manager and
 * event-bus options from {@code cluster.*}: one interface, a static TCP member list or a DNS lookup of a
 * Kubernetes headless Service (no API-server permissions), multicast always off, and one backup of the
 * subscription table so that losing one member at a time loses nothing.
 *
 * <p>{@link io.eventhub.cluster.SubscribedAddresses} is a local view of which addresses have a consumer
 * anywhere in the cluster. Back ends publish to per-user addresses whether or not the user is online,
 * and Vert.x looks every such address up in Hazelcast on each publish (measured 22-25 k publishes/s
 * against 40-225 k/s to a subscribed address); the view follows Vert.x's own registration table
 * ({@code __vertx.subs}) through a key listener, so the hub's publish paths skip those addresses at
 * millions per second. An added registration marks its address at once; a removal re-checks the
 * address in Hazelcast, off the publish path. A subscription made while an event is being published may
 * miss that one event, as it could without the view.
 *
 * <p>{@link io.eventhub.cluster.ClusterMembership} tells readiness whether this member can serve (its
 * Hazelcast runs, it is not merging back after a split, and, just joined, the partitions have been safe
 * once): a peer's death does not take the survivors out of service. It logs one line per member that
 * joins or leaves; {@link io.eventhub.cluster.PeerLossLogFilter} keeps what Vert.x and Hazelcast say about
 * a dead member's broken connections (stack traces, mostly) out of the log, message by message.
 *
 * <p>{@link io.eventhub.cluster.HubMembers} tells hubs from other Vert.x services in the same cluster
 * (a member attribute) and names, for a key, the one hub that looks after it (rendezvous hashing), so
 * that members agree without asking each other.
 *
 * <p>{@link io.eventhub.cluster.RouteProbe} tells when this member's own publishes to an address reach
 * its new consumer there: Vert.x routes publishes by a cache of registrations that learns of a new one
 * a little after the registration completes.
 */
package io.eventhub.cluster;
