package io.wxtoken.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import org.junit.jupiter.api.Test;

/** A stored secret hash: an immutable value that compares and prints safely. */
class VerifierTest {
  private static final byte[] HASH = new SecretHasher(new byte[32]).hash("wx1", "s").bytes();

  @Test
  void isAnImmutableCopy() {
    byte[] hash = HASH.clone();
    Verifier v = Verifier.of(hash);

    hash[0] ^= 1;
    v.bytes()[1] ^= 1;

    assertThat(v.bytes()).isEqualTo(HASH);
  }

  @Test
  void matchesAndEqualsByContent() {
    Verifier a = Verifier.of(HASH);
    Verifier b = Verifier.of(HASH.clone());
    byte[] other = HASH.clone();
    other[31] ^= 1;

    assertThat(a.matches(b)).isTrue();
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a.matches(Verifier.of(other))).isFalse();
    assertThat(a.matches(Verifier.of(new byte[] {1}))).as("different length").isFalse();
  }

  @Test
  void printsAShortFingerprintNeverTheWholeHash() {
    String whole = Base64.getUrlEncoder().withoutPadding().encodeToString(HASH);

    assertThat(Verifier.of(HASH).toString()).doesNotContain(whole).contains(whole.substring(0, 8));
  }

  @Test
  void printsEvenAShortHashWithoutFailing() {
    // A damaged stored row must not make logging the record throw.
    assertThat(Verifier.of(new byte[] {7}).toString()).startsWith("Verifier[");
    assertThat(new AppRecord("wx1", Verifier.of(new byte[] {7}), null,
        new AccessToken("v", java.time.Instant.EPOCH, java.time.Instant.EPOCH.plusSeconds(1)), 1)
        .toString()).contains("Verifier[");
  }

  @Test
  void refusesAnEmptyHash() {
    assertThatThrownBy(() -> Verifier.of(new byte[0])).isInstanceOf(IllegalArgumentException.class);
  }
}
