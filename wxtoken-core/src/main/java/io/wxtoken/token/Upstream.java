package io.wxtoken.token;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.failsafe.CircuitBreaker;
import dev.failsafe.CircuitBreakerOpenException;
import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import io.wxtoken.token.QuotaLedger.Purpose;
import io.wxtoken.wechat.WeChatClient;
import io.wxtoken.wechat.WeChatToken;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * Every call the engine makes to WeChat: admitted by the {@link QuotaLedger}, counted, retried
 * with exponential backoff and jitter when the failure is transient, and cut off per app by a
 * circuit breaker when WeChat keeps failing, so a dead WeChat is not hammered.
 *
 * <p>What is transient is {@link Resilience#isTransient}'s to say.
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
    this.retry = resilience.retryPolicy();
    this.breakers = Caffeine.newBuilder().maximumSize(maxApps).build();
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
          Throwable cause = Resilience.unwrap(failure);
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
    return breakers.get(appId, id -> resilience.newBreaker());
  }
}
