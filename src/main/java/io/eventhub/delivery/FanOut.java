package io.eventhub.delivery;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.internal.ContextInternal;
import io.eventhub.cluster.RouteProbe;
import io.eventhub.history.History;
import io.eventhub.history.Position;
import io.eventhub.metrics.HubMetrics;
import io.eventhub.protocol.OutboundFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The per-instance subscription table: address -> the connections subscribed to it, grouped by the
 * event loop they live on. It holds exactly one event-bus consumer per address with subscribers
 * (added with the first, removed after the last), so bus registrations grow with distinct addresses,
 * never with clients. Each event is encoded once; each event loop receives one task per turn that
 * writes the same bytes to all of its connections on that address.
 */
public final class FanOut {
  private static final Logger log = LoggerFactory.getLogger(FanOut.class);
  /** Caps one SockJS frame; the rest of a backlog goes out on the next turn. */
  private static final int MAX_BATCH = 256;

  private final EventBus bus;
  private final HubMetrics metrics;
  private final FlushPace pace;
  private final DeliveryLag lag;
  private final History history;
  private final Map<String, AddressEntry> entries = new HashMap<>();

  /**
   * {@code flushIntervalMillis} / {@code maxFlushIntervalMillis}: the least and the most time between
   * two writes of one address's events to the connections of one event loop ({@link FlushPace}). An
   * event that arrives sooner waits and goes out with the others, in one write per connection; after a
   * quiet interval it goes at once.
   */
  public FanOut(EventBus bus, HubMetrics metrics, int flushIntervalMillis, int maxFlushIntervalMillis, DeliveryLag lag,
                History history) {
    this.bus = bus;
    this.history = history;
    this.metrics = metrics;
    this.pace = new FlushPace(flushIntervalMillis, maxFlushIntervalMillis);
    this.lag = lag;
    metrics.gauge("eventhub.subscriptions", "Subscriptions of open connections", this::subscriptionCount);
    metrics.gauge("eventhub.addresses", "Distinct subscribed addresses (one event-bus consumer each)", this::consumerCount);
  }

  /**
   * Called on the subscriber's context. The future completes when the address's consumer is
   * registered, in a cluster: visible to every member (at once when it already was).
   */
  public synchronized Future<Void> subscribe(String address, Subscriber subscriber) {
    AddressEntry entry = entries.computeIfAbsent(address, AddressEntry::new);
    entry.add(subscriber);
    return entry.consumer.completion();
  }

  /** Called on the subscriber's context. */
  public synchronized void unsubscribe(String address, Subscriber subscriber) {
    AddressEntry entry = entries.get(address);
    if (entry != null && entry.remove(subscriber) && entry.subscribers == 0) {
      entries.remove(address);
      entry.consumer.unregister();
    }
  }

  /**
   * Completes on {@code subscriber}'s context once it has been handed every event this instance had
   * received for {@code addresses} before the call, whatever the flush interval still held back: a
   * hop through each address's consumer lets the events queued ahead reach the subscriber's group,
   * which is then flushed. What a resumed client's commit relies on.
   */
  public Future<Void> settle(Set<String> addresses, Subscriber subscriber) {
    List<Future<Void>> received = new ArrayList<>();
    for (String address : addresses) {
      AddressEntry entry;
      synchronized (this) {
        entry = entries.get(address);
      }
      if (entry != null && entry.consumerContext != null) {
        Promise<Void> passed = Promise.promise();
        entry.consumerContext.runOnContext(v -> passed.complete());
        received.add(passed.future());
      }
    }
    Promise<Void> settled = Promise.promise();
    Future.join(received).onComplete(all -> subscriber.context().runOnContext(v -> {
      addresses.forEach(address -> flushNow(address, subscriber));
      settled.complete();
    }));
    return settled.future();
  }

  /** On the subscriber's context: writes out whatever its group on {@code address} still holds. */
  private void flushNow(String address, Subscriber subscriber) {
    LoopGroup group;
    synchronized (this) {
      AddressEntry entry = entries.get(address);
      group = entry == null ? null : entry.groupFor(loopOf(subscriber));
    }
    if (group != null) {
      group.deliverAll();
    }
  }

  /**
   * Completes once this instance's own publishes to {@code address} reach its consumer (see
   * {@link RouteProbe}); at once when nobody here subscribes to it.
   */
  public Future<Void> routed(String address) {
    AddressEntry entry;
    synchronized (this) {
      entry = entries.get(address);
    }
    return entry == null ? Future.succeededFuture() : entry.routed();
  }

