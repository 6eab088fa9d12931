package io.wxtoken.simulator;

import java.time.Duration;
import java.util.Objects;

/**
 * The protocol parameters of one simulator, fixed at start.
 *
 * @param tokenLifetime full lifetime of a newly minted token (WeChat: 7200 s)
 * @param overlap how long a replaced token stays usable, and how early a stable token or an API
 *     ticket is renewed (WeChat: 5 min)
 * @param dailyTokenQuota {@code /cgi-bin/token} calls per app per WeChat day
 * @param stableDailyQuota {@code /cgi-bin/stable_token} calls per app per WeChat day
 * @param stableMinuteQuota {@code /cgi-bin/stable_token} calls per app per clock minute
 * @param forceRefreshDailyLimit forced stable mints per app per WeChat day
 * @param forceRefreshMinInterval minimum spacing between forced stable mints
 * @param ticketLifetime full lifetime of a newly minted API ticket (WeChat: 7200 s)
 */
record SimulatorSettings(
    Duration tokenLifetime,
    Duration overlap,
    int dailyTokenQuota,
    int stableDailyQuota,
    int stableMinuteQuota,
    int forceRefreshDailyLimit,
    Duration forceRefreshMinInterval,
    Duration ticketLifetime) {

  SimulatorSettings {
    Objects.requireNonNull(tokenLifetime, "tokenLifetime");
    Objects.requireNonNull(overlap, "overlap");
    Objects.requireNonNull(forceRefreshMinInterval, "forceRefreshMinInterval");
    Objects.requireNonNull(ticketLifetime, "ticketLifetime");
    if (tokenLifetime.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("tokenLifetime must be at least 1 s: " + tokenLifetime);
    }
    // A stable token is renewed `overlap` before expiry, so the overlap must fit in a lifetime.
    if (overlap.isNegative() || overlap.compareTo(tokenLifetime) >= 0) {
      throw new IllegalArgumentException("overlap must be in [0, tokenLifetime): " + overlap);
    }
    if (ticketLifetime.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("ticketLifetime must be at least 1 s: " + ticketLifetime);
    }
    // Likewise a ticket is renewed `overlap` before its expiry.
    if (overlap.compareTo(ticketLifetime) >= 0) {
      throw new IllegalArgumentException("overlap must be shorter than ticketLifetime ("
          + ticketLifetime + "): " + overlap);
    }
    if (forceRefreshMinInterval.isNegative()) {
      throw new IllegalArgumentException("forceRefreshMinInterval must not be negative");
    }
    requireNonNegative(dailyTokenQuota, "dailyTokenQuota");
    requireNonNegative(stableDailyQuota, "stableDailyQuota");
    requireNonNegative(stableMinuteQuota, "stableMinuteQuota");
    requireNonNegative(forceRefreshDailyLimit, "forceRefreshDailyLimit");
  }

  private static void requireNonNegative(int value, String name) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must not be negative: " + value);
    }
  }
}
