package io.wxtoken.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import org.junit.jupiter.api.Test;

/** The small rules inside the client, each on its own. */
class ClientUnitTest {

  @Test
  void backoffDoublesUpToItsCeilingWithJitterInTheUpperHalf() {
    Backoff backoff = new Backoff(100, 1_000);

    assertThat(backoff.ceilingMillis(1)).isEqualTo(100);
    assertThat(backoff.ceilingMillis(2)).isEqualTo(200);
    assertThat(backoff.ceilingMillis(4)).isEqualTo(800);
    assertThat(backoff.ceilingMillis(5)).isEqualTo(1_000);
    assertThat(backoff.ceilingMillis(60)).isEqualTo(1_000);
    for (int i = 0; i < 1_000; i++) {
      assertThat(backoff.delayMillis(3)).isBetween(200L, 400L);
    }
  }

  @Test
  void envelopeAcceptsNumbersAndStringsAndSkipsUnknownFields() throws Exception {
    Json json = new Json();

    Envelope e = json.envelope(("{\"statusCode\":200,\"extra\":{\"a\":[1,2]},\"message\":\"ok\","
        + "\"data\":{\"accessToken\":\"T\",\"expiresAt\":\"1795575644\",\"n\":12,\"o\":{}}}")
        .getBytes(StandardCharsets.UTF_8));
    Envelope error = json.envelope("{\"statusCode\":\"403\",\"apiCode\":2001,\"requestId\":\"r\"}"
        .getBytes(StandardCharsets.UTF_8));

    assertThat(e.statusCode).isEqualTo(200);
    assertThat(e.data("accessToken")).isEqualTo("T");
    assertThat(e.data("expiresAt")).isEqualTo("1795575644");
    assertThat(e.data("n")).isEqualTo("12");
    assertThat(e.data("o")).isNull();
    assertThat(error.statusCode).isEqualTo(403);
    assertThat(error.apiCode).isEqualTo(2001);
    assertThat(error.requestId).isEqualTo("r");
  }

  @Test
  void bodyThatIsNotAnEnvelopeIsRefused() {
    Json json = new Json();

    for (String body : new String[] {"", "<html>", "[1]", "{\"status\":\"UP\"}"}) {
      assertThatThrownBy(() -> json.envelope(body.getBytes(StandardCharsets.UTF_8)))
          .isInstanceOf(java.io.IOException.class);
    }
  }

  @Test
  void requestBodyLeavesOutNullFields() {
    assertThat(new String(new Json().object("appId", "wx1", "appSecret", null, "url", "u\"v"),
        StandardCharsets.UTF_8)).isEqualTo("{\"appId\":\"wx1\",\"url\":\"u\\\"v\"}");
  }

  @Test
  void errorEnvelopesMapToTheirTypesAndWeChatErrcodeIsRead() {
    assertThat(Errors.of(envelope(400, 1001, "appId is required"), "id", "s"))
        .isInstanceOf(InvalidRequestException.class);
    assertThat(Errors.of(envelope(403, 2002, "rejected"), "id", "s"))
        .isInstanceOf(SecretRejectedException.class);
    assertThat(Errors.of(envelope(429, 2004, "limit"), "id", "s"))
        .isInstanceOf(ThrottledException.class);
    assertThat(Errors.of(envelope(601, 3001, "down"), "id", "s"))
        .isInstanceOf(WeChatUnavailableException.class);
    WxTokenException internal = Errors.of(envelope(500, 5000, "internal"), "id", "s");
    assertThat(internal).isInstanceOf(WxTokenServerException.class);
    assertThat(internal.retryable).isTrue();
    assertThat(Errors.of(envelope(499, 0, "?"), "id", "s").retryable).isFalse();
    WxTokenException wechat = Errors.of(envelope(602, 3002,
        "WeChat returned errcode -1: system error"), "id", "s");
    assertThat(((WeChatErrorException) wechat).errcode()).isEqualTo(-1);
    assertThat(Errors.errcode("no code here")).isZero();
  }

  @Test
  void secretIsScrubbedFromAServerMessageShouldOneEverCarryIt() {
    WxTokenException e = Errors.of(envelope(403, 2001, "bad secret 0123456789abcdef"), "id",
        "0123456789abcdef");

    assertThat(e.getMessage()).doesNotContain("0123456789abcdef").contains("<redacted>", "id");
  }

  @Test
  void serverUrlMustBeAPlainHttpBaseAndIsNeverEchoedWithCredentials() {
    assertThat(WxTokenClient.Builder.baseUrl("http://wxtoken:8080/")).isEqualTo("http://wxtoken:8080");
    assertThat(WxTokenClient.Builder.baseUrl("https://gw/wxtoken")).isEqualTo("https://gw/wxtoken");
    assertThatThrownBy(() -> WxTokenClient.Builder.baseUrl("ftp://wxtoken"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WxTokenClient.Builder.baseUrl("wxtoken:8080"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WxTokenClient.Builder.baseUrl("http://u:hunter2@wxtoken"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> WxTokenClient.builder().build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> WxTokenClient.builder().maxRetries(11))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void snapshotIsReplacedAtTheMarginOrRetriedAfterAQuarterOfWhatIsLeft() {
    long now = 1_000_000_000L;
    AccessToken fresh = new AccessToken("T", (now + 7_200_000) / 1000);
    AccessToken late = new AccessToken("T", (now + 40_000) / 1000);
    AccessToken last = new AccessToken("T", (now + 2_000) / 1000);

    assertThat(Snapshot.of(fresh, now, 60_000).refreshAtMillis).isEqualTo(now + 7_140_000);
    assertThat(Snapshot.of(late, now, 60_000).refreshAtMillis).isEqualTo(now + 10_000);
    assertThat(Snapshot.of(last, now, 60_000).refreshAtMillis).isEqualTo(now + 1_000);
    assertThat(Snapshot.of(fresh, now, 60_000).retryLater(now + 7_199_000).refreshAtMillis)
        .isEqualTo(now + 7_200_000); // 1 s left: retried after the 1 s floor
    assertThat(Snapshot.of(fresh, now, 60_000).retryLater(now).refreshAtMillis)
        .isEqualTo(now + 30_000); // capped at 30 s
  }

  @Test
  void snapshotIsNeverServedPastItsExpiry() {
    long now = 1_000_000_000L;
    AccessToken almostGone = new AccessToken("T", (now + 1_000) / 1000);
    AccessToken gone = new AccessToken("T", (now - 5_000) / 1000);

    Snapshot nearly = Snapshot.of(almostGone, now + 600, 60_000); // 400 ms left: below the 1 s floor
    Snapshot expired = Snapshot.of(gone, now, 60_000); // skew: expired by this host's clock

    assertThat(nearly.refreshAtMillis).isEqualTo(nearly.expiresAtMillis);
    assertThat(expired.refreshAtMillis).isEqualTo(expired.expiresAtMillis).isLessThan(now);
    assertThat(nearly.retryLater(now + 900).refreshAtMillis).isEqualTo(nearly.expiresAtMillis);
  }

  private static Envelope envelope(int statusCode, int apiCode, String message) {
    return new Envelope(statusCode, apiCode, message, null, Collections.<String, String>emptyMap());
  }
}
