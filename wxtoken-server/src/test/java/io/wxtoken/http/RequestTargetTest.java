package io.wxtoken.http;

import static io.wxtoken.server.ServerHarness.APP_ID;
import static io.wxtoken.server.ServerHarness.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wxtoken.http.RawHttp.Answer;
import io.wxtoken.http.RawHttp.Canary;
import io.wxtoken.server.ServerHarness;
import io.wxtoken.simulator.WeChatSimulator.Endpoint;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The request target, as sent on the wire: only origin-form, routed on its decoded and
 * normalized path, so no target reaches another host (an open proxy) or WeChat's token endpoints
 * around the facade. The pass-through forwards any token here, to show the target alone decides.
 */
class RequestTargetTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CLASSIC_QUERY =
      "?grant_type=client_credential&appid=" + APP_ID + "&secret=" + SECRET;

  @TempDir
  Path dir;

  ServerHarness h;
  Canary canary;

  @BeforeEach
  void start() {
    canary = new Canary();
    h = ServerHarness.start(dir, b -> { },
        c -> c.withHttpLimits(HttpLimits.defaults().withPassThrough(true, true)));
  }

  @AfterEach
  void stop() {
    h.close();
    canary.close();
  }

  private int port() {
    return h.server().port();
  }

  private static JsonNode json(Answer answer) throws Exception {
    return JSON.readTree(answer.body());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "@127.0.0.1:CANARY/x://y/cgi-bin/getcallbackip",
      "http://127.0.0.1:CANARY/cgi-bin/getcallbackip",
      "//127.0.0.1:CANARY/cgi-bin/getcallbackip",
      "HTTP://127.0.0.1:CANARY/cgi-bin/getcallbackip",
      "127.0.0.1:CANARY/cgi-bin/getcallbackip",
      "*"})
  void aTargetThatIsNotAPathNeverLeavesForAnotherHost(String target) throws Exception {
    String t = target.replace("CANARY", Integer.toString(canary.port()));

    Answer answer = RawHttp.exchange(port(), "GET " + t + "?access_token=x HTTP/1.1\r\n"
        + "Host: 127.0.0.1\r\nCookie: session=victim\r\nAuthorization: Bearer victim\r\n"
        + "Connection: close\r\n\r\n");

    assertThat(answer.status()).isBetween(400, 499);
    assertThat(canary.wasConnected()).isFalse();
    assertThat(h.wechat.calls(Endpoint.CALLBACK_IP)).isZero();
    if (t.contains("cgi-bin")) {
      assertThat(json(answer).path("errcode").asInt()).isEqualTo(40066);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"/cgi-bin/%74oken", "/cgi-bin/x/../token", "/cgi-bin/./token",
      "/cgi-bin/%2e%2e/cgi-bin/token", "/cgi-bin/TOKEN", "/CGI-BIN/token", "/x/../cgi-bin/token",
      "/%63gi-bin/token"})
  void anEncodedOrDottedTokenPathIsTheFacadeNeverWeChat(String path) throws Exception {
    String cached = json(RawHttp.exchange(port(), "GET /cgi-bin/token" + CLASSIC_QUERY
        + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).path("access_token").asText();
    long calls = h.wechat.calls(Endpoint.STABLE_TOKEN) + h.wechat.calls(Endpoint.TOKEN);

    Answer answer = RawHttp.exchange(port(), "GET " + path + CLASSIC_QUERY
        + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

    assertThat(json(answer).path("access_token").asText()).isEqualTo(cached);
    assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN) + h.wechat.calls(Endpoint.TOKEN))
        .isEqualTo(calls);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"/cgi-bin/stable%5Ftoken", "/cgi-bin/stable%5ftoken",
      "/cgi-bin/a/%2E%2E/stable_token"})
  void aForcedStableTokenBehindAnEncodedPathIsTheFacadesGuardedRefresh(String path)
      throws Exception {
    String first = h.token(APP_ID, SECRET).accessToken();
    long minted = h.wechat.tokensIssued(APP_ID);
    String body = "{\"grant_type\":\"client_credential\",\"appid\":\"" + APP_ID
        + "\",\"secret\":\"" + SECRET + "\",\"force_refresh\":true}";

    java.util.List<String> tokens = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Answer answer = RawHttp.exchange(port(), "POST " + path + " HTTP/1.1\r\nHost: x\r\n"
          + "Content-Type: application/json\r\nContent-Length: " + body.length()
          + "\r\nConnection: close\r\n\r\n" + body);
      tokens.add(json(answer).path("access_token").asText());
    }

    // The facade's guard: one forced refresh per 30 s, replacing the token once for everyone.
    assertThat(tokens.get(0)).isNotEqualTo(first);
    assertThat(tokens).containsOnly(tokens.get(0));
    assertThat(h.wechat.tokensIssued(APP_ID)).isEqualTo(minted + 1);
    assertThat(h.token(APP_ID, SECRET).accessToken()).isEqualTo(tokens.get(0));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"/cgi-bin/media%2fupload", "/cgi-bin/media%2Fupload",
      "/cgi-bin/media%5cupload", "/cgi-bin/media\\upload", "/cgi-bin/../../etc/passwd",
      "/cgi-bin/token%00", "/cgi-bin/%zz", "/cgi-bin//token", "/cgi-bin/token/",
      "/cgi-bin/token.", "/cgi-bin/getcallbackip;x=1", "/cgi-bin/%E4%BD%A0"})
  void aPathThatCannotBeNormalizedSafelyIsRefusedWithoutACall(String path) throws Exception {
    Answer answer = RawHttp.exchange(port(), "GET " + path + "?access_token=x HTTP/1.1\r\n"
        + "Host: x\r\nConnection: close\r\n\r\n");

    assertThat(answer.status()).as(answer.text()).isBetween(400, 499);
    assertThat(json(answer).path("errcode").asInt()).isEqualTo(40066);
    assertThat(h.wechat.calls(Endpoint.CALLBACK_IP) + h.wechat.calls(Endpoint.TOKEN))
        .isZero();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"/cgi-bin/token?appid=%zz&secret=" + SECRET,
      "/cgi-bin/getcallbackip?access_token=%", "/cgi-bin/getcallbackip?a=\u0001"})
  void aMalformedQueryIsRefusedInWeChatsFormat(String target) throws Exception {
    Answer answer = RawHttp.exchange(port(), "GET " + target + " HTTP/1.1\r\n"
        + "Host: x\r\nConnection: close\r\n\r\n");

    assertThat(answer.status()).as(answer.text()).isBetween(400, 499);
    assertThat(answer.body()).doesNotContain(SECRET);
    assertThat(h.wechat.calls(Endpoint.CALLBACK_IP) + h.wechat.calls(Endpoint.TOKEN)).isZero();
  }
}
