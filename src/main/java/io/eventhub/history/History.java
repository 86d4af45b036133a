package io.eventhub.history;

import io.eventhub.config.HubConfig;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;

import java.util.function.Consumer;

/**
 * The history of stream addresses, wherever it is kept. Positions are given here and nowhere else, so
 * every path an event takes into the hub gets one position for the whole of the hub.
 */
public interface History {
  /** The bus header that carries an event's position from where it is given to the fan-outs. */
  String POSITION_HEADER = "hub-position";
  /** Marks an event an intake ({@link ClusterIntake}) published again with a position: fan-outs drop the copy they hold without one. */
  String INTAKE_HEADER = "hub-intake";

  /** The stream {@code address} belongs to; null when it has no history (today's behaviour). */
  HubConfig.Stream streamOf(String address);

  /**
   * Stores an event and gives it the next position, then calls {@code dispatch} with it before any
   * later event of the stream is dispatched, so events reach the bus in position order.
   * {@code headers}: the event's bus headers; those of the hub ({@code hub-}) are not kept.
   */
  Future<Position> append(String address, HubConfig.Stream stream, Object body, MultiMap headers,
                          Consumer<Position> dispatch);

  /**
   * The events after {@code since} (all kept, when null: the latest {@code limit}), oldest first, at
   * most {@code limit}. Unavailable when {@code since} is of another epoch or older than what is kept.
   */
  Future<Read> read(String address, Position since, int limit);

  /** A history that keeps nothing: no address is a stream. */
  History NONE = new History() {
    @Override
    public HubConfig.Stream streamOf(String address) {
      return null;
    }

    @Override
    public Future<Position> append(String address, HubConfig.Stream stream, Object body, MultiMap headers,
                                   Consumer<Position> dispatch) {
      return Future.failedFuture(new IllegalStateException(address + " is not a stream"));
    }

    @Override
    public Future<Read> read(String address, Position since, int limit) {
      return Future.failedFuture(new IllegalStateException(address + " is not a stream"));
    }
  };
}
