package io.wxtoken.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxtoken.simulator.WeComSimClient.Answer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * WeCom's limits: trusted IPs (60020), frequency limits per corp and per address (45009 and the
 * block that follows), the failed-call block, and the hourly ticket caps. A second caller is
 * played from 127.0.0.2.
 */
class WeComLimitsTest {

  private static final String CORP = "ww00000000000000a1";
  private static final String APP_SECRET = "app-secret-1000002";
  private static final String OTHER_APP_SECRET = "app-secret-1000003";
  private static final String THIRD_APP_SECRET = "app-secret-1000004";
  private static final String OTHER_CORP = "ww00000000000000b2";
  private static final String OTHER_CORP_SECRET = "other-corp-secret";

  private final ManualClock clock = ManualClock.startingAt("2026-03-01T02:00:00Z");
  private WeComSimulator sim;
  private WeComSimClient client;

  @AfterEach
  void stop() {
    if (sim != null) {
      sim.close();
    }
  }

  private void start(WeComSimulator.Builder builder) {
    sim = builder.clock(clock)
        .app(CORP, 1000002, APP_SECRET)
        .app(CORP, 1000003, OTHER_APP_SECRET)
        .app(CORP, 1000004, THIRD_APP_SECRET)
        .app(OTHER_CORP, 1000002, OTHER_CORP_SECRET)
        .start();
    client = new WeComSimClient(sim);
  }

  // ---------------------------------------------------------------- trusted IPs

  @Test
  void anAddressOutsideTheCorpsTrustedIpsGets60020OnEveryEndpoint() {
    start(WeComSimulator.builder());
    String token = client.gettoken(CORP, APP_SECRET).token();

    sim.trustIps(CORP, "10.1.2.3");

    Answer refused = client.gettoken(CORP, APP_SECRET);
    assertThat(refused.errcode()).isEqualTo(60020);
    assertThat(refused.errmsg()).startsWith("not allow to access from your ip, hint: [")
        .contains("from ip: 127.0.0.1,");
    assertThat(client.jsapiTicket(token).errcode()).isEqualTo(60020);
    assertThat(client.agentTicket(token).errcode()).isEqualTo(60020);
    assertThat(client.agent(token, "1000002").errcode()).isEqualTo(60020);
    assertThat(client.gettoken(OTHER_CORP, OTHER_CORP_SECRET).errcode())
        .as("another corp's list is its own").isZero();

    sim.trustIps(CORP, "127.0.0.1");
    assertThat(client.gettoken(CORP, APP_SECRET).token()).isEqualTo(token);
    Answer fromElsewhere = client.getFrom("127.0.0.2", WeComSimClient.gettokenPath(CORP, APP_SECRET));
    assertThat(fromElsewhere.errcode()).isEqualTo(60020);
    assertThat(fromElsewhere.errmsg()).contains("from ip: 127.0.0.2,");

    sim.trustAnyIp(CORP);
    assertThat(client.getFrom("127.0.0.2", WeComSimClient.gettokenPath(CORP, APP_SECRET)).token())
        .isEqualTo(token);
  }

