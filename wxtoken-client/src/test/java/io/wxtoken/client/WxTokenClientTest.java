package io.wxtoken.client;

import static io.wxtoken.client.testing.LiveServer.APP_ID;
import static io.wxtoken.client.testing.LiveServer.LIFETIME;
import static io.wxtoken.client.testing.LiveServer.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.wxtoken.client.dto.GetWechatAccessTokenDto;
import io.wxtoken.client.dto.GetWechatAccessTokenRespDto;
import io.wxtoken.client.dto.GetWechatJsapiTicketDto;
import io.wxtoken.client.dto.GetWechatJsapiTicketRespDto;
import io.wxtoken.client.dto.RefreshWechatAccessTokenDto;
import io.wxtoken.client.dto.SignWechatJssdkDto;
import io.wxtoken.client.dto.SignWechatJssdkRespDto;
import io.wxtoken.client.testing.LiveServer;
import io.wxtoken.http.ExpiresAtFormat;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every call of {@link WxTokenClient} against a real server and simulator: answers and errors. */
class WxTokenClientTest {
  private static final String OTHER_SECRET = "fedcba9876543210fedcba9876543210";

  @TempDir
  Path dir;

  private static WxTokenClient client(LiveServer live) {
    return WxTokenClient.builder().serverUrl(live.url()).build();
  }

  private static String token(WxTokenClient client) {
    return client.getWechatAccessToken(new GetWechatAccessTokenDto(APP_ID, SECRET)).getData()
        .getAccessToken();
  }

  private static String refresh(WxTokenClient client, String stale) {
    return client.refreshWechatAccessToken(new RefreshWechatAccessTokenDto(APP_ID, SECRET, stale))
        .getData().getAccessToken();
  }

  @Test
  void aCallerKeyTravelsAsBearerNotInTheBody() {
    try (LiveServer live = LiveServer.start(dir)) {
      String token = live.server(0).tokens().register(APP_ID, SECRET, true).join().value();
      String key = live.server(0).access().create(new io.wxtoken.access.KeySpec("client",
          java.util.Set.of(APP_ID), java.util.EnumSet.of(io.wxtoken.access.Operation.TOKEN,
              io.wxtoken.access.Operation.REFRESH), java.util.List.of(), null, 0, 0),
          "admin", null).secretKey();

      AccessTokenProvider provider = client(live).accessTokenProvider(APP_ID, key);
      assertThat(provider.currentToken()).isEqualTo(token);
      assertThat(client(live).getWechatAccessToken(new GetWechatAccessTokenDto(APP_ID, key))
          .getData().getAccessToken()).isEqualTo(token);
      assertThat(refresh(client(live), key, token)).isNotEqualTo(token);

      // A proxy that forwards no Authorization header: the body alone carries no credential.
      try (io.wxtoken.client.testing.CountingProxy proxy =
          io.wxtoken.client.testing.CountingProxy.to(live.url())) {
        WxTokenClient viaProxy = WxTokenClient.builder().serverUrl(proxy.url()).maxRetries(0).build();
        Throwable refused = org.assertj.core.api.Assertions.catchThrowable(() ->
            viaProxy.getWechatAccessToken(new GetWechatAccessTokenDto(APP_ID, key)));
        assertThat(refused).isInstanceOf(InvalidRequestException.class)
            .hasMessageContaining("appSecret is required").hasMessageNotContaining(key);
      }
    }
  }

  private static String refresh(WxTokenClient client, String credential, String stale) {
    return client.refreshWechatAccessToken(new RefreshWechatAccessTokenDto(APP_ID, credential, stale))
        .getData().getAccessToken();
  }

