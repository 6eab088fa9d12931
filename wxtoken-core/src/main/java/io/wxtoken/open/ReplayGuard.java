package io.wxtoken.open;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.wxtoken.open.CallbackRejectedException.Reason;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Refuses callbacks whose timestamp is far from now, and callbacks already accepted.
 *
 * <p>A callback's {@code timestamp} (epoch seconds, from WeChat's clock) must lie within
 * ±{@code window} of the injected wall {@link Clock}. Each accepted (timestamp, nonce, signature)
 * is remembered for {@code 2 × window} of <em>monotonic</em> time: a message is admissible for at
 * most that long after it is first seen (its timestamp may be up to {@code window} behind then and
 * is admissible until {@code window} after it), and a wall clock stepped back cannot shorten the
 * memory. Only signed callbacks should be offered, so the memory grows with WeChat's traffic, not an
 * attacker's; it is still bounded ({@code maxEntries}: past it, Caffeine's eviction forgets some).
 *
 * <p>Thread-safe: two concurrent offers of the same message admit exactly one.
 */
public final class ReplayGuard {
  /** WeChat retries a push within seconds; five minutes covers them and normal clock skew. */
  public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(5);

  private final Clock clock;
  private final long windowSeconds;
  private final Cache<String, Boolean> seen;

  /**
   * @param clock wall time, to compare timestamps with
   * @param nanoTime monotonic nanoseconds ({@code System::nanoTime} in production), to time memory
   * @param window how far a timestamp may be from now, either way (at least 1 s)
   * @param maxEntries how many accepted messages to remember at most
   */
  public ReplayGuard(Clock clock, LongSupplier nanoTime, Duration window, int maxEntries) {
    this.clock = Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(nanoTime, "nanoTime");
    if (window.compareTo(Duration.ofSeconds(1)) < 0 || maxEntries < 1) {
      throw new IllegalArgumentException("need window >= 1 s and maxEntries >= 1");
    }
    this.windowSeconds = window.toSeconds();
    this.seen = Caffeine.newBuilder()
        .ticker(nanoTime::getAsLong)
        .expireAfterWrite(window.multipliedBy(2))
        .maximumSize(maxEntries)
        .executor(Runnable::run)
        .build();
  }

  /**
   * Admits a callback once.
   *
   * @param timestamp the callback's {@code timestamp} parameter, decimal epoch seconds
   * @throws CallbackRejectedException {@link Reason#STALE_TIMESTAMP} if it is not a number or is
   *     outside the window, {@link Reason#REPLAYED} if this message was admitted before
   */
  public void admit(String timestamp, String nonce, String signature) {
    long seconds = epochSeconds(timestamp);
    long now = clock.instant().getEpochSecond();
    if (Math.abs(now - seconds) > windowSeconds) {
      throw new CallbackRejectedException(Reason.STALE_TIMESTAMP);
    }
    // Lengths prefix each part, so no two distinct triples share a key.
    String key = timestamp.length() + ":" + timestamp + nonce.length() + ":" + nonce + signature;
    if (seen.asMap().putIfAbsent(key, Boolean.TRUE) != null) {
      throw new CallbackRejectedException(Reason.REPLAYED);
    }
  }

  /** @return how many accepted messages are remembered now */
  long remembered() {
    seen.cleanUp();
    return seen.estimatedSize();
  }

  private static long epochSeconds(String timestamp) {
    // At most 12 digits: epoch seconds for the next 30,000 years, and no overflow.
    if (timestamp == null || timestamp.isEmpty() || timestamp.length() > 12) {
      throw new CallbackRejectedException(Reason.STALE_TIMESTAMP);
    }
    for (int i = 0; i < timestamp.length(); i++) {
      char c = timestamp.charAt(i);
      if (c < '0' || c > '9') {
        throw new CallbackRejectedException(Reason.STALE_TIMESTAMP);
      }
    }
    return Long.parseLong(timestamp);
  }
}