  /** Event-bus consumers this instance holds: one per distinct subscribed address. */
  public synchronized int consumerCount() {
    return entries.size();
  }

  /** Connections of this instance subscribed to {@code address}. */
  public synchronized int subscriberCount(String address) {
    AddressEntry entry = entries.get(address);
    return entry == null ? 0 : entry.subscribers;
  }

  public synchronized int subscriptionCount() {
    return entries.values().stream().mapToInt(e -> e.subscribers).sum();
  }

  private final class AddressEntry {
    final String address;
    final MessageConsumer<Object> consumer;
    /** Where the consumer receives (the subscribing context it was made on); null off a Vert.x thread. */
    final Context consumerContext = Vertx.currentContext();
    /** Copy-on-write: read lock-free by the consumer, replaced under the FanOut lock. */
    volatile LoopGroup[] groups = new LoopGroup[0];
    /** Read without the lock by the consumer, for the count of connections that miss a dropped event. */
    volatile int subscribers;
    private int nextGroup;
    /** Only for stream addresses, decided once: the others pay nothing per event. */
    final Sequencer sequencer;
    /** Made when first asked whether this instance's publishes reach the consumer yet. */
    private volatile RouteProbe probe;

    AddressEntry(String address) {
      this.address = address;
      this.sequencer = history.streamOf(address) == null ? null
          : new Sequencer(address, history, consumerContext, this::enqueue);
      this.consumer = bus.consumer(address, this::onMessage);
      if (sequencer != null) {
        consumer.completion().onComplete(registered -> sequencer.start());
      }
    }

    void add(Subscriber subscriber) {
      Context loop = loopOf(subscriber);
      LoopGroup group = groupFor(loop);
      if (group == null) {
        group = new LoopGroup(address, loop);
        groups = CopyOnWrite.append(groups, group);
      }
      group.add(subscriber);
      subscribers++;
    }

    boolean remove(Subscriber subscriber) {
      LoopGroup group = groupFor(loopOf(subscriber));
      if (group == null || !group.remove(subscriber)) {
        return false;
      }
      subscribers--;
      if (group.members.isEmpty()) {
        groups = CopyOnWrite.without(groups, group);
      }
      return true;
    }

    synchronized Future<Void> routed() {
      if (consumerContext == null) {
        return consumer.completion();
      }
      if (probe == null) {
        probe = new RouteProbe(consumerContext, bus, address);
      }
      RouteProbe asked = probe;
      return consumer.completion().compose(registered -> asked.routed());
    }

    private LoopGroup groupFor(Context context) {
      for (LoopGroup group : groups) {
        if (group.context == context) {
          return group;
        }
      }
      return null;
    }

    private void onMessage(Message<Object> message) {
      if (RouteProbe.isProbe(message)) {
        RouteProbe asked = probe;
        if (asked != null) {
          asked.received(message);
        }
        return;
      }
      LoopGroup[] current = groups;
      if (current.length == 0) {
        return;
      }
      if (message.isSend()) {
        current[Math.floorMod(nextGroup++, current.length)].deliverOne(message);
        return;
      }
      long stamp = publishedAt(message);
      if (lag.shedding()) {
        metrics.dropped("overload", subscribers);
        return;
      }
      OutboundFrame frame;
      Position position = sequencer == null ? null : Position.parse(message.headers().get(History.POSITION_HEADER));
      try {
        frame = (position == null ? OutboundFrame.rec(address, message.body(), message.headers(), null)
            : OutboundFrame.rec(address, message.body(), message.headers(), null, position.toString(), position.offset()))
            .publishedAt(stamp).since(since(stamp));
      } catch (RuntimeException e) {
        log.warn("Dropped an event on {} whose body cannot be encoded as JSON: {}", address, e.toString());
        return;
      }
      if (sequencer == null) {
        enqueue(frame);
      } else if (position == null) {
        sequencer.acceptUnpositioned(message.body(), frame);
      } else if (message.headers().contains(History.INTAKE_HEADER)) {
        sequencer.acceptIntakeCopy(message.body(), position, frame);
      } else {
        sequencer.accept(position, frame);
      }
    }

    private void enqueue(OutboundFrame frame) {
      for (LoopGroup group : groups) {
        group.enqueue(frame);
      }
    }
  }

