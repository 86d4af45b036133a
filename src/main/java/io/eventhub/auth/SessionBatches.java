package io.eventhub.auth;

import io.eventhub.config.HubConfig;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends the session ids that miss the cache to the database many at a time ({@code WHERE id IN (...)}):
 * a storm of handshakes after a restart costs a handful of statements instead of one round trip per
 * session, each waiting behind the others for a pooled connection. Ids collect for the rest of the
 * event-loop turn that asked for them (the other handshakes read in that turn), and for as long as every
 * slot has a statement in flight; there are as many slots as the pool has connections, so while the
 * database answers a statement gets a connection at once, and its timeout, started when it is sent,
 * measures the database rather than a queue in front of it. One id is asked for once however many wait
 * for it. A custom session query may not take a list: it is sent one id per statement, within the same
 * slots.
 */
final class SessionBatches {
  /** Ids per statement at most; statements are padded to a power of two, at most 8 prepared forms. */
  static final int MAX_IDS = 128;

  private final Vertx vertx;
  private final Pool pool;
  private final HubConfig.Session session;
  private final boolean lists;
  private final int slots;
  private final int queryTimeoutMillis;
  private final AtomicLong statements;

  /** Ids asked for and not answered yet, queued or in flight; all guarded by {@code this}. */
  private final Map<String, Promise<Row>> pending = new HashMap<>();
  private final ArrayDeque<String> queue = new ArrayDeque<>();
  private int inFlight;
  private boolean flushScheduled;

  SessionBatches(Vertx vertx, Pool pool, HubConfig.Session session, int slots, int queryTimeoutMillis, AtomicLong statements) {
    this.vertx = vertx;
    this.pool = pool;
    this.session = session;
    this.lists = SessionQuery.batchSql(session, 1) != null;
    this.slots = slots;
    this.queryTimeoutMillis = queryTimeoutMillis;
    this.statements = statements;
  }

  /**
   * The session's row (null: no such session), completed on whichever thread read the answer; fails
   * when the database does not answer within the query timeout, or when it has just failed to answer
   * the statement in flight before this id could be sent.
   */
  Future<Row> find(String id) {
    Promise<Row> promise;
    boolean schedule = false;
    synchronized (this) {
      Promise<Row> asked = pending.get(id);
      if (asked != null) {
        return asked.future();
      }
      promise = Promise.promise();
      pending.put(id, promise);
      queue.add(id);
      if (!flushScheduled && inFlight < slots) {
        flushScheduled = true;
        schedule = true;
      }
    }
    if (schedule) {
      // After this turn's other handshakes, which join the same statement.
      vertx.getOrCreateContext().runOnContext(v -> flush());
    }
    return promise.future();
  }

  private void flush() {
    while (true) {
      List<String> ids;
      synchronized (this) {
        flushScheduled = false;
        if (queue.isEmpty() || inFlight >= slots) {
          return;
        }
        int count = lists ? Math.min(MAX_IDS, queue.size()) : 1;
        ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          ids.add(queue.poll());
        }
        inFlight++;
      }
      try {
        send(ids);
      } catch (RuntimeException e) {
        answered(ids, Future.failedFuture(e)); // its slot back, and no handshake left waiting
        return;
      }
    }
  }

  private void send(List<String> ids) {
    statements.incrementAndGet();
    int size = lists ? Integer.highestOneBit(ids.size() * 2 - 1) : 1;
    String sql = lists ? SessionQuery.batchSql(session, size) : SessionQuery.sql(session);
    List<Object> args = new ArrayList<>(ids);
    while (args.size() < size) {
      args.add(ids.get(0)); // the same id again matches nothing more
    }
    pool.getConnection().compose(connection -> {
      Future<RowSet<Row>> rows = connection.preparedQuery(sql).execute(Tuple.from(args));
      // Back to the pool only when answered: a statement sent on it later would wait behind this one.
      rows.onComplete(answered -> connection.close());
      return rows.timeout(queryTimeoutMillis, TimeUnit.MILLISECONDS);
    }).onComplete(result -> answered(ids, result));
  }

  private void answered(List<String> ids, AsyncResult<RowSet<Row>> result) {
    List<Promise<Row>> promises = new ArrayList<>(ids.size());
    List<Promise<Row>> behind = new ArrayList<>();
    synchronized (this) {
      inFlight--;
      ids.forEach(id -> promises.add(pending.remove(id)));
      if (result.failed()) {
        // The database did not answer: whoever waits for a slot would wait for the same silence, and a
        // prompt 503 lets those clients back off instead of piling up.
        queue.forEach(id -> behind.add(pending.remove(id)));
        queue.clear();
      }
    }
    if (result.failed()) {
      promises.forEach(promise -> promise.fail(result.cause()));
      behind.forEach(promise -> promise.fail(result.cause()));
    } else {
      Map<String, Row> rows = byId(ids, result.result());
      for (int i = 0; i < ids.size(); i++) {
        promises.get(i).complete(rows.get(ids.get(i)));
      }
    }
    flush();
  }

  /**
   * The first row of each id. Matched exactly: a case-insensitive column would also return a row for
   * an id that differs in case, which is not that session.
   */
  private Map<String, Row> byId(List<String> ids, RowSet<Row> rows) {
    Map<String, Row> byId = new HashMap<>();
    for (Row row : rows) {
      String id = lists ? text(row.getValue(SessionQuery.ID_COLUMN)) : ids.get(0);
      byId.putIfAbsent(id, row);
    }
    return byId;
  }

  private static String text(Object value) {
    return value instanceof Buffer bytes ? bytes.toString(StandardCharsets.UTF_8) : String.valueOf(value);
  }
}
