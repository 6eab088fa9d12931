package io.wxtoken.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * {@code wxtoken_key_requests_total{key,outcome}}: requests made with each caller key, by outcome
 * ({@code ok} or the refusal, e.g. {@code key_rate_limited}). Labelled by the key's name (chosen by
 * an operator, never the key), at most {@link #MAX_NAMES} of them; the rest are {@code other}, so a
 * flood of keys cannot grow the series without bound. Refusals of unknown keys are
 * {@code key="unknown"}.
 *
 * <p>Thread-safe; counting an accepted request is a map lookup and an add.
 */
public final class KeyMetrics {
  /** Distinct key names with series of their own. */
  public static final int MAX_NAMES = 100;
  static final String OTHER = "other";

  private final Counter requests;
  private final ConcurrentMap<String, CounterDataPoint> ok = new ConcurrentHashMap<>();

  KeyMetrics(PrometheusRegistry registry) {
    requests = Counter.builder()
        .name("wxtoken_key_requests_total")
        .help("Requests made with a caller key, by key name and outcome (ok or the refusal)")
        .labelNames("key", "outcome")
        .register(registry);
  }

  /** Counts an accepted request of the key named {@code name}. */
  public void accepted(String name) {
    CounterDataPoint point = ok.get(name);
    if (point == null) {
      point = ok.computeIfAbsent(bounded(name), n -> requests.labelValues(n, "ok"));
    }
    point.inc();
  }

  /** Counts a refused request; {@code name} is null when the key is unknown. */
  public void refused(String name, String outcome) {
    requests.labelValues(name == null ? "unknown" : bounded(name), outcome).inc();
  }

  private String bounded(String name) {
    return ok.containsKey(name) || ok.size() < MAX_NAMES ? name : OTHER;
  }
}