  @Test
  void trustedIpsAreLiteralAddressesOfAKnownCorp() {
    start(WeComSimulator.builder());

    assertThatThrownBy(() -> sim.trustIps(CORP, "localhost"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> sim.trustIps("ww-unknown", "127.0.0.1"))
        .isInstanceOf(IllegalArgumentException.class);
    sim.trustIps(CORP, "::1");
    assertThat(client.gettoken(CORP, APP_SECRET).errcode()).isEqualTo(60020);
  }

  // ---------------------------------------------------------------- frequency limits

  @Test
  void aCorpPastItsMinuteLimitIsRefusedForSixtySeconds() {
    start(WeComSimulator.builder().corpLimits(3, 1000));
    for (int i = 0; i < 3; i++) {
      assertThat(client.gettoken(CORP, APP_SECRET).errcode()).isZero();
    }

    Answer refused = client.gettoken(CORP, OTHER_APP_SECRET);
    assertThat(refused.errcode()).isEqualTo(45009);
    assertThat(refused.errmsg()).startsWith("api freq out of limit, hint: [");
    assertThat(client.gettoken(OTHER_CORP, OTHER_CORP_SECRET).errcode()).isZero();
    assertThat(client.jsapiTicket(client.gettoken(OTHER_CORP, OTHER_CORP_SECRET).token()).errcode())
        .isZero();

    clock.advance(Duration.ofSeconds(59));
    assertThat(client.gettoken(CORP, APP_SECRET).errcode()).as("still blocked").isEqualTo(45009);
    clock.advance(Duration.ofSeconds(1));
    assertThat(client.gettoken(CORP, APP_SECRET).errcode()).isZero();
  }

  @Test
  void aCorpPastItsHourLimitIsRefusedForAnHour() {
    start(WeComSimulator.builder().corpLimits(1000, 5));
    for (int i = 0; i < 5; i++) {
      assertThat(client.gettoken(CORP, APP_SECRET).errcode()).isZero();
    }

    assertThat(client.gettoken(CORP, APP_SECRET).errcode()).isEqualTo(45009);
    clock.advance(Duration.ofMinutes(59));
    assertThat(client.gettoken(CORP, APP_SECRET).errcode()).isEqualTo(45009);
    clock.advance(Duration.ofMinutes(1));
    assertThat(client.gettoken(CORP, APP_SECRET).errcode()).isZero();
  }

  @Test
  void anAddressPastItsMinuteLimitIsRefusedWhateverTheCorp() {
    start(WeComSimulator.builder().ipLimits(2, 1000));
    assertThat(client.gettoken(CORP, APP_SECRET).errcode()).isZero();
    assertThat(client.gettoken(OTHER_CORP, OTHER_CORP_SECRET).errcode()).isZero();

    assertThat(client.gettoken(OTHER_CORP, OTHER_CORP_SECRET).errcode()).isEqualTo(45009);
    assertThat(client.getFrom("127.0.0.2", WeComSimClient.gettokenPath(CORP, APP_SECRET)).errcode())
        .as("another address").isZero();
  }

  // ---------------------------------------------------------------- failed calls

  @Test
  void failedCallsUpToTheLimitBlockTheAddressForAnHourEvenWithTheRightSecret() {
    start(WeComSimulator.builder().failedTokenCallsPerHour(20));
    for (int i = 0; i < 20; i++) {
      assertThat(client.gettoken(CORP, "wrong-" + i).errcode()).isEqualTo(40001);
    }

    Answer blocked = client.gettoken(CORP, APP_SECRET);
    assertThat(blocked.errcode()).as("even the right secret").isEqualTo(45009);
    assertThat(sim.tokensIssued(CORP)).isZero();
    assertThat(client.getFrom("127.0.0.2", WeComSimClient.gettokenPath(CORP, APP_SECRET)).errcode())
        .as("another address").isZero();

    clock.advance(Duration.ofMinutes(59));
    assertThat(client.gettoken(CORP, APP_SECRET).errcode()).isEqualTo(45009);
    clock.advance(Duration.ofMinutes(1));
    assertThat(client.gettoken(CORP, APP_SECRET).errcode()).isZero();
  }

  /** WeCom's default, checked on the rules directly: 2,000 HTTP calls would only slow the suite. */
  @Test
  void byDefaultTwoThousandFailedCallsInAnHourBlockTheAddress() {
    WeComRules rules = new WeComRules(clock, WeComSimulator.builder().settings());
    rules.register(CORP, 1000002, APP_SECRET);
    for (int i = 0; i < 1999; i++) {
      assertThat(rules.gettoken(CORP, "wrong", "127.0.0.1").errcode()).isEqualTo(40001);
    }
    assertThat(rules.gettoken(CORP, APP_SECRET, "127.0.0.1").errcode()).isZero();

    assertThat(rules.gettoken(CORP, "wrong", "127.0.0.1").errcode()).isEqualTo(40001);
    assertThat(rules.gettoken(CORP, APP_SECRET, "127.0.0.1").errcode()).isEqualTo(45009);
    assertThat(rules.gettoken(CORP, APP_SECRET, "127.0.0.2").errcode()).isZero();
  }

  @Test
  void everyKindOfFailedGettokenCountsAndFailuresOfAnEarlierHourDoNot() {
    start(WeComSimulator.builder().failedTokenCallsPerHour(4));
    sim.trustIps(OTHER_CORP, "10.1.2.3");
    assertThat(client.gettoken("ww-unknown", "x").errcode()).isEqualTo(40013);
    assertThat(client.get("/cgi-bin/gettoken?corpid=" + CORP).errcode()).isEqualTo(41004);
    assertThat(client.gettoken(OTHER_CORP, OTHER_CORP_SECRET).errcode()).isEqualTo(60020);
    clock.advance(Duration.ofHours(1));

    assertThat(client.gettoken(CORP, "wrong").errcode()).isEqualTo(40001);
    assertThat(client.gettoken(CORP, APP_SECRET).errcode()).as("one failure this hour").isZero();
    for (int i = 0; i < 3; i++) {
      assertThat(client.gettoken(CORP, "wrong").errcode()).isEqualTo(40001);
    }
    assertThat(client.gettoken(CORP, APP_SECRET).errcode()).isEqualTo(45009);
  }

  // ---------------------------------------------------------------- ticket caps

  @Test
  void anAppGetsAHundredTicketsOfAKindAnHour() {
    start(WeComSimulator.builder());
    String token = client.gettoken(CORP, APP_SECRET).token();
    for (int i = 0; i < 100; i++) {
      assertThat(client.jsapiTicket(token).errcode()).isZero();
    }

    assertThat(client.jsapiTicket(token).errcode()).isEqualTo(45009);
    assertThat(client.agentTicket(token).errcode()).as("the other kind counts apart").isZero();
    assertThat(client.jsapiTicket(client.gettoken(CORP, OTHER_APP_SECRET).token()).errcode())
        .as("another app of the corp").isZero();
    clock.advance(Duration.ofHours(1));
    assertThat(client.jsapiTicket(client.gettoken(CORP, APP_SECRET).token()).errcode()).isZero();
  }

  @Test
  void aCorpGetsItsCapOfTicketsAnHourAcrossItsApps() {
    start(WeComSimulator.builder().ticketCaps(5, 2));
    String a = client.gettoken(CORP, APP_SECRET).token();
    String b = client.gettoken(CORP, OTHER_APP_SECRET).token();
    String c = client.gettoken(CORP, THIRD_APP_SECRET).token();
    for (String token : new String[] {a, a, b, b, c}) {
      assertThat(client.agentTicket(token).errcode()).isZero();
    }

    assertThat(client.agentTicket(a).errcode()).as("app cap").isEqualTo(45009);
    assertThat(client.agentTicket(c).errcode()).as("corp cap").isEqualTo(45009);
    assertThat(client.agentTicket(client.gettoken(OTHER_CORP, OTHER_CORP_SECRET).token()).errcode())
        .as("another corp").isZero();
  }
}
