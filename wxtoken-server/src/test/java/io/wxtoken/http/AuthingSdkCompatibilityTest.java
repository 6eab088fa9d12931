package io.wxtoken.http;

import static io.wxtoken.server.ServerHarness.APP_ID;
import static io.wxtoken.server.ServerHarness.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import cn.authing.sdk.java.client.AuthenticationClient;
import cn.authing.sdk.java.dto.GetWechatAccessTokenDto;
import cn.authing.sdk.java.dto.GetWechatAccessTokenInfoRespDto;
import cn.authing.sdk.java.dto.GetWechatAccessTokenRespDto;
import cn.authing.sdk.java.model.AuthenticationClientOptions;
import io.wxtoken.server.ServerHarness;
import io.wxtoken.simulator.WeChatSimulator.Endpoint;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Authing's official Java SDK ({@code cn.authing:authing-java-sdk:3.1.9}), unchanged, with its
 * {@code appHost} pointed at wxtoken.
 */
class AuthingSdkCompatibilityTest {
  @TempDir
  Path dir;

  private static AuthenticationClient client(ServerHarness h) throws Exception {
    AuthenticationClientOptions options = new AuthenticationClientOptions();
    options.setAppId("authing-app-id"); // only sent as x-authing-app-id, which wxtoken ignores
    options.setAppHost("http://127.0.0.1:" + h.server().port());
    return new AuthenticationClient(options);
  }

  private static GetWechatAccessTokenDto request(String appId, String secret) {
    GetWechatAccessTokenDto dto = new GetWechatAccessTokenDto();
    dto.setAppId(appId);
    dto.setAppSecret(secret);
    return dto;
  }

  @ParameterizedTest
  @EnumSource(ExpiresAtFormat.class)
  @SuppressWarnings("deprecation") // getWechatMpAccessToken is deprecated in favour of -info
  void getWechatMpAccessTokenWorksUnchanged(ExpiresAtFormat format) throws Exception {
    try (ServerHarness h = ServerHarness.start(dir, b -> { }, c -> c.withExpiresAtFormat(format))) {
      GetWechatAccessTokenRespDto response = client(h).getWechatMpAccessToken(request(APP_ID, SECRET));

      assertThat(response.getStatusCode()).isEqualTo(200);
      assertThat(response.getMessage()).isEqualTo("操作成功");
      assertThat(response.getRequestId()).isNotBlank();
      assertThat(h.wechat.isValid(response.getData().getAccessToken())).isTrue();
      assertThat(Long.parseLong(response.getData().getExpiresAt()))
          .isEqualTo(h.clock.instant().getEpochSecond() + 7200);
    }
  }

  @Test
  void getWechatMpAccessTokenInfoWorksUnchangedAndSharesTheCache() throws Exception {
    try (ServerHarness h = ServerHarness.start(dir)) {
      AuthenticationClient client = client(h);

      GetWechatAccessTokenInfoRespDto first = client.getWechatMpAccessTokenInfo(request(APP_ID, SECRET));
      GetWechatAccessTokenInfoRespDto second = client.getWechatMpAccessTokenInfo(request(APP_ID, SECRET));

      assertThat(first.getStatusCode()).isEqualTo(200);
      assertThat(second.getData().getAccessToken()).isEqualTo(first.getData().getAccessToken());
      assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN)).isEqualTo(1);
    }
  }

  @Test
  void errorsReachTheSdkAsEnvelopesNotExceptions() throws Exception {
    try (ServerHarness h = ServerHarness.start(dir)) {
      GetWechatAccessTokenInfoRespDto wrong = client(h)
          .getWechatMpAccessTokenInfo(request(APP_ID, "ffffffffffffffffffffffffffffffff"));
      GetWechatAccessTokenInfoRespDto missing = client(h)
          .getWechatMpAccessTokenInfo(request(APP_ID, null));

      assertThat(wrong.getStatusCode()).isEqualTo(403);
      assertThat(wrong.getApiCode()).isEqualTo(2002);
      assertThat(wrong.getData()).isNull();
      assertThat(missing.getStatusCode()).isEqualTo(400);
      assertThat(missing.getMessage()).isEqualTo("appSecret is required");
    }
  }

  @Test
  @SuppressWarnings("deprecation")
  void aCallerKeyInTheAppSecretFieldWorksUnchanged() throws Exception {
    try (ServerHarness h = ServerHarness.start(dir)) {
      AuthenticationClient client = client(h);
      String token = client.getWechatMpAccessTokenInfo(request(APP_ID, SECRET)).getData().getAccessToken();
      String key = h.server().access().create(new io.wxtoken.access.KeySpec("authing-java",
          java.util.Set.of(APP_ID), java.util.EnumSet.of(io.wxtoken.access.Operation.TOKEN),
          java.util.List.of(), null, 0, 0), "admin", null).secretKey();

      GetWechatAccessTokenInfoRespDto info = client.getWechatMpAccessTokenInfo(request(APP_ID, key));
      GetWechatAccessTokenRespDto plain = client.getWechatMpAccessToken(request(APP_ID, key));
      GetWechatAccessTokenInfoRespDto revoked;
      h.server().access().revoke(key.substring(4, 20), "admin", null);
      revoked = client.getWechatMpAccessTokenInfo(request(APP_ID, key));

      assertThat(info.getStatusCode()).isEqualTo(200);
      assertThat(info.getData().getAccessToken()).isEqualTo(token);
      assertThat(plain.getData().getAccessToken()).isEqualTo(token);
      assertThat(revoked.getStatusCode()).isEqualTo(403);
      assertThat(revoked.getApiCode()).isEqualTo(2006);
      assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN)).isEqualTo(1);
    }
  }
}
