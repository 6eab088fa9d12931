package io.wxtoken.token;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The budget for checking unverified AppSecrets with WeChat, on this instance.
 *
 * <ul>
 *   <li><b>Per app and caller address</b>: one address may have one secret of an app checked per
 *       {@code interval}. Budgeting per app alone let one wrong secret a minute from anyone keep a
 *       legitimately rotated secret from ever being checked; now a caller elsewhere cannot spend
 *       another address's slot.
 *   <li><b>Per secret</b>: the secret a slot was reserved for may be checked again within it (a
 *       check that met a WeChat blip, or a flight that had to start over); WeChat's verdicts on a
 *       secret are remembered by the engine, not here.
 *   <li><b>Apps with no record</b>: at most {@code unknownPerInterval} checks per interval for the
 *       whole server, so ever-new appIds cannot turn the server into a WeChat call generator.
 * </ul>
 *
 * <p>Time is the injected monotonic source (nanoseconds), so a wall-clock step does not stretch
 * a slot. Memory is bounded: at most {@code maxSlots} (app, address) slots, least recent first
 * out. Thread-safe.
 */
final class SecretChecks {

  /** A reserved slot: which secret it was for, and until when (monotonic nanos). */
  private record Slot(Verifier verifier, long untilNanos) {}

  private record Key(String appId, String address) {}

  private final LongSupplier nanoTime;
  private final long intervalNanos;
  private final int unknownPerInterval;
  private final Cache<Key, Slot> slots;
  /** Start (nanos) of the current window for apps without a record, and checks made in it. */
  private long unknownWindowStart;
  private int unknownInWindow;
  private boolean unknownWindowOpen;

  SecretChecks(Duration interval, int unknownPerInterval, int maxSlots, LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.intervalNanos = interval.toNanos();
    this.unknownPerInterval = unknownPerInterval;
    this.slots = Caffeine.newBuilder().ticker(nanoTime::getAsLong)
        .expireAfterWrite(interval).maximumSize(maxSlots).build();
  }

  /**
   * Reserves a check of {@code verifier}'s secret for the app from {@code address}.
   *
   * @return whether the check may be made now
   */
  boolean reserve(String appId, String address, Verifier verifier) {
    long now = nanoTime.getAsLong();
    boolean[] granted = {false};
    slots.asMap().compute(new Key(appId, address), (key, held) -> {
      if (held != null && now - held.untilNanos() < 0 && !held.verifier().matches(verifier)) {
        return held;
      }
      granted[0] = true;
      return held != null && now - held.untilNanos() < 0 ? held
          : new Slot(verifier, now + intervalNanos);
    });
    return granted[0];
  }

  /**
   * Frees the address's slot after {@code holdoff} instead of the full interval: the check met a
   * WeChat failure that says nothing about the secret.
   */
  void releaseAfter(String appId, String address, Duration holdoff) {
    long until = nanoTime.getAsLong() + holdoff.toNanos();
    slots.asMap().computeIfPresent(new Key(appId, address),
        (key, held) -> until - held.untilNanos() < 0 ? new Slot(held.verifier(), until) : held);
  }

  /**
   * Takes one of the server-wide checks for apps that have no record.
   *
   * @return whether one was left in the current interval
   */
  synchronized boolean takeUnknown() {
    long now = nanoTime.getAsLong();
    if (!unknownWindowOpen || now - unknownWindowStart >= intervalNanos) {
      unknownWindowOpen = true;
      unknownWindowStart = now;
      unknownInWindow = 0;
    }
    if (unknownInWindow >= unknownPerInterval) {
      return false;
    }
    unknownInWindow++;
    return true;
  }
}
