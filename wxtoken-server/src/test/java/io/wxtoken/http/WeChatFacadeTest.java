package io.wxtoken.http;

import static io.wxtoken.server.ServerHarness.APP_ID;
import static io.wxtoken.server.ServerHarness.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import io.wxtoken.server.ServerHarness;
import io.wxtoken.server.ServerHarness.Reply;
import io.wxtoken.simulator.WeChatSimulator.Endpoint;
import io.wxtoken.wechat.TokenApi;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** WeChat's own token endpoints on the wxtoken port, answered from its cache in WeChat's format. */
class WeChatFacadeTest {
  @TempDir
  Path dir;

  ServerHarness h;

  @BeforeEach
  void start() {
    h = ServerHarness.start(dir);
  }

  @AfterEach
  void stop() {
    h.close();
  }

  private Reply classic(String query) {
    return h.send(HttpRequest.newBuilder(h.uri("/cgi-bin/token?" + query)).GET().build());
  }

  private Reply classic(String appId, String secret) {
    return classic("grant_type=client_credential&appid=" + appId + "&secret=" + secret);
  }

  private Reply stable(String body) {
    return h.post("/cgi-bin/stable_token", "application/json", body);
  }

  private Reply stable(String appId, String secret, boolean force) {
    return stable("{\"grant_type\":\"client_credential\",\"appid\":\"" + appId + "\",\"secret\":\""
        + secret + "\",\"force_refresh\":" + force + "}");
  }

  private static void assertWeChatError(Reply reply, int errcode, String errmsg) {
    assertThat(reply.httpStatus()).isEqualTo(200);
    assertThat(reply.body().path("errcode").asInt()).isEqualTo(errcode);
    assertThat(reply.body().path("errmsg").asText()).contains(errmsg);
    assertThat(reply.body().has("access_token")).isFalse();
    assertThat(reply.body().toString()).doesNotContain(SECRET);
  }

