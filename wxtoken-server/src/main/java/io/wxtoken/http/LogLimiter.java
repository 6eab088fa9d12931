package io.wxtoken.http;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warnings a caller can provoke at will (refused targets, throttled addresses, failed
 * pass-throughs), logged at most once per {@link #PERIOD_NANOS} per kind, with a count of those
 * skipped: an attacker cannot fill the disk or drown the real events. Never given a stack trace,
 * a query string or a header value.
 *
 * <p>Thread-safe; the kinds are a small fixed set named in the code.
 */
final class LogLimiter {
  static final long PERIOD_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final Logger log = LoggerFactory.getLogger("io.wxtoken.http");

  private final LongSupplier nanoTime;
  private final ConcurrentMap<String, Window> windows = new ConcurrentHashMap<>();

  LogLimiter(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  private static final class Window {
    final AtomicLong start = new AtomicLong(Long.MIN_VALUE);
    final AtomicLong skipped = new AtomicLong();
  }

  /** Logs {@code message} as a warning unless one of this kind was logged within the period. */
  void warn(String kind, String message, Object... args) {
    Window window = windows.computeIfAbsent(kind, k -> new Window());
    long now = nanoTime.getAsLong();
    long start = window.start.get();
    if (start != Long.MIN_VALUE && now - start < PERIOD_NANOS
        || !window.start.compareAndSet(start, now)) {
      window.skipped.incrementAndGet();
      return;
    }
    long skipped = window.skipped.getAndSet(0);
    if (skipped > 0 && log.isWarnEnabled()) {
      log.warn(message + " (and " + skipped + " more like it not logged)", args);
    } else {
      log.warn(message, args);
    }
  }
}
