/**
 * Presence: who is subscribed to the tracked addresses ({@code presence.patterns}), per user, across
 * the cluster, with join and leave events on {@code $presence:ADDRESS} and snapshots on request.
 *
 * <p>{@link io.eventhub.presence.Presence} is the entry point: the bridge tells it of every
 * subscription made and ended; it counts them on this instance and writes the counts per address, at
 * most once per flush, to the {@link io.eventhub.presence.PresenceHome}, with a user's last leave held
 * back for {@code presence.graceSeconds} so that a reconnect or a rolling restart does not flap. Two
 * homes, chosen once in {@code Hub}: {@link io.eventhub.presence.MemoryPresence} for a single
 * instance, {@link io.eventhub.presence.HazelcastPresence} (a map entry per address, written by entry
 * processors, pruned of members that are gone) for a cluster. The home answers who joined or left the
 * address as a whole, so each event is sent once, by the member whose write caused it, through the
 * {@code delivery.Publisher}. State is one {@link io.eventhub.presence.AddressState} per tracked address
 * with anybody on it: per user and member, never per event; untracked addresses have none.
 */
package io.eventhub.presence;
