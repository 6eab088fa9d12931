package io.wxtoken.token;

import dev.failsafe.CircuitBreaker;
import dev.failsafe.RetryPolicy;
import io.wxtoken.wechat.WeChatErrorException;
import io.wxtoken.wechat.WeChatUnreachableException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionException;

/**
 * How the engine rides out WeChat failures: retries with exponential backoff and jitter for
 * transient failures, and a per-app circuit breaker. The token engine and the ticket service
 * build their Failsafe policies here, so both treat the same failures the same way.
 *
 * <p>Transient: no usable answer ({@link WeChatUnreachableException}: connect error, timeout,
 * 5xx, malformed) and errcode -1 (system busy). Everything else WeChat says (wrong secret, unknown
 * appid, IP not whitelisted, frozen secret, quota reached, …) is final: no retry.
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

  /** Retries of transient failures with these settings; immutable, so one can serve every call. */
  public <T> RetryPolicy<T> retryPolicy() {
    return RetryPolicy.<T>builder()
        .handleIf((result, failure) -> failure != null && isTransient(failure))
        .withBackoff(firstBackoff, maxBackoff)
        .withJitter(0.25)
        .withMaxRetries(maxRetries)
        .withMaxDuration(maxDuration)
        .build();
  }

  /** A new breaker that opens after {@link #breakerFailures} transient failures in a row. */
  public <T> CircuitBreaker<T> newBreaker() {
    return CircuitBreaker.<T>builder()
        .handleIf((result, failure) -> failure != null && isTransient(failure))
        .withFailureThreshold(breakerFailures)
        .withDelay(breakerDelay)
        .build();
  }

  /** Whether retrying can help: WeChat unreachable, or errcode -1 (system busy). */
  public static boolean isTransient(Throwable failure) {
    Throwable cause = unwrap(failure);
    return cause instanceof WeChatUnreachableException
        || (cause instanceof WeChatErrorException e && e.errcode() == -1);
  }

  /** The failure inside a {@link CompletionException}, or {@code failure} itself. */
  public static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
  }
}
