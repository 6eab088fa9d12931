package io.wxtoken.wechat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.wxtoken.simulator.ManualClock;
import io.wxtoken.simulator.WeChatSimulator;
import io.wxtoken.simulator.WeChatSimulator.Endpoint;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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

/** One ticket call ({@code getticket}): what is sent, and how every kind of answer is classified. */
class WeChatClientTicketTest {
  private static final String APP = "wx00000000000000c2";
  private static final String SECRET = "5ecret5ecret5ecret5ecret5ecret02";
  private static final String SCRIPTED_TOKEN = "86_ScriptedAccessTokenScriptedAccessToken";
  private static final Duration CONNECT = Duration.ofSeconds(1);
  private static final Duration READ = Duration.ofSeconds(5);
  private static final String TICKET_JSON =
      "{\"errcode\":0,\"errmsg\":\"ok\",\"ticket\":\"TICKET\",\"expires_in\":7200}";

  private final ManualClock clock = ManualClock.startingAt("2026-03-01T02:00:00Z");
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

  private WeChatClient simulated() {
    sim = WeChatSimulator.builder().clock(clock).app(APP, SECRET).start();
    return client(sim.baseUrl());
  }

  private static WeChatClient client(URI base) {
    return new WeChatClient(base, TokenApi.STABLE, CONNECT, READ);
  }

  private static String token(WeChatClient client) throws Exception {
    return client.fetchToken(APP, SECRET).get(10, TimeUnit.SECONDS).accessToken();
  }

  private static WeChatTicket fetch(WeChatClient client, String accessToken, String type)
      throws Exception {
    return client.fetchTicket(accessToken, type).get(10, TimeUnit.SECONDS);
  }

  /** The exception the call fails with, unwrapped; it never names the access token. */
  private static Throwable failure(CompletableFuture<WeChatTicket> call, String accessToken) {
    Throwable thrown = catchThrowable(() -> call.get(10, TimeUnit.SECONDS));
    assertThat(thrown).isInstanceOf(ExecutionException.class);
    Throwable cause = thrown.getCause();
    if (!accessToken.isEmpty()) {
      assertThat(cause.getMessage()).doesNotContain(accessToken);
    }
    return cause;
  }

  private static WeChatErrorException weChatError(CompletableFuture<WeChatTicket> call,
      String accessToken) {
    Throwable cause = failure(call, accessToken);
    assertThat(cause).isInstanceOf(WeChatErrorException.class);
    return (WeChatErrorException) cause;
  }

  private static WeChatUnreachableException unreachable(CompletableFuture<WeChatTicket> call,
      String accessToken) {
    Throwable cause = failure(call, accessToken);
    assertThat(cause).isInstanceOf(WeChatUnreachableException.class);
    return (WeChatUnreachableException) cause;
  }

  // ---------------------------------------------------------------- the request

  @ParameterizedTest
  @EnumSource(TokenApi.class)
  void asksForATicketWithAGetCarryingTheEncodedTokenAndType(TokenApi api) throws Exception {
    scripted = ScriptedWeChat.answeringJson(TICKET_JSON);
    WeChatClient client = new WeChatClient(URI.create(scripted.baseUrl() + "/"), api, CONNECT, READ);
    String awkwardToken = "a+b&c=d/e f%g";

    WeChatTicket ticket = fetch(client, awkwardToken, "jsapi");

    ScriptedWeChat.Request request = scripted.request();
    assertThat(request.method()).isEqualTo("GET");
    assertThat(request.path()).isEqualTo("/cgi-bin/ticket/getticket");
    assertThat(request.body()).isEmpty();
    assertThat(query(request.rawQuery())).containsExactlyInAnyOrderEntriesOf(Map.of(
        "access_token", awkwardToken, "type", "jsapi"));
    assertThat(ticket.ticket()).isEqualTo("TICKET");
    assertThat(ticket.expiresIn()).isEqualTo(Duration.ofSeconds(7200));
  }

