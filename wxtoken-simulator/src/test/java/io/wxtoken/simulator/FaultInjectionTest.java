package io.wxtoken.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.wxtoken.simulator.SimClient.Answer;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Fault injection on the two token endpoints, over real HTTP. */
class FaultInjectionTest {

  private static final String APP = "wx0000000000000003";
  private static final String SECRET = "secret-3";

  private static final Instant START = Instant.parse("2026-03-01T02:00:00Z");

  private final ManualClock clock = new ManualClock(START);
  private final WeChatSimulator sim = WeChatSimulator.builder().clock(clock).app(APP, SECRET).start();
  private final SimClient client = new SimClient(sim);

  @AfterEach
  void stop() {
    sim.close();
  }

  @Test
  void errorRateOneAnswersSystemErrorOnBothTokenEndpoints() {
    sim.faults().errorRate(1.0);

    for (Answer answer : new Answer[] {client.token(APP, SECRET), client.stable(APP, SECRET, false)}) {
      assertThat(answer.status()).isEqualTo(200);
      assertThat(answer.errcode()).isEqualTo(-1);
      assertThat(answer.errmsg()).isEqualTo("system error");
    }
    assertThat(sim.tokensIssued(APP)).as("a faulted call reaches no token logic").isZero();
  }

  @Test
  void serverErrorRateAnswersHttp503WithHtml() {
    sim.faults().serverErrorRate(1.0);

    Answer answer = client.token(APP, SECRET);

    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.contentType()).startsWith("text/html");
    assertThat(answer.body()).contains("503 Service Unavailable");
    assertThat(answer.json()).isNull();
  }

  @Test
  void malformedRateAnswers200WithABodyThatIsNotJson() {
    sim.faults().malformedRate(1.0);

    Answer answer = client.stable(APP, SECRET, false);

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body()).isNotEmpty();
    assertThatThrownBy(() -> SimClient.MAPPER.readTree(answer.body()))
        .isInstanceOf(JsonProcessingException.class);
  }

  @Test
  void latencyDelaysEveryTokenCallInRealTime() {
    sim.faults().latency(Duration.ofMillis(300));

    long start = System.nanoTime();
    Answer answer = client.token(APP, SECRET);
    long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

    assertThat(answer.isGrant()).isTrue();
    assertThat(elapsedMillis).isGreaterThanOrEqualTo(300);
    assertThat(clock.instant()).as("protocol time does not move").isEqualTo(START);
  }

  @Test
  void timeoutHangsPastTheClientTimeout() {
    sim.faults().timeoutRate(1.0).hang(Duration.ofSeconds(2));
    HttpRequest request = client.request("/cgi-bin/token?grant_type=client_credential&appid=" + APP
        + "&secret=" + SECRET).timeout(Duration.ofMillis(200)).GET().build();

    long start = System.nanoTime();
    assertThatThrownBy(() -> client.sendRaw(request)).isInstanceOf(HttpTimeoutException.class);
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1500);

    sim.faults().reset();
    assertThat(client.token(APP, SECRET).isGrant()).isTrue();
  }

  @Test
  void timeoutDropsTheConnectionWithoutAnAnswerAfterTheHang() {
    sim.faults().timeoutRate(1.0).hang(Duration.ofMillis(100));
    HttpRequest request = client.request("/cgi-bin/stable_token").timeout(Duration.ofSeconds(5))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build();

    assertThatThrownBy(() -> client.sendRaw(request))
        .isInstanceOf(IOException.class)
        .isNotInstanceOf(HttpTimeoutException.class);
  }

  @Test
  void failNextAnswersTheGivenErrorForExactlyCountCalls() {
    sim.faults().failNext(2, 45009, "reach max api daily quota limit");

    Answer first = client.token(APP, SECRET);
    Answer second = client.stable(APP, SECRET, false);
    Answer third = client.token(APP, SECRET);

    assertThat(first.errcode()).isEqualTo(45009);
    assertThat(first.errmsg()).isEqualTo("reach max api daily quota limit");
    assertThat(second.errcode()).isEqualTo(45009);
    assertThat(third.isGrant()).isTrue();
  }

  @Test
  void faultsNeverApplyToGetCallbackIp() {
    String token = client.token(APP, SECRET).token();
    sim.faults().errorRate(1.0).serverErrorRate(1.0).malformedRate(1.0).failNext(5, -1, "system error");

    Answer answer = client.callbackIp(token);

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().path("ip_list").get(0).asText()).isEqualTo("127.0.0.1");
  }

  @Test
  void faultedCallsAreCountedButMintNothing() {
    sim.faults().serverErrorRate(1.0);
    client.token(APP, SECRET);
    client.stable(APP, SECRET, true);

    assertThat(sim.calls(WeChatSimulator.Endpoint.TOKEN, APP)).isEqualTo(1);
    assertThat(sim.calls(WeChatSimulator.Endpoint.STABLE_TOKEN, APP)).isEqualTo(1);
    assertThat(sim.tokensIssued(APP)).isZero();
  }

  @Test
  void sameSeedGivesTheSameAnswersOverHttp() {
    assertThat(errcodes(99)).isEqualTo(errcodes(99)).contains(0, -1);
  }

  private static List<Integer> errcodes(long seed) {
    try (WeChatSimulator other = WeChatSimulator.builder().app(APP, SECRET).seed(seed).start()) {
      other.faults().errorRate(0.5);
      SimClient c = new SimClient(other);
      List<Integer> codes = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        codes.add(c.token(APP, SECRET).errcode());
      }
      return codes;
    }
  }
}
