/**
 * Per-address history and recovery: the events of addresses matching a configured stream are kept
 * (bounded by count and age), each with a position {@code EPOCH:OFFSET} given once, so that a client
 * coming back with its last position gets what it missed, or is told it cannot.
 *
 * <p>{@link io.eventhub.history.History} is the capability; {@link io.eventhub.history.MemoryHistory}
 * its home for a single instance. {@link io.eventhub.history.BusPositions} gives positions to events
 * that other services put straight on the bus.
 */
package io.eventhub.history;
