package io.wxtoken.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The refresh margin: a share of the lifetime, clamped, never more than half of it. */
class RefreshPolicyTest {
  private static final RefreshPolicy DEFAULT = RefreshPolicy.DEFAULT;

  @ParameterizedTest(name = "{0} ms lifetime -> {1} ms margin")
  @CsvSource({
      "7200000, 240000", // WeChat's tokens: 240 s, inside WeChat's 300 s overlap
      "3600000, 120000",
      "300000, 10000",
      "60000, 2000",
      "30000, 1000", // short test tokens: 1 s
      "10000, 1000", // clamped up to the 1 s minimum
      "2000, 1000", // the minimum is exactly half
      "1500, 750", // the minimum would exceed half the lifetime
      "1000, 500",
      "1, 0",
      "86400000, 240000", // clamped down to the 240 s maximum
  })
  void defaultMarginScalesWithTheLifetime(long lifetimeMillis, long marginMillis) {
    assertThat(DEFAULT.margin(Duration.ofMillis(lifetimeMillis)))
        .isEqualTo(Duration.ofMillis(marginMillis));
  }

  @Test
  void defaultMarginStaysInsideWeChatsOverlapAndUnderHalfTheLifetime() {
    for (long millis = 1; millis <= 100_000_000L; millis = millis * 3 / 2 + 1) {
      Duration lifetime = Duration.ofMillis(millis);
      Duration margin = DEFAULT.margin(lifetime);
      assertThat(margin).as("margin for %s", lifetime)
          .isLessThanOrEqualTo(lifetime.dividedBy(2))
          .isLessThanOrEqualTo(Duration.ofSeconds(240))
          .isLessThan(Duration.ofSeconds(300))
          .isGreaterThanOrEqualTo(Duration.ZERO);
    }
  }

  @Test
  void customPolicyClampsToItsOwnBounds() {
    RefreshPolicy policy = new RefreshPolicy(0.1, Duration.ofSeconds(5), Duration.ofSeconds(60));

    assertThat(policy.margin(Duration.ofSeconds(100))).isEqualTo(Duration.ofSeconds(10));
    assertThat(policy.margin(Duration.ofSeconds(20))).isEqualTo(Duration.ofSeconds(5));
    assertThat(policy.margin(Duration.ofSeconds(8))).isEqualTo(Duration.ofSeconds(4));
    assertThat(policy.margin(Duration.ofHours(2))).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void refreshStartsOneMarginBeforeExpiry() {
    Instant fetched = Instant.parse("2026-03-01T02:00:00Z");
    AccessToken token = new AccessToken("t", fetched, fetched.plusSeconds(7200));

    assertThat(DEFAULT.refreshAt(token)).isEqualTo(fetched.plusSeconds(7200 - 240));
  }

  @Test
  void rejectsNonsensicalSettings() {
    Duration s = Duration.ofSeconds(1);
    assertThatThrownBy(() -> new RefreshPolicy(0, s, s)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RefreshPolicy(0.5, s, s)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RefreshPolicy(-0.1, s, s)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RefreshPolicy(Double.NaN, s, s))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RefreshPolicy(0.1, s.negated(), s))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RefreshPolicy(0.1, s, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
