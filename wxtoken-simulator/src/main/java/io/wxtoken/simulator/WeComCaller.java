package io.wxtoken.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/**
 * What WeCom keeps about one calling address: its frequency gates per API, and its failed
 * {@code gettoken} calls, about 2,000 of which in an hour block the address for an hour (a WeCom
 * staff answer, research notes).
 *
 * <p>Thread-safe: every method is synchronized on this object.
 */
final class WeComCaller {

  private static final Duration FAILURE_BLOCK = Duration.ofHours(1);

  private final Map<WeComSimulator.Endpoint, FrequencyGate> gates =
      new EnumMap<>(WeComSimulator.Endpoint.class);
  private final WindowCounter failures = new WindowCounter();
  private Instant blockedUntil = Instant.MIN;

  WeComCaller() {
    for (WeComSimulator.Endpoint e : WeComSimulator.Endpoint.values()) {
      gates.put(e, new FrequencyGate());
    }
  }

  synchronized boolean admit(WeComSimulator.Endpoint endpoint, Instant now, WeComSettings settings) {
    return gates.get(endpoint).admit(now, settings.ipMinuteLimit(), settings.ipHourLimit());
  }

  /** @return whether too many failed {@code gettoken} calls block this address now */
  synchronized boolean isBlockedForFailures(Instant now) {
    return now.isBefore(blockedUntil);
  }

  /** Counts a failed {@code gettoken} call; reaching {@code limit} in the clock hour blocks for an hour. */
  synchronized void recordFailure(Instant now, int limit) {
    long hour = Math.floorDiv(now.getEpochSecond(), 3600);
    failures.add(hour);
    if (!failures.hasRoom(hour, limit)) {
      blockedUntil = now.plus(FAILURE_BLOCK);
    }
  }
}
