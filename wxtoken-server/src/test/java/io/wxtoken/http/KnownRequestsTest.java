package io.wxtoken.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxtoken.http.TokenRequest.Kind;
import io.wxtoken.http.TokenRequest.Syntax;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KnownRequestsTest {
  static final byte[] BODY = bytes("{\"appId\":\"wx5f1e2d3c4b5a6978\",\"appSecret\":\"0123456789abcdef0123456789abcdef\"}");
  static final TokenRequest PARSED = TokenRequest.parse(Syntax.JSON, BODY, Kind.TOKEN);

  final KnownRequests known = new KnownRequests(1024);

  @Test
  void remembersABodyTheSecondTimeItIsAnswered() {
    known.remember(Syntax.JSON, BODY, PARSED);
    assertThat(known.get(Syntax.JSON, BODY)).isNull();

    known.remember(Syntax.JSON, BODY.clone(), PARSED);

    assertThat(known.get(Syntax.JSON, BODY.clone())).isSameAs(PARSED);
  }

  @Test
  void aBodyDifferingInOneByteIsNotKnown() {
    rememberTwice(Syntax.JSON, BODY, PARSED);
    byte[] other = BODY.clone();
    other[other.length - 3] ^= 1; // the secret's last digit

    assertThat(known.get(Syntax.JSON, other)).isNull();
    assertThat(known.get(Syntax.JSON, java.util.Arrays.copyOf(BODY, BODY.length - 1))).isNull();
  }

  @Test
  void theSameBytesReadAsAnotherSyntaxAreNotKnown() {
    rememberTwice(Syntax.JSON, BODY, PARSED);

    assertThat(known.get(Syntax.FORM, BODY)).isNull();
  }

  @Test
  void trafficOfEverNewBodiesRemembersNothing() {
    for (int i = 0; i < 10_000; i++) {
      byte[] body = bytes("{\"appId\":\"wx5f1e2d3c4b5a6978\",\"appSecret\":\"s\",\"n\":" + i + "}");
      known.remember(Syntax.JSON, body, PARSED);
      assertThat(known.get(Syntax.JSON, body)).isNull();
    }
    known.remember(Syntax.JSON, BODY, PARSED);
    assertThat(known.get(Syntax.JSON, BODY)).isNull();
  }

  @Test
  void aBodySharingItsSlotReplacesTheOneRememberedThere() {
    KnownRequests one = new KnownRequests(1);
    byte[] other = bytes("{\"appId\":\"wx0000000000000001\",\"appSecret\":\"0123456789abcdef0123456789abcdef\"}");
    TokenRequest otherParsed = TokenRequest.parse(Syntax.JSON, other, Kind.TOKEN);
    one.remember(Syntax.JSON, BODY, PARSED);
    one.remember(Syntax.JSON, BODY, PARSED);

    one.remember(Syntax.JSON, other, otherParsed);
    one.remember(Syntax.JSON, other, otherParsed);

    assertThat(one.get(Syntax.JSON, other)).isSameAs(otherParsed);
    assertThat(one.get(Syntax.JSON, BODY)).isNull();
  }

  @Test
  void longBodiesAreNeverRemembered() {
    byte[] longBody = bytes("{\"appId\":\"wx5f1e2d3c4b5a6978\",\"appSecret\":\"0123456789abcdef0123456789abcdef\","
        + "\"pad\":\"" + "x".repeat(KnownRequests.MAX_BODY_BYTES) + "\"}");
    TokenRequest parsed = TokenRequest.parse(Syntax.JSON, longBody, Kind.TOKEN);

    rememberTwice(Syntax.JSON, longBody, parsed);

    assertThat(known.get(Syntax.JSON, longBody)).isNull();
  }

  @Test
  void slotsMustBeAPowerOfTwo() {
    assertThatThrownBy(() -> new KnownRequests(1000)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new KnownRequests(0)).isInstanceOf(IllegalArgumentException.class);
  }

  private void rememberTwice(Syntax syntax, byte[] body, TokenRequest parsed) {
    known.remember(syntax, body, parsed);
    known.remember(syntax, body, parsed);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
