package io.wxtoken.simulator;

import java.time.Instant;

/**
 * The time windows WeChat counts quotas in. Daily quotas reset at midnight Beijing time
 * (UTC+8), not UTC midnight; minute quotas use whole clock minutes.
 */
final class WeChatCalendar {

  private static final long BEIJING_OFFSET_SECONDS = 8 * 3600;

  private WeChatCalendar() {
  }

  /** @return a number identifying the WeChat (Beijing) day containing {@code instant} */
  static long day(Instant instant) {
    return Math.floorDiv(instant.getEpochSecond() + BEIJING_OFFSET_SECONDS, 86_400);
  }

  /** @return a number identifying the clock minute containing {@code instant} */
  static long minute(Instant instant) {
    return Math.floorDiv(instant.getEpochSecond(), 60);
  }
}
