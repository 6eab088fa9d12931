package io.wxtoken.token;

import static io.wxtoken.token.Rig.APP;
import static io.wxtoken.token.Rig.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import io.wxtoken.simulator.WeChatSimulator;
import io.wxtoken.token.TokenException.Reason;
import io.wxtoken.wechat.TokenApi;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The token engine against the WeChat simulator over loopback HTTP, with a real H2 store and one
 * manual clock for both sides. Every count below is what WeChat (the simulator) actually received.
 */
class TokenServiceTest {
  private static final String WRONG = "ffffffffffffffffffffffffffffffff";
  private static final String WRONG_2 = "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";
  private static final String WRONG_3 = "dddddddddddddddddddddddddddddddd";
  private static final String NEW_SECRET = "abcdefabcdefabcdefabcdefabcdef00";
  private static final Duration HOLDOFF = TokenService.Options.defaults(TokenApi.STABLE).failureHoldoff();
  private static final Duration CHECK_INTERVAL = TokenService.Options.defaults(TokenApi.STABLE).secretCheckInterval();

  @TempDir
  Path dir;

  private Rig rig;

  @AfterEach
  void stop() {
    if (rig != null) {
      rig.close();
    }
  }

  private Rig start(Rig.Builder builder) {
    rig = builder.start();
    return rig;
  }

  private Rig start(TokenApi api) {
    return start(Rig.in(dir).api(api));
  }

  private static int invalidSecretErrcode(TokenApi api) {
    return api == TokenApi.STABLE ? 40125 : 40001;
  }

  // ---------------------------------------------------------------- serving

  @ParameterizedTest
  @EnumSource(TokenApi.class)
  void coldFetchReturnsWeChatsTokenExpiringAtSendTimePlusExpiresIn(TokenApi api) throws Exception {
    start(api);
    rig.clock.advance(Duration.ofMillis(1234));
    Instant sentAt = rig.clock.instant();
    rig.sim.faults().latency(Duration.ofMillis(200));

    CompletableFuture<AccessToken> pending = rig.service.get(APP, SECRET);
    Rig.await("WeChat to receive the request", () -> rig.calls(APP) == 1);
    rig.clock.advance(Duration.ofSeconds(10)); // the answer comes "later": expiry counts from sending
    AccessToken token = pending.get(10, TimeUnit.SECONDS);

    assertThat(rig.sim.isValid(token.value())).isTrue();
    assertThat(token.fetchedAt()).isEqualTo(sentAt);
    assertThat(token.expiresAt()).isEqualTo(sentAt.plusSeconds(7200));
    assertThat(rig.service.cached(APP)).hasValueSatisfying(r -> {
      assertThat(r.token()).isEqualTo(token);
      assertThat(r.generation()).isEqualTo(1);
      assertThat(r.verifier().matches(rig.hasher.hash(APP, SECRET))).isTrue();
    });

    rig.sim.faults().latency(Duration.ZERO);
    assertThat(rig.service.get(APP, SECRET)).as("a hit").isCompletedWithValue(token);
    assertThat(rig.calls(APP)).isEqualTo(1);
  }

  @Test
  void servesEachAppItsOwnToken() {
    start(Rig.in(dir).simulator(b -> b.app("wx00000000000000b2", "secret-of-b")));

    AccessToken a = rig.get(APP, SECRET);
    AccessToken b = rig.get("wx00000000000000b2", "secret-of-b");

    assertThat(a.value()).isNotEqualTo(b.value());
    assertThat(rig.get(APP, SECRET)).isEqualTo(a);
    assertThat(rig.get("wx00000000000000b2", "secret-of-b")).isEqualTo(b);
    assertThat(rig.calls(APP)).isEqualTo(1);
    assertThat(rig.calls("wx00000000000000b2")).isEqualTo(1);
  }

  @Test
  void refreshesOnceUnderConcurrentMisses() throws Exception {
    start(TokenApi.STABLE);
    rig.sim.faults().latency(Duration.ofMillis(200));
    AtomicInteger answeredAtOnce = new AtomicInteger();

    List<CompletableFuture<AccessToken>> results = concurrently(1000, i -> {
      CompletableFuture<AccessToken> f = rig.service.get(APP, SECRET);
      if (f.isDone()) {
        answeredAtOnce.incrementAndGet();
      }
      return f;
    });
    CompletableFuture.allOf(results.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);

    assertThat(answeredAtOnce.get()).as("requests that did not overlap the fetch").isLessThan(100);
    assertThat(results.stream().map(CompletableFuture::join).collect(Collectors.toSet())).hasSize(1);
    assertThat(rig.calls(APP)).isEqualTo(1);
    assertThat(rig.sim.tokensIssued(APP)).isEqualTo(1);
  }

