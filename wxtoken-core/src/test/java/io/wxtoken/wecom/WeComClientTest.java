package io.wxtoken.wecom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.wxtoken.simulator.ManualClock;
import io.wxtoken.simulator.WeComSimulator;
import io.wxtoken.simulator.WeComSimulator.Endpoint;
import io.wxtoken.wechat.ScriptedWeChat;
import io.wxtoken.wechat.WeChatErrorException;
import io.wxtoken.wechat.WeChatTicket;
import io.wxtoken.wechat.WeChatToken;
import io.wxtoken.wechat.WeChatUnreachableException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One WeCom call: what is sent, and how every kind of answer (or none) is classified. */
class WeComClientTest {

  private static final String CORP = "ww00000000000000a1";
  private static final String APP_SECRET = "Xk2c_app-secret/1000002+=&";
  private static final String CONTACTS_SECRET = "contacts-sync-secret-0001";
  private static final Duration CONNECT = Duration.ofSeconds(1);
  private static final Duration READ = Duration.ofSeconds(5);
  private static final String TOKEN_JSON =
      "{\"errcode\":0,\"errmsg\":\"ok\",\"access_token\":\"ACCESS_TOKEN\",\"expires_in\":7200}";

  private final ManualClock clock = ManualClock.startingAt("2026-03-01T02:00:00Z");
  private WeComSimulator sim;
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

  private WeComClient simulated() {
    sim = WeComSimulator.builder().clock(clock)
        .app(CORP, 1000002, APP_SECRET).secret(CORP, CONTACTS_SECRET).start();
    return new WeComClient(sim.baseUrl(), CONNECT, READ);
  }

  private static <T> T get(CompletableFuture<T> call) throws Exception {
    return call.get(10, TimeUnit.SECONDS);
  }

  /** The exception the call failed with, unwrapped; never naming the given credentials. */
  private static Throwable failure(CompletableFuture<?> call, String... credentials) {
    Throwable thrown = catchThrowable(() -> call.get(10, TimeUnit.SECONDS));
    assertThat(thrown).isInstanceOf(ExecutionException.class);
    Throwable cause = thrown.getCause();
    for (String credential : credentials) {
      assertThat(cause.getMessage()).doesNotContain(credential);
    }
    return cause;
  }

  private static int errcode(Throwable failure) {
    assertThat(failure).isInstanceOf(WeChatErrorException.class);
    return ((WeChatErrorException) failure).errcode();
  }

  // ---------------------------------------------------------------- the request

  @Test
  void asksForATokenWithAGetAndEncodedParameters() throws Exception {
    scripted = ScriptedWeChat.answeringJson(TOKEN_JSON);
    WeComClient client = new WeComClient(scripted.baseUrl(), CONNECT, READ);

    WeChatToken token = get(client.fetchToken(CORP, APP_SECRET));

    ScriptedWeChat.Request request = scripted.request();
    assertThat(request.method()).isEqualTo("GET");
    assertThat(request.path()).isEqualTo("/cgi-bin/gettoken");
    assertThat(query(request.rawQuery()))
        .containsExactlyInAnyOrderEntriesOf(Map.of("corpid", CORP, "corpsecret", APP_SECRET));
    assertThat(token.accessToken()).isEqualTo("ACCESS_TOKEN");
    assertThat(token.expiresIn()).isEqualTo(Duration.ofSeconds(7200));
  }

  @Test
  void asksForEachTicketAtItsOwnPathWithTheTokenEncoded() throws Exception {
    scripted = ScriptedWeChat.answeringJson(
        "{\"errcode\":0,\"errmsg\":\"ok\",\"ticket\":\"TICKET\",\"expires_in\":7200}");
    WeComClient client = new WeComClient(scripted.baseUrl(), CONNECT, READ);

    WeChatTicket corp = get(client.fetchTicket("tok+en/1", WeComTicketType.CORP));
    ScriptedWeChat.Request corpRequest = scripted.request();
    WeChatTicket agent = get(client.fetchTicket("tok+en/1", WeComTicketType.AGENT));
    ScriptedWeChat.Request agentRequest = scripted.request();

    assertThat(corpRequest.path()).isEqualTo("/cgi-bin/get_jsapi_ticket");
    assertThat(query(corpRequest.rawQuery())).containsExactlyEntriesOf(Map.of("access_token", "tok+en/1"));
    assertThat(agentRequest.path()).isEqualTo("/cgi-bin/ticket/get");
    assertThat(query(agentRequest.rawQuery())).containsExactlyInAnyOrderEntriesOf(
        Map.of("access_token", "tok+en/1", "type", "agent_config"));
    assertThat(corp.ticket()).isEqualTo("TICKET");
    assertThat(agent.expiresIn()).isEqualTo(Duration.ofSeconds(7200));
  }

