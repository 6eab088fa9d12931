package io.wxtoken.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.failsafe.CircuitBreaker;
import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import io.wxtoken.wechat.WeChatErrorException;
import io.wxtoken.wechat.WeChatUnreachableException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ResilienceTest {
  static final Resilience FAST = new Resilience(Duration.ofMillis(1), Duration.ofMillis(2), 3,
      Duration.ofSeconds(5), 2, Duration.ofSeconds(30));

  @Test
  void onlyAnUnreachableWeChatOrSystemBusyIsWorthRetrying() {
    assertThat(Resilience.isTransient(new WeChatUnreachableException("timeout"))).isTrue();
    assertThat(Resilience.isTransient(new WeChatErrorException(-1, "system busy"))).isTrue();
    assertThat(Resilience.isTransient(
        new CompletionException(new WeChatErrorException(-1, "system busy")))).isTrue();

    assertThat(Resilience.isTransient(new WeChatErrorException(40125, "invalid appsecret"))).isFalse();
    assertThat(Resilience.isTransient(new WeChatErrorException(40164, "invalid ip"))).isFalse();
    assertThat(Resilience.isTransient(new WeChatErrorException(45009, "reach max api daily quota limit"))).isFalse();
    assertThat(Resilience.isTransient(new IllegalStateException("a bug"))).isFalse();
  }

  @Test
  void unwrapTakesTheCauseOutOfACompletionExceptionOnly() {
    WeChatErrorException cause = new WeChatErrorException(40013, "invalid appid");

    assertThat(Resilience.unwrap(new CompletionException(cause))).isSameAs(cause);
    assertThat(Resilience.unwrap(cause)).isSameAs(cause);
    CompletionException empty = new CompletionException("no cause", null);
    assertThat(Resilience.unwrap(empty)).isSameAs(empty);
  }

  @Test
  void theRetryPolicyRetriesTransientFailuresUpToMaxRetries() {
    RetryPolicy<String> retry = FAST.retryPolicy();
    AtomicInteger calls = new AtomicInteger();

    assertThatThrownBy(() -> Failsafe.with(retry).get(() -> {
      calls.incrementAndGet();
      throw new WeChatErrorException(-1, "system busy");
    })).isInstanceOf(WeChatErrorException.class);

    assertThat(calls).hasValue(1 + FAST.maxRetries());
  }

  @Test
  void theRetryPolicyNeverRetriesAFinalAnswer() {
    RetryPolicy<String> retry = FAST.retryPolicy();
    AtomicInteger calls = new AtomicInteger();

    assertThatThrownBy(() -> Failsafe.with(retry).get(() -> {
      calls.incrementAndGet();
      throw new WeChatErrorException(40125, "invalid appsecret");
    })).isInstanceOf(WeChatErrorException.class);

    assertThat(calls).hasValue(1);
  }

  @Test
  void aBreakerOpensAfterBreakerFailuresTransientFailuresInARow() {
    CircuitBreaker<String> breaker = FAST.newBreaker();
    for (int i = 0; i < FAST.breakerFailures(); i++) {
      assertThatThrownBy(() -> Failsafe.with(breaker).get(() -> {
        throw new WeChatUnreachableException("connect timed out");
      })).isInstanceOf(WeChatUnreachableException.class);
    }

    assertThat(breaker.isOpen()).isTrue();
    assertThat(FAST.newBreaker().isClosed()).isTrue(); // each app gets its own
  }

  @Test
  void finalAnswersDoNotOpenTheBreaker() {
    CircuitBreaker<String> breaker = FAST.newBreaker();
    for (int i = 0; i < 10; i++) {
      assertThatThrownBy(() -> Failsafe.with(breaker).get(() -> {
        throw new WeChatErrorException(40013, "invalid appid");
      })).isInstanceOf(WeChatErrorException.class);
    }

    assertThat(breaker.isClosed()).isTrue();
  }
}
