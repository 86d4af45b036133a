package io.eventhub.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The hub's own meters, all prefixed {@code eventhub_} in Prometheus. Labels come from small fixed
 * sets (transport, outcome, result, source, reason), never an address or a user id.
 *
 * <p>Latency histograms share one set of buckets for this workload, from a quarter millisecond (a
 * cached handshake step, an in-process delivery) to ten seconds (a stalled database): 0.25, 0.5, 1,
 * 2.5, 5, 10, 25, 50, 100, 250, 500 ms, 1, 2.5, 5, 10 s.
 */
public final class HubMetrics {
  public static final Duration[] BUCKETS = {
      Duration.ofMillis(1).dividedBy(4), Duration.ofMillis(1).dividedBy(2), Duration.ofMillis(1),
      Duration.ofMillis(1).multipliedBy(5).dividedBy(2), Duration.ofMillis(5), Duration.ofMillis(10),
      Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
      Duration.ofSeconds(10)};

  /** Publish time of an event (epoch microseconds), set by the hub where it enters; never sent to clients. */
  public static final String PUBLISHED_AT_HEADER = "hub-published-at";

  /** Session lookup results. */
  public static final String HIT = "hit";
  public static final String MISS = "miss";
  public static final String ERROR = "error";

  private final MeterRegistry registry;
  private final Map<String, AtomicInteger> connections = new ConcurrentHashMap<>();
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  /** The meters recorded on every handshake, by outcome or result alone: no key to build per connect. */
  private final Map<String, Counter> attempts = new ConcurrentHashMap<>();
  private final Map<String, Timer> handshakeTimes = new ConcurrentHashMap<>();
  private final Map<String, Timer> lookupTimes = new ConcurrentHashMap<>();
  private final Timer deliveryLatency;
  private final Counter delivered;
  private final Counter unsubscribed;

