package io.wxtoken.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxtoken.simulator.WeComSimClient.Answer;
import io.wxtoken.simulator.WeComSimulator.Endpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code GET /cgi-bin/gettoken} and the 301002 probe, over real HTTP. */
class WeComTokenTest {

  private static final String CORP = "ww00000000000000a1";
  private static final String APP_SECRET = "app-secret-1000002";
  private static final String OTHER_APP_SECRET = "app-secret-1000003";
  private static final String CONTACTS_SECRET = "contacts-sync-secret";
  private static final String OTHER_CORP = "ww00000000000000b2";
  private static final String OTHER_CORP_SECRET = "other-corp-secret";

  private final ManualClock clock = ManualClock.startingAt("2026-03-01T02:00:00Z");
  private final WeComSimulator sim = WeComSimulator.builder().clock(clock)
      .app(CORP, 1000002, APP_SECRET)
      .app(CORP, 1000003, OTHER_APP_SECRET)
      .secret(CORP, CONTACTS_SECRET)
      .app(OTHER_CORP, 1000002, OTHER_CORP_SECRET)
      .start();
  private final WeComSimClient client = new WeComSimClient(sim);

  @AfterEach
  void stop() {
    sim.close();
  }

  @Test
  void answersATokenInWeComsShape() {
    Answer answer = client.gettoken(CORP, APP_SECRET);

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.errcode()).isZero();
    assertThat(answer.errmsg()).isEqualTo("ok");
    assertThat(answer.token()).hasSize(214).matches("[A-Za-z0-9_-]+");
    assertThat(answer.expiresIn()).isEqualTo(7200);
    assertThat(answer.json().size()).isEqualTo(4);
    assertThat(sim.isValid(answer.token())).isTrue();
    assertThat(sim.tokensIssued(CORP)).isEqualTo(1);
    assertThat(sim.calls(Endpoint.GETTOKEN, CORP)).isEqualTo(1);
    assertThat(sim.calls(Endpoint.GETTOKEN)).isEqualTo(1);
  }

  @Test
  void handsOutTheSameTokenWhileItIsValidWithTheSecondsItHasLeft() {
    String first = client.gettoken(CORP, APP_SECRET).token();

    clock.advance(Duration.ofSeconds(1000));
    Answer again = client.gettoken(CORP, APP_SECRET);

    assertThat(again.token()).isEqualTo(first);
    assertThat(again.expiresIn()).isEqualTo(6200);
    assertThat(sim.tokensIssued(CORP)).isEqualTo(1);
    assertThat(sim.calls(Endpoint.GETTOKEN, CORP)).isEqualTo(2);
  }

  @Test
  void mintsANewTokenOnceTheOldOneExpired() {
    String first = client.gettoken(CORP, APP_SECRET).token();

    clock.advance(Duration.ofSeconds(7200));
    Answer next = client.gettoken(CORP, APP_SECRET);

    assertThat(next.token()).isNotEqualTo(first);
    assertThat(next.expiresIn()).isEqualTo(7200);
    assertThat(sim.isValid(first)).isFalse();
    assertThat(client.agent(first, "1000002").errcode()).isEqualTo(42001);
    assertThat(sim.tokensIssued(CORP)).isEqualTo(2);
  }

  @Test
  void aTokenWithLessThanASecondLeftIsReplacedRatherThanHandedOutWithZeroSeconds() {
    String first = client.gettoken(CORP, APP_SECRET).token();

    clock.advance(Duration.ofMillis(7_199_500));
    Answer next = client.gettoken(CORP, APP_SECRET);

    assertThat(next.token()).isNotEqualTo(first);
    assertThat(next.expiresIn()).isEqualTo(7200);
  }

  @Test
  void concurrentFirstCallsForOneSecretAllGetTheOneTokenMinted() throws Exception {
    ExecutorService callers = Executors.newFixedThreadPool(16);
    try {
      List<Future<String>> tokens = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        tokens.add(callers.submit(() -> client.gettoken(CORP, APP_SECRET).token()));
      }
      Set<String> distinct = new HashSet<>();
      for (Future<String> token : tokens) {
        distinct.add(token.get(30, TimeUnit.SECONDS));
      }

      assertThat(distinct).hasSize(1).doesNotContainNull();
      assertThat(sim.tokensIssued(CORP)).isEqualTo(1);
      assertThat(sim.calls(Endpoint.GETTOKEN, CORP)).isEqualTo(64);
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void everySecretOfACorpHasATokenOfItsOwn() {
    String app = client.gettoken(CORP, APP_SECRET).token();
    String otherApp = client.gettoken(CORP, OTHER_APP_SECRET).token();
    String contacts = client.gettoken(CORP, CONTACTS_SECRET).token();

    assertThat(app).isNotEqualTo(otherApp).isNotEqualTo(contacts);
    assertThat(otherApp).isNotEqualTo(contacts);
    assertThat(sim.tokensIssued(CORP)).isEqualTo(3);
    assertThat(client.gettoken(CORP, APP_SECRET).token()).isEqualTo(app);
  }

  @Test
  void anEarlyInvalidationAnswers40014AndTheNextFetchGetsANewToken() {
    String first = client.gettoken(CORP, APP_SECRET).token();
    clock.advance(Duration.ofSeconds(600));

    assertThat(sim.invalidate(first)).isTrue();

    assertThat(sim.isValid(first)).isFalse();
    Answer refused = client.agent(first, "1000002");
    assertThat(refused.errcode()).isEqualTo(40014);
    assertThat(refused.errmsg()).startsWith("invalid access_token, hint: [");
    Answer next = client.gettoken(CORP, APP_SECRET);
    assertThat(next.token()).isNotEqualTo(first);
    assertThat(next.expiresIn()).isEqualTo(7200);
    assertThat(sim.invalidate("never-issued")).isFalse();
  }

  @Test
  void missingParametersAnswer41002And41004() {
    assertThat(client.get("/cgi-bin/gettoken?corpsecret=x").errcode()).isEqualTo(41002);
    assertThat(client.get("/cgi-bin/gettoken?corpid=&corpsecret=x").errcode()).isEqualTo(41002);
    assertThat(client.get("/cgi-bin/gettoken?corpid=" + CORP).errcode()).isEqualTo(41004);
    assertThat(client.gettoken(CORP, " ").errcode()).isEqualTo(41004);
    assertThat(sim.tokensIssued(CORP)).isZero();
  }

  @Test
  void anUnknownCorpAnswers40013AndAWrongOrForeignSecret40001() {
    assertThat(client.gettoken("ww-unknown", APP_SECRET).errcode()).isEqualTo(40013);
    assertThat(client.gettoken(CORP, APP_SECRET + "x").errcode()).isEqualTo(40001);
    assertThat(client.gettoken(CORP, OTHER_CORP_SECRET).errcode())
        .as("a secret of another corp").isEqualTo(40001);
    assertThat(client.gettoken(OTHER_CORP, APP_SECRET).errcode()).isEqualTo(40001);
    assertThat(sim.tokensIssued(CORP)).isZero();
    assertThat(sim.tokensIssued(OTHER_CORP)).isZero();
  }

  @Test
  void errorsCarryWeComsHintAndTheCallersAddress() {
    Answer answer = client.gettoken(CORP, "wrong");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().size()).isEqualTo(2);
    assertThat(answer.errmsg()).matches("invalid credential, hint: \\[[0-9_]+\\], from ip: 127\\.0\\.0\\.1,"
        + " more info at https://open\\.work\\.weixin\\.qq\\.com/devtool/query\\?e=40001");
  }

  @Test
  void aTokenUsedForAnotherAppAnswers301002() {
    String app = client.gettoken(CORP, APP_SECRET).token();
    String contacts = client.gettoken(CORP, CONTACTS_SECRET).token();

    Answer own = client.agent(app, "1000002");
    assertThat(own.errcode()).isZero();
    assertThat(own.json().path("agentid").asLong()).isEqualTo(1000002);
    assertThat(client.agent(app, "1000003").errcode()).isEqualTo(301002);
    assertThat(client.agent(contacts, "1000002").errcode())
        .as("the contacts-sync secret is no app's").isEqualTo(301002);
    assertThat(client.agent(app, "12ab").errcode()).isEqualTo(40056);
    assertThat(client.agent("", "1000002").errcode()).isEqualTo(41001);
    assertThat(sim.calls(Endpoint.AGENT_GET, CORP)).isEqualTo(4);
  }

  @Test
  void injectedFaultsAnswerGettokenWithoutMintingAndNeverTheProbe() {
    String token = client.gettoken(CORP, APP_SECRET).token();
    clock.advance(Duration.ofSeconds(7200));

    sim.faults().failNext(1, 45033, "api concurrent out of limit");
    assertThat(client.gettoken(CORP, APP_SECRET).errcode()).isEqualTo(45033);
    sim.faults().errorRate(1.0);
    assertThat(client.gettoken(CORP, APP_SECRET).errcode()).isEqualTo(-1);
    assertThat(client.agent(token, "1000002").errcode()).as("the probe is never faulted")
        .isEqualTo(42001);
    sim.faults().reset().malformedRate(1.0);
    Answer malformed = client.gettoken(CORP, APP_SECRET);
    assertThat(malformed.status()).isEqualTo(200);
    assertThat(malformed.json()).isNull();
    sim.faults().reset().serverErrorRate(1.0);
    assertThat(client.gettoken(CORP, APP_SECRET).status()).isEqualTo(503);

    assertThat(sim.tokensIssued(CORP)).isEqualTo(1);
    assertThat(sim.calls(Endpoint.GETTOKEN, CORP)).isEqualTo(5);
    sim.faults().reset();
    assertThat(client.gettoken(CORP, APP_SECRET).token()).isNotEqualTo(token);
  }

  @Test
  void servesOnlyWeComsPaths() {
    Answer wechat = client.get("/cgi-bin/token?grant_type=client_credential&appid=a&secret=b");
    assertThat(wechat.status()).isEqualTo(404);
    assertThat(client.get("/cgi-bin/gettokenX?corpid=" + CORP).status()).isEqualTo(404);
  }

  @Test
  void resetCountersZeroesCallsAndMintsButKeepsTokens() {
    String token = client.gettoken(CORP, APP_SECRET).token();

    sim.resetCounters();

    assertThat(sim.calls(Endpoint.GETTOKEN)).isZero();
    assertThat(sim.calls(Endpoint.GETTOKEN, CORP)).isZero();
    assertThat(sim.tokensIssued(CORP)).isZero();
    assertThat(client.gettoken(CORP, APP_SECRET).token()).isEqualTo(token);
  }
}
