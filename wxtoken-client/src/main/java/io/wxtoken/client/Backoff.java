package io.wxtoken.client;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter: the n-th wait (n ≥ 1) is drawn uniformly from
 * [d/2, d] where d = min(initial × 2^(n−1), max). Half the range is random so that clients that
 * failed together do not retry together; half is fixed so that the wait still grows. Immutable.
 */
final class Backoff {
  private final long initialMillis;
  private final long maxMillis;

  Backoff(long initialMillis, long maxMillis) {
    this.initialMillis = initialMillis;
    this.maxMillis = maxMillis;
  }

  /** The ceiling of the n-th wait, before jitter. */
  long ceilingMillis(int n) {
    long d = initialMillis;
    for (int i = 1; i < n && d < maxMillis; i++) {
      d *= 2;
    }
    return Math.min(d, maxMillis);
  }

  /** The n-th wait, jitter included. */
  long delayMillis(int n) {
    long ceiling = ceilingMillis(n);
    long half = ceiling / 2;
    return half + ThreadLocalRandom.current().nextLong(ceiling - half + 1);
  }
}