  @Test
  void callsAPrivateDeploymentUnderItsPathWithOrWithoutATrailingSlash() throws Exception {
    scripted = ScriptedWeChat.answeringJson(TOKEN_JSON);
    for (String suffix : new String[] {"/wecom-api", "/wecom-api/"}) {
      WeComClient client = new WeComClient(URI.create(scripted.baseUrl() + suffix), CONNECT, READ);

      get(client.fetchToken(CORP, APP_SECRET));

      assertThat(scripted.request().path()).isEqualTo("/wecom-api/cgi-bin/gettoken");
      assertThat(client.baseUrl()).isEqualTo(scripted.baseUrl() + "/wecom-api");
    }
  }

  @Test
  void refusesABaseUrlThatIsNotAPlainHttpRootWithoutEchoingIt() {
    for (String url : new String[] {"ftp://qyapi.example", "https://user:pw@qyapi.example",
        "https://qyapi.example/?corpid=x", "https://qyapi.example/#x", "qyapi.example", "https:///x"}) {
      assertThatThrownBy(() -> new WeComClient(URI.create(url), CONNECT, READ))
          .as(url).isInstanceOf(IllegalArgumentException.class)
          .hasMessageNotContaining("pw").hasMessageNotContaining("qyapi.example");
    }
    assertThat(new WeComClient(WeComClient.DEFAULT_BASE_URL, CONNECT, READ).baseUrl())
        .isEqualTo("https://qyapi.weixin.qq.com");
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

  // ---------------------------------------------------------------- against the simulator

  @Test
  void getsTheSameTokenWhileValidWithTheLifetimeLeft() throws Exception {
    WeComClient client = simulated();

    WeChatToken first = get(client.fetchToken(CORP, APP_SECRET));
    clock.advance(Duration.ofSeconds(100));
    WeChatToken again = get(client.fetchToken(CORP, APP_SECRET));

    assertThat(first.expiresIn()).isEqualTo(Duration.ofSeconds(7200));
    assertThat(again.accessToken()).isEqualTo(first.accessToken());
    assertThat(again.expiresIn()).isEqualTo(Duration.ofSeconds(7100));
    assertThat(sim.calls(Endpoint.GETTOKEN, CORP)).isEqualTo(2);
    assertThat(sim.tokensIssued(CORP)).isEqualTo(1);
  }

  @Test
  void getsBothTicketsWithAToken() throws Exception {
    WeComClient client = simulated();
    String token = get(client.fetchToken(CORP, APP_SECRET)).accessToken();

    WeChatTicket corp = get(client.fetchTicket(token, WeComTicketType.CORP));
    WeChatTicket agent = get(client.fetchTicket(token, WeComTicketType.AGENT));

    assertThat(sim.isTicketValid(corp.ticket())).isTrue();
    assertThat(sim.isTicketValid(agent.ticket())).isTrue();
    assertThat(corp.ticket()).isNotEqualTo(agent.ticket());
    assertThat(sim.calls(Endpoint.JSAPI_TICKET, CORP)).isEqualTo(1);
    assertThat(sim.calls(Endpoint.AGENT_TICKET, CORP)).isEqualTo(1);
  }

  @Test
  void verdictsOnTheCredentialAreErrcodesThatNameNoSecret() {
    WeComClient client = simulated();

    Throwable wrongSecret = failure(client.fetchToken(CORP, "wrong-secret-value"), "wrong-secret-value");
    Throwable unknownCorp = failure(client.fetchToken("ww-unknown", APP_SECRET), APP_SECRET);
    sim.trustIps(CORP, "10.1.2.3");
    Throwable untrusted = failure(client.fetchToken(CORP, APP_SECRET), APP_SECRET);

    assertThat(errcode(wrongSecret)).isEqualTo(40001);
    assertThat(errcode(unknownCorp)).isEqualTo(40013);
    assertThat(errcode(untrusted)).isEqualTo(60020);
    assertThat(((WeChatErrorException) untrusted).errmsg()).contains("from ip: 127.0.0.1");
    for (Throwable t : List.of(wrongSecret, unknownCorp, untrusted)) {
      assertThat(WeComFailure.of(t)).isEqualTo(WeComFailure.VERDICT);
    }
  }

  @Test
  void anAgentTicketWithTheContactsSecretsTokenIsAVerdict() throws Exception {
    WeComClient client = simulated();
    String contacts = get(client.fetchToken(CORP, CONTACTS_SECRET)).accessToken();

    Throwable mixedUp = failure(client.fetchTicket(contacts, WeComTicketType.AGENT), contacts);

    assertThat(errcode(mixedUp)).isEqualTo(301002);
    assertThat(WeComFailure.of(mixedUp)).isEqualTo(WeComFailure.VERDICT);
  }

  @Test
  void aTicketCallWithAnInvalidatedOrExpiredTokenIsAStaleToken() throws Exception {
    WeComClient client = simulated();
    String token = get(client.fetchToken(CORP, APP_SECRET)).accessToken();
    sim.invalidate(token);

    Throwable invalidated = failure(client.fetchTicket(token, WeComTicketType.CORP), token);
    String fresh = get(client.fetchToken(CORP, APP_SECRET)).accessToken();
    clock.advance(Duration.ofSeconds(7200));
    Throwable expired = failure(client.fetchTicket(fresh, WeComTicketType.AGENT), fresh);

    assertThat(errcode(invalidated)).isEqualTo(40014);
    assertThat(errcode(expired)).isEqualTo(42001);
    assertThat(WeComFailure.of(invalidated)).isEqualTo(WeComFailure.STALE_TOKEN);
    assertThat(WeComFailure.of(expired)).isEqualTo(WeComFailure.STALE_TOKEN);
  }

  @Test
  void aFrequencyLimitIsRateLimitedAndSystemBusyTransient() throws Exception {
    WeComClient client = simulated();
    String token = get(client.fetchToken(CORP, APP_SECRET)).accessToken();
    for (int i = 0; i < 100; i++) {
      get(client.fetchTicket(token, WeComTicketType.CORP));
    }

    Throwable capped = failure(client.fetchTicket(token, WeComTicketType.CORP), token);
    sim.faults().errorRate(1.0);
    Throwable busy = failure(client.fetchToken(CORP, APP_SECRET), APP_SECRET);

    assertThat(errcode(capped)).isEqualTo(45009);
    assertThat(WeComFailure.of(capped)).isEqualTo(WeComFailure.RATE_LIMITED);
    assertThat(errcode(busy)).isEqualTo(-1);
    assertThat(WeComFailure.of(busy)).isEqualTo(WeComFailure.TRANSIENT);
  }

  @Test
  void theSimulatorsServerErrorsAndBrokenBodiesAreUnreachable() {
    WeComClient client = simulated();
    sim.faults().serverErrorRate(1.0);
    Throwable unavailable = failure(client.fetchToken(CORP, APP_SECRET), APP_SECRET);
    sim.faults().reset().malformedRate(1.0);
    Throwable broken = failure(client.fetchToken(CORP, APP_SECRET), APP_SECRET);

    assertThat(unavailable).isInstanceOf(WeChatUnreachableException.class).hasMessage("WeCom answered HTTP 503");
    assertThat(broken).isInstanceOf(WeChatUnreachableException.class).hasMessage("WeCom's answer is not JSON");
    assertThat(WeComFailure.of(unavailable)).isEqualTo(WeComFailure.TRANSIENT);
  }

  @Test
  void givesUpOnAHangingWeComAfterTheReadTimeout() {
    sim = WeComSimulator.builder().clock(clock).app(CORP, 1000002, APP_SECRET).start();
    sim.faults().timeoutRate(1.0).hang(Duration.ofSeconds(5));
    WeComClient client = new WeComClient(sim.baseUrl(), CONNECT, Duration.ofMillis(300));

    Throwable timedOut = failure(client.fetchToken(CORP, APP_SECRET), APP_SECRET);

    assertThat(timedOut).isInstanceOf(WeChatUnreachableException.class).hasMessage("WeCom timed out");
  }

  @Test
  void failsFastWhenNothingListens() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    WeComClient client = new WeComClient(URI.create("http://127.0.0.1:" + port), CONNECT, READ);

    Throwable refused = failure(client.fetchToken(CORP, APP_SECRET), APP_SECRET, String.valueOf(port));

    assertThat(refused).isInstanceOf(WeChatUnreachableException.class).hasMessage("WeCom connection failed");
  }

