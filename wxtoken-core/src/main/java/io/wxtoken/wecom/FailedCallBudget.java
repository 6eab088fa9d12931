package io.wxtoken.wecom;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Keeps this server's failed {@code gettoken} calls below WeCom's hourly block: about 2,000 failed
 * calls (wrong corpid or secret, …) from one address within an hour block that address for an hour
 * (a WeCom staff answer, research notes), and a central server is one address for every corp it
 * serves. One caller spraying bad secrets must not cut everyone else off from WeCom.
 *
 * <p>Failures are counted in a sliding hour of one-minute buckets on a monotonic clock. Before a
 * {@code gettoken} that is not yet known to succeed (a secret never verified), ask
 * {@link #mayCall()}; after every {@code gettoken} WeCom answered with a non-zero errcode, call
 * {@link #recordFailure()}. Refreshing a secret WeCom already accepted should not be held back:
 * that is the caller's policy.
 *
 * <p>Thread-safe: every method is synchronized; it is consulted only around upstream calls, never
 * on a cache hit.
 */
public final class FailedCallBudget {

  /** Half of WeCom's approximate 2,000: its count and window are not published exactly. */
  public static final int DEFAULT_PER_HOUR = 1_000;

  private static final int BUCKETS = 60;
  private static final long BUCKET_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final int perHour;
  private final LongSupplier nanoTime;
  private final long origin;
  // Guarded by this: failures per minute, and which minute (since origin) each bucket holds.
  private final int[] counts = new int[BUCKETS];
  private final long[] minutes = new long[BUCKETS];

  /**
   * @param perHour failed calls allowed in any hour; at least 1
   * @param nanoTime monotonic nanoseconds ({@code System::nanoTime} in production)
   */
  public FailedCallBudget(int perHour, LongSupplier nanoTime) {
    if (perHour < 1) {
      throw new IllegalArgumentException("perHour must be at least 1: " + perHour);
    }
    this.perHour = perHour;
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.origin = nanoTime.getAsLong();
    Arrays.fill(minutes, Long.MIN_VALUE);
  }

  /** @return whether one more possibly failing call fits: the last hour's failures are under the budget */
  public synchronized boolean mayCall() {
    return failuresInLastHour() < perHour;
  }

  /** Counts one {@code gettoken} that WeCom answered with a non-zero errcode. */
  public synchronized void recordFailure() {
    long minute = currentMinute();
    int slot = (int) Math.floorMod(minute, (long) BUCKETS);
    if (minutes[slot] != minute) {
      minutes[slot] = minute;
      counts[slot] = 0;
    }
    counts[slot]++;
  }

  /** @return failures counted in the current minute and the 59 before it */
  public synchronized int failuresInLastHour() {
    long minute = currentMinute();
    int sum = 0;
    for (int i = 0; i < BUCKETS; i++) {
      if (minutes[i] > minute - BUCKETS) {
        sum += counts[i];
      }
    }
    return sum;
  }

  private long currentMinute() {
    return Math.floorDiv(nanoTime.getAsLong() - origin, BUCKET_NANOS);
  }
}
