package io.wxtoken.token;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Objects;

/**
 * An app's upstream calls on one WeChat day (Beijing time, when WeChat's quotas reset).
 *
 * @param day the WeChat day counted
 * @param calls token calls made to WeChat that day (each retry counts)
 * @param forced forced refreshes that day ({@code force_refresh}, or guarded classic refreshes)
 * @param lastForcedAt the last forced refresh, or {@link Instant#EPOCH} if none ever
 */
public record QuotaUsage(LocalDate day, int calls, int forced, Instant lastForcedAt) {

  public QuotaUsage {
    Objects.requireNonNull(day, "day");
    Objects.requireNonNull(lastForcedAt, "lastForcedAt");
  }

  /** Nothing used yet on {@code day}. */
  public static QuotaUsage none(LocalDate day) {
    return new QuotaUsage(day, 0, 0, Instant.EPOCH);
  }
}
