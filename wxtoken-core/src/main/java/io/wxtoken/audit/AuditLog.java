package io.wxtoken.audit;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log the server writes to: stamps each event with the time and hands it to every sink
 * and to the queryable store, on a thread of its own, so an event loop that records an event never
 * waits for a disk or Redis. Up to 10,000 records wait; beyond that they are dropped and counted
 * ({@link #dropped}), rather than holding requests up.
 *
 * <p>Thread-safe.
 */
public final class AuditLog implements AutoCloseable {
  /** An audit log that records nothing. */
  public static final AuditLog OFF = new AuditLog(Clock.systemUTC(), List.of(), null, false);
  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);

  private final Clock clock;
  private final List<AuditSink> sinks;
  private final AuditStore store;
  private final ThreadPoolExecutor writer;
  private final AtomicLong dropped = new AtomicLong();

  /**
   * @param sinks where each record is written (JSON lines)
   * @param store where records are kept for {@link #query}, or null
   */
  public AuditLog(Clock clock, List<AuditSink> sinks, AuditStore store) {
    this(clock, sinks, store, true);
  }

  private AuditLog(Clock clock, List<AuditSink> sinks, AuditStore store, boolean on) {
    this.clock = clock;
    this.sinks = List.copyOf(sinks);
    this.store = store;
    this.writer = on ? new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(10_000), r -> {
          Thread t = new Thread(r, "wxtoken-audit");
          t.setDaemon(true);
          return t;
        }, (r, executor) -> dropped.incrementAndGet()) : null;
  }

  /**
   * Records an event now. Never pass a secret, key or token in any field.
   *
   * @param errcode WeChat's errcode, or 0
   */
  public void record(String event, String app, String actor, String requestId, String outcome,
      int errcode, String detail) {
    if (writer == null) {
      return;
    }
    AuditRecord record = new AuditRecord(clock.instant(), event, app, actor, requestId, outcome,
        errcode, detail);
    writer.execute(() -> write(record));
  }

  private void write(AuditRecord record) {
    for (AuditSink sink : sinks) {
      try {
        sink.append(record);
      } catch (RuntimeException e) {
        log.error("audit sink failed; record {} at {} lost there", record.event(), record.time(), e);
      }
    }
    if (store != null) {
      try {
        store.append(record);
      } catch (RuntimeException e) {
        log.error("audit store failed; record {} at {} not queryable", record.event(),
            record.time(), e);
      }
    }
  }

  /** The newest records matching {@code query}; empty when no store keeps them. Blocking. */
  public List<AuditRecord> query(AuditQuery query) {
    flush();
    return store == null ? List.of() : store.query(query);
  }

  /** Whether records can be queried. */
  public boolean queryable() {
    return store != null;
  }

  /** Waits (up to 5 s) until every record recorded so far is written. */
  public void flush() {
    if (writer == null) {
      return;
    }
    try {
      writer.submit(() -> { }).get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | java.util.concurrent.RejectedExecutionException e) {
      log.warn("audit log not flushed: {}", e.toString());
    }
  }

  /** Records dropped because the queue was full. */
  public long dropped() {
    return dropped.get();
  }

  /** The time now, by this log's clock. */
  public Instant now() {
    return clock.instant();
  }

  @Override
  public void close() {
    if (writer != null) {
      flush();
      writer.shutdown();
    }
  }
}
