package io.wxtoken.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxtoken.simulator.SimClient.Answer;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code POST /cgi-bin/stable_token}: normal and force-refresh modes, checked over real HTTP. */
class StableTokenTest {

  private static final String APP = "wx0000000000000002";
  private static final String SECRET = "fedcba9876543210fedcba9876543210";

  private final ManualClock clock = ManualClock.startingAt("2026-03-01T02:00:00Z");
  private WeChatSimulator sim = WeChatSimulator.builder().clock(clock).app(APP, SECRET).start();
  private SimClient client = new SimClient(sim);

  @AfterEach
  void stop() {
    sim.close();
  }

  private Answer stable() {
    return client.stable(APP, SECRET, false);
  }

  private Answer forced() {
    return client.stable(APP, SECRET, true);
  }

  private void restart(WeChatSimulator.Builder builder) {
    sim.close();
    sim = builder.clock(clock).app(APP, SECRET).start();
    client = new SimClient(sim);
  }

  @Test
  void firstStableCallMintsATokenWithFullLifetime() {
    Answer answer = stable();

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.contentType()).isEqualTo("application/json; charset=utf-8");
    assertThat(answer.token()).hasSize(136).matches("[A-Za-z0-9_-]+");
    assertThat(answer.expiresIn()).isEqualTo(7200);
  }

  @Test
  void stableNormalModeReturnsSameTokenWithDecreasingRealExpiresIn() {
    String token = stable().token();

    clock.advance(Duration.ofMillis(1_000_500));
    Answer later = stable();
    assertThat(later.token()).isEqualTo(token);
    assertThat(later.expiresIn()).isEqualTo(6199); // 6199.5 s left, floored

    clock.set(Instant.parse("2026-03-01T02:00:00Z").plusSeconds(6899));
    Answer lastBeforeRenewal = stable();
    assertThat(lastBeforeRenewal.token()).isEqualTo(token);
    assertThat(lastBeforeRenewal.expiresIn()).isEqualTo(301);
    assertThat(sim.tokensIssued(APP)).isEqualTo(1);
  }

  @Test
  void stableRotatesInsideTheOverlapWindowAndThePreviousRunsToItsOwnExpiry() {
    String first = stable().token();

    clock.advance(Duration.ofSeconds(6900)); // exactly 300 s before expiry
    Answer renewed = stable();
    assertThat(renewed.token()).isNotEqualTo(first);
    assertThat(renewed.expiresIn()).isEqualTo(7200);
    assertThat(stable().token()).isEqualTo(renewed.token());

    clock.advance(Duration.ofSeconds(299));
    assertThat(sim.isValid(first)).isTrue();
    clock.advance(Duration.ofSeconds(1));
    assertThat(client.callbackIp(first).errcode()).isEqualTo(42001);
    assertThat(sim.isValid(renewed.token())).isTrue();
  }

  @Test
  void everyNormalModeAnswerHasAtLeastTheOverlapLeft() {
    for (int i = 0; i < 40; i++) {
      Answer answer = stable();
      assertThat(answer.expiresIn()).isBetween(300L, 7200L);
      assertThat(sim.isValid(answer.token())).isTrue();
      clock.advance(Duration.ofSeconds(617));
    }
  }

  @Test
  void stableTokenExpiredWithoutCallsIsReplacedOnTheNextCall() {
    String first = stable().token();
    clock.advance(Duration.ofHours(3));

    Answer next = stable();

    assertThat(next.token()).isNotEqualTo(first);
    assertThat(next.expiresIn()).isEqualTo(7200);
    assertThat(client.callbackIp(first).errcode()).isEqualTo(42001);
  }

  @Test
  void forceRefreshMintsANewTokenAndThePreviousLastsOnlyTheOverlap() {
    String first = stable().token();
    clock.advance(Duration.ofSeconds(10));

    Answer refreshed = forced();
    assertThat(refreshed.token()).isNotEqualTo(first);
    assertThat(refreshed.expiresIn()).isEqualTo(7200);

    clock.advance(Duration.ofSeconds(299));
    assertThat(sim.isValid(first)).isTrue();
    clock.advance(Duration.ofSeconds(1));
    assertThat(client.callbackIp(first).errcode()).isEqualTo(40001);
    assertThat(stable().token()).isEqualTo(refreshed.token());
  }

  @Test
  void forceRefreshWithin30sOfTheLastForcedMintReturnsTheCurrentToken() {
    Answer refreshed = forced();
    clock.advance(Duration.ofSeconds(29));

    Answer again = forced();
    assertThat(again.token()).isEqualTo(refreshed.token());
    assertThat(again.expiresIn()).isEqualTo(7171);

    clock.advance(Duration.ofSeconds(1));
    Answer third = forced();
    assertThat(third.token()).isNotEqualTo(refreshed.token());
    assertThat(third.expiresIn()).isEqualTo(7200);
    assertThat(sim.tokensIssued(APP)).isEqualTo(2);
  }

  @Test
  void forceRefreshTwentyFirstInAWeChatDayAnswers45009() {
    for (int i = 0; i < 20; i++) {
      assertThat(forced().expiresIn()).as("forced mint #%d", i + 1).isEqualTo(7200);
      clock.advance(Duration.ofSeconds(30));
    }

    Answer refused = forced();

    assertThat(refused.errcode()).isEqualTo(45009);
    assertThat(refused.errmsg()).isEqualTo("reach max api daily quota limit");
    assertThat(stable().isGrant()).as("normal mode still works").isTrue();
  }

  @Test
  void forceRefreshCounterResetsAtBeijingMidnightNotUtcMidnight() {
    // 20:00 UTC is 04:00 Beijing of the next day; that Beijing day ends at 16:00 UTC.
    clock.set(Instant.parse("2026-03-01T20:00:00Z"));
    for (int i = 0; i < 20; i++) {
      assertThat(forced().isGrant()).isTrue();
      clock.advance(Duration.ofSeconds(31));
    }
    assertThat(forced().errcode()).isEqualTo(45009);

    clock.set(Instant.parse("2026-03-02T00:00:30Z"));
    assertThat(forced().errcode()).as("UTC midnight is not a WeChat day boundary").isEqualTo(45009);

    clock.set(Instant.parse("2026-03-02T15:59:59Z"));
    assertThat(forced().errcode()).isEqualTo(45009);

    clock.set(Instant.parse("2026-03-02T16:00:00Z"));
    Answer fresh = forced();
    assertThat(fresh.isGrant()).isTrue();
    assertThat(fresh.expiresIn()).isEqualTo(7200);
  }

  @Test
  void classicAndStableChainsAreIsolated() {
    String classic = client.token(APP, SECRET).token();
    String stable = stable().token();
    assertThat(stable).isNotEqualTo(classic);

    // New classic tokens do not touch the stable one...
    client.token(APP, SECRET);
    String latestClassic = client.token(APP, SECRET).token();
    clock.advance(Duration.ofSeconds(301));
    assertThat(sim.isValid(classic)).isFalse();
    Answer sameStable = stable();
    assertThat(sameStable.token()).isEqualTo(stable);
    assertThat(sameStable.expiresIn()).isEqualTo(7200 - 301);

    // ...and a forced stable refresh does not touch the classic one.
    forced();
    clock.advance(Duration.ofSeconds(301));
    assertThat(sim.isValid(stable)).isFalse();
    assertThat(sim.isValid(latestClassic)).isTrue();
  }

  @Test
  void getMethodAnswers43002() {
    Answer answer = client.get("/cgi-bin/stable_token?grant_type=client_credential&appid=" + APP + "&secret=" + SECRET);

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.errcode()).isEqualTo(43002);
    assertThat(answer.errmsg()).isEqualTo("require POST method");
  }

  @Test
  void bodyThatIsNotAJsonObjectAnswers47001() {
    for (String body : new String[] {"appid=" + APP + "&secret=" + SECRET, "", "[1,2]", "{\"appid\":"}) {
      Answer answer = client.post("/cgi-bin/stable_token", body);
      assertThat(answer.errcode()).as(body).isEqualTo(47001);
      assertThat(answer.errmsg()).isEqualTo("data format error");
    }
  }

  @Test
  void bodyOver64KiBAnswers47001() {
    String padding = "x".repeat(64 * 1024);
    String body = "{\"grant_type\":\"client_credential\",\"appid\":\"" + APP + "\",\"secret\":\"" + SECRET
        + "\",\"pad\":\"" + padding + "\"}";

    assertThat(client.post("/cgi-bin/stable_token", body).errcode()).isEqualTo(47001);
  }

  @Test
  void parameterErrorsMatchTheClassicEndpoint() {
    assertThat(client.post("/cgi-bin/stable_token", "{\"grant_type\":\"client_credential\",\"secret\":\"s\"}")
        .errcode()).isEqualTo(41002);
    assertThat(client.post("/cgi-bin/stable_token", "{\"grant_type\":\"client_credential\",\"appid\":\"" + APP + "\"}")
        .errcode()).isEqualTo(41004);
    assertThat(client.post("/cgi-bin/stable_token", "{\"appid\":\"" + APP + "\",\"secret\":\"" + SECRET + "\"}")
        .errcode()).isEqualTo(40002);
    assertThat(client.stable("wxunknown", SECRET, false).errcode()).isEqualTo(40013);
  }

  @Test
  void wrongSecretAnswers40125() {
    Answer answer = client.stable(APP, "not-the-secret", false);

    assertThat(answer.errcode()).isEqualTo(40125);
    assertThat(answer.errmsg()).isEqualTo("invalid appsecret");
  }

  @Test
  void blockedIpAnswers40164AndFrozenSecretAnswers40243() {
    sim.blockIp(APP, true);
    assertThat(stable().errcode()).isEqualTo(40164);

    sim.blockIp(APP, false);
    sim.freezeSecret(APP, true);
    assertThat(stable().errcode()).isEqualTo(40243);

    sim.freezeSecret(APP, false);
    assertThat(stable().isGrant()).isTrue();
  }

  @Test
  void forceRefreshIsOptionalAndDefaultsToNormalMode() {
    String body = "{\"grant_type\":\"client_credential\",\"appid\":\"" + APP + "\",\"secret\":\"" + SECRET + "\"}";
    String first = client.post("/cgi-bin/stable_token", body).token();

    assertThat(client.post("/cgi-bin/stable_token", body).token()).isEqualTo(first);
  }

  @Test
  void minuteQuotaAnswers45011UntilTheNextMinute() {
    restart(WeChatSimulator.builder().stableMinuteQuota(3));
    clock.set(Instant.parse("2026-03-01T02:00:10Z"));
    for (int i = 0; i < 3; i++) {
      assertThat(stable().isGrant()).isTrue();
    }

    Answer over = stable();
    assertThat(over.errcode()).isEqualTo(45011);
    assertThat(over.errmsg()).isEqualTo("api minute-quota reach limit, must slower, retry next minute");

    clock.set(Instant.parse("2026-03-01T02:01:00Z"));
    assertThat(stable().isGrant()).isTrue();
  }

  @Test
  void stableDailyQuotaAnswers45009() {
    restart(WeChatSimulator.builder().stableDailyQuota(5));
    for (int i = 0; i < 5; i++) {
      assertThat(stable().isGrant()).isTrue();
      clock.advance(Duration.ofMinutes(1));
    }

    assertThat(stable().errcode()).isEqualTo(45009);
    assertThat(client.token(APP, SECRET).isGrant()).as("the classic quota is separate").isTrue();
  }
}