  /** The hub stamps what enters through it; anything else came from another publisher on the bus. */
  private long publishedAt(Message<Object> message) {
    String stamp = message.headers().get(HubMetrics.PUBLISHED_AT_HEADER);
    if (stamp == null) {
      metrics.published("bus");
      return 0;
    }
    try {
      return Long.parseLong(stamp);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** The publish stamp on the nanoTime scale, so that time spent in the event loops' queues counts too. */
  private static long since(long publishedAtMicros) {
    long now = System.nanoTime();
    return publishedAtMicros <= 0 ? now : now - Math.max(0, HubMetrics.epochMicros() - publishedAtMicros) * 1000;
  }

  /**
   * The event loop's own context: a connection's context is a duplicate made for the request it came
   * in on, one per connection, so grouping by it would make a group (and a task per event) per connection.
   */
  private static Context loopOf(Subscriber subscriber) {
    return ((ContextInternal) subscriber.context()).unwrap();
  }

  /** The connections on one address that live on one event loop. */
  private final class LoopGroup {
    final String address;
    final Context context;
    /** Changed under the FanOut lock. */
    final Set<Subscriber> members = new LinkedHashSet<>();
    /**
     * What deliveries iterate, so that a delivery that closes a connection cannot disturb the loop over
     * the others; rebuilt on the first delivery after a change, not on every subscribe.
     */
    volatile Subscriber[] snapshot;
    final Queue<OutboundFrame> pending = new ConcurrentLinkedQueue<>();
    final AtomicBoolean scheduled = new AtomicBoolean();
    /** Written on the group's event loop, read by the thread that enqueues. */
    volatile long nextFlushNanos;
    int nextSubscriber;

    LoopGroup(String address, Context context) {
      this.address = address;
      this.context = context;
    }

    void add(Subscriber subscriber) {
      members.add(subscriber);
      snapshot = null;
    }

    boolean remove(Subscriber subscriber) {
      snapshot = null;
      return members.remove(subscriber);
    }

    Subscriber[] subscribers() {
      Subscriber[] current = snapshot;
      if (current == null) {
        synchronized (FanOut.this) {
          current = members.toArray(new Subscriber[0]);
          snapshot = current;
        }
      }
      return current;
    }

    void enqueue(OutboundFrame frame) {
      lag.queued();
      pending.add(frame);
      if (scheduled.compareAndSet(false, true)) {
        flushAt(nextFlushNanos);
      }
    }

    private void flushAt(long when) {
      long wait = when - System.nanoTime();
      if (wait <= 0) {
        context.runOnContext(v -> flush());
      } else {
        ((ContextInternal) context).timer(wait, TimeUnit.NANOSECONDS).onSuccess(v -> flush());
      }
    }

    /** What arrives while it writes waits for the pace it sets; a backlog (a full batch left) goes on at once. */
    private void flush() {
      long start = System.nanoTime();
      boolean backlog = deliverBatch() == MAX_BATCH;
      nextFlushNanos = pace.next(start, System.nanoTime() - start);
      scheduled.set(false);
      if (!pending.isEmpty() && scheduled.compareAndSet(false, true)) {
        flushAt(backlog ? start : nextFlushNanos);
      }
    }

    /** On the group's event loop, out of turn: a flush still scheduled then finds less or nothing. */
    void deliverAll() {
      while (!pending.isEmpty()) {
        deliverBatch();
      }
    }

    /** Writes up to {@link #MAX_BATCH} of the pending events; how many. */
    private int deliverBatch() {
      List<OutboundFrame> frames = new ArrayList<>();
      OutboundFrame frame;
      while (frames.size() < MAX_BATCH && (frame = pending.poll()) != null) {
        frames.add(frame);
      }
      if (frames.isEmpty()) {
        return 0;
      }
      Batch batch = new Batch(address, frames);
      long written = 0;
      long start = System.nanoTime();
      try {
        for (Subscriber subscriber : subscribers()) {
          written += subscriber.deliver(batch);
        }
      } finally {
        batch.release();
        lag.taken(frames.size(), frames.get(0).sinceNanos(), System.nanoTime() - start);
      }
      metrics.delivered(written);
      lag.wrote(written);
      for (OutboundFrame sent : frames) {
        if (sent.publishedAtMicros() > 0) {
          metrics.deliveryLatency(sent.publishedAtMicros());
        }
      }
      return frames.size();
    }

    void deliverOne(Message<Object> message) {
      context.runOnContext(v -> {
        Subscriber[] current = subscribers();
        if (current.length == 0) {
          message.fail(ReplyFailure.NO_HANDLERS.toInt(), "no client subscribed to " + address);
          return;
        }
        current[Math.floorMod(nextSubscriber++, current.length)].deliverPointToPoint(address, message);
      });
    }
  }
}
