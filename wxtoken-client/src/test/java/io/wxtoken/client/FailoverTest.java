package io.wxtoken.client;

import static io.wxtoken.client.testing.LiveServer.APP_ID;
import static io.wxtoken.client.testing.LiveServer.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.wxtoken.client.dto.GetWechatAccessTokenDto;
import io.wxtoken.client.testing.CountingProxy;
import io.wxtoken.client.testing.LiveServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Timeouts, bounded retries and failover between server URLs, against real servers. */
class FailoverTest {
  private static final GetWechatAccessTokenDto DTO = new GetWechatAccessTokenDto(APP_ID, SECRET);
  private static final String TOKEN_PATH = WxTokenClient.TOKEN_PATH;

  @TempDir
  Path dir;

  private static WxTokenClient.Builder quick(String... urls) {
    return WxTokenClient.builder().serverUrls(urls)
        .connectTimeout(Duration.ofSeconds(1))
        .readTimeout(Duration.ofSeconds(5))
        .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(40));
  }

  @Test
  void failsOverToSecondUrlWhenFirstIsStopped() {
    try (LiveServer live = LiveServer.start(dir, b -> { }, c -> c, 2)) {
      WxTokenClient client = quick(live.url(0), live.url(1)).build();
      String before = client.getWechatAccessToken(DTO).getData().getAccessToken();

      live.stop(0);
      String after = client.getWechatAccessToken(DTO).getData().getAccessToken();

      // Both servers get WeChat's one stable token: the answer is the same token.
      assertThat(after).isEqualTo(before);
      assertThat(live.wechat.isValid(after)).isTrue();
    }
  }

  @Test
  void failsOverWhenFirstUrlAnswers503AndKeepsUsingTheUrlThatAnswered() {
    try (LiveServer live = LiveServer.start(dir, b -> { }, c -> c, 2);
        CountingProxy first = CountingProxy.to(live.url(0)).failWith(503);
        CountingProxy second = CountingProxy.to(live.url(1))) {
      WxTokenClient client = quick(first.url(), second.url()).build();

      client.getWechatAccessToken(DTO);
      client.getWechatAccessToken(DTO);
      client.getWechatAccessToken(DTO);

      assertThat(first.requests(TOKEN_PATH)).isEqualTo(1); // only the first call tried it
      assertThat(second.requests(TOKEN_PATH)).isEqualTo(3);
    }
  }

  @Test
  void retriesHttp5xxAtMostMaxRetriesTimes() {
    try (LiveServer live = LiveServer.start(dir);
        CountingProxy proxy = CountingProxy.to(live.url()).failWith(502)) {
      WxTokenClient client = quick(proxy.url()).maxRetries(2).build();

      WxTokenServerException e = catchThrowableOfType(WxTokenServerException.class,
          () -> client.getWechatAccessToken(DTO));

      assertThat(proxy.requests(TOKEN_PATH)).isEqualTo(3);
      assertThat(e.getMessage()).contains("HTTP 502");
      assertThat(e.statusCode()).isZero();
    }
  }

  @Test
  void givesUpAsUnreachableAfterBoundedRetriesWhenEveryServerIsDown() {
    WxTokenClient client = quick(LiveServer.deadUrl(), LiveServer.deadUrl()).maxRetries(3).build();

    WxTokenUnreachableException e = catchThrowableOfType(WxTokenUnreachableException.class,
        () -> client.getWechatAccessToken(DTO));

    assertThat(e.getMessage()).contains("after 4 attempt(s)").doesNotContain(SECRET);
    assertThat(e.getCause()).isInstanceOf(IOException.class);
    assertThat(e.statusCode()).isZero();
    assertThat(e.requestId()).isNotEmpty();
  }

  @Test
  void doesNotRetryWhatTheServerSaidAboutTheRequest() {
    try (LiveServer live = LiveServer.start(dir);
        CountingProxy proxy = CountingProxy.to(live.url())) {
      WxTokenClient client = quick(proxy.url()).build();

      catchThrowableOfType(SecretRejectedException.class, () -> client.getWechatAccessToken(
          new GetWechatAccessTokenDto(APP_ID, "fedcba9876543210fedcba9876543210")));
      catchThrowableOfType(InvalidRequestException.class,
          () -> client.getWechatAccessToken(new GetWechatAccessTokenDto(APP_ID, null)));

      assertThat(proxy.requests(TOKEN_PATH)).isEqualTo(2);
    }
  }

  @Test
  void readTimeoutCountsAsAFailedAttemptAndTheCallTimeoutBoundsTheWhole() {
    try (LiveServer live = LiveServer.start(dir);
        CountingProxy slow = CountingProxy.to(live.url()).delay(Duration.ofSeconds(3))) {
      WxTokenClient client = quick(slow.url()).readTimeout(Duration.ofMillis(200))
          .callTimeout(Duration.ofMillis(900)).maxRetries(10).build();
      long start = System.nanoTime();

      WxTokenUnreachableException e = catchThrowableOfType(WxTokenUnreachableException.class,
          () -> client.getWechatAccessToken(DTO));

      long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(elapsedMillis).isBetween(200L, 3_000L);
      assertThat(slow.requests(TOKEN_PATH)).isBetween(2L, 6L); // retried, and bounded by the 900 ms
      assertThat(e.getCause()).isInstanceOf(java.net.SocketTimeoutException.class);
    }
  }

  @Test
  void answerThatIsNotAnEnvelopeIsAServerErrorNotRetried() {
    try (LiveServer live = LiveServer.start(dir);
        CountingProxy proxy = CountingProxy.to(live.url()).failWith(200)) {
      WxTokenClient client = quick(proxy.url()).build();

      WxTokenServerException e = catchThrowableOfType(WxTokenServerException.class,
          () -> client.getWechatAccessToken(DTO));

      assertThat(e.getMessage()).contains("is not a wxtoken answer");
      assertThat(proxy.requests(TOKEN_PATH)).isEqualTo(1);
    }
  }
}
