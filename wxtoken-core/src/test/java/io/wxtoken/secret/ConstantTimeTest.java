package io.wxtoken.secret;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConstantTimeTest {
  @Test
  void equalStringsMatchAndAnyDifferenceOrLengthDoesNot() {
    String secret = "0123456789abcdef0123456789abcdef";
    assertThat(ConstantTime.equals(secret, new String(secret.toCharArray()))).isTrue();
    assertThat(ConstantTime.equals(secret, "0123456789abcdef0123456789abcdeF")).isFalse();
    assertThat(ConstantTime.equals(secret, "x123456789abcdef0123456789abcdef")).isFalse();
    assertThat(ConstantTime.equals(secret, secret.substring(1))).isFalse();
    assertThat(ConstantTime.equals("", "")).isTrue();
  }
}