  @Test
  void bothEndpointsServeTheCachedTokenWithItsRealRemainingLifetime() {
    String token = h.token(APP_ID, SECRET).accessToken(); // through the Authing API
    h.clock.advance(Duration.ofSeconds(3600));

    Reply classic = classic(APP_ID, SECRET);
    Reply stable = stable(APP_ID, SECRET, false);

    assertThat(classic.body().fieldNames()).toIterable().containsExactly("access_token", "expires_in");
    assertThat(classic.body().path("access_token").asText()).isEqualTo(token);
    assertThat(classic.body().path("expires_in").asLong()).isEqualTo(3600);
    assertThat(stable.body().path("access_token").asText()).isEqualTo(token);
    assertThat(stable.body().path("expires_in").asLong()).isEqualTo(3600);
    assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN) + h.wechat.calls(Endpoint.TOKEN)).isEqualTo(1);
  }

  @Test
  void callingAgainAfterA40001DoesNotRefresh() {
    String token = classic(APP_ID, SECRET).body().path("access_token").asText();

    for (int i = 0; i < 5; i++) { // an SDK that saw 40001 and asks again, and again
      assertThat(classic(APP_ID, SECRET).body().path("access_token").asText()).isEqualTo(token);
    }
    assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN)).isEqualTo(1);
  }

  @Test
  void forceRefreshReplacesTheTokenOnceWithinWeChatsLimits() {
    String old = stable(APP_ID, SECRET, false).body().path("access_token").asText();
    long minted = h.wechat.tokensIssued(APP_ID);

    String replaced = stable(APP_ID, SECRET, true).body().path("access_token").asText();
    Reply again = stable(APP_ID, SECRET, true); // within 30 s: the current token, no refresh

    assertThat(replaced).isNotEqualTo(old);
    assertThat(h.wechat.isValid(replaced)).isTrue();
    assertThat(again.body().path("access_token").asText()).isEqualTo(replaced);
    assertThat(h.wechat.tokensIssued(APP_ID)).isEqualTo(minted + 1);
    assertThat(h.token(APP_ID, SECRET).accessToken()).isEqualTo(replaced); // one cache for all
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "missing appid|grant_type=client_credential&secret=x|41002|appid missing",
      "missing secret|grant_type=client_credential&appid=wx1|41004|appsecret missing",
      "wrong grant_type|grant_type=password&appid=wx1&secret=x|40002|invalid grant_type",
      "missing grant_type|appid=wx1&secret=x|40002|invalid grant_type",
      "bad appid|grant_type=client_credential&appid=wx%2F1&secret=x|40013|invalid appid",
      // point 8: whether WeChat knows the appid is not told to a caller whose secret is unproven
      "appid not at WeChat|grant_type=client_credential&appid=wx00000000000000ff&secret=x|40013|could not be verified",
  })
  void classicErrorsAreWeChats(String name, String query, int errcode, String errmsg) {
    assertWeChatError(classic(query), errcode, errmsg);
  }

  @Test
  void aWrongSecretIsRefusedInWeChatsTermsForEachEndpoint() {
    classic(APP_ID, SECRET);

    assertWeChatError(classic(APP_ID, "ffffffffffffffffffffffffffffffff"), 40001,
        "invalid credential");
    assertWeChatError(stable(APP_ID, "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", false), 40125,
        "invalid appsecret");
  }

  @Test
  void stableErrorsAreWeChats() {
    assertWeChatError(stable("not json"), 47001, "data format error");
    assertWeChatError(stable("{\"grant_type\":\"client_credential\",\"appid\":\"" + APP_ID + "\"}"),
        41004, "appsecret missing");
    assertWeChatError(h.send(HttpRequest.newBuilder(h.uri("/cgi-bin/stable_token")).GET().build()),
        43002, "require POST method");
    assertWeChatError(h.post("/cgi-bin/token", "application/json", "{}"), 43001,
        "require GET method");
    assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN)).isZero();
  }

  @Test
  void everyOtherWeChatCallPassesThroughSoOneHostSettingIsEnough() {
    String token = classic(APP_ID, SECRET).body().path("access_token").asText();

    Reply api = h.send(HttpRequest.newBuilder(h.uri("/cgi-bin/getcallbackip?access_token=" + token))
        .GET().build());
    Reply stale = h.send(HttpRequest.newBuilder(h.uri("/cgi-bin/getcallbackip?access_token=nope"))
        .GET().build());
    Reply unknown = h.post("/cgi-bin/menu/create?access_token=" + token, "application/json",
        "{\"button\":[]}");

    assertThat(api.httpStatus()).isEqualTo(200);
    assertThat(api.body().path("ip_list").get(0).asText()).isEqualTo("127.0.0.1");
    // A token wxtoken never issued is refused here, without a call: WeChat saw only the first.
    assertThat(h.wechat.calls(Endpoint.CALLBACK_IP)).isEqualTo(1);
    assertThat(stale.body().path("errcode").asInt()).isEqualTo(40001);
    assertThat(unknown.httpStatus()).isEqualTo(404); // the simulator knows no menu API
    assertThat(unknown.body().path("errmsg").asText()).isEqualTo("not found");
  }

  @Test
  void aForwardedCallThatCannotReachWeChatIs502WithMinusOne() {
    String token = classic(APP_ID, SECRET).body().path("access_token").asText();
    h.wechat.close();

    Reply reply = h.send(HttpRequest.newBuilder(h.uri("/cgi-bin/getcallbackip?access_token=" + token))
        .GET().build());

    assertThat(reply.httpStatus()).isEqualTo(502);
    assertThat(reply.body().path("errcode").asInt()).isEqualTo(-1);
    assertThat(reply.body().path("errmsg").asText()).contains("/cgi-bin/getcallbackip");
  }

  @Test
  void weChatDownIsMinusOneAndAThrottledAddressIs45011() {
    h.wechat.faults().serverErrorRate(1.0);
    assertWeChatError(classic(APP_ID, SECRET), -1, "cannot get a token from WeChat");
    h.wechat.faults().reset();
    h.clock.advance(Duration.ofSeconds(3));
    classic(APP_ID, SECRET);

    for (int i = 0; i < ApiServer.FAILURES_PER_WINDOW; i++) {
      classic(APP_ID, "wrong" + i);
    }

    assertWeChatError(classic(APP_ID, "wrong-again"), 45011, "minute-quota");
    assertThat(classic(APP_ID, SECRET).body().has("access_token")).isTrue();
  }

  @Test
  void aUsedUpQuotaIs45009(@TempDir Path other) {
    try (ServerHarness quota = ServerHarness.start(other, b -> { },
        c -> c.withTokenApi(TokenApi.CLASSIC), o -> o.withDailyQuota(1))) {
      quota.token(APP_ID, SECRET);
      quota.clock.advance(Duration.ofSeconds(7200));

      Reply reply = quota.send(HttpRequest.newBuilder(quota.uri(
          "/cgi-bin/token?grant_type=client_credential&appid=" + APP_ID + "&secret=" + SECRET))
          .GET().build());

      assertWeChatError(reply, 45009, "daily quota");
    }
  }
}
