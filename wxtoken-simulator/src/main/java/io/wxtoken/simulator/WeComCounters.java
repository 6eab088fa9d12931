package io.wxtoken.simulator;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * WeCom-simulator-wide call counts per endpoint, including failed and faulted calls.
 * Thread-safe: one {@link LongAdder} per endpoint, created up front.
 */
final class WeComCounters {

  private final Map<WeComSimulator.Endpoint, LongAdder> counts = new EnumMap<>(WeComSimulator.Endpoint.class);

  WeComCounters() {
    for (WeComSimulator.Endpoint e : WeComSimulator.Endpoint.values()) {
      counts.put(e, new LongAdder());
    }
  }

  void record(WeComSimulator.Endpoint endpoint) {
    counts.get(endpoint).increment();
  }

  long get(WeComSimulator.Endpoint endpoint) {
    return counts.get(endpoint).sum();
  }

  void reset() {
    counts.values().forEach(LongAdder::reset);
  }
}
