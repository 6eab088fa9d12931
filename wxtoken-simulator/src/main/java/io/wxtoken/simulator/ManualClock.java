package io.wxtoken.simulator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} that only moves when told to, so tests can jump over token lifetimes, overlaps
 * and quota days without sleeping.
 *
 * <p>Thread-safe: the current instant is held atomically, so one thread may advance the clock
 * while server threads read it. Clocks derived with {@link #withZone(ZoneId)} share the same
 * instant: advancing either moves both. {@link #nanoTime()} is its monotonic companion.
 */
public final class ManualClock extends Clock {

  private final AtomicReference<Instant> now;
  /** Monotonic nanoseconds: moved by {@link #advance} forwards only, never by {@link #set}. */
  private final AtomicLong nanos;
  private final ZoneId zone;

  /**
   * Creates a clock standing still at {@code start}, in zone UTC.
   *
   * @param start the initial instant
   */
  public ManualClock(Instant start) {
    this(new AtomicReference<>(Objects.requireNonNull(start, "start")), new AtomicLong(),
        ZoneOffset.UTC);
  }

  private ManualClock(AtomicReference<Instant> now, AtomicLong nanos, ZoneId zone) {
    this.now = now;
    this.nanos = nanos;
    this.zone = zone;
  }

  /**
   * Creates a UTC clock at an ISO-8601 instant such as {@code "2026-01-01T00:00:00Z"}.
   *
   * @param isoInstant the initial instant, as accepted by {@link Instant#parse(CharSequence)}
   * @return the new clock
   */
  public static ManualClock startingAt(String isoInstant) {
    return new ManualClock(Instant.parse(isoInstant));
  }

  /**
   * Moves the clock by {@code d} (which may be negative).
   *
   * @param d how far to move
   */
  public void advance(Duration d) {
    Objects.requireNonNull(d, "d");
    now.updateAndGet(i -> i.plus(d));
    if (!d.isNegative()) {
      nanos.addAndGet(d.toNanos());
    }
  }

  /**
   * A monotonic reading in nanoseconds, the test stand-in for {@link System#nanoTime()}: it moves
   * with every forward {@link #advance}, but neither with a backward one nor with {@link #set}, so
   * a test can step the wall clock back and see that durations timed with it are not stretched.
   *
   * @return nanoseconds since an arbitrary origin
   */
  public long nanoTime() {
    return nanos.get();
  }

  /**
   * Sets the clock to {@code i}.
   *
   * @param i the new instant
   */
  public void set(Instant i) {
    now.set(Objects.requireNonNull(i, "i"));
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public long millis() {
    return now.get().toEpochMilli();
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  /** Returns a view in another zone that shares this clock's instant. */
  @Override
  public ManualClock withZone(ZoneId newZone) {
    Objects.requireNonNull(newZone, "newZone");
    return newZone.equals(zone) ? this : new ManualClock(now, nanos, newZone);
  }

  @Override
  public String toString() {
    return "ManualClock[" + now.get() + "," + zone + "]";
  }
}
