package io.wxtoken.wechat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wxtoken.simulator.ManualClock;
import io.wxtoken.simulator.WeChatSimulator;
import io.wxtoken.simulator.WeChatSimulator.Endpoint;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** One upstream call: what is sent, and how every kind of answer (or none) is classified. */
class WeChatClientTest {
  private static final String APP = "wx00000000000000c1";
  private static final String SECRET = "5ecret5ecret5ecret5ecret5ecret00";
  private static final Duration CONNECT = Duration.ofSeconds(1);
  private static final Duration READ = Duration.ofSeconds(5);
  private static final String TOKEN_JSON = "{\"access_token\":\"ACCESS_TOKEN\",\"expires_in\":7200}";

  private final ManualClock clock = ManualClock.startingAt("2026-03-01T02:00:00Z");
  private final ObjectMapper json = new ObjectMapper();
  private WeChatSimulator sim;
  private ScriptedWeChat scripted;

  @AfterEach
  void stop() {
    if (sim != null) {
      sim.close();
    }
    if (scripted != null) {
      scripted.close();
    }
  }

  private WeChatSimulator simulator() {
    sim = WeChatSimulator.builder().clock(clock).app(APP, SECRET).start();
    return sim;
  }

  private static WeChatClient client(URI base, TokenApi api) {
    return new WeChatClient(base, api, CONNECT, READ);
  }

  private static WeChatToken fetch(WeChatClient client, String appId, String secret)
      throws Exception {
    return client.fetchToken(appId, secret).get(10, TimeUnit.SECONDS);
  }

  /** The exception the call fails with, unwrapped. */
  private static Throwable failure(CompletableFuture<WeChatToken> call) {
    Throwable thrown = catchThrowable(() -> call.get(10, TimeUnit.SECONDS));
    assertThat(thrown).isInstanceOf(ExecutionException.class);
    return thrown.getCause();
  }

  private static WeChatUnreachableException unreachable(CompletableFuture<WeChatToken> call) {
    Throwable cause = failure(call);
    assertThat(cause).isInstanceOf(WeChatUnreachableException.class);
    assertThat(cause.getMessage()).doesNotContain(SECRET);
    return (WeChatUnreachableException) cause;
  }

  // ---------------------------------------------------------------- the request

  @Test
  void asksForAStableTokenWithAJsonPostInNormalMode() throws Exception {
    scripted = ScriptedWeChat.answeringJson(TOKEN_JSON);
    WeChatClient client = client(scripted.baseUrl(), TokenApi.STABLE);

    WeChatToken token = fetch(client, APP, SECRET);

    ScriptedWeChat.Request request = scripted.request();
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/cgi-bin/stable_token");
    assertThat(request.rawQuery()).as("the secret stays out of the URL").isNull();
    assertThat(request.contentType()).isEqualTo("application/json");
    JsonNode body = json.readTree(request.body());
    assertThat(body.size()).isEqualTo(4);
    assertThat(body.path("grant_type").asText()).isEqualTo("client_credential");
    assertThat(body.path("appid").asText()).isEqualTo(APP);
    assertThat(body.path("secret").asText()).isEqualTo(SECRET);
    assertThat(body.path("force_refresh").isBoolean()).isTrue();
    assertThat(body.path("force_refresh").booleanValue()).isFalse();
    assertThat(token.accessToken()).isEqualTo("ACCESS_TOKEN");
    assertThat(token.expiresIn()).isEqualTo(Duration.ofSeconds(7200));
    assertThat(client.api()).isEqualTo(TokenApi.STABLE);
  }

  @Test
  void asksForAClassicTokenWithAGetAndEncodedParameters() throws Exception {
    scripted = ScriptedWeChat.answeringJson(TOKEN_JSON);
    WeChatClient client = client(scripted.baseUrl(), TokenApi.CLASSIC);
    String awkwardSecret = "a+b&c=d/e f%g";

    WeChatToken token = fetch(client, APP, awkwardSecret);

    ScriptedWeChat.Request request = scripted.request();
    assertThat(request.method()).isEqualTo("GET");
    assertThat(request.path()).isEqualTo("/cgi-bin/token");
    assertThat(request.body()).isEmpty();
    assertThat(query(request.rawQuery())).containsExactlyInAnyOrderEntriesOf(Map.of(
        "grant_type", "client_credential", "appid", APP, "secret", awkwardSecret));
    assertThat(token.accessToken()).isEqualTo("ACCESS_TOKEN");
    assertThat(client.api()).isEqualTo(TokenApi.CLASSIC);
  }

