package io.wxtoken.token;

import static io.wxtoken.token.Rig.APP;
import static io.wxtoken.token.Rig.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import io.wxtoken.simulator.WeChatSimulator.Endpoint;
import io.wxtoken.token.TokenException.Reason;
import io.wxtoken.wechat.TokenApi;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token lifecycle over simulated days: proactive refresh, riding out WeChat failures, quota.
 * Time is the shared {@code ManualClock}; only WeChat's answers take real (short) time.
 */
class LifecycleTest {
  private static final List<String> APPS = List.of("wx00000000000000c1", "wx00000000000000c2",
      "wx00000000000000c3");
  /** Retries on a test's time scale: 3 retries 10-50 ms apart; breaker 5 failures × 300 ms. */
  private static final Resilience QUICK = new Resilience(Duration.ofMillis(10),
      Duration.ofMillis(50), 3, Duration.ofSeconds(6), 5, Duration.ofMillis(300));

  @TempDir
  Path dir;

  Rig rig;

  @AfterEach
  void close() {
    if (rig != null) {
      rig.close();
    }
  }

  private Rig start(TokenApi api, Duration lifetime, Duration overlap, Resilience resilience) {
    rig = Rig.in(dir).api(api)
        .simulator(b -> {
          APPS.forEach(app -> b.app(app, SECRET));
          return b.tokenLifetime(lifetime).overlap(overlap);
        })
        .options(o -> o.withResilience(resilience))
        .start();
    return rig;
  }

  /** Runs due refreshes and waits until every flight has landed (or failed). */
  private void tick() {
    rig.service.refreshDue();
    Rig.await("flights to land", () -> rig.service.flightsInProgress() == 0);
  }

  private Map<String, Long> generations() {
    Map<String, Long> generations = new HashMap<>();
    APPS.forEach(app -> generations.put(app, rig.service.cached(app).map(AppRecord::generation).orElse(0L)));
    return generations;
  }

  /** A caller's request: must be answered at once (no waiting on WeChat) with a live token. */
  private void serveEveryAppAtOnce(String when) {
    for (String app : APPS) {
      CompletableFuture<AccessToken> answer = rig.service.get(app, SECRET);
      assertThat(answer).as("%s answered from memory %s", app, when).isCompleted();
      AccessToken token = answer.join();
      assertThat(rig.sim.isValid(token.value())).as("%s's token live %s", app, when).isTrue();
      assertThat(token.expiresAt()).isAfter(rig.clock.instant());
    }
  }

  @Test
  void aDayOfSteadyTrafficCostsOneCallPerLifetimeAndNobodyWaits() {
    Duration lifetime = Duration.ofSeconds(600);
    start(TokenApi.STABLE, lifetime, Duration.ofSeconds(60), QUICK);
    APPS.forEach(app -> rig.get(app, SECRET)); // the only fetch anyone waits for

    Instant end = rig.clock.instant().plus(Duration.ofHours(24));
    while (rig.clock.instant().isBefore(end)) {
      rig.clock.advance(Duration.ofSeconds(5));
      tick();
      serveEveryAppAtOnce("at " + rig.clock.instant());
    }

    // margin 20 s, refreshed between 20 s and 10 s before expiry: one call per 580-590 s
    long minimum = 86_400 / 590 + 1;
    for (String app : APPS) {
      assertThat(rig.sim.calls(Endpoint.STABLE_TOKEN, app)).as(app)
          .isBetween(minimum, minimum + 2);
      assertThat(rig.service.status(app).orElseThrow().lastErrorAt()).isNull();
    }
  }

  @Test
  void proactiveRefreshesOfManyAppsAreSpreadOverTheWindow() {
    rig = Rig.in(dir).simulator(b -> {
      IntStream.range(0, 1000).forEach(i -> b.app(appId(i), SECRET));
      return b;
    }).start();
    // All fetched within the same instant of the clock, 50 at a time: a burst of 1,000 new
    // connections to the simulator could time out on a loaded machine, and is not what this tests.
    for (int first = 0; first < 1000; first += 50) {
      IntStream.range(first, first + 50).mapToObj(i -> rig.service.get(appId(i), SECRET)).toList()
          .forEach(CompletableFuture::join);
    }

    Map<Long, Integer> perSecond = new HashMap<>();
    for (int i = 0; i < 1000; i++) {
      Instant next = rig.service.status(appId(i)).orElseThrow().nextRefreshAt();
      perSecond.merge(next.getEpochSecond(), 1, Integer::sum);
    }

    // 7200 s tokens: margin 240 s, refreshes spread over its first half (120 s)
    assertThat(perSecond.size()).as("distinct seconds").isGreaterThanOrEqualTo(100);
    assertThat(perSecond.values().stream().mapToInt(Integer::intValue).max().orElseThrow())
        .as("most refreshes in any one second").isLessThanOrEqualTo(25);
    Instant expiry = rig.service.cached(appId(0)).orElseThrow().token().expiresAt();
    assertThat(perSecond.keySet()).allSatisfy(second -> assertThat(second)
        .isBetween(expiry.minusSeconds(241).getEpochSecond(), expiry.minusSeconds(119).getEpochSecond()));
  }