  @Test
  void returnsTheTokenInAuthingsShape() {
    try (LiveServer live = LiveServer.start(dir)) {
      GetWechatAccessTokenRespDto resp =
          client(live).getWechatAccessToken(new GetWechatAccessTokenDto(APP_ID, SECRET));

      assertThat(resp.getStatusCode()).isEqualTo(200);
      assertThat(resp.getMessage()).isEqualTo("操作成功");
      assertThat(resp.getApiCode()).isNull();
      assertThat(UUID.fromString(resp.getRequestId())).isNotNull(); // the id the client sent
      assertThat(live.wechat.isValid(resp.getData().getAccessToken())).isTrue();
      assertThat(resp.getData().expiresAtEpochSecond())
          .isEqualTo(live.clock.instant().plus(LIFETIME).getEpochSecond());
      assertThat(resp.getData().getExpiresAt())
          .isEqualTo(Long.toString(resp.getData().expiresAtEpochSecond()));
    }
  }

  @Test
  void infoAliasAnswersTheSameToken() {
    try (LiveServer live = LiveServer.start(dir)) {
      WxTokenClient client = client(live);
      GetWechatAccessTokenDto dto = new GetWechatAccessTokenDto();
      dto.setAppId(APP_ID);
      dto.setAppSecret(SECRET);

      String token = client.getWechatAccessToken(dto).getData().getAccessToken();

      assertThat(client.getWechatAccessTokenInfo(dto).getData().getAccessToken()).isEqualTo(token);
      assertThat(live.wechatTokenCalls()).isEqualTo(1);
    }
  }

  @Test
  void readsExpiresAtWrittenAsAString() {
    try (LiveServer live = LiveServer.start(dir, b -> { },
        c -> c.withExpiresAtFormat(ExpiresAtFormat.STRING), 1)) {
      GetWechatAccessTokenRespDto resp =
          client(live).getWechatAccessToken(new GetWechatAccessTokenDto(APP_ID, SECRET));

      assertThat(resp.getData().expiresAtEpochSecond())
          .isEqualTo(live.clock.instant().plus(LIFETIME).getEpochSecond());
    }
  }

  @Test
  void refreshOfTheCurrentTokenReplacesItAndOfAnOldOneCostsNothing() {
    try (LiveServer live = LiveServer.start(dir)) {
      WxTokenClient client = client(live);
      String stale = token(client);

      String fresh = refresh(client, stale);
      long minted = live.tokensMinted();
      String again = refresh(client, stale);

      assertThat(fresh).isNotEqualTo(stale);
      assertThat(live.wechat.isValid(fresh)).isTrue();
      assertThat(again).isEqualTo(fresh);
      assertThat(live.tokensMinted()).isEqualTo(minted);
    }
  }

  @Test
  void returnsJsapiAndCardTickets() {
    try (LiveServer live = LiveServer.start(dir)) {
      WxTokenClient client = client(live);

      GetWechatJsapiTicketRespDto jsapi =
          client.getWechatJsapiTicket(new GetWechatJsapiTicketDto(APP_ID, SECRET, null));
      GetWechatJsapiTicketRespDto card =
          client.getWechatJsapiTicket(new GetWechatJsapiTicketDto(APP_ID, SECRET, "wx_card"));

      assertThat(jsapi.getStatusCode()).isEqualTo(200);
      assertThat(live.wechat.isTicketValid(jsapi.getData().getTicket())).isTrue();
      assertThat(live.wechat.isTicketValid(card.getData().getTicket())).isTrue();
      assertThat(card.getData().getTicket()).isNotEqualTo(jsapi.getData().getTicket());
      assertThat(jsapi.getData().expiresAtEpochSecond()).isGreaterThan(
          live.clock.instant().getEpochSecond());
    }
  }

