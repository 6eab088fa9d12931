package io.wxtoken.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A token and its validity window. */
class AccessTokenTest {
  private static final Instant T0 = Instant.parse("2026-03-01T02:00:00Z");

  @Test
  void isValidUpToButNotAtItsExpiry() {
    AccessToken token = new AccessToken("value", T0, T0.plusSeconds(7200));

    assertThat(token.lifetime()).isEqualTo(Duration.ofSeconds(7200));
    assertThat(token.isValidAt(T0)).isTrue();
    assertThat(token.isValidAt(T0.plusSeconds(7200).minusMillis(1))).isTrue();
    assertThat(token.isValidAt(T0.plusSeconds(7200))).isFalse();
  }

  @Test
  void neverPrintsTheTokenItself() {
    AccessToken token = new AccessToken("SECRET-TOKEN-VALUE", T0, T0.plusSeconds(1));

    assertThat(token.toString()).doesNotContain("SECRET-TOKEN-VALUE").contains("redacted");
    assertThat(new AppRecord("wx1", Verifier.of(new byte[32]), null, token, 1).toString())
        .doesNotContain("SECRET-TOKEN-VALUE");
  }

  @Test
  void rejectsAnEmptyOrInvertedWindow() {
    assertThatThrownBy(() -> new AccessToken("v", T0, T0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new AccessToken("v", T0, T0.minusSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new AppRecord("wx1", Verifier.of(new byte[32]), null,
        new AccessToken("v", T0, T0.plusSeconds(1)), 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
