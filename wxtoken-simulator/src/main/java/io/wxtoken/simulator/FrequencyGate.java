package io.wxtoken.simulator;

import java.time.Duration;
import java.time.Instant;

/**
 * WeCom's frequency interception for one caller (a corp or an address) on one API: a per-minute
 * and a per-hour count in clock windows; crossing a limit refuses every call for 60 s (minute) or
 * 60 minutes (hour), counted from the refused call ("触发分钟级别频率限制会被禁止调用60秒, 小时级别
 * 60分钟").
 *
 * <p>Not thread-safe: guarded by its owner's lock.
 */
final class FrequencyGate {

  private static final Duration MINUTE_BLOCK = Duration.ofSeconds(60);
  private static final Duration HOUR_BLOCK = Duration.ofHours(1);

  private final WindowCounter minute = new WindowCounter();
  private final WindowCounter hour = new WindowCounter();
  private Instant blockedUntil = Instant.MIN;

  /** @return whether the call may go on (then it is counted); a refusal may start a block */
  boolean admit(Instant now, int minuteLimit, int hourLimit) {
    if (now.isBefore(blockedUntil)) {
      return false;
    }
    long minuteWindow = Math.floorDiv(now.getEpochSecond(), 60);
    long hourWindow = Math.floorDiv(now.getEpochSecond(), 3600);
    if (!minute.hasRoom(minuteWindow, minuteLimit)) {
      blockedUntil = now.plus(MINUTE_BLOCK);
      return false;
    }
    if (!hour.hasRoom(hourWindow, hourLimit)) {
      blockedUntil = now.plus(HOUR_BLOCK);
      return false;
    }
    minute.add(minuteWindow);
    hour.add(hourWindow);
    return true;
  }
}
