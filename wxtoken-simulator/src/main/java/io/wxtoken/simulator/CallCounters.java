package io.wxtoken.simulator;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Simulator-wide call counts per endpoint, including failed and faulted calls.
 * Thread-safe: one {@link LongAdder} per endpoint, created up front.
 */
final class CallCounters {

  private final Map<WeChatSimulator.Endpoint, LongAdder> counts = new EnumMap<>(WeChatSimulator.Endpoint.class);

  CallCounters() {
    for (WeChatSimulator.Endpoint e : WeChatSimulator.Endpoint.values()) {
      counts.put(e, new LongAdder());
    }
  }

  void record(WeChatSimulator.Endpoint endpoint) {
    counts.get(endpoint).increment();
  }

  long get(WeChatSimulator.Endpoint endpoint) {
    return counts.get(endpoint).sum();
  }

  void reset() {
    counts.values().forEach(LongAdder::reset);
  }
}
