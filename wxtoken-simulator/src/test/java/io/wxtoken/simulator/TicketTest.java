package io.wxtoken.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.wxtoken.simulator.SimClient.Answer;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code GET /cgi-bin/ticket/getticket}: jsapi and wx_card tickets, checked over real HTTP. */
class TicketTest {

  private static final String APP = "wx0000000000000005";
  private static final String SECRET = "secret-5";
  private static final String OTHER_APP = "wx0000000000000006";
  private static final String OTHER_SECRET = "secret-6";

  private final ManualClock clock = ManualClock.startingAt("2026-03-01T02:00:00Z");
  private WeChatSimulator sim = WeChatSimulator.builder().clock(clock)
      .app(APP, SECRET).app(OTHER_APP, OTHER_SECRET).start();
  private SimClient client = new SimClient(sim);

  @AfterEach
  void stop() {
    sim.close();
  }

  private String stableToken() {
    return client.stable(APP, SECRET, false).token();
  }

  // ---------------------------------------------------------------- success

  @Test
  void answersATicketInWeChatsShapeWithTheFullLifetime() {
    Answer answer = client.ticket(stableToken(), "jsapi");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.contentType()).isEqualTo("application/json; charset=utf-8");
    assertThat(answer.errcode()).isZero();
    assertThat(answer.errmsg()).isEqualTo("ok");
    assertThat(answer.ticket()).hasSize(86).matches("[A-Za-z0-9_-]+");
    assertThat(answer.expiresIn()).isEqualTo(7200);
    assertThat(answer.json().size()).isEqualTo(4);
    assertThat(sim.isTicketValid(answer.ticket())).isTrue();
    assertThat(sim.ticketsIssued(APP)).isEqualTo(1);
  }

  @Test
  void repeatedCallsWithinValidityReturnTheSameTicketAlwaysReportingTheFullLifetime() {
    String token = stableToken();
    String first = client.ticket(token, "jsapi").ticket();

    clock.advance(Duration.ofSeconds(6899)); // 301 s left: still more than the overlap
    Answer again = client.ticket(token, "jsapi");

    assertThat(again.ticket()).isEqualTo(first);
    assertThat(again.expiresIn()).as("WeChat does not report the remaining life").isEqualTo(7200);
    assertThat(sim.ticketsIssued(APP)).isEqualTo(1);
  }

  @Test
  void aTicketBelongsToTheAppNotToTheTokenThatFetchedIt() {
    String first = client.ticket(client.token(APP, SECRET).token(), "jsapi").ticket();

    clock.advance(Duration.ofSeconds(3000));
    String fromStable = client.ticket(stableToken(), "jsapi").ticket();
    String fromNewClassic = client.ticket(client.token(APP, SECRET).token(), "jsapi").ticket();

    assertThat(fromStable).isEqualTo(first);
    assertThat(fromNewClassic).isEqualTo(first);
    assertThat(sim.ticketsIssued(APP)).isEqualTo(1);
  }

  @Test
  void mintsANewTicketInsideTheOverlapWindowAndThePreviousLivesToItsOwnExpiry() {
    String token = client.token(APP, SECRET).token();
    String first = client.ticket(token, "jsapi").ticket();

    clock.advance(Duration.ofSeconds(6900)); // exactly the overlap (300 s) left
    Answer renewed = client.ticket(token, "jsapi");

    assertThat(renewed.ticket()).isNotEqualTo(first);
    assertThat(renewed.expiresIn()).isEqualTo(7200);
    assertThat(sim.ticketsIssued(APP)).isEqualTo(2);
    assertThat(client.ticket(token, "jsapi").ticket()).as("the new one is now current")
        .isEqualTo(renewed.ticket());

    clock.advance(Duration.ofSeconds(299));
    assertThat(sim.isTicketValid(first)).isTrue();

    clock.advance(Duration.ofSeconds(1));
    assertThat(sim.isTicketValid(first)).isFalse();
    assertThat(sim.isTicketValid(renewed.ticket())).isTrue();
  }

  @Test
  void aTicketOutlivesTheTokenThatFetchedIt() {
    String token = client.token(APP, SECRET).token();
    clock.advance(Duration.ofSeconds(3600));
    String ticket = client.ticket(token, "jsapi").ticket();

    clock.advance(Duration.ofSeconds(3600)); // the token has expired
    assertThat(sim.isValid(token)).isFalse();
    assertThat(sim.isTicketValid(ticket)).isTrue();

    clock.advance(Duration.ofSeconds(3599));
    assertThat(sim.isTicketValid(ticket)).isTrue();
    clock.advance(Duration.ofSeconds(1));
    assertThat(sim.isTicketValid(ticket)).isFalse();
  }

  @Test
  void ticketsAreSeparatePerTypeAndPerApp() {
    String token = stableToken();
    String otherToken = client.stable(OTHER_APP, OTHER_SECRET, false).token();

    String jsapi = client.ticket(token, "jsapi").ticket();
    String card = client.ticket(token, "wx_card").ticket();
    String otherJsapi = client.ticket(otherToken, "jsapi").ticket();

    assertThat(Set.of(jsapi, card, otherJsapi)).hasSize(3);
    assertThat(client.ticket(token, "jsapi").ticket()).isEqualTo(jsapi);
    assertThat(client.ticket(token, "wx_card").ticket()).isEqualTo(card);
    assertThat(client.ticket(otherToken, "jsapi").ticket()).isEqualTo(otherJsapi);
    assertThat(sim.ticketsIssued(APP)).isEqualTo(2);
    assertThat(sim.ticketsIssued(OTHER_APP)).isEqualTo(1);
  }

  @Test
  void eachTypeRenewsOnItsOwnSchedule() {
    String token = client.token(APP, SECRET).token();
    String jsapi = client.ticket(token, "jsapi").ticket();
    clock.advance(Duration.ofSeconds(1000));
    String card = client.ticket(token, "wx_card").ticket();
    token = client.token(APP, SECRET).token();

    clock.advance(Duration.ofSeconds(5900)); // jsapi is in its overlap, wx_card is not

    assertThat(client.ticket(token, "jsapi").ticket()).isNotEqualTo(jsapi);
    assertThat(client.ticket(token, "wx_card").ticket()).isEqualTo(card);
  }

  @Test
  void customTicketLifetimeIsHonouredAndReportedInFull() {
    sim.close();
    sim = WeChatSimulator.builder().clock(clock).app(APP, SECRET)
        .ticketLifetime(Duration.ofSeconds(600)).overlap(Duration.ofSeconds(60)).start();
    client = new SimClient(sim);
    String token = stableToken();
    String first = client.ticket(token, "jsapi").ticket();

    clock.advance(Duration.ofSeconds(539));
    Answer same = client.ticket(token, "jsapi");
    assertThat(same.ticket()).isEqualTo(first);
    assertThat(same.expiresIn()).isEqualTo(600);

    clock.advance(Duration.ofSeconds(1));
    assertThat(client.ticket(token, "jsapi").ticket()).isNotEqualTo(first);
    assertThat(sim.isTicketValid(first)).isTrue();
    clock.advance(Duration.ofSeconds(60));
    assertThat(sim.isTicketValid(first)).isFalse();
  }

  @Test
  void aTicketLifetimeNoLongerThanTheOverlapIsRejected() {
    assertThatThrownBy(() -> WeChatSimulator.builder().ticketLifetime(Duration.ofSeconds(300)).start())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ticketLifetime");
    assertThatThrownBy(() -> WeChatSimulator.builder().ticketLifetime(Duration.ofMillis(500))
        .overlap(Duration.ZERO).start())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1 s");
  }

  @Test
  void concurrentCallsShareOneTicket() {
    String token = stableToken();
    List<CompletableFuture<Answer>> calls = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      calls.add(client.sendAsync(client.request("/cgi-bin/ticket/getticket?type=jsapi&access_token="
          + token).GET().build()));
    }
    Set<String> tickets = new HashSet<>();
    calls.forEach(c -> tickets.add(c.join().ticket()));

    assertThat(tickets).hasSize(1).doesNotContainNull();
    assertThat(sim.ticketsIssued(APP)).isEqualTo(1);
  }

  @Test
  void isTicketValidIsFalseForTicketsNeverIssued() {
    assertThat(sim.isTicketValid("x".repeat(86))).isFalse();
    assertThat(sim.isTicketValid("")).isFalse();
    assertThat(sim.isTicketValid(null)).isFalse();
  }

  // ---------------------------------------------------------------- the access token

  @Test
  void expiredTokenAnswers42001() {
    String token = stableToken();
    assertThat(client.ticket(token, "jsapi").ticket()).isNotNull();

    clock.advance(Duration.ofSeconds(7200));
    Answer expired = client.ticket(token, "jsapi");

    assertThat(expired.status()).isEqualTo(200);
    assertThat(expired.errcode()).isEqualTo(42001);
    assertThat(expired.errmsg()).isEqualTo("access_token expired");
    assertThat(expired.json().has("ticket")).isFalse();
  }

  @Test
  void replacedClassicTokenAnswers40001OnceTheOverlapIsOver() {
    String first = client.token(APP, SECRET).token();
    String second = client.token(APP, SECRET).token();

    clock.advance(Duration.ofSeconds(299));
    assertThat(client.ticket(first, "jsapi").errcode()).isZero();

    clock.advance(Duration.ofSeconds(1));
    Answer stale = client.ticket(first, "jsapi");
    assertThat(stale.errcode()).isEqualTo(40001);
    assertThat(stale.errmsg()).isEqualTo("invalid credential, access_token is invalid or not latest");
    assertThat(client.ticket(second, "jsapi").errcode()).isZero();
  }

  @Test
  void tokenNeverIssuedAnswers40001() {
    Answer answer = client.ticket("x".repeat(136), "jsapi");

    assertThat(answer.errcode()).isEqualTo(40001);
    assertThat(answer.errmsg()).isEqualTo("invalid credential, access_token is invalid or not latest");
  }

  @Test
  void missingOrEmptyAccessTokenAnswers41001() {
    Answer missing = client.get("/cgi-bin/ticket/getticket?type=jsapi");
    Answer empty = client.ticket("", "jsapi");

    assertThat(missing.errcode()).isEqualTo(41001);
    assertThat(missing.errmsg()).isEqualTo("access_token missing");
    assertThat(empty.errcode()).isEqualTo(41001);
  }

  // ---------------------------------------------------------------- the type

  @Test
  void missingOrUnknownTypeAnswers40097() {
    String token = stableToken();

    Answer missing = client.get("/cgi-bin/ticket/getticket?access_token=" + token);
    assertThat(missing.errcode()).isEqualTo(40097);
    assertThat(missing.errmsg()).isEqualTo("invalid args");
    for (String type : new String[] {"", "JSAPI", "card", "wx_card "}) {
      assertThat(client.ticket(token, type).errcode()).as("type '%s'", type).isEqualTo(40097);
    }
    assertThat(sim.ticketsIssued(APP)).isZero();
  }

  @Test
  void theTokenIsCheckedBeforeTheType() {
    String token = stableToken();
    clock.advance(Duration.ofSeconds(7200));

    assertThat(client.get("/cgi-bin/ticket/getticket").errcode()).isEqualTo(41001);
    assertThat(client.ticket("unknown", "nope").errcode()).isEqualTo(40001);
    assertThat(client.ticket(token, "nope").errcode()).isEqualTo(42001);
  }

  // ---------------------------------------------------------------- faults

  @Test
  void errorRateAnswersSystemErrorBeforeAnyCheckAndMintsNothing() {
    String token = stableToken();
    sim.faults().errorRate(1.0);

    Answer faulted = client.ticket(token, "jsapi");
    Answer faultedWithoutToken = client.get("/cgi-bin/ticket/getticket");

    assertThat(faulted.errcode()).isEqualTo(-1);
    assertThat(faulted.errmsg()).isEqualTo("system error");
    assertThat(faultedWithoutToken.errcode()).as("faults come before the checks").isEqualTo(-1);
    assertThat(sim.ticketsIssued(APP)).isZero();
    assertThat(sim.calls(WeChatSimulator.Endpoint.TICKET)).isEqualTo(2);
    assertThat(sim.calls(WeChatSimulator.Endpoint.TICKET, APP)).isEqualTo(1);
  }

  @Test
  void serverErrorAndMalformedFaultsApplyToTickets() {
    String token = stableToken();

    sim.faults().serverErrorRate(1.0);
    Answer unavailable = client.ticket(token, "jsapi");
    assertThat(unavailable.status()).isEqualTo(503);
    assertThat(unavailable.contentType()).startsWith("text/html");
    assertThat(unavailable.json()).isNull();

    sim.faults().reset().malformedRate(1.0);
    Answer malformed = client.ticket(token, "jsapi");
    assertThat(malformed.status()).isEqualTo(200);
    assertThatThrownBy(() -> SimClient.MAPPER.readTree(malformed.body()))
        .isInstanceOf(JsonProcessingException.class);

    sim.faults().reset();
    assertThat(client.ticket(token, "jsapi").ticket()).isNotNull();
    assertThat(sim.ticketsIssued(APP)).isEqualTo(1);
  }

  @Test
  void failNextIsSharedWithTheTokenEndpoints() {
    String token = stableToken();
    sim.faults().failNext(2, 40001, "invalid credential");

    assertThat(client.ticket(token, "jsapi").errcode()).isEqualTo(40001);
    assertThat(client.stable(APP, SECRET, false).errcode()).isEqualTo(40001);
    assertThat(client.ticket(token, "jsapi").errcode()).isZero();
  }

  @Test
  void timeoutFaultDropsTheTicketCall() {
    String token = stableToken();
    sim.faults().timeoutRate(1.0).hang(Duration.ofSeconds(2));
    HttpRequest request = client.request("/cgi-bin/ticket/getticket?type=jsapi&access_token=" + token)
        .timeout(Duration.ofMillis(200)).GET().build();

    assertThatThrownBy(() -> client.sendRaw(request)).isInstanceOf(HttpTimeoutException.class);
  }

  @Test
  void faultsNeverApplyToGetCallbackIpEvenWhenTicketsAreFaulted() {
    String token = stableToken();
    sim.faults().errorRate(1.0);

    assertThat(client.ticket(token, "jsapi").errcode()).isEqualTo(-1);
    assertThat(client.callbackIp(token).json().has("ip_list")).isTrue();
  }

  // ---------------------------------------------------------------- counters

  @Test
  void callsAreCountedPerEndpointAndForTheAppOfTheToken() {
    String token = client.token(APP, SECRET).token();
    String otherToken = client.token(OTHER_APP, OTHER_SECRET).token();
    client.ticket(token, "jsapi");
    client.ticket(token, "wx_card");
    client.ticket(token, "bogus");
    client.ticket(otherToken, "jsapi");
    client.ticket("unknown", "jsapi");
    client.get("/cgi-bin/ticket/getticket");
    clock.advance(Duration.ofSeconds(7200));
    client.ticket(token, "jsapi"); // expired, still the app's call

    assertThat(sim.calls(WeChatSimulator.Endpoint.TICKET)).isEqualTo(7);
    assertThat(sim.calls(WeChatSimulator.Endpoint.TICKET, APP)).isEqualTo(4);
    assertThat(sim.calls(WeChatSimulator.Endpoint.TICKET, OTHER_APP)).isEqualTo(1);
    assertThat(sim.calls(WeChatSimulator.Endpoint.TICKET, "wxnobody")).isZero();
    assertThat(sim.calls(WeChatSimulator.Endpoint.CALLBACK_IP)).isZero();
    assertThat(sim.ticketsIssued(APP)).isEqualTo(2);
    assertThat(sim.ticketsIssued(OTHER_APP)).isEqualTo(1);
    assertThat(sim.ticketsIssued("wxnobody")).isZero();
    assertThat(sim.tokensIssued(APP)).as("tickets are not tokens").isEqualTo(1);
  }

  @Test
  void statsReportTicketCallsAndTicketsIssued() {
    String token = stableToken();
    client.ticket(token, "jsapi");
    client.ticket(token, "jsapi");
    client.ticket("unknown", "jsapi");

    JsonNode stats = client.get("/sim/stats").json();

    assertThat(stats.path("getticket").asLong()).isEqualTo(3);
    JsonNode app = stats.path("apps").path(APP);
    assertThat(app.path("getticket").asLong()).isEqualTo(2);
    assertThat(app.path("tickets_issued").asLong()).isEqualTo(1);
    assertThat(app.path("issued").asLong()).isEqualTo(1);
    assertThat(stats.path("apps").path(OTHER_APP).path("getticket").asLong()).isZero();
  }

  @Test
  void resetCountersZeroesTicketCountsButKeepsTheCurrentTicket() {
    String token = stableToken();
    String ticket = client.ticket(token, "jsapi").ticket();

    sim.resetCounters();

    assertThat(sim.calls(WeChatSimulator.Endpoint.TICKET)).isZero();
    assertThat(sim.calls(WeChatSimulator.Endpoint.TICKET, APP)).isZero();
    assertThat(sim.ticketsIssued(APP)).isZero();
    assertThat(client.ticket(token, "jsapi").ticket()).isEqualTo(ticket);
    assertThat(sim.ticketsIssued(APP)).isZero();
  }
}
