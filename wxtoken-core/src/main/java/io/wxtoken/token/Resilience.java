package io.wxtoken.token;

import java.time.Duration;
import java.util.Objects;

/**
 * How the engine rides out WeChat failures: retries with exponential backoff and jitter for
 * transient failures, and a per-app circuit breaker.
 *
 * @param firstBackoff delay before the first retry, doubled each time
 * @param maxBackoff largest delay between retries
 * @param maxRetries retries after the first attempt
 * @param maxDuration bound on all attempts of one call together
 * @param breakerFailures consecutive transient failures that open an app's breaker
 * @param breakerDelay how long an open breaker refuses calls before letting one through
 */
public record Resilience(Duration firstBackoff, Duration maxBackoff, int maxRetries,
    Duration maxDuration, int breakerFailures, Duration breakerDelay) {

  /** 200 ms doubling to 2 s, 4 retries within 8 s; breaker opens after 5 failures for 30 s. */
  public static final Resilience DEFAULT = new Resilience(Duration.ofMillis(200),
      Duration.ofSeconds(2), 4, Duration.ofSeconds(8), 5, Duration.ofSeconds(30));

  public Resilience {
    Objects.requireNonNull(firstBackoff, "firstBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    Objects.requireNonNull(maxDuration, "maxDuration");
    Objects.requireNonNull(breakerDelay, "breakerDelay");
    // The breaker keeps a window of breakerFailures outcomes, so it must stay small.
    if (maxRetries < 0 || breakerFailures < 1 || breakerFailures > 10_000
        || maxBackoff.compareTo(firstBackoff) <= 0) {
      throw new IllegalArgumentException("need maxRetries >= 0, breakerFailures in 1..10000,"
          + " maxBackoff > firstBackoff");
    }
  }
}