  @Test
  void acceptsABaseUrlWithATrailingSlash() throws Exception {
    scripted = ScriptedWeChat.answeringJson(TOKEN_JSON);
    WeChatClient client = client(URI.create(scripted.baseUrl() + "/"), TokenApi.CLASSIC);

    fetch(client, APP, SECRET);

    assertThat(scripted.request().path()).isEqualTo("/cgi-bin/token");
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> params = new HashMap<>();
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return params;
  }

  // ---------------------------------------------------------------- tokens

  @ParameterizedTest
  @EnumSource(TokenApi.class)
  void returnsTheTokenWeChatIssuedAndItsLifetime(TokenApi api) throws Exception {
    simulator();

    WeChatToken token = fetch(client(sim.baseUrl(), api), APP, SECRET);

    assertThat(sim.isValid(token.accessToken())).isTrue();
    assertThat(token.expiresIn()).isEqualTo(Duration.ofSeconds(7200));
    assertThat(sim.calls(api == TokenApi.STABLE ? Endpoint.STABLE_TOKEN : Endpoint.TOKEN, APP))
        .isEqualTo(1);
    assertThat(token.toString()).doesNotContain(token.accessToken());
  }

  @Test
  void returnsTheRemainingLifetimeOfTheCurrentStableToken() throws Exception {
    simulator();
    WeChatClient client = client(sim.baseUrl(), TokenApi.STABLE);
    WeChatToken first = fetch(client, APP, SECRET);

    clock.advance(Duration.ofSeconds(1000));
    WeChatToken again = fetch(client, APP, SECRET);

    assertThat(again.accessToken()).isEqualTo(first.accessToken());
    assertThat(again.expiresIn()).isEqualTo(Duration.ofSeconds(6200));
  }

  @Test
  void acceptsAnExplicitErrcodeZero() throws Exception {
    scripted = ScriptedWeChat.answeringJson(
        "{\"errcode\":0,\"errmsg\":\"ok\",\"access_token\":\"T0\",\"expires_in\":300}");

    WeChatToken token = fetch(client(scripted.baseUrl(), TokenApi.STABLE), APP, SECRET);

    assertThat(token.accessToken()).isEqualTo("T0");
    assertThat(token.expiresIn()).isEqualTo(Duration.ofSeconds(300));
  }

  // ---------------------------------------------------------------- WeChat errcodes

  @ParameterizedTest
  @EnumSource(TokenApi.class)
  void reportsAnUnknownAppIdWithWeChatsErrcode(TokenApi api) {
    simulator();

    Throwable e = failure(client(sim.baseUrl(), api).fetchToken("wx00000000000000ff", SECRET));

    assertThat(e).isInstanceOfSatisfying(WeChatErrorException.class, w -> {
      assertThat(w.errcode()).isEqualTo(40013);
      assertThat(w.errmsg()).isEqualTo("invalid appid");
      assertThat(w.isInvalidSecret()).isFalse();
      assertThat(w.getMessage()).isEqualTo("WeChat errcode 40013: invalid appid");
    });
  }

  @ParameterizedTest
  @EnumSource(TokenApi.class)
  void reportsAWrongSecretAsAnInvalidSecret(TokenApi api) {
    simulator();
    String wrong = "wrongwrongwrongwrongwrongwrong00";

    Throwable e = failure(client(sim.baseUrl(), api).fetchToken(APP, wrong));

    assertThat(e).isInstanceOfSatisfying(WeChatErrorException.class, w -> {
      assertThat(w.errcode()).isEqualTo(api == TokenApi.STABLE ? 40125 : 40001);
      assertThat(w.isInvalidSecret()).isTrue();
      assertThat(w.getMessage()).doesNotContain(wrong).doesNotContain(SECRET);
    });
  }

  @ParameterizedTest
  @EnumSource(TokenApi.class)
  void passesWeChatsMessageThroughIntactWhenTheSecretIsEmpty(TokenApi api) {
    simulator();

    Throwable e = failure(client(sim.baseUrl(), api).fetchToken(APP, ""));

    assertThat(e).isInstanceOfSatisfying(WeChatErrorException.class, w -> {
      assertThat(w.errcode()).isEqualTo(41004);
      assertThat(w.errmsg()).isEqualTo("appsecret missing");
    });
  }