  @Test
  void signsAPageForWxConfigWithTheJsapiTicket() throws Exception {
    try (LiveServer live = LiveServer.start(dir)) {
      WxTokenClient client = client(live);
      String url = "https://example.com/page?x=1";
      String ticket = client.getWechatJsapiTicket(new GetWechatJsapiTicketDto(APP_ID, SECRET,
          "jsapi")).getData().getTicket();

      SignWechatJssdkRespDto resp =
          client.signWechatJssdk(new SignWechatJssdkDto(APP_ID, SECRET, url + "#top"));

      assertThat(resp.getData().getAppId()).isEqualTo(APP_ID);
      assertThat(resp.getData().getTimestamp()).isEqualTo(live.clock.instant().getEpochSecond());
      String signed = "jsapi_ticket=" + ticket + "&noncestr=" + resp.getData().getNonceStr()
          + "&timestamp=" + resp.getData().getTimestamp() + "&url=" + url;
      byte[] sha1 = MessageDigest.getInstance("SHA-1").digest(signed.getBytes(StandardCharsets.UTF_8));
      assertThat(resp.getData().getSignature()).isEqualTo(String.format("%040x", new BigInteger(1, sha1)));
    }
  }

  @Test
  void wrongSecretThrowsSecretRejectedWith403() {
    try (LiveServer live = LiveServer.start(dir)) {
      WxTokenClient client = client(live);

      SecretRejectedException e = catchThrowableOfType(SecretRejectedException.class,
          () -> client.getWechatAccessToken(new GetWechatAccessTokenDto(APP_ID, OTHER_SECRET)));

      assertThat(e.statusCode()).isEqualTo(403);
      assertThat(e.apiCode()).isEqualTo(2002); // WeChat itself refused it (errcode 40125)
      assertThat(UUID.fromString(e.requestId())).isNotNull();
      assertThat(e.getMessage()).contains("403", "2002", e.requestId()).doesNotContain(OTHER_SECRET);
    }
  }

  @Test
  void secretThatDiffersFromTheVerifiedOneThrowsSecretRejected() {
    try (LiveServer live = LiveServer.start(dir)) {
      WxTokenClient client = client(live);
      client.getWechatAccessToken(new GetWechatAccessTokenDto(APP_ID, SECRET));
      assertThatThrownBy(() -> client.getWechatAccessToken(
          new GetWechatAccessTokenDto(APP_ID, OTHER_SECRET)));

      SecretRejectedException e = catchThrowableOfType(SecretRejectedException.class,
          () -> client.getWechatAccessToken(
          new GetWechatAccessTokenDto(APP_ID, OTHER_SECRET)));

      assertThat(e.statusCode()).isEqualTo(403);
      assertThat(e.apiCode()).isEqualTo(2001); // refused without asking WeChat again
      assertThat(e.getMessage()).doesNotContain(OTHER_SECRET).doesNotContain(SECRET);
    }
  }

  @Test
  void missingOrMalformedParameterThrowsInvalidRequest() {
    try (LiveServer live = LiveServer.start(dir)) {
      WxTokenClient client = client(live);

      InvalidRequestException missing = catchThrowableOfType(InvalidRequestException.class,
          () -> client.getWechatAccessToken(new GetWechatAccessTokenDto(null, SECRET)));
      InvalidRequestException badUrl = catchThrowableOfType(InvalidRequestException.class,
          () -> client.signWechatJssdk(new SignWechatJssdkDto(APP_ID, SECRET, "ftp://x")));

      assertThat(missing.statusCode()).isEqualTo(400);
      assertThat(missing.apiCode()).isEqualTo(1001);
      assertThat(missing.getMessage()).contains("appId is required");
      assertThat(badUrl.apiCode()).isEqualTo(1001);
      assertThat(badUrl.getMessage()).contains("url");
      assertThat(live.wechatTokenCalls()).isZero();
    }
  }