  // ---------------------------------------------------------------- answers the simulator never gives

  static Stream<Arguments> unusableAnswers() {
    return Stream.of(
        Arguments.of("HTML page", 200, "text/html", "<html>busy</html>"),
        Arguments.of("JSON array", 200, "application/json", "[1,2]"),
        Arguments.of("no token", 200, "application/json", "{\"errcode\":0,\"expires_in\":7200}"),
        Arguments.of("empty token", 200, "application/json",
            "{\"access_token\":\"\",\"expires_in\":7200}"),
        Arguments.of("numeric token", 200, "application/json",
            "{\"access_token\":42,\"expires_in\":7200}"),
        Arguments.of("huge token", 200, "application/json",
            "{\"access_token\":\"" + "a".repeat(2049) + "\",\"expires_in\":7200}"),
        Arguments.of("no expiry", 200, "application/json", "{\"access_token\":\"T\"}"),
        Arguments.of("zero expiry", 200, "application/json", "{\"access_token\":\"T\",\"expires_in\":0}"),
        Arguments.of("text expiry", 200, "application/json",
            "{\"access_token\":\"T\",\"expires_in\":\"7200\"}"),
        Arguments.of("fractional expiry", 200, "application/json",
            "{\"access_token\":\"T\",\"expires_in\":7200.5}"),
        Arguments.of("text errcode", 200, "application/json",
            "{\"errcode\":\"40001\",\"access_token\":\"T\",\"expires_in\":7200}"),
        Arguments.of("HTTP 502 with a token", 502, "application/json", TOKEN_JSON),
        Arguments.of("oversized body", 200, "application/json",
            "{\"errmsg\":\"" + "x".repeat(WeComClient.MAX_RESPONSE_BYTES) + "\"}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unusableAnswers")
  void anUnusableAnswerIsUnreachable(String name, int status, String contentType, String body)
      throws Exception {
    scripted = ScriptedWeChat.answering(status, contentType, body);
    WeComClient client = new WeComClient(scripted.baseUrl(), CONNECT, READ);

    Throwable failure = failure(client.fetchToken(CORP, APP_SECRET), APP_SECRET);

    assertThat(failure).isInstanceOf(WeChatUnreachableException.class);
    assertThat(WeComFailure.of(failure)).isEqualTo(WeComFailure.TRANSIENT);
  }

  @Test
  void redactsTheCredentialIfWeComEchoesItAndBoundsTheErrmsg() throws Exception {
    String token = "echoed-access-token-0001";
    scripted = ScriptedWeChat.answeringJson("{\"errcode\":40014,\"errmsg\":\"invalid access_token "
        + token + " " + "y".repeat(500) + "\"}");
    WeComClient client = new WeComClient(scripted.baseUrl(), CONNECT, READ);

    WeChatErrorException failure =
        (WeChatErrorException) failure(client.fetchTicket(token, WeComTicketType.CORP), token);

    assertThat(failure.errmsg()).startsWith("invalid access_token <redacted> yyy").hasSize(200);
  }

  // ---------------------------------------------------------------- observer

  @Test
  void tellsTheObserverEveryOutcomeWithItsDuration() throws Exception {
    WeComClient plain = simulated();
    String token = get(plain.fetchToken(CORP, APP_SECRET)).accessToken();
    List<String> heard = new ArrayList<>();
    AtomicLong nanos = new AtomicLong();
    WeComClient client = new WeComClient(sim.baseUrl(), CONNECT, READ,
        (endpoint, outcome, took) -> heard.add(endpoint + " " + outcome + " " + took),
        () -> nanos.addAndGet(250));

    get(client.fetchToken(CORP, APP_SECRET));
    failure(client.fetchToken(CORP, "wrong"));
    get(client.fetchTicket(token, WeComTicketType.CORP));
    get(client.fetchTicket(token, WeComTicketType.AGENT));
    sim.faults().serverErrorRate(1.0);
    failure(client.fetchToken(CORP, APP_SECRET));

    assertThat(heard).containsExactly("wecom_gettoken ok 250", "wecom_gettoken 40001 250",
        "wecom_get_jsapi_ticket ok 250", "wecom_agent_config_ticket ok 250",
        "wecom_gettoken unreachable 250");
  }
}
