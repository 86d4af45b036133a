package io.eventhub.history;

import io.eventhub.config.HubConfig;
import io.eventhub.metrics.HubMetrics;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;

import java.util.function.Consumer;

/** A history home with its stores counted and its reads timed, whichever home it is. */
public final class MeteredHistory implements History {
  private final History home;
  private final HubMetrics metrics;

  public MeteredHistory(History home, HubMetrics metrics) {
    this.home = home;
    this.metrics = metrics;
    metrics.registerHistory();
  }

  @Override
  public HubConfig.Stream streamOf(String address) {
    return home.streamOf(address);
  }

  @Override
  public Future<Position> append(String address, HubConfig.Stream stream, Object body, MultiMap headers,
                                 Consumer<Position> dispatch) {
    return home.append(address, stream, body, headers, dispatch).andThen(done -> {
      if (done.succeeded()) {
        metrics.historyStored();
      }
    });
  }

  @Override
  public Future<Read> read(String address, Position since, int limit) {
    long start = System.nanoTime();
    return home.read(address, since, limit).andThen(done -> metrics.historyRead(start));
  }
}