  @Test
  void wrongServerPathThrowsInvalidRequest() {
    try (LiveServer live = LiveServer.start(dir)) {
      WxTokenClient client = WxTokenClient.builder().serverUrl(live.url() + "/not-here").build();

      InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class,
          () -> client.getWechatAccessToken(new GetWechatAccessTokenDto(APP_ID, SECRET)));

      assertThat(e.statusCode()).isEqualTo(404);
      assertThat(e.apiCode()).isEqualTo(1004);
    }
  }

  @Test
  void unknownAppIdThrowsWeChatErrorWithoutSayingWhy() {
    try (LiveServer live = LiveServer.start(dir)) {
      WeChatErrorException e = catchThrowableOfType(WeChatErrorException.class,
          () -> client(live).getWechatAccessToken(
          new GetWechatAccessTokenDto("wx00000000000000ff", SECRET)));

      assertThat(e.statusCode()).isEqualTo(602);
      assertThat(e.apiCode()).isEqualTo(3002);
      // the server tells WeChat's errcode only to a caller whose secret it has verified
      assertThat(e.errcode()).isZero();
    }
  }

  @Test
  void serverOutsideTheIpWhitelistThrowsWeChatError40164() {
    try (LiveServer live = LiveServer.start(dir)) {
      client(live).getWechatAccessToken(new GetWechatAccessTokenDto(APP_ID, SECRET));
      live.wechat.blockIp(APP_ID, true);
      live.clock.advance(java.time.Duration.ofSeconds(7200)); // expired: WeChat is asked again

      WeChatErrorException e = catchThrowableOfType(WeChatErrorException.class,
          () -> client(live).getWechatAccessToken(
          new GetWechatAccessTokenDto(APP_ID, SECRET)));

      assertThat(e.errcode()).isEqualTo(40164);
    }
  }

  @Test
  void weChatDownThrowsWeChatUnavailableWithoutClientRetries() {
    try (LiveServer live = LiveServer.start(dir)) {
      live.wechat.faults().serverErrorRate(1.0);

      WeChatUnavailableException e = catchThrowableOfType(WeChatUnavailableException.class,
          () -> client(live).getWechatAccessToken(
          new GetWechatAccessTokenDto(APP_ID, SECRET)));

      assertThat(e.statusCode()).isEqualTo(601);
      assertThat(e.apiCode()).isEqualTo(3001);
      assertThat(live.wechatTokenCalls()).isEqualTo(3); // the server's 1 + 2 retries, once
    }
  }

  @Test
  void secondForcedRefreshWithin30sThrowsThrottled() {
    try (LiveServer live = LiveServer.start(dir)) {
      WxTokenClient client = client(live);
      String second = refresh(client, token(client));

      ThrottledException e = catchThrowableOfType(ThrottledException.class,
          () -> client.refreshWechatAccessToken(
          new RefreshWechatAccessTokenDto(APP_ID, SECRET, second)));

      assertThat(e.statusCode()).isEqualTo(429);
      assertThat(e.apiCode()).isEqualTo(2004);
    }
  }

  @Test
  void secretNeverAppearsInToStringOrMessages() {
    try (LiveServer live = LiveServer.start(dir)) {
      WxTokenClient client = client(live);
      GetWechatAccessTokenDto dto = new GetWechatAccessTokenDto(APP_ID, SECRET);
      GetWechatAccessTokenRespDto resp = client.getWechatAccessToken(dto);
      String token = resp.getData().getAccessToken();
      RefreshWechatAccessTokenDto refresh = new RefreshWechatAccessTokenDto(APP_ID, SECRET, token);
      WxTokenException wrong = catchThrowableOfType(WxTokenException.class,
          () -> client.getWechatAccessToken(
          new GetWechatAccessTokenDto(APP_ID, OTHER_SECRET)));
      AccessTokenProvider provider = client.accessTokenProvider(APP_ID, SECRET);
      provider.currentToken();

      for (Object shown : new Object[] {dto, refresh, resp, resp.getData(), provider,
          provider.current(), new GetWechatJsapiTicketDto(APP_ID, SECRET, null),
          new SignWechatJssdkDto(APP_ID, SECRET, "https://example.com/")}) {
        assertThat(shown.toString()).doesNotContain(SECRET).doesNotContain(token);
      }
      assertThat(dto.toString()).contains(APP_ID, "<redacted>");
      assertThat(wrong.getMessage()).doesNotContain(OTHER_SECRET);
      assertThat(wrong.toString()).doesNotContain(OTHER_SECRET);
      provider.close();
    }
  }
}
