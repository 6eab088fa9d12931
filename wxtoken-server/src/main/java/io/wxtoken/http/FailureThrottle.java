package io.wxtoken.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stops secret guessing: a client address that fails the secret check {@code limit} times within
 * a window is refused (429) for the rest of that window, whatever it asks.
 *
 * <p>A fixed window per address that starts at its first failure, kept in a bounded Caffeine cache
 * whose clock is the injected one. Addresses that never fail cost nothing.
 *
 * <p>Thread-safe.
 */
final class FailureThrottle {
  private final int limit;
  private final Cache<String, AtomicInteger> failures;

  FailureThrottle(int limit, Duration window, int maxAddresses, Clock clock) {
    this.limit = limit;
    this.failures = Caffeine.newBuilder()
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
        .expireAfterWrite(window)
        .maximumSize(maxAddresses)
        .build();
  }

  /** Whether no address has failed lately: then nobody is blocked, and the hot path skips lookups. */
  boolean isQuiet() {
    return failures.estimatedSize() == 0;
  }

  /** Whether the address has used up its failures for the current window. */
  boolean isBlocked(String address) {
    AtomicInteger count = failures.getIfPresent(address);
    return count != null && count.get() >= limit;
  }

  /**
   * Counts one failed secret check from the address.
   *
   * @return whether this failure is the one that blocks the address (for the audit log)
   */
  boolean recordFailure(String address) {
    return failures.get(address, a -> new AtomicInteger()).incrementAndGet() == limit;
  }
}
