package io.wxtoken.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxtoken.simulator.SimClient.Answer;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Lifecycle, counters, validity probe and concurrency of the simulator as a whole. */
class WeChatSimulatorTest {

  private static final String APP = "wx0000000000000004";
  private static final String SECRET = "secret-4";

  private final ManualClock clock = ManualClock.startingAt("2026-03-01T02:00:00Z");

  private WeChatSimulator start() {
    return WeChatSimulator.builder().clock(clock).app(APP, SECRET).start();
  }

  @Test
  void baseUrlIsLoopbackWithTheEphemeralPortAndNoTrailingSlash() {
    try (WeChatSimulator sim = start()) {
      assertThat(sim.port()).isPositive();
      assertThat(sim.baseUrl().toString()).isEqualTo("http://127.0.0.1:" + sim.port());
    }
  }

  @Test
  void closeStopsServing() {
    WeChatSimulator sim = start();
    SimClient client = new SimClient(sim);
    assertThat(client.token(APP, SECRET).isGrant()).isTrue();

    sim.close();

    assertThatThrownBy(() -> client.token(APP, SECRET))
        .isInstanceOf(UncheckedIOException.class)
        .hasCauseInstanceOf(ConnectException.class);
  }

  @Test
  void closeEndsRequestsStillHangingInAFault() {
    WeChatSimulator sim = start();
    SimClient client = new SimClient(sim);
    sim.faults().timeoutRate(1.0).hang(Duration.ofSeconds(30));
    CompletableFuture<Answer> hanging = client.sendAsync(client.request(
        "/cgi-bin/token?grant_type=client_credential&appid=" + APP + "&secret=" + SECRET).GET().build());
    waitUntil(() -> sim.calls(WeChatSimulator.Endpoint.TOKEN) == 1);

    long start = System.nanoTime();
    sim.close();

    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(3000);
    assertThat(hanging).failsWithin(Duration.ofSeconds(3));
  }

  @Test
  void servesOnDaemonThreadsNamedWechatSim() {
    try (WeChatSimulator sim = start()) {
      new SimClient(sim).token(APP, SECRET);

      assertThat(Thread.getAllStackTraces().keySet())
          .filteredOn(t -> t.getName().startsWith("wechat-sim-"))
          .isNotEmpty()
          .allMatch(Thread::isDaemon);
    }
  }

