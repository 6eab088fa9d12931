package io.wxtoken.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxtoken.simulator.SimClient.Answer;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code GET /cgi-bin/token}: the classic endpoint, checked over real HTTP. */
class ClassicTokenTest {

  private static final String APP = "wx0000000000000001";
  private static final String SECRET = "0123456789abcdef0123456789abcdef";

  private final ManualClock clock = ManualClock.startingAt("2026-03-01T02:00:00Z");
  private WeChatSimulator sim = WeChatSimulator.builder().clock(clock).app(APP, SECRET).start();
  private SimClient client = new SimClient(sim);

  @AfterEach
  void stop() {
    sim.close();
  }

  @Test
  void classicFetchReturnsAnOpaqueTokenWithFullLifetime() {
    Answer answer = client.token(APP, SECRET);

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.contentType()).isEqualTo("application/json; charset=utf-8");
    assertThat(answer.expiresIn()).isEqualTo(7200);
    assertThat(answer.token()).hasSize(136).matches("[A-Za-z0-9_-]+");
    assertThat(answer.json().size()).isEqualTo(2);
  }

  @Test
  void classicFetchMintsANewTokenOnEveryCall() {
    String first = client.token(APP, SECRET).token();
    clock.advance(Duration.ofSeconds(10));
    Answer second = client.token(APP, SECRET);

    assertThat(second.token()).isNotEqualTo(first);
    assertThat(second.expiresIn()).isEqualTo(7200);
    assertThat(sim.tokensIssued(APP)).isEqualTo(2);
  }

  @Test
  void classicFetchInvalidatesPreviousAfterOverlap() {
    String first = client.token(APP, SECRET).token();
    clock.advance(Duration.ofSeconds(100));
    String second = client.token(APP, SECRET).token();

    clock.advance(Duration.ofSeconds(299));
    assertThat(client.callbackIp(first).json().path("ip_list").get(0).asText()).isEqualTo("127.0.0.1");

    clock.advance(Duration.ofSeconds(1));
    Answer stale = client.callbackIp(first);
    assertThat(stale.errcode()).isEqualTo(40001);
    assertThat(stale.errmsg()).isEqualTo("invalid credential, access_token is invalid or not latest");
    assertThat(sim.isValid(first)).isFalse();
    assertThat(sim.isValid(second)).isTrue();
  }

  @Test
  void replacedTokenNearItsExpiryEndsAtItsOwnExpiryWith42001() {
    String first = client.token(APP, SECRET).token();
    clock.advance(Duration.ofSeconds(7000));
    client.token(APP, SECRET);

    clock.advance(Duration.ofSeconds(199));
    assertThat(sim.isValid(first)).isTrue();

    clock.advance(Duration.ofSeconds(1));
    assertThat(client.callbackIp(first).errcode()).isEqualTo(42001);
  }

  @Test
  void tokenAnswers42001OnceItsLifetimeIsOver() {
    String token = client.token(APP, SECRET).token();

    clock.advance(Duration.ofSeconds(7199));
    assertThat(client.callbackIp(token).json().has("ip_list")).isTrue();

    clock.advance(Duration.ofSeconds(1));
    Answer expired = client.callbackIp(token);
    assertThat(expired.errcode()).isEqualTo(42001);
    assertThat(expired.errmsg()).isEqualTo("access_token expired");
  }

  @Test
  void customLifetimeAndOverlapAreHonoured() {
    sim.close();
    sim = WeChatSimulator.builder().clock(clock).app(APP, SECRET)
        .tokenLifetime(Duration.ofSeconds(60)).overlap(Duration.ofSeconds(5)).start();
    client = new SimClient(sim);

    String first = client.token(APP, SECRET).token();
    Answer second = client.token(APP, SECRET);
    assertThat(second.expiresIn()).isEqualTo(60);

    clock.advance(Duration.ofSeconds(5));
    assertThat(sim.isValid(first)).isFalse();
    assertThat(sim.isValid(second.token())).isTrue();
  }

  @Test
  void missingAppidAnswers41002() {
    Answer answer = client.get("/cgi-bin/token?grant_type=client_credential&secret=" + SECRET);

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.errcode()).isEqualTo(41002);
    assertThat(answer.errmsg()).isEqualTo("appid missing");
  }

  @Test
  void missingSecretAnswers41004() {
    Answer answer = client.get("/cgi-bin/token?grant_type=client_credential&appid=" + APP);

    assertThat(answer.errcode()).isEqualTo(41004);
    assertThat(answer.errmsg()).isEqualTo("appsecret missing");
  }

  @Test
  void missingOrWrongGrantTypeAnswers40002() {
    Answer missing = client.get("/cgi-bin/token?appid=" + APP + "&secret=" + SECRET);
    Answer wrong = client.get("/cgi-bin/token?grant_type=authorization_code&appid=" + APP + "&secret=" + SECRET);

    assertThat(missing.errcode()).isEqualTo(40002);
    assertThat(missing.errmsg()).isEqualTo("invalid grant_type");
    assertThat(wrong.errcode()).isEqualTo(40002);
  }

  @Test
  void parameterChecksComeBeforeTheAppLookup() {
    assertThat(client.get("/cgi-bin/token?appid=nobody&secret=x").errcode()).isEqualTo(40002);
    assertThat(client.get("/cgi-bin/token?appid=nobody").errcode()).isEqualTo(41004);
  }

  @Test
  void unknownAppidAnswers40013() {
    Answer answer = client.token("wxunknown", SECRET);

    assertThat(answer.errcode()).isEqualTo(40013);
    assertThat(answer.errmsg()).isEqualTo("invalid appid");
  }

  @Test
  void blockedIpAnswers40164NamingTheCaller() {
    sim.blockIp(APP, true);

    Answer answer = client.token(APP, SECRET);

    assertThat(answer.errcode()).isEqualTo(40164);
    assertThat(answer.errmsg()).isEqualTo("invalid ip 127.0.0.1 ipv6 ::ffff:127.0.0.1, not in whitelist");

    sim.blockIp(APP, false);
    assertThat(client.token(APP, SECRET).isGrant()).isTrue();
  }

  @Test
  void frozenSecretAnswers40243() {
    sim.freezeSecret(APP, true);

    Answer answer = client.token(APP, SECRET);

    assertThat(answer.errcode()).isEqualTo(40243);
    assertThat(answer.errmsg()).isEqualTo("AppSecret已被冻结，请登录小程序平台解冻后再次调用。");

    sim.freezeSecret(APP, false);
    assertThat(client.token(APP, SECRET).isGrant()).isTrue();
  }

  @Test
  void wrongSecretAnswers40001() {
    Answer answer = client.token(APP, "not-the-secret");

    assertThat(answer.errcode()).isEqualTo(40001);
    assertThat(answer.errmsg()).isEqualTo("invalid credential, access_token is invalid or not latest");
    assertThat(sim.tokensIssued(APP)).isZero();
  }

  @Test
  void ipCheckComesBeforeFreezeWhichComesBeforeTheSecret() {
    sim.blockIp(APP, true);
    sim.freezeSecret(APP, true);
    assertThat(client.token(APP, "wrong").errcode()).isEqualTo(40164);

    sim.blockIp(APP, false);
    assertThat(client.token(APP, "wrong").errcode()).isEqualTo(40243);
  }

  @Test
  void secretRotationRejectsTheOldSecretButKeepsIssuedTokens() {
    String token = client.token(APP, SECRET).token();

    sim.registerApp(APP, "new-secret");

    assertThat(client.token(APP, SECRET).errcode()).isEqualTo(40001);
    assertThat(sim.isValid(token)).isTrue();
    assertThat(client.token(APP, "new-secret").isGrant()).isTrue();
  }

  @Test
  void dailyQuotaAnswers45009AndResetsAtBeijingMidnightNotUtcMidnight() {
    sim.close();
    // 20:00 UTC is already 04:00 of the next Beijing day; the Beijing day ends at 16:00 UTC.
    clock.set(Instant.parse("2026-03-01T20:00:00Z"));
    sim = WeChatSimulator.builder().clock(clock).app(APP, SECRET).dailyTokenQuota(3).start();
    client = new SimClient(sim);

    for (int i = 0; i < 3; i++) {
      assertThat(client.token(APP, SECRET).isGrant()).isTrue();
    }
    Answer over = client.token(APP, SECRET);
    assertThat(over.errcode()).isEqualTo(45009);
    assertThat(over.errmsg()).isEqualTo("reach max api daily quota limit");

    clock.set(Instant.parse("2026-03-02T00:00:01Z")); // past UTC midnight, same Beijing day
    assertThat(client.token(APP, SECRET).errcode()).isEqualTo(45009);

    clock.set(Instant.parse("2026-03-02T15:59:59Z"));
    assertThat(client.token(APP, SECRET).errcode()).isEqualTo(45009);

    clock.set(Instant.parse("2026-03-02T16:00:00Z")); // Beijing midnight
    assertThat(client.token(APP, SECRET).isGrant()).isTrue();
  }

  @Test
  void dailyQuotaIsPerApp() {
    sim.close();
    sim = WeChatSimulator.builder().clock(clock).app(APP, SECRET).app("wx2", "s2").dailyTokenQuota(1).start();
    client = new SimClient(sim);

    assertThat(client.token(APP, SECRET).isGrant()).isTrue();
    assertThat(client.token(APP, SECRET).errcode()).isEqualTo(45009);
    assertThat(client.token("wx2", "s2").isGrant()).isTrue();
  }

  @Test
  void rejectedCallsBeforeAuthenticationUseNoQuota() {
    sim.close();
    sim = WeChatSimulator.builder().clock(clock).app(APP, SECRET).dailyTokenQuota(1).start();
    client = new SimClient(sim);

    for (int i = 0; i < 3; i++) {
      assertThat(client.token(APP, "wrong").errcode()).isEqualTo(40001);
    }
    assertThat(client.token(APP, SECRET).isGrant()).isTrue();
  }
}
