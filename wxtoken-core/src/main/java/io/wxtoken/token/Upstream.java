package io.wxtoken.token;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.failsafe.CircuitBreaker;
import dev.failsafe.CircuitBreakerOpenException;
import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import io.wxtoken.token.QuotaLedger.Purpose;
import io.wxtoken.wechat.WeChatClient;
import io.wxtoken.wechat.WeChatErrorException;
import io.wxtoken.wechat.WeChatToken;
import io.wxtoken.wechat.WeChatUnreachableException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;

/**
 * Every call the engine makes to WeChat: admitted by the {@link QuotaLedger}, counted, retried
 * with exponential backoff and jitter when the failure is transient, and cut off per app by a
 * circuit breaker when WeChat keeps failing, so a dead WeChat is not hammered.
 *
 * <p>Transient: no usable answer ({@link WeChatUnreachableException}: connect error, timeout,
 * 5xx, malformed) and errcode -1 (system busy). Everything else WeChat says (wrong secret, unknown
 * appid, IP not whitelisted, frozen secret, quota reached, …) is final: no retry.
 *
 * <p>Retries and the breaker run on real time (Failsafe's scheduler), bounded by
 * {@link Resilience#maxDuration()}. Thread-safe.
 */
final class Upstream {

  private final WeChatClient wechat;
  private final QuotaLedger quota;
  private final ExecutorService executor;
  private final RetryPolicy<WeChatToken> retry;
  private final Resilience resilience;
  private final Cache<String, CircuitBreaker<WeChatToken>> breakers;

  Upstream(WeChatClient wechat, QuotaLedger quota, ExecutorService executor, Resilience resilience,
      int maxApps) {
    this.wechat = wechat;
    this.quota = quota;
    this.executor = executor;
    this.resilience = resilience;
    this.retry = RetryPolicy.<WeChatToken>builder()
        .handleIf((result, failure) -> failure != null && isTransient(failure))
        .withBackoff(resilience.firstBackoff(), resilience.maxBackoff())
        .withJitter(0.25)
        .withMaxRetries(resilience.maxRetries())
        .withMaxDuration(resilience.maxDuration())
        .build();
    this.breakers = Caffeine.newBuilder().maximumSize(maxApps).build();
  }

  /** Whether retrying can help: WeChat unreachable, or errcode -1 (system busy). */
  static boolean isTransient(Throwable failure) {
    Throwable cause = unwrap(failure);
    return cause instanceof WeChatUnreachableException
        || (cause instanceof WeChatErrorException e && e.errcode() == -1);
  }

  static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
  }

  /**
   * Asks WeChat for the app's token, for {@code purpose}.
   *
   * @return a future failing with {@link TokenException} when the quota or the breaker refuses,
   *     else with the last WeChat failure
   */
  CompletableFuture<WeChatToken> fetch(String appId, String secret, Purpose purpose,
      boolean forceRefresh) {
    try {
      quota.admit(appId, purpose);
    } catch (TokenException e) {
      return CompletableFuture.failedFuture(e);
    }
    CircuitBreaker<WeChatToken> breaker = breaker(appId);
    return Failsafe.with(retry, breaker).with(executor)
        .getStageAsync(() -> {
          quota.record(appId, purpose == Purpose.FORCED);
          return wechat.fetchToken(appId, secret, forceRefresh);
        })
        .exceptionallyCompose(failure -> {
          Throwable cause = unwrap(failure);
          if (cause instanceof CircuitBreakerOpenException) {
            long seconds = Math.max(1, breaker.getRemainingDelay().toSeconds());
            return CompletableFuture.failedFuture(new TokenException(
                TokenException.Reason.UPSTREAM_UNAVAILABLE, "calls to WeChat for appId " + appId
                    + " are paused after " + resilience.breakerFailures()
                    + " failures in a row; the next try is in " + seconds + " s",
                0, Duration.ofSeconds(seconds)));
          }
          return CompletableFuture.failedFuture(cause);
        });
  }

  /** The app's breaker state: CLOSED (calling), OPEN (paused), HALF_OPEN (trying again). */
  String breakerState(String appId) {
    CircuitBreaker<WeChatToken> breaker = breakers.getIfPresent(appId);
    return breaker == null ? "CLOSED" : breaker.getState().name();
  }

  private CircuitBreaker<WeChatToken> breaker(String appId) {
    return breakers.get(appId, id -> CircuitBreaker.<WeChatToken>builder()
        .handleIf((result, failure) -> failure != null && isTransient(failure))
        .withFailureThreshold(resilience.breakerFailures())
        .withDelay(resilience.breakerDelay())
        .build());
  }
}