  @Test
  void makesOneUpstreamCallPerAppWhenHundredAppsMissAtOnce() throws Exception {
    int apps = 100;
    start(Rig.in(dir).simulator(b -> {
      for (int i = 0; i < apps; i++) {
        b.app(appId(i), "secret-" + i);
      }
      return b;
    }));
    rig.sim.faults().latency(Duration.ofMillis(100));

    List<CompletableFuture<AccessToken>> results =
        concurrently(apps * 10, i -> rig.service.get(appId(i % apps), "secret-" + (i % apps)));
    CompletableFuture.allOf(results.toArray(new CompletableFuture<?>[0])).get(20, TimeUnit.SECONDS);

    assertThat(rig.calls()).isEqualTo(apps);
    Set<String> values = new HashSet<>();
    for (int app = 0; app < apps; app++) {
      assertThat(rig.calls(appId(app))).as("calls for %s", appId(app)).isEqualTo(1);
      Set<String> perApp = new HashSet<>();
      for (int i = app; i < results.size(); i += apps) {
        perApp.add(results.get(i).join().value());
      }
      assertThat(perApp).as("tokens handed out for %s", appId(app)).hasSize(1);
      values.addAll(perApp);
    }
    assertThat(values).as("distinct tokens across apps").hasSize(apps);
  }

  private static String appId(int i) {
    return String.format("wx%016d", i);
  }