  @Test
  void refusesToBindAnythingButLoopback() {
    assertThatThrownBy(() -> WeChatSimulator.builder().host("0.0.0.0"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WeChatSimulator.builder().host("192.0.2.10"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(WeChatSimulator.builder().host("127.0.0.1")).isNotNull();
  }

  @Test
  void startFailsWithUncheckedIoExceptionWhenThePortIsTaken() {
    try (WeChatSimulator first = start()) {
      assertThatThrownBy(() -> WeChatSimulator.builder().port(first.port()).start())
          .isInstanceOf(UncheckedIOException.class);
    }
  }

  @Test
  void inconsistentSettingsAreRejected() {
    assertThatThrownBy(() -> WeChatSimulator.builder()
        .tokenLifetime(Duration.ofSeconds(300)).overlap(Duration.ofSeconds(300)).start())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WeChatSimulator.builder().dailyTokenQuota(-1).start())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WeChatSimulator.builder().port(70_000))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void switchesOnAnUnknownAppAreRejected() {
    try (WeChatSimulator sim = start()) {
      assertThatThrownBy(() -> sim.freezeSecret("wxnobody", true)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> sim.blockIp("wxnobody", true)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void validityProbeAnswers41001WhenTheTokenIsMissingAnd40001WhenNeverIssued() {
    try (WeChatSimulator sim = start()) {
      SimClient client = new SimClient(sim);

      Answer missing = client.get("/cgi-bin/getcallbackip");
      assertThat(missing.errcode()).isEqualTo(41001);
      assertThat(missing.errmsg()).isEqualTo("access_token missing");

      Answer unknown = client.callbackIp("x".repeat(136));
      assertThat(unknown.errcode()).isEqualTo(40001);
      assertThat(sim.isValid("x".repeat(136))).isFalse();
      assertThat(sim.isValid(null)).isFalse();
    }
  }

  @Test
  void countersCountEveryCallPerEndpointAndApp() {
    try (WeChatSimulator sim = start()) {
      SimClient client = new SimClient(sim);
      String classic = client.token(APP, SECRET).token();
      client.token(APP, "wrong");
      client.token("wxnobody", "x");
      client.stable(APP, SECRET, false);
      client.stable(APP, SECRET, false);
      client.get("/cgi-bin/stable_token");
      client.callbackIp(classic);
      client.callbackIp("unknown");

      assertThat(sim.calls(WeChatSimulator.Endpoint.TOKEN)).isEqualTo(3);
      assertThat(sim.calls(WeChatSimulator.Endpoint.TOKEN, APP)).isEqualTo(2);
      assertThat(sim.calls(WeChatSimulator.Endpoint.TOKEN, "wxnobody")).isZero();
      assertThat(sim.calls(WeChatSimulator.Endpoint.STABLE_TOKEN)).isEqualTo(3);
      assertThat(sim.calls(WeChatSimulator.Endpoint.STABLE_TOKEN, APP)).isEqualTo(2);
      assertThat(sim.calls(WeChatSimulator.Endpoint.CALLBACK_IP)).isEqualTo(2);
      assertThat(sim.calls(WeChatSimulator.Endpoint.CALLBACK_IP, APP)).isEqualTo(1);
      assertThat(sim.tokensIssued(APP)).as("one classic and one stable").isEqualTo(2);
    }
  }

  @Test
  void resetCountersZeroesCountsButNotQuotas() {
    try (WeChatSimulator sim = WeChatSimulator.builder().clock(clock).app(APP, SECRET).dailyTokenQuota(1).start()) {
      SimClient client = new SimClient(sim);
      client.token(APP, SECRET);
      client.callbackIp("unknown");

      sim.resetCounters();

      for (WeChatSimulator.Endpoint e : WeChatSimulator.Endpoint.values()) {
        assertThat(sim.calls(e)).isZero();
        assertThat(sim.calls(e, APP)).isZero();
      }
      assertThat(sim.tokensIssued(APP)).isZero();
      assertThat(client.token(APP, SECRET).errcode()).isEqualTo(45009);
    }
  }

  @Test
  void concurrentClassicCallsEachGetAUniqueTokenAndOnlyTheLastSurvivesTheOverlap() {
    try (WeChatSimulator sim = start()) {
      SimClient client = new SimClient(sim);
      List<CompletableFuture<Answer>> calls = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        calls.add(client.sendAsync(client.request("/cgi-bin/token?grant_type=client_credential&appid="
            + APP + "&secret=" + SECRET).GET().build()));
      }
      Set<String> tokens = new HashSet<>();
      calls.forEach(c -> tokens.add(c.join().token()));

      assertThat(tokens).hasSize(200).doesNotContainNull();
      assertThat(sim.tokensIssued(APP)).isEqualTo(200);
      assertThat(sim.calls(WeChatSimulator.Endpoint.TOKEN, APP)).isEqualTo(200);

      clock.advance(Duration.ofSeconds(300));
      assertThat(tokens).filteredOn(sim::isValid).hasSize(1);
    }
  }

  @Test
  void concurrentStableCallsInNormalModeShareOneToken() {
    try (WeChatSimulator sim = start()) {
      SimClient client = new SimClient(sim);
      String body = "{\"grant_type\":\"client_credential\",\"appid\":\"" + APP + "\",\"secret\":\"" + SECRET + "\"}";
      List<CompletableFuture<Answer>> calls = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        calls.add(client.sendAsync(client.request("/cgi-bin/stable_token")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build()));
      }
      Set<String> tokens = new HashSet<>();
      calls.forEach(c -> tokens.add(c.join().token()));

      assertThat(tokens).hasSize(1).doesNotContainNull();
      assertThat(sim.tokensIssued(APP)).isEqualTo(1);
    }
  }

  @Test
  void manyAppsCanBeRegisteredWhileServing() {
    try (WeChatSimulator sim = start()) {
      SimClient client = new SimClient(sim);
      for (int i = 0; i < 50; i++) {
        sim.registerApp("wxmany" + i, "s" + i);
      }
      for (int i = 0; i < 50; i++) {
        assertThat(client.token("wxmany" + i, "s" + i).isGrant()).isTrue();
      }
    }
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 5 s");
      }
      Thread.onSpinWait();
    }
  }
}
