/**
 * Per-address history and recovery: the events of addresses matching a configured stream are kept
 * (bounded by count and age), each with a position {@code EPOCH:OFFSET} given once, so that a client
 * coming back with its last position gets what it missed, or is told it cannot.
 *
 * <p>{@link io.eventhub.history.History} is the capability, with two homes chosen once in
 * {@code Hub}: {@link io.eventhub.history.MemoryHistory} for a single instance and
 * {@link io.eventhub.history.HazelcastHistory} (a Ringbuffer per stream address) for a cluster.
 * Positions are given only by the home, on append: the publisher appends before it puts an event on
 * the bus, and {@link io.eventhub.history.BusPositions} does the same for events that services
 * publish on the hub's bus themselves. Services in other JVMs publish past every hub's interceptor:
 * {@link io.eventhub.history.ClusterIntake} gives one hub per stream address a consumer there, which
 * stores and republishes with a position what comes without one. The fan-out's {@code Sequencer} then delivers each stream in
 * position order, and the bridge's {@code Recovery} replays from history on a register with since.
 *
 * <p>Both homes forget a stream nobody publishes to once its events have expired (the in-memory home
 * at once, the Hazelcast one after another TTL of seeing it empty, through
 * {@code RingSweep}), so memory follows the addresses in use; a forgotten stream
 * used again starts a new epoch, exactly as one whose history was lost.
 */
package io.eventhub.history;