  @Test
  void handsOutANewTokenOnlyAfterTheStoreHasIt() throws Exception {
    start(Rig.in(dir).store(FaultyStore::new));
    FaultyStore store = (FaultyStore) rig.store;
    store.saveGate = new CountDownLatch(1);

    CompletableFuture<AccessToken> first = rig.service.get(APP, SECRET);
    assertThat(store.saveEntered.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<AccessToken> second = rig.service.get(APP, SECRET);

    assertThat(rig.calls(APP)).isEqualTo(1);
    assertThat(first).as("visible before durable").isNotDone();
    assertThat(second).as("visible before durable").isNotDone();
    assertThat(rig.service.cached(APP)).isEmpty();

    store.saveGate.countDown();
    AccessToken token = first.get(10, TimeUnit.SECONDS);
    assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(token);
    assertThat(rig.h2.load(APP)).hasValueSatisfying(r -> assertThat(r.token()).isEqualTo(token));
    assertThat(rig.calls(APP)).isEqualTo(1);
  }

  @Test
  void keepsServingWhenTheStoreCannotSave() {
    start(Rig.in(dir).store(FaultyStore::new));
    FaultyStore store = (FaultyStore) rig.store;
    store.failSaves = true;

    AccessToken token = rig.get();

    assertThat(rig.sim.isValid(token.value())).isTrue();
    assertThat(store.saves).hasValue(1);
    assertThat(rig.h2.load(APP)).isEmpty();
    assertThat(rig.service.get(APP, SECRET)).as("served from memory").isCompletedWithValue(token);
    assertThat(rig.calls(APP)).isEqualTo(1);
  }

  @Test
  void asksWeChatWhenTheStoreCannotLoad() {
    start(Rig.in(dir).store(FaultyStore::new));
    FaultyStore store = (FaultyStore) rig.store;
    store.failLoads = true;

    AccessToken token = rig.get();

    assertThat(rig.sim.isValid(token.value())).isTrue();
    assertThat(store.loads.get()).isPositive();
    assertThat(rig.h2.load(APP)).hasValueSatisfying(r -> assertThat(r.token()).isEqualTo(token));
    assertThat(rig.calls(APP)).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(TokenApi.class)
  void servesTheStoredTokenAfterARestartWithoutAskingWeChat(TokenApi api) {
    start(api);
    AccessToken before = rig.get();

    rig.restart();
    assertThat(rig.service.cached(APP)).as("a new engine starts empty").isEmpty();
    rig.clock.advance(Duration.ofMinutes(30));
    AccessToken after = rig.get();

    assertThat(after).isEqualTo(before);
    assertThat(rig.sim.isValid(after.value())).isTrue();
    assertThat(rig.calls(APP)).isEqualTo(1);
  }

  @Test
  void refusesAWrongSecretAfterARestart() {
    start(TokenApi.STABLE);
    AccessToken before = rig.get();
    rig.restart();

    TokenException e = rig.refused(APP, WRONG);

    assertThat(e.reason()).isEqualTo(Reason.SECRET_REJECTED);
    assertThat(e.errcode()).isEqualTo(40125);
    assertThat(rig.calls(APP)).as("the new engine checks the unknown secret once").isEqualTo(2);
    assertThat(rig.refused(APP, WRONG_2).reason()).isEqualTo(Reason.SECRET_MISMATCH);
    assertThat(rig.get()).isEqualTo(before);
    assertThat(rig.calls(APP)).isEqualTo(2);
    assertThat(rig.h2.load(APP)).hasValueSatisfying(r -> {
      assertThat(r.token()).isEqualTo(before);
      assertThat(r.verifier().matches(rig.hasher.hash(APP, SECRET))).isTrue();
    });
  }

  @Test
  void continuesTheGenerationsAfterARestart() {
    start(TokenApi.CLASSIC);
    AccessToken before = rig.get();
    rig.restart();
    rig.clock.set(before.expiresAt());

    AccessToken after = rig.get();

    assertThat(after.value()).isNotEqualTo(before.value());
    assertThat(rig.h2.load(APP)).hasValueSatisfying(r -> {
      assertThat(r.token()).isEqualTo(after);
      assertThat(r.generation()).isEqualTo(2);
    });
    assertThat(rig.calls(APP)).isEqualTo(2);
  }

  // ---------------------------------------------------------------- refresh

  @ParameterizedTest
  @EnumSource(TokenApi.class)
  void servesTheCurrentTokenWhileOneBackgroundRefreshRuns(TokenApi api) throws Exception {
    Duration overlap = Duration.ofSeconds(60);
    start(Rig.in(dir).api(api)
        .simulator(b -> b.tokenLifetime(Duration.ofSeconds(600)).overlap(overlap)));
    AccessToken first = rig.get();
    Duration margin = rig.margin(first);
    assertThat(margin).isEqualTo(Duration.ofSeconds(20)).isLessThan(overlap);

    rig.clock.set(first.expiresAt().minus(margin).plusSeconds(1));
    Instant refreshSentAt = rig.clock.instant();
    rig.sim.faults().latency(Duration.ofMillis(300));
    CompletableFuture<AccessToken> inWindow = rig.service.get(APP, SECRET);
    assertThat(inWindow).as("served at once, not after the refresh").isCompletedWithValue(first);
    for (int i = 0; i < 50; i++) {
      assertThat(rig.service.get(APP, SECRET)).isCompletedWithValue(first);
    }

    AppRecord refreshed = rig.awaitCached(APP, r -> !r.token().equals(first));
    rig.sim.faults().latency(Duration.ZERO);
    assertThat(rig.calls(APP)).as("one background refresh").isEqualTo(2);
    AccessToken second = refreshed.token();
    assertThat(second.value()).isNotEqualTo(first.value());
    assertThat(second.fetchedAt()).isEqualTo(refreshSentAt);
    assertThat(second.expiresAt()).isEqualTo(refreshSentAt.plusSeconds(600));
    assertThat(refreshed.generation()).isEqualTo(2);
    assertThat(rig.service.get(APP, SECRET)).isCompletedWithValue(second);
    assertThat(rig.sim.isValid(first.value())).isTrue();
    assertThat(rig.sim.isValid(second.value())).isTrue();

    rig.clock.set(first.expiresAt());
    assertThat(rig.sim.isValid(first.value())).isFalse();
    assertThat(rig.service.get(APP, SECRET)).isCompletedWithValue(second);
    assertThat(rig.calls(APP)).isEqualTo(2);
  }

  @Test
  void doesNotRefreshBeforeTheWindowOpens() throws Exception {
    start(TokenApi.STABLE);
    AccessToken first = rig.get();

    rig.clock.set(rig.refreshAt(first).minusMillis(1));
    assertThat(rig.service.get(APP, SECRET)).isCompletedWithValue(first);
    Thread.sleep(150); // a refresh, if one had started, would reach WeChat well within this
    assertThat(rig.calls(APP)).isEqualTo(1);

    rig.clock.set(rig.refreshAt(first));
    assertThat(rig.service.get(APP, SECRET)).isCompletedWithValue(first);
    rig.awaitCached(APP, r -> !r.token().equals(first));
    assertThat(rig.calls(APP)).isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(TokenApi.class)
  void neverServesAnExpiredToken(TokenApi api) {
    start(api);
    AccessToken first = rig.get();
    rig.sim.faults().errorRate(1.0);

    rig.clock.set(first.expiresAt());
    TokenException atExpiry = rig.refused();

    assertThat(atExpiry.reason()).isEqualTo(Reason.UPSTREAM_ERROR);
    assertThat(atExpiry.errcode()).isEqualTo(-1);
    assertThat(atExpiry.getMessage()).doesNotContain(SECRET).doesNotContain(first.value());
    assertThat(rig.calls(APP)).isEqualTo(2);

    rig.sim.faults().reset().serverErrorRate(1.0);
    rig.clock.advance(Duration.ofHours(1));
    TokenException later = rig.refused();

    assertThat(later.reason()).isEqualTo(Reason.UPSTREAM_UNAVAILABLE);
    assertThat(later.errcode()).isZero();
    assertThat(rig.calls(APP)).isEqualTo(3);
  }

  @ParameterizedTest
  @EnumSource(TokenApi.class)
  void neverServesAnExpiredTokenWhileItsRefreshIsStillRunning(TokenApi api) throws Exception {
    start(api);
    AccessToken first = rig.get();
    rig.sim.faults().latency(Duration.ofMillis(300));
    rig.clock.set(rig.refreshAt(first));
    assertThat(rig.service.get(APP, SECRET)).isCompletedWithValue(first);

    rig.clock.set(first.expiresAt());
    CompletableFuture<AccessToken> late = rig.service.get(APP, SECRET);

    assertThat(late).as("waits for the refresh instead of serving the expired token").isNotDone();
    AccessToken second = late.get(10, TimeUnit.SECONDS);
    assertThat(second.value()).isNotEqualTo(first.value());
    assertThat(rig.sim.isValid(second.value())).isTrue();
    assertThat(rig.calls(APP)).isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(TokenApi.class)
  void keepsServingTheCurrentTokenWhileABackgroundRefreshFails(TokenApi api) throws Exception {
    start(api);
    AccessToken first = rig.get();
    rig.sim.faults().failNext(1, -1, "system error");
    rig.clock.set(rig.refreshAt(first));

    assertThat(rig.service.get(APP, SECRET)).isCompletedWithValue(first);
    Rig.await("the failing refresh", () -> rig.calls(APP) == 2);
    for (int i = 0; i < 20; i++) { // within the holdoff: served, and no new attempt
      assertThat(rig.service.get(APP, SECRET)).isCompletedWithValue(first);
      Thread.sleep(10);
    }
    assertThat(rig.calls(APP)).isEqualTo(2);

    rig.clock.advance(HOLDOFF.plusMillis(1));
    assertThat(rig.service.get(APP, SECRET)).isCompletedWithValue(first);
    AccessToken second = rig.awaitCached(APP, r -> !r.token().equals(first)).token();

    assertThat(rig.calls(APP)).isEqualTo(3);
    assertThat(rig.get()).isEqualTo(second);
    assertThat(rig.sim.isValid(second.value())).isTrue();
  }

  static Stream<Arguments> apisAndSteps() {
    return Stream.of(TokenApi.values())
        .flatMap(api -> Stream.of(Arguments.of(api, 1), Arguments.of(api, 7)));
  }

  @ParameterizedTest(name = "{0}, a call every {1} s")
  @MethodSource("apisAndSteps")
  void everyTokenHandedOutIsValidAcrossRefreshCycles(TokenApi api, int stepSeconds) {
    Duration lifetime = Duration.ofSeconds(60);
    start(Rig.in(dir).api(api)
        .simulator(b -> b.tokenLifetime(lifetime).overlap(Duration.ofSeconds(20))));

    List<AccessToken> handedOut =
        takeTokensEveryStep(Duration.ofSeconds(stepSeconds), lifetime.multipliedBy(10));

    assertThat(handedOut).hasSizeBetween(10, 12);
    assertThat(rig.calls(APP)).isBetween(10L, 12L);
    assertHonestExpiry(handedOut);
  }

  static Stream<Arguments> apisAndLifetimes() {
    return Stream.of(TokenApi.values())
        .flatMap(api -> Stream.of(30, 60, 300, 7200).map(seconds -> Arguments.of(api, seconds)));
  }

  @ParameterizedTest(name = "{0}, {1} s tokens")
  @MethodSource("apisAndLifetimes")
  void refreshesOncePerLifetimeWithAMarginThatScales(TokenApi api, int lifetimeSeconds) {
    Duration lifetime = Duration.ofSeconds(lifetimeSeconds);
    Duration overlap = Duration.ofSeconds(Math.min(lifetimeSeconds / 3, 300));
    start(Rig.in(dir).api(api).simulator(b -> b.tokenLifetime(lifetime).overlap(overlap)));
    Duration step = lifetime.dividedBy(150);

    List<AccessToken> handedOut = takeTokensEveryStep(step, lifetime.multipliedBy(10));

    Duration margin = rig.margin(handedOut.get(0));
    long expected = Math.max(1_000, Math.min(240_000, lifetime.toMillis() / 30));
    assertThat(margin).isEqualTo(Duration.ofMillis(expected)).isLessThan(overlap);
    assertThat(rig.calls(APP)).as("no refresh loop").isBetween(10L, 12L);
    for (int i = 1; i < handedOut.size(); i++) {
      AccessToken previous = handedOut.get(i - 1);
      AccessToken next = handedOut.get(i);
      assertThat(next.lifetime()).isEqualTo(lifetime);
      assertThat(next.fetchedAt()).as("refresh %d happens in the window", i)
          .isBetween(rig.refreshAt(previous), rig.refreshAt(previous).plus(step));
    }
    assertHonestExpiry(handedOut);
  }

  /**
   * Moves the clock by {@code step} until {@code total} has passed, taking a token at each step
   * and checking WeChat accepts it then; lets any refresh a call started land before moving on.
   *
   * @return the distinct tokens handed out, in order
   */
  private List<AccessToken> takeTokensEveryStep(Duration step, Duration total) {
    List<AccessToken> seen = new ArrayList<>();
    Instant end = rig.clock.instant().plus(total);
    while (!rig.clock.instant().isAfter(end)) {
      Instant now = rig.clock.instant();
      AccessToken token = rig.get();
      assertThat(token.isValidAt(now)).as("unexpired at %s", now).isTrue();
      assertThat(rig.sim.isValid(token.value())).as("WeChat accepts it at %s", now).isTrue();
      if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(token)) {
        seen.add(token);
      }
      // A refresh this call started lands before time moves on. With the clock jumping a whole
      // lifetime in microseconds, the previous flight may still be unregistering when the next
      // window opens; production traffic just starts the refresh on a later request, so do we.
      rig.awaitCachedUnderTraffic(APP, SECRET, r -> rig.refreshAt(r.token()).isAfter(now));
      rig.clock.advance(step);
    }
    return seen;
  }

  /** Every token stays valid at WeChat until just before the expiry the engine gave it. */
  private void assertHonestExpiry(List<AccessToken> tokens) {
    for (AccessToken token : tokens) {
      rig.clock.set(token.expiresAt().minusMillis(1));
      assertThat(rig.sim.isValid(token.value()))
          .as("valid until its stated expiry %s", token.expiresAt()).isTrue();
    }
  }

  // ---------------------------------------------------------------- secrets

  @Test
  void refusesAWrongSecretWithoutAskingWeChatWithinAMinuteOfTheLastCheck() {
    start(TokenApi.STABLE);
    AccessToken token = rig.get();
    rig.clock.advance(Duration.ofSeconds(30));

    TokenException e = rig.refused(APP, WRONG);

    assertThat(e.reason()).isEqualTo(Reason.SECRET_MISMATCH);
    assertThat(e.unverifiedCaller()).isTrue();
    assertThat(e.retryAfter()).as("no slot timing for an unproven caller").isZero();
    assertThat(e.getMessage()).contains(APP).doesNotContain("30 s").doesNotContain(WRONG)
        .doesNotContain(SECRET);
    assertThat(e.getStackTrace()).as("cheap to throw under attack").isEmpty();
    assertThat(rig.calls(APP)).isEqualTo(1);
    assertThat(rig.service.get(APP, SECRET)).isCompletedWithValue(token);
  }

  @Test
  void aSecondWrongSecretWithinTheMinuteIsRefusedAtOnceEvenWhileARefreshRuns() {
    rig = Rig.in(dir).simulator(b -> b.tokenLifetime(Duration.ofSeconds(30))
        .overlap(Duration.ofSeconds(10))).start();
    AccessToken token = rig.get();
    rig.refused(APP, WRONG); // spends this minute's check
    rig.clock.advance(token.lifetime()); // expired, still within the minute: a flight starts
    rig.sim.faults().latency(Duration.ofSeconds(1));
    CompletableFuture<AccessToken> refresh = rig.service.get(APP, SECRET);

    CompletableFuture<AccessToken> wrong = rig.service.get(APP, WRONG + "2");

    assertThat(wrong).as("refused without waiting for the refresh or reading the store")
        .isCompletedExceptionally();
    assertThat(refresh.join().value()).isNotEqualTo(token.value());
  }

  @Test
  void checksAnotherSecretWithWeChatAtMostOncePerMinute() {
    start(TokenApi.STABLE);
    AccessToken token = rig.get();
    rig.clock.advance(CHECK_INTERVAL);

    TokenException checked = rig.refused(APP, WRONG);
    assertThat(checked.reason()).isEqualTo(Reason.SECRET_REJECTED);
    assertThat(checked.errcode()).isEqualTo(40125);
    assertThat(checked.unverifiedCaller()).isTrue();
    assertThat(checked.getMessage()).as("WeChat's words are for the log")
        .doesNotContain("40125").doesNotContain(WRONG);
    assertThat(rig.calls(APP)).isEqualTo(2);

    assertThat(rig.refused(APP, WRONG).reason()).as("remembered").isEqualTo(Reason.SECRET_REJECTED);
    assertThat(rig.refused(APP, WRONG_2).reason()).isEqualTo(Reason.SECRET_MISMATCH);
    rig.clock.advance(CHECK_INTERVAL.minusSeconds(1));
    assertThat(rig.refused(APP, WRONG_3).reason()).isEqualTo(Reason.SECRET_MISMATCH);
    assertThat(rig.calls(APP)).isEqualTo(2);

    rig.clock.advance(Duration.ofSeconds(1));
    assertThat(rig.refused(APP, WRONG_3).reason()).isEqualTo(Reason.SECRET_REJECTED);
    assertThat(rig.calls(APP)).isEqualTo(3);
    assertThat(rig.service.get(APP, SECRET)).isCompletedWithValue(token);
    assertThat(rig.calls(APP)).isEqualTo(3);
  }

  @ParameterizedTest
  @EnumSource(TokenApi.class)
  void acceptsARotatedSecretAndThenRefusesTheOldOne(TokenApi api) {
    start(api);
    AccessToken before = rig.get();
    rig.sim.registerApp(APP, NEW_SECRET);

    rig.clock.advance(Duration.ofSeconds(30));
    TokenException tooSoon = rig.refused(APP, NEW_SECRET);
    assertThat(tooSoon.reason()).isEqualTo(Reason.SECRET_MISMATCH);
    assertThat(tooSoon.retryAfter()).isZero();
    assertThat(rig.calls(APP)).isEqualTo(1);

    rig.clock.advance(Duration.ofSeconds(31));
    AccessToken rotated = rig.get(APP, NEW_SECRET);

    assertThat(rig.calls(APP)).isEqualTo(2);
    assertThat(rig.sim.isValid(rotated.value())).isTrue();
    if (api == TokenApi.CLASSIC) {
      assertThat(rotated.value()).isNotEqualTo(before.value());
    }
    assertThat(rig.h2.load(APP)).hasValueSatisfying(r -> {
      assertThat(r.verifier().matches(rig.hasher.hash(APP, NEW_SECRET))).isTrue();
      assertThat(r.generation()).isEqualTo(2);
    });
    assertThat(rig.refused(APP, SECRET).reason()).isEqualTo(Reason.SECRET_MISMATCH);
    assertThat(rig.service.get(APP, NEW_SECRET)).isCompletedWithValue(rotated);
    assertThat(rig.calls(APP)).isEqualTo(2);

    rig.clock.advance(CHECK_INTERVAL);
    TokenException old = rig.refused(APP, SECRET);
    assertThat(old.reason()).isEqualTo(Reason.SECRET_REJECTED);
    assertThat(old.errcode()).isEqualTo(invalidSecretErrcode(api));
    assertThat(rig.calls(APP)).isEqualTo(3);
    assertThat(rig.service.get(APP, NEW_SECRET)).isCompletedWithValue(rotated);
  }

  @ParameterizedTest
  @EnumSource(TokenApi.class)
  void recoversWhenTheSecretWasResetInWeChat(TokenApi api) {
    start(api);
    AccessToken before = rig.get();
    rig.sim.registerApp(APP, NEW_SECRET);
    rig.clock.set(before.expiresAt());

    TokenException e = rig.refused(APP, SECRET);
    assertThat(e.reason()).isEqualTo(Reason.SECRET_REJECTED);
    assertThat(e.errcode()).isEqualTo(invalidSecretErrcode(api));
    assertThat(rig.refused(APP, SECRET).reason()).isEqualTo(Reason.SECRET_REJECTED);
    assertThat(rig.calls(APP)).isEqualTo(2);

    AccessToken after = rig.get(APP, NEW_SECRET);
    assertThat(rig.sim.isValid(after.value())).isTrue();
    assertThat(rig.calls(APP)).isEqualTo(3);
  }

  @Test
  void refusesAnUnknownAppIdOnceAndThenWithoutAskingWeChat() {
    start(TokenApi.STABLE);
    String unknown = "wx00000000000000ff";

    TokenException first = rig.refused(unknown, WRONG);
    assertThat(first.reason()).isEqualTo(Reason.UPSTREAM_ERROR);
    assertThat(first.errcode()).isEqualTo(40013);
    assertThat(first.unverifiedCaller()).isTrue();
    assertThat(first.getMessage()).doesNotContain("40013").doesNotContain(WRONG);
    assertThat(rig.calls()).isEqualTo(1);

    assertThat(rig.refused(unknown, WRONG).errcode()).isEqualTo(40013);
    assertThat(rig.refused(unknown, WRONG_2).reason()).isEqualTo(Reason.SECRET_MISMATCH);
    rig.clock.advance(Duration.ofSeconds(30));
    assertThat(rig.refused(unknown, WRONG).errcode()).isEqualTo(40013);
    assertThat(rig.refused(unknown, WRONG_2).reason()).isEqualTo(Reason.SECRET_MISMATCH);
    rig.clock.advance(Duration.ofSeconds(29));
    assertThat(rig.refused(unknown, WRONG_3).reason()).isEqualTo(Reason.SECRET_MISMATCH);
    assertThat(rig.calls()).as("negative cache: nothing more upstream").isEqualTo(1);

    rig.clock.advance(Duration.ofSeconds(1));
    assertThat(rig.refused(unknown, WRONG_3).errcode()).isEqualTo(40013);
    assertThat(rig.calls()).isEqualTo(2);
    assertThat(rig.service.cached(unknown)).isEmpty();
    assertThat(first.getMessage()).as("nothing says whether the app exists")
        .isEqualTo(rig.refused(APP, WRONG).getMessage().replace(APP, unknown));
  }

  @ParameterizedTest
  @EnumSource(TokenApi.class)
  void rejectsAWrongSecretForAnAppItDoesNotKnowYetWithWeChatsErrcode(TokenApi api) {
    start(api);

    TokenException e = rig.refused(APP, WRONG);

    assertThat(e.reason()).isEqualTo(Reason.SECRET_REJECTED);
    assertThat(e.errcode()).isEqualTo(invalidSecretErrcode(api));
    assertThat(e.getMessage()).contains(APP).doesNotContain(WRONG);
    assertThat(rig.refused(APP, WRONG).reason()).isEqualTo(Reason.SECRET_REJECTED);
    assertThat(rig.calls(APP)).isEqualTo(1);
    assertThat(rig.service.cached(APP)).isEmpty();
  }

  @Test
  void wrongSecretsNeitherDelayNorCostTheVerifiedCaller() throws Exception {
    start(TokenApi.STABLE);
    AccessToken token = rig.get();
    rig.clock.advance(Duration.ofSeconds(10));

    List<CompletableFuture<AccessToken>> attacks =
        concurrently(200, i -> rig.service.get(APP, String.format("%032x", i)));
    for (int i = 0; i < 100; i++) {
      assertThat(rig.service.get(APP, SECRET)).isCompletedWithValue(token);
    }

    for (CompletableFuture<AccessToken> attack : attacks) {
      assertThat(attack).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
          .withCauseInstanceOf(TokenException.class);
    }
    assertThat(rig.calls(APP)).isEqualTo(1);
  }

  // ---------------------------------------------------------------- failures

  @ParameterizedTest
  @EnumSource(TokenApi.class)
  void holdsOffAfterAnUpstreamFailure(TokenApi api) {
    start(api);
    AccessToken first = rig.get();
    rig.clock.set(first.expiresAt());
    rig.sim.faults().failNext(1, -1, "system error");

    TokenException failed = rig.refused();
    assertThat(failed.errcode()).isEqualTo(-1);
    assertThat(rig.calls(APP)).isEqualTo(2);
    for (int i = 0; i < 5; i++) {
      assertThat(rig.refused()).isSameAs(failed);
    }
    rig.clock.advance(HOLDOFF.minusMillis(1));
    assertThat(rig.refused()).isSameAs(failed);
    assertThat(rig.calls(APP)).isEqualTo(2);

    rig.clock.advance(Duration.ofMillis(1));
    AccessToken second = rig.get();
    assertThat(rig.calls(APP)).isEqualTo(3);
    assertThat(rig.sim.isValid(second.value())).isTrue();
  }

  @ParameterizedTest
  @EnumSource(TokenApi.class)
  void retriesAnAppItDoesNotKnowYetAfterTheHoldoffWhenWeChatHadABlip(TokenApi api) {
    start(api);
    rig.sim.faults().failNext(1, -1, "system error");

    TokenException blip = rig.refused();
    assertThat(blip.errcode()).isEqualTo(-1);
    assertThat(rig.refused()).isSameAs(blip);
    assertThat(rig.refused(APP, WRONG)).as("anyone, while the app is unknown").isSameAs(blip);
    rig.clock.advance(HOLDOFF.minusMillis(1));
    assertThat(rig.refused()).isSameAs(blip);
    assertThat(rig.calls(APP)).isEqualTo(1);

    rig.clock.advance(Duration.ofMillis(1));
    AccessToken token = rig.get();
    assertThat(rig.sim.isValid(token.value())).isTrue();
    assertThat(rig.calls(APP)).as("not locked out for the secret-check interval").isEqualTo(2);
  }

  /** A WeChat answer with an errcode, and how to make the simulator give it. */
  record WeChatRefusal(String name, TokenApi api, UnaryOperator<WeChatSimulator.Builder> config,
      Consumer<WeChatSimulator> inject, int errcode) {
    @Override
    public String toString() {
      return name + " (" + api + ")";
    }
  }

  static Stream<WeChatRefusal> wechatRefusals() {
    return Stream.concat(
        Stream.of(TokenApi.values()).flatMap(api -> Stream.of(
            new WeChatRefusal("IP not whitelisted", api, b -> b, s -> s.blockIp(APP, true), 40164),
            new WeChatRefusal("AppSecret frozen", api, b -> b, s -> s.freezeSecret(APP, true), 40243),
            new WeChatRefusal("system error", api, b -> b, s -> s.faults().errorRate(1.0), -1))),
        Stream.of(
            new WeChatRefusal("daily quota", TokenApi.CLASSIC, b -> b.dailyTokenQuota(0), s -> { },
                45009),
            new WeChatRefusal("daily quota", TokenApi.STABLE, b -> b.stableDailyQuota(0), s -> { },
                45009)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wechatRefusals")
  void reportsWeChatErrcodesAsUpstreamError(WeChatRefusal refusal) {
    start(Rig.in(dir).api(refusal.api()).simulator(refusal.config()));
    refusal.inject().accept(rig.sim);

    TokenException e = rig.refused();

    assertThat(e.reason()).isEqualTo(Reason.UPSTREAM_ERROR);
    assertThat(e.errcode()).isEqualTo(refusal.errcode());
    assertThat(e.unverifiedCaller()).as("a secret never verified").isTrue();
    assertThat(e.getMessage()).doesNotContain(String.valueOf(refusal.errcode()))
        .doesNotContain(SECRET);
    assertThat(rig.calls(APP)).isEqualTo(1);
    assertThat(rig.service.cached(APP)).isEmpty();
    assertThat(rig.h2.load(APP)).isEmpty();
  }

  /** A way WeChat can fail to give a usable answer. */
  record NoAnswer(String name, TokenApi api, Consumer<WeChatSimulator> inject) {
    @Override
    public String toString() {
      return name + " (" + api + ")";
    }
  }

  static Stream<NoAnswer> noAnswers() {
    return Stream.of(TokenApi.values()).flatMap(api -> Stream.of(
        new NoAnswer("HTTP 503", api, s -> s.faults().serverErrorRate(1.0)),
        new NoAnswer("malformed body", api, s -> s.faults().malformedRate(1.0)),
        new NoAnswer("hang", api, s -> s.faults().hang(Duration.ofSeconds(5)).timeoutRate(1.0))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("noAnswers")
  void reportsNoUsableAnswerAsUpstreamUnavailable(NoAnswer noAnswer) {
    start(Rig.in(dir).api(noAnswer.api()).readTimeout(Duration.ofMillis(300)));
    noAnswer.inject().accept(rig.sim);

    long started = System.nanoTime();
    TokenException e = rig.refused();
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(e.reason()).isEqualTo(Reason.UPSTREAM_UNAVAILABLE);
    assertThat(e.errcode()).isZero();
    assertThat(e.getMessage()).isNotBlank().doesNotContain(SECRET);
    assertThat(took).isLessThan(Duration.ofSeconds(3));
    assertThat(rig.calls(APP)).isEqualTo(1);
    assertThat(rig.service.cached(APP)).isEmpty();
  }

  @Test
  void reportsARefusedConnectionAsUpstreamUnavailable() throws Exception {
    URI closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }
    start(Rig.in(dir).api(TokenApi.CLASSIC).wechatBaseUrl(closed));

    TokenException e = rig.refused();

    assertThat(e.reason()).isEqualTo(Reason.UPSTREAM_UNAVAILABLE);
    assertThat(e.unverifiedCaller()).isTrue();
    assertThat(e.getMessage()).doesNotContain("connection").doesNotContain(SECRET);
  }

  // ---------------------------------------------------------------- helpers

  /** Runs {@code n} calls from 16 threads released together; returns what each call returned. */
  private static <T> List<CompletableFuture<T>> concurrently(
      int n, IntFunction<CompletableFuture<T>> call) throws Exception {
    ExecutorService callers = Executors.newFixedThreadPool(16);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<CompletableFuture<T>>> submitted = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int index = i;
        submitted.add(callers.submit(() -> {
          go.await();
          return call.apply(index);
        }));
      }
      go.countDown();
      List<CompletableFuture<T>> results = new ArrayList<>();
      for (Future<CompletableFuture<T>> f : submitted) {
        results.add(f.get(10, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      callers.shutdownNow();
    }
  }
}
