package io.wxtoken.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.wxtoken.metrics.Metrics;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Stops credential guessing: a client address that fails a credential check (a wrong secret, a
 * random appId, a wrong admin token) {@code limit} times within a window has its failures refused
 * (429) for the rest of that window. A request whose secret verifies is never refused: callers
 * must check {@link #isBlocked} only once a request has failed to prove its credential, so one
 * guesser behind a NAT or load balancer cannot lock every service there out.
 *
 * <p>Addresses are grouped by {@link AddressGroup} (IPv6 by /64). A fixed window per group starts
 * at its first failure, timed on the monotonic source (a wall-clock step neither stretches nor
 * ends it), in a bounded Caffeine cache. Addresses that never fail cost nothing. Each request
 * refused while blocked is counted in the metrics; the log says so at most once a window per
 * group, naming only the address.
 *
 * <p>Thread-safe.
 */
final class FailureThrottle {
  private final int limit;
  private final Cache<String, AtomicInteger> failures;
  private final Cache<String, Boolean> logged;
  private final Metrics metrics;
  private final LogLimiter log;

  FailureThrottle(int limit, Duration window, int maxAddresses, LongSupplier nanoTime,
      Metrics metrics, LogLimiter log) {
    this.limit = limit;
    this.metrics = metrics;
    this.log = log;
    this.failures = Caffeine.newBuilder()
        .ticker(nanoTime::getAsLong)
        .expireAfterWrite(window)
        .maximumSize(maxAddresses)
        .build();
    this.logged = Caffeine.newBuilder()
        .ticker(nanoTime::getAsLong)
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
    AtomicInteger count = failures.getIfPresent(AddressGroup.of(address));
    return count != null && count.get() >= limit;
  }

  /**
   * {@link #isBlocked}, counting a refusal in the metrics and the (rate-limited) log when it is:
   * for the request about to be refused for it.
   */
  boolean refuses(String address) {
    if (!isBlocked(address)) {
      return false;
    }
    metrics.throttled();
    String group = AddressGroup.of(address);
    if (logged.asMap().putIfAbsent(group, Boolean.TRUE) == null) {
      log.warn("throttle", "refusing failed credential checks from {} for the rest of its window"
          + " ({} failures)", Responder.sanitize(group), limit);
    }
    return true;
  }

  /**
   * Counts one failed credential check from the address.
   *
   * @return whether this failure is the one that blocks the address (for the audit log)
   */
  boolean recordFailure(String address) {
    return failures.get(AddressGroup.of(address), a -> new AtomicInteger()).incrementAndGet()
        == limit;
  }
}