  public HubMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (String transport : new String[] {"websocket", "sockjs-websocket", "sockjs-fallback"}) {
      AtomicInteger count = new AtomicInteger();
      connections.put(transport, count);
      Gauge.builder("eventhub.connections", count, AtomicInteger::get)
          .description("Open client connections").tag("transport", transport).register(registry);
    }
    deliveryLatency = timer("eventhub.delivery.latency", "From publish to the write on the client's socket");
    delivered = Counter.builder("eventhub.events.delivered")
        .description("Events written to client connections (one per event and connection)").register(registry);
    unsubscribed = Counter.builder("eventhub.events.unsubscribed")
        .description("Events published to addresses nobody subscribes to (in a cluster: not sent)").register(registry);
  }

  /** Meters that go nowhere, for code run without a hub (unit tests, tools). */
  public static HubMetrics none() {
    return new HubMetrics(new SimpleMeterRegistry());
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** A gauge read on scrape, e.g. subscriptions from the subscription table. */
  public void gauge(String name, String description, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).register(registry);
  }

  /** A counter read on scrape from a monotonic source. */
  public <T> void functionCounter(String name, String description, T source, java.util.function.ToDoubleFunction<T> value) {
    io.micrometer.core.instrument.FunctionCounter.builder(name, source, value).description(description).register(registry);
  }

  public void connectionOpened(String transport) {
    connections.get(transport).incrementAndGet();
  }

  public void connectionClosed(String transport) {
    connections.get(transport).decrementAndGet();
  }

  /** A connection attempt and its outcome: accepted, unauthenticated, forbidden, unavailable, draining. */
  public void handshake(String outcome, long startNanos) {
    Counter counter = attempts.get(outcome);
    if (counter == null) {
      counter = attempts.computeIfAbsent(outcome,
          o -> counter("eventhub.connection.attempts", "Connection attempts by outcome", "outcome", o));
    }
    counter.increment();
    Timer timer = handshakeTimes.get(outcome);
    if (timer == null) {
      timer = handshakeTimes.computeIfAbsent(outcome,
          o -> timer("eventhub.handshake.duration", "Handshake time, session lookup included", "outcome", o));
    }
    timer.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  /** A session lookup: {@link #HIT} (cache), {@link #MISS} (queried the database) or {@link #ERROR}. */
  public void sessionLookup(String result, long startNanos) {
    Timer timer = lookupTimes.get(result);
    if (timer == null) {
      timer = lookupTimes.computeIfAbsent(result,
          r -> timer("eventhub.session.lookup.duration", "Session lookup time by result", "result", r));
    }
    timer.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  /** An event entering the hub: api (publish API), client (a bridge client) or bus (any other publisher). */
  public void published(String source) {
    counter("eventhub.events.published", "Events published, by where they entered", "source", source).increment();
  }

  /** An event published to an address no member listens on, skipped without asking the cluster. */
  public void unsubscribed() {
    unsubscribed.increment();
  }

  public void delivered(long count) {
    delivered.increment(count);
  }

  /** Once per event and event loop: its sockets are written in the same turn. */
  public void deliveryLatency(long publishedAtMicros) {
    long micros = epochMicros() - publishedAtMicros;
    if (micros >= 0) {
      deliveryLatency.record(micros, TimeUnit.MICROSECONDS);
    }
  }

  public void dropped(String reason, long count) {
    counter("eventhub.events.dropped", "Events not delivered to a connection, by reason", "reason", reason).increment(count);
  }

  /** The hub closed a connection: slow_consumer, frame_too_large, rate_limited, session_ended, draining. */
  public void disconnected(String reason) {
    counter("eventhub.disconnects", "Connections closed by the hub, by reason", "reason", reason).increment();
  }

  /**
   * How a drained client's handover ended: resumed (on another instance, missed events replayed),
   * expired (not back in time), overflowed (missed too many), refused (a token unknown here or
   * presented with another login).
   */
  public void handover(String outcome) {
    handovers(outcome).increment();
  }

  /** Every outcome from zero, so that rates and alerts work before the first rolling update. */
  public void registerHandovers(String... outcomes) {
    for (String outcome : outcomes) {
      handovers(outcome);
    }
  }

  private Counter handovers(String outcome) {
    return counter("eventhub.handovers", "Drained clients' handovers to another instance, by outcome", "outcome", outcome);
  }

  /**
   * Every history meter from zero, once a hub keeps history, so that rates, the dashboard and the
   * README's reference see them before the first recovery. Hubs without streams export none.
   */
  public void registerHistory() {
    historyStoredCounter();
    recoveries("recovered");
    recoveries("unavailable");
    replayed();
    historyReadTimer();
  }

  /** An event stored in a stream's history. */
  public void historyStored() {
    historyStoredCounter().increment();
  }

  /** A register with {@code since}: {@code recovered} or {@code unavailable}; {@code replayed} events sent. */
  public void recovery(String outcome, int replayed) {
    recoveries(outcome).increment();
    if (replayed > 0) {
      replayed().increment(replayed);
    }
  }

  /** How long a history read took (recoveries, gap fills, GET /api/history). */
  public void historyRead(long startNanos) {
    historyReadTimer().record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  private Counter historyStoredCounter() {
    return counter("eventhub.history.stored", "Events stored in stream history");
  }

  private Counter recoveries(String outcome) {
    return counter("eventhub.history.recoveries", "Registrations with since, by outcome", "outcome", outcome);
  }

  private Counter replayed() {
    return counter("eventhub.history.replayed", "Events replayed from history to recovering clients");
  }

  private Timer historyReadTimer() {
    return timers.computeIfAbsent("eventhub.history.read.duration", name -> timer(name,
        "History read time (recoveries, gap fills, GET /api/history)"));
  }

  /** A presence event sent to {@code $presence:} subscribers: join or leave. */
  public void presenceEvent(String event) {
    presenceEvents(event).increment();
  }

  /** One write of this instance's presence counts of an address to where presence is kept. */
  public void presenceWrite() {
    presenceWrites().increment();
  }

  /** The presence counters from zero, when presence is on, so that rates work before the first join. */
  public void registerPresence() {
    presenceEvents("join");
    presenceEvents("leave");
    presenceWrites();
  }

  private Counter presenceEvents(String event) {
    return counter("eventhub.presence.events", "Presence join and leave events sent, by event", "event", event);
  }

  private Counter presenceWrites() {
    return counter("eventhub.presence.writes", "Writes of presence counts (one per address per flush)", "home", "any");
  }

  public static long epochMicros() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
  }

  private Counter counter(String name, String description, String tag, String value) {
    return counters.computeIfAbsent(name + value, k ->
        Counter.builder(name).description(description).tag(tag, value).register(registry));
  }

  private Counter counter(String name, String description) {
    return counters.computeIfAbsent(name, k -> Counter.builder(name).description(description).register(registry));
  }

  private Timer timer(String name, String description, String tag, String value) {
    return timers.computeIfAbsent(name + value, k -> Timer.builder(name).description(description).tag(tag, value)
        .serviceLevelObjectives(BUCKETS).minimumExpectedValue(BUCKETS[0]).maximumExpectedValue(BUCKETS[BUCKETS.length - 1])
        .register(registry));
  }

  private Timer timer(String name, String description) {
    return Timer.builder(name).description(description).serviceLevelObjectives(BUCKETS).register(registry);
  }
}