  @Test
  void refusesNullArgumentsAtOnce() {
    WeChatClient client = client(URI.create("http://127.0.0.1:9"));

    assertThatThrownBy(() -> client.fetchTicket(null, "jsapi"))
        .isInstanceOf(NullPointerException.class).hasMessage("accessToken");
    assertThatThrownBy(() -> client.fetchTicket(SCRIPTED_TOKEN, null))
        .isInstanceOf(NullPointerException.class).hasMessage("type");
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

  // ---------------------------------------------------------------- tickets

  @Test
  void returnsTheTicketWeChatIssuedWithTheStatedLifetime() throws Exception {
    WeChatClient client = simulated();
    String token = token(client);

    WeChatTicket ticket = fetch(client, token, "jsapi");

    assertThat(sim.isTicketValid(ticket.ticket())).isTrue();
    assertThat(ticket.expiresIn()).isEqualTo(Duration.ofSeconds(7200));
    assertThat(sim.calls(Endpoint.TICKET, APP)).isEqualTo(1);
    assertThat(ticket.toString()).doesNotContain(ticket.ticket()).contains("<redacted>", "PT2H");
  }

  @Test
  void getsTheSameTicketAgainWithTheFullLifetimeStatedAndADifferentOnePerType() throws Exception {
    WeChatClient client = simulated();
    String token = token(client);
    WeChatTicket first = fetch(client, token, "jsapi");

    clock.advance(Duration.ofSeconds(3600));
    WeChatTicket again = fetch(client, token, "jsapi");
    WeChatTicket card = fetch(client, token, "wx_card");

    assertThat(again.ticket()).isEqualTo(first.ticket());
    assertThat(again.expiresIn()).as("an upper bound, not the remaining life")
        .isEqualTo(Duration.ofSeconds(7200));
    assertThat(card.ticket()).isNotEqualTo(first.ticket());
    assertThat(sim.ticketsIssued(APP)).isEqualTo(2);
  }

  // ---------------------------------------------------------------- WeChat errcodes

  @Test
  void reportsATokenNeverIssuedAs40001() {
    WeChatClient client = simulated();
    String unknown = "x".repeat(136);

    WeChatErrorException e = weChatError(client.fetchTicket(unknown, "jsapi"), unknown);

    assertThat(e.errcode()).isEqualTo(40001);
    assertThat(e.errmsg()).isEqualTo("invalid credential, access_token is invalid or not latest");
    assertThat(e.getMessage())
        .isEqualTo("WeChat errcode 40001: invalid credential, access_token is invalid or not latest");
  }

  @Test
  void reportsAClassicTokenReplacedPastTheOverlapAs40001() throws Exception {
    sim = WeChatSimulator.builder().clock(clock).app(APP, SECRET).start();
    WeChatClient classic = new WeChatClient(sim.baseUrl(), TokenApi.CLASSIC, CONNECT, READ);
    String first = token(classic);
    String second = token(classic);

    clock.advance(Duration.ofSeconds(300));

    assertThat(weChatError(classic.fetchTicket(first, "jsapi"), first).errcode()).isEqualTo(40001);
    assertThat(fetch(classic, second, "jsapi").ticket()).isNotEmpty();
  }

  @Test
  void reportsAnExpiredTokenAs42001() throws Exception {
    WeChatClient client = simulated();
    String token = token(client);

    clock.advance(Duration.ofSeconds(7200));
    WeChatErrorException e = weChatError(client.fetchTicket(token, "jsapi"), token);

    assertThat(e.errcode()).isEqualTo(42001);
    assertThat(e.errmsg()).isEqualTo("access_token expired");
  }

  @Test
  void reportsAnUnknownTypeAs40097() throws Exception {
    WeChatClient client = simulated();
    String token = token(client);

    WeChatErrorException e = weChatError(client.fetchTicket(token, "card"), token);

    assertThat(e.errcode()).isEqualTo(40097);
    assertThat(e.errmsg()).isEqualTo("invalid args");
  }

  @Test
  void passesWeChatsMessageThroughIntactWhenTheTokenIsEmpty() {
    WeChatClient client = simulated();

    WeChatErrorException e = weChatError(client.fetchTicket("", "jsapi"), "");

    assertThat(e.errcode()).isEqualTo(41001);
    assertThat(e.errmsg()).isEqualTo("access_token missing");
  }

  @Test
  void redactsTheAccessTokenIfWeChatEchoesItInErrmsg() throws Exception {
    scripted = ScriptedWeChat.answeringJson("{\"errcode\":40001,\"errmsg\":\"invalid credential, "
        + "access_token " + SCRIPTED_TOKEN + " is invalid rid: 1\"}");

    WeChatErrorException e =
        weChatError(client(scripted.baseUrl()).fetchTicket(SCRIPTED_TOKEN, "jsapi"), SCRIPTED_TOKEN);

    assertThat(e.errmsg()).isEqualTo("invalid credential, access_token <redacted> is invalid rid: 1");
  }

  @Test
  void reportsSystemErrorAsAWeChatError() throws Exception {
    WeChatClient client = simulated();
    String token = token(client);
    sim.faults().errorRate(1.0);

    assertThat(weChatError(client.fetchTicket(token, "jsapi"), token).errcode()).isEqualTo(-1);
  }

  // ---------------------------------------------------------------- no usable answer

  @Test
  void reportsTheSimulatorsServerErrorsAndBrokenBodiesAsUnreachable() throws Exception {
    WeChatClient client = simulated();
    String token = token(client);

    sim.faults().serverErrorRate(1.0);
    assertThat(unreachable(client.fetchTicket(token, "jsapi"), token))
        .hasMessage("WeChat answered HTTP 503");

    sim.faults().reset().malformedRate(1.0);
    assertThat(unreachable(client.fetchTicket(token, "jsapi"), token))
        .hasMessage("WeChat's answer is not JSON");
    assertThat(sim.ticketsIssued(APP)).isZero();
  }

  static Stream<Arguments> unusableAnswers() {
    return Stream.of(
        Arguments.of("no ticket", "{\"errcode\":0,\"errmsg\":\"ok\",\"expires_in\":7200}", "ticket"),
        Arguments.of("a token, not a ticket", "{\"access_token\":\"T\",\"expires_in\":7200}",
            "ticket"),
        Arguments.of("empty ticket", "{\"ticket\":\"\",\"expires_in\":7200}", "ticket"),
        Arguments.of("numeric ticket", "{\"ticket\":12345,\"expires_in\":7200}", "ticket"),
        Arguments.of("oversized ticket",
            "{\"ticket\":\"" + "A".repeat(2049) + "\",\"expires_in\":7200}", "ticket"),
        Arguments.of("no expires_in", "{\"errcode\":0,\"ticket\":\"T\"}", "expires_in"),
        Arguments.of("zero expires_in", "{\"ticket\":\"T\",\"expires_in\":0}", "expires_in"),
        Arguments.of("JSON array", "[1,2]", "not a JSON object"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unusableAnswers")
  void reportsAnUnusableAnswerAsUnreachable(String name, String body, String mentioned)
      throws Exception {
    scripted = ScriptedWeChat.answeringJson(body);

    WeChatUnreachableException e =
        unreachable(client(scripted.baseUrl()).fetchTicket(SCRIPTED_TOKEN, "jsapi"), SCRIPTED_TOKEN);

    assertThat(e.getMessage()).contains(mentioned);
  }

  @Test
  void failsFastWithoutNamingTheTokenWhenNothingListens() throws Exception {
    URI closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }

    assertThat(unreachable(client(closed).fetchTicket(SCRIPTED_TOKEN, "jsapi"), SCRIPTED_TOKEN))
        .hasMessage("WeChat connection failed");
  }

  @Test
  void givesUpOnAHangingWeChatAfterTheReadTimeout() throws Exception {
    WeChatClient client = simulated();
    String token = token(client);
    sim.faults().hang(Duration.ofSeconds(20)).timeoutRate(1.0);
    Duration read = Duration.ofMillis(300);
    WeChatClient impatient = new WeChatClient(sim.baseUrl(), TokenApi.STABLE, CONNECT, read);
    long started = System.nanoTime();

    WeChatUnreachableException e = unreachable(impatient.fetchTicket(token, "jsapi"), token);

    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertThat(e.getMessage()).contains("timed out");
    assertThat(took).isBetween(read.minusMillis(50), read.plus(CONNECT).plusSeconds(1));
  }

  // ---------------------------------------------------------------- the record

  @Test
  void theTicketRecordNeverPrintsTheTicket() {
    WeChatTicket ticket = new WeChatTicket("sekr1t-ticket", Duration.ofSeconds(7200));

    assertThat(ticket.toString()).isEqualTo("WeChatTicket[ticket=<redacted>, expiresIn=PT2H]");
    assertThat(ticket).isEqualTo(new WeChatTicket("sekr1t-ticket", Duration.ofSeconds(7200)));
  }
}