  @Test
  void keepsTheFailureMessageIntactWhenTheSecretIsEmpty() throws Exception {
    URI closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }

    assertThat(unreachable(client(closed, TokenApi.STABLE).fetchToken(APP, "")))
        .hasMessage("WeChat connection failed");
  }

  @Test
  void tellsInvalidSecretErrcodesFromOthers() {
    assertThat(new WeChatErrorException(40001, "x").isInvalidSecret()).isTrue();
    assertThat(new WeChatErrorException(40125, "x").isInvalidSecret()).isTrue();
    for (int other : new int[] {-1, 40013, 40164, 40243, 42001, 45009}) {
      assertThat(new WeChatErrorException(other, "x").isInvalidSecret()).as("%d", other).isFalse();
    }
  }

  @Test
  void redactsTheSecretIfWeChatEchoesItInErrmsg() throws Exception {
    scripted = ScriptedWeChat.answeringJson(
        "{\"errcode\":40001,\"errmsg\":\"invalid credential, secret " + SECRET + " rid: 1\"}");

    Throwable e = failure(client(scripted.baseUrl(), TokenApi.CLASSIC).fetchToken(APP, SECRET));

    assertThat(e).isInstanceOfSatisfying(WeChatErrorException.class, w -> {
      assertThat(w.errmsg()).isEqualTo("invalid credential, secret <redacted> rid: 1");
      assertThat(w.getMessage()).doesNotContain(SECRET);
    });
  }

  @Test
  void boundsALongErrmsg() throws Exception {
    scripted = ScriptedWeChat.answeringJson(
        "{\"errcode\":-1,\"errmsg\":\"" + "x".repeat(10_000) + "\"}");

    Throwable e = failure(client(scripted.baseUrl(), TokenApi.STABLE).fetchToken(APP, SECRET));

    assertThat(e).isInstanceOfSatisfying(WeChatErrorException.class, w -> {
      assertThat(w.errcode()).isEqualTo(-1);
      assertThat(w.errmsg()).hasSize(200);
    });
  }

  // ---------------------------------------------------------------- no usable answer

  static Stream<Arguments> unusableAnswers() {
    String big = "{\"access_token\":\"" + "A".repeat(WeChatClient.MAX_RESPONSE_BYTES) + "\"}";
    return Stream.of(
        Arguments.of("HTTP 503", 503, "text/html", "<html>503 Service Unavailable</html>", "503"),
        Arguments.of("HTTP 302", 302, "text/html", "", "302"),
        Arguments.of("non-JSON", 200, "text/html", "<html>oops</html>", "not JSON"),
        Arguments.of("truncated JSON", 200, "application/json", "{\"access_token\":\"86_Tz",
            "not JSON"),
        Arguments.of("JSON array", 200, "application/json", "[1,2]", "not a JSON object"),
        Arguments.of("empty object", 200, "application/json", "{}", "access_token"),
        Arguments.of("empty token", 200, "application/json",
            "{\"access_token\":\"\",\"expires_in\":7200}", "access_token"),
        Arguments.of("numeric token", 200, "application/json",
            "{\"access_token\":12345,\"expires_in\":7200}", "access_token"),
        Arguments.of("oversized token", 200, "application/json",
            "{\"access_token\":\"" + "A".repeat(2049) + "\",\"expires_in\":7200}", "access_token"),
        Arguments.of("no expires_in", 200, "application/json", "{\"access_token\":\"T\"}",
            "expires_in"),
        Arguments.of("zero expires_in", 200, "application/json",
            "{\"access_token\":\"T\",\"expires_in\":0}", "expires_in"),
        Arguments.of("negative expires_in", 200, "application/json",
            "{\"access_token\":\"T\",\"expires_in\":-5}", "expires_in"),
        Arguments.of("textual expires_in", 200, "application/json",
            "{\"access_token\":\"T\",\"expires_in\":\"soon\"}", "expires_in"),
        Arguments.of("oversized body", 200, "application/json", big, "larger"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unusableAnswers")
  void reportsAnUnusableAnswerAsUnreachable(String name, int status, String contentType,
      String body, String mentioned) throws Exception {
    scripted = ScriptedWeChat.answering(status, contentType, body);

    WeChatUnreachableException e =
        unreachable(client(scripted.baseUrl(), TokenApi.CLASSIC).fetchToken(APP, SECRET));

    assertThat(e.getMessage()).contains(mentioned);
  }

  @Test
  void refusesAnOversizedChunkedBody() throws Exception {
    scripted = ScriptedWeChat.answering(exchange -> {
      exchange.sendResponseHeaders(200, 0); // chunked: no length announced
      try (OutputStream out = exchange.getResponseBody()) {
        byte[] chunk = new byte[8192];
        Arrays.fill(chunk, (byte) ' ');
        for (int i = 0; i < 10; i++) {
          out.write(chunk);
        }
      }
    });

    WeChatUnreachableException e =
        unreachable(client(scripted.baseUrl(), TokenApi.STABLE).fetchToken(APP, SECRET));

    assertThat(e.getMessage()).contains("larger");
  }

  @ParameterizedTest
  @EnumSource(TokenApi.class)
  void reportsTheSimulatorsServerErrorsAndBrokenBodiesAsUnreachable(TokenApi api) {
    simulator();
    WeChatClient client = client(sim.baseUrl(), api);

    sim.faults().serverErrorRate(1.0);
    assertThat(unreachable(client.fetchToken(APP, SECRET))).hasMessage("WeChat answered HTTP 503");

    sim.faults().reset().malformedRate(1.0);
    assertThat(unreachable(client.fetchToken(APP, SECRET))).hasMessage("WeChat's answer is not JSON");
  }

  @Test
  void reportsSystemErrorAsAWeChatError() {
    simulator().faults().errorRate(1.0);

    Throwable e = failure(client(sim.baseUrl(), TokenApi.STABLE).fetchToken(APP, SECRET));

    assertThat(e).isInstanceOfSatisfying(WeChatErrorException.class,
        w -> assertThat(w.errcode()).isEqualTo(-1));
  }

  // ---------------------------------------------------------------- bounded in time

  @ParameterizedTest
  @EnumSource(TokenApi.class)
  void failsFastWhenNothingListens(TokenApi api) throws Exception {
    URI closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }
    long started = System.nanoTime();

    WeChatUnreachableException e = unreachable(client(closed, api).fetchToken(APP, SECRET));

    assertThat(e).hasMessage("WeChat connection failed");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(CONNECT.plusSeconds(1));
  }

  @ParameterizedTest
  @EnumSource(TokenApi.class)
  void givesUpOnAHangingWeChatAfterTheReadTimeout(TokenApi api) {
    simulator().faults().hang(Duration.ofSeconds(20)).timeoutRate(1.0);
    Duration read = Duration.ofMillis(300);
    WeChatClient client = new WeChatClient(sim.baseUrl(), api, CONNECT, read);
    long started = System.nanoTime();

    WeChatUnreachableException e = unreachable(client.fetchToken(APP, SECRET));

    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertThat(e.getMessage()).contains("timed out");
    assertThat(took).isBetween(read.minusMillis(50), read.plus(CONNECT).plusSeconds(1));
  }

  @Test
  void givesUpOnAStalledBodyWithinReadPlusConnectTimeout() throws Exception {
    scripted = ScriptedWeChat.answering(exchange -> {
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, 200);
      OutputStream out = exchange.getResponseBody();
      out.write("{\"access_token\":\"".getBytes(StandardCharsets.UTF_8));
      out.flush();
      Thread.sleep(20_000); // the rest never comes (interrupted when the test closes the server)
    });
    Duration read = Duration.ofMillis(300);
    Duration connect = Duration.ofMillis(500);
    WeChatClient client = new WeChatClient(scripted.baseUrl(), TokenApi.STABLE, connect, read);
    long started = System.nanoTime();

    WeChatUnreachableException e = unreachable(client.fetchToken(APP, SECRET));

    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertThat(e.getMessage()).contains("timed out");
    assertThat(took).isBetween(read.minusMillis(50), read.plus(connect).plusSeconds(1));
  }

  // ---------------------------------------------------------------- TokenApi

  @Test
  void parsesTheTokenApiSetting() {
    assertThat(TokenApi.parse("stable")).isEqualTo(TokenApi.STABLE);
    assertThat(TokenApi.parse(" CLASSIC ")).isEqualTo(TokenApi.CLASSIC);
    assertThatThrownBy(() -> TokenApi.parse("forced"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("forced").hasMessageContaining("stable or classic");
  }
}