  @Test
  void anHourOfThirtyPercentErrorsAndLatencySpikesShowsCallersNoError() {
    start(TokenApi.STABLE, Duration.ofSeconds(600), Duration.ofSeconds(60), QUICK);
    APPS.forEach(app -> rig.get(app, SECRET));
    rig.sim.faults().errorRate(0.3);
    long refreshes = 0;

    Instant end = rig.clock.instant().plus(Duration.ofHours(1));
    int step = 0;
    while (rig.clock.instant().isBefore(end)) {
      // a 2 s latency spike now and then (real time: a few, to keep the test short)
      rig.sim.faults().latency(step % 180 == 179 ? Duration.ofSeconds(2) : Duration.ZERO);
      rig.clock.advance(Duration.ofSeconds(5));
      tick();
      serveEveryAppAtOnce("at " + rig.clock.instant() + " under 30 % errors");
      step++;
    }
    for (String app : APPS) {
      refreshes += rig.service.cached(app).orElseThrow().generation() - 1;
    }

    long calls = rig.sim.calls(Endpoint.STABLE_TOKEN);
    assertThat(refreshes).as("refreshes in the hour").isGreaterThanOrEqualTo(3L * 6);
    assertThat(calls).as("retries were made and counted").isGreaterThan(refreshes + APPS.size());
    assertThat(APPS).anySatisfy(app ->
        assertThat(rig.service.status(app).orElseThrow().callsToday())
            .isGreaterThan((int) rig.service.cached(app).orElseThrow().generation()));
  }

  @Test
  void weChatDownPastExpiryGivesAClearErrorThenRecoversWithoutARestart() throws Exception {
    start(TokenApi.STABLE, Duration.ofSeconds(600), Duration.ofSeconds(60), QUICK);
    AccessToken token = rig.get(APP_OF_RIG, SECRET);
    rig.sim.faults().serverErrorRate(1.0);

    // through the refresh window: every refresh fails, the current token is still served
    while (rig.clock.instant().isBefore(token.expiresAt().minusSeconds(1))) {
      rig.clock.advance(Duration.ofSeconds(1));
      tick();
      assertThat(rig.service.get(APP_OF_RIG, SECRET)).isCompletedWithValue(token);
    }
    AppStatus failing = rig.service.status(APP_OF_RIG).orElseThrow();
    assertThat(failing.breaker()).isEqualTo("OPEN");
    assertThat(failing.lastError()).contains("paused after 5 failures in a row");
    assertThat(failing.callsToday()).as("the breaker stopped the calls").isLessThan(12);

    rig.clock.advance(Duration.ofSeconds(2)); // expired
    TokenException down = rig.refused(APP_OF_RIG, SECRET);
    assertThat(down.reason()).isEqualTo(Reason.UPSTREAM_UNAVAILABLE);
    assertThat(down.getMessage()).containsAnyOf("paused", "503");

    rig.sim.faults().reset();
    Thread.sleep(QUICK.breakerDelay().toMillis() + 100); // the breaker runs on real time
    rig.clock.advance(Duration.ofSeconds(3)); // past the failure holdoff
    AccessToken recovered = rig.get(APP_OF_RIG, SECRET);
    assertThat(recovered.value()).isNotEqualTo(token.value());
    assertThat(rig.sim.isValid(recovered.value())).isTrue();
    assertThat(rig.service.status(APP_OF_RIG).orElseThrow().breaker()).isEqualTo("CLOSED");
  }

