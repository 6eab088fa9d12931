package io.wxtoken.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxtoken.simulator.WeComSimClient.Answer;
import io.wxtoken.simulator.WeComSimulator.Endpoint;
import java.time.Duration;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /cgi-bin/get_jsapi_ticket} (the corp's ticket, for {@code wx.config}) and
 * {@code GET /cgi-bin/ticket/get?type=agent_config} (the app's, for {@code wx.agentConfig}).
 */
class WeComTicketTest {

  private static final String CORP = "ww00000000000000a1";
  private static final String APP_SECRET = "app-secret-1000002";
  private static final String OTHER_APP_SECRET = "app-secret-1000003";
  private static final String CONTACTS_SECRET = "contacts-sync-secret";

  private final ManualClock clock = ManualClock.startingAt("2026-03-01T02:00:00Z");
  private final WeComSimulator sim = WeComSimulator.builder().clock(clock)
      .app(CORP, 1000002, APP_SECRET)
      .app(CORP, 1000003, OTHER_APP_SECRET)
      .secret(CORP, CONTACTS_SECRET)
      .start();
  private final WeComSimClient client = new WeComSimClient(sim);

  @AfterEach
  void stop() {
    sim.close();
  }

  private String token(String secret) {
    return client.gettoken(CORP, secret).token();
  }

  @Test
  void answersBothTicketsInWeComsShape() {
    String token = token(APP_SECRET);

    for (Answer answer : new Answer[] {client.jsapiTicket(token), client.agentTicket(token)}) {
      assertThat(answer.status()).isEqualTo(200);
      assertThat(answer.errcode()).isZero();
      assertThat(answer.errmsg()).isEqualTo("ok");
      assertThat(answer.ticket()).hasSize(86).matches("[A-Za-z0-9_-]+");
      assertThat(answer.expiresIn()).isEqualTo(7200);
      assertThat(answer.json().size()).isEqualTo(4);
      assertThat(sim.isTicketValid(answer.ticket())).isTrue();
    }
    assertThat(sim.ticketsIssued(CORP)).isEqualTo(2);
    assertThat(sim.calls(Endpoint.JSAPI_TICKET, CORP)).isEqualTo(1);
    assertThat(sim.calls(Endpoint.AGENT_TICKET, CORP)).isEqualTo(1);
  }

  @Test
  void theCorpTicketIsOneForAllTheCorpsSecretsAndTheAgentTicketOnePerApp() {
    String app = token(APP_SECRET);
    String otherApp = token(OTHER_APP_SECRET);

    String corpTicket = client.jsapiTicket(app).ticket();
    assertThat(client.jsapiTicket(otherApp).ticket()).isEqualTo(corpTicket);
    assertThat(client.jsapiTicket(token(CONTACTS_SECRET)).ticket()).isEqualTo(corpTicket);

    String agentTicket = client.agentTicket(app).ticket();
    String otherAgentTicket = client.agentTicket(otherApp).ticket();
    assertThat(agentTicket).isNotEqualTo(otherAgentTicket).isNotEqualTo(corpTicket);
    assertThat(sim.ticketsIssued(CORP)).isEqualTo(3);
  }

  @Test
  void aTicketIsHandedOutAgainWhileValidWithTheSecondsItHasLeftThenReplaced() {
    String token = token(APP_SECRET);
    String first = client.jsapiTicket(token).ticket();

    clock.advance(Duration.ofSeconds(1800));
    Answer again = client.jsapiTicket(token);
    assertThat(again.ticket()).isEqualTo(first);
    assertThat(again.expiresIn()).isEqualTo(5400);

    clock.advance(Duration.ofSeconds(5400));
    assertThat(sim.isTicketValid(first)).isFalse();
    Answer next = client.jsapiTicket(token(APP_SECRET));
    assertThat(next.ticket()).isNotEqualTo(first);
    assertThat(next.expiresIn()).isEqualTo(7200);
    assertThat(sim.ticketsIssued(CORP)).isEqualTo(2);
  }

  @Test
  void aBadOrDeadTokenAnswers41001Or40014Or42001OnBothEndpoints() {
    for (Function<String, Answer> endpoint : endpoints()) {
      String token = token(APP_SECRET);
      assertThat(endpoint.apply("").errcode()).as("missing").isEqualTo(41001);
      assertThat(endpoint.apply("never-issued").errcode()).as("unknown").isEqualTo(40014);
      sim.invalidate(token);
      assertThat(endpoint.apply(token).errcode()).as("invalidated").isEqualTo(40014);
      String fresh = token(APP_SECRET);
      clock.advance(Duration.ofSeconds(7200));
      assertThat(endpoint.apply(fresh).errcode()).as("expired").isEqualTo(42001);
    }
    assertThat(client.get("/cgi-bin/get_jsapi_ticket").errcode()).isEqualTo(41001);
    assertThat(sim.ticketsIssued(CORP)).isZero();
  }

  @Test
  void theAgentTicketNeedsTypeAgentConfig() {
    String token = token(APP_SECRET);

    assertThat(client.get("/cgi-bin/ticket/get?access_token=" + token).errcode()).isEqualTo(40058);
    assertThat(client.get("/cgi-bin/ticket/get?access_token=" + token + "&type=jsapi").errcode())
        .isEqualTo(40058);
    assertThat(sim.ticketsIssued(CORP)).isZero();
  }

  @Test
  void theAgentTicketWithATokenOfASecretThatIsNoAppsAnswers301002() {
    String contacts = token(CONTACTS_SECRET);

    assertThat(client.agentTicket(contacts).errcode()).isEqualTo(301002);
    assertThat(client.jsapiTicket(contacts).errcode()).isZero();
  }

  @Test
  void aTicketOutlivesAnInvalidatedToken() {
    String token = token(APP_SECRET);
    String ticket = client.agentTicket(token).ticket();

    sim.invalidate(token);

    assertThat(sim.isTicketValid(ticket)).isTrue();
    assertThat(client.agentTicket(token(APP_SECRET)).ticket()).isEqualTo(ticket);
  }

  @Test
  void injectedFaultsAnswerTicketCallsWithoutMinting() {
    String token = token(APP_SECRET);
    sim.faults().failNext(2, -1, "system busy");

    assertThat(client.jsapiTicket(token).errcode()).isEqualTo(-1);
    assertThat(client.agentTicket(token).errcode()).isEqualTo(-1);
    assertThat(sim.ticketsIssued(CORP)).isZero();
    assertThat(client.jsapiTicket(token).errcode()).isZero();
  }

  private Iterable<Function<String, Answer>> endpoints() {
    return java.util.List.of(client::jsapiTicket, client::agentTicket);
  }
}