  @Test
  void aSecretResetInWeChatStopsProactiveRefreshUntilACallerBringsTheNewOne() {
    start(TokenApi.STABLE, Duration.ofSeconds(600), Duration.ofSeconds(60), QUICK);
    AccessToken token = rig.get(APP_OF_RIG, SECRET);
    rig.sim.registerApp(APP_OF_RIG, "fedcba9876543210fedcba9876543210"); // reset in the console
    rig.clock.advance(Duration.ofSeconds(591)); // past the latest jittered refresh time

    tick();

    AppStatus stopped = rig.service.status(APP_OF_RIG).orElseThrow();
    assertThat(stopped.stoppedErrcode()).isEqualTo(40125);
    assertThat(stopped.nextRefreshAt()).isNull();
    assertThat(rig.service.get(APP_OF_RIG, SECRET)).isCompletedWithValue(token); // still valid

    rig.clock.advance(Duration.ofSeconds(60)); // expired; the secret check is available again
    AccessToken rotated = rig.get(APP_OF_RIG, "fedcba9876543210fedcba9876543210");
    assertThat(rig.sim.isValid(rotated.value())).isTrue();
    AppStatus resumed = rig.service.status(APP_OF_RIG).orElseThrow();
    assertThat(resumed.stoppedErrcode()).isNull();
    assertThat(resumed.nextRefreshAt()).isNotNull();
    assertThat(rig.refused(APP_OF_RIG, SECRET).reason()).isEqualTo(Reason.SECRET_MISMATCH);
  }

  @Test
  void anAnswerRetryingCannotFixIsNotRetriedAndStopsProactiveRefresh() {
    start(TokenApi.STABLE, Duration.ofSeconds(600), Duration.ofSeconds(60), QUICK);
    AccessToken token = rig.get(APP_OF_RIG, SECRET);
    rig.sim.faults().failNext(1, 89503, "risky call, need admin confirmation");
    rig.clock.advance(Duration.ofSeconds(591));

    tick();

    AppStatus stopped = rig.service.status(APP_OF_RIG).orElseThrow();
    assertThat(stopped.stoppedErrcode()).isEqualTo(89503);
    assertThat(stopped.lastError()).contains("89503");
    assertThat(stopped.nextRefreshAt()).isNull();
    assertThat(rig.sim.calls(Endpoint.STABLE_TOKEN, APP_OF_RIG)).as("no retries").isEqualTo(2);
    rig.clock.advance(Duration.ofSeconds(5)); // past the holdoff, still valid
    assertThat(rig.service.get(APP_OF_RIG, SECRET)).isCompletedWithValue(token);
    tick();
    assertThat(rig.sim.calls(Endpoint.STABLE_TOKEN, APP_OF_RIG)).as("callers did not re-ask")
        .isEqualTo(2);
  }

  @Test
  void quotaIsCountedPerWeChatDayPersistedAndGuarded() {
    rig = Rig.in(dir).api(TokenApi.CLASSIC)
        .options(o -> o.withDailyQuota(10))
        .simulator(b -> b.tokenLifetime(Duration.ofSeconds(60)).overlap(Duration.ofSeconds(20)))
        .start();
    rig.get();
    for (int i = 0; i < 8; i++) { // nine calls: 90 % of the day's ten
      rig.clock.advance(Duration.ofSeconds(61));
      rig.get();
    }
    assertThat(rig.service.status(APP).orElseThrow().callsToday()).isEqualTo(9);

    // a new secret is not checked any more: the rest is kept for the app's own refreshes
    TokenException guarded = rig.refused(APP, "ffffffffffffffffffffffffffffffff");
    assertThat(guarded.reason()).isEqualTo(Reason.QUOTA_EXHAUSTED);
    assertThat(rig.calls(APP)).isEqualTo(9);

    rig.clock.advance(Duration.ofSeconds(61));
    rig.get(); // the tenth: essential, allowed
    rig.restart();
    rig.get(); // the stored token: no call
    rig.clock.advance(Duration.ofSeconds(61));
    TokenException exhausted = rig.refused();
    assertThat(exhausted.reason()).isEqualTo(Reason.QUOTA_EXHAUSTED);
    assertThat(exhausted.getMessage()).contains("10/10").contains("midnight Beijing time");
    assertThat(rig.calls(APP)).as("the count survived the restart").isEqualTo(10);

    // Rig.START is 10:00 in Beijing; the WeChat day ends at 16:00 UTC
    rig.clock.set(Instant.parse("2026-03-01T16:00:05Z"));
    rig.clock.advance(Duration.ofSeconds(3));
    assertThat(rig.get().value()).isNotBlank();
    assertThat(rig.service.status(APP).orElseThrow().callsToday()).isEqualTo(1);
  }

  private static final String APP_OF_RIG = APPS.get(0);

  private static String appId(int i) {
    return String.format("wx%016x", 0x5000 + i);
  }
}
