package io.wxtoken.client;

import static io.wxtoken.client.testing.LiveServer.APP_ID;
import static io.wxtoken.client.testing.LiveServer.LIFETIME;
import static io.wxtoken.client.testing.LiveServer.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.wxtoken.client.testing.CountingProxy;
import io.wxtoken.client.testing.LiveServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AccessTokenProvider}'s contract against a real server and simulator, with a counting
 * proxy in between so that every request the provider makes is seen. Time moves on the shared
 * manual clock; nothing sleeps to let a token age.
 */
class AccessTokenProviderTest {
  private static final String REFRESH_PATH = WxTokenClient.REFRESH_PATH;
  private static final String TOKEN_PATH = WxTokenClient.TOKEN_PATH;
  private static final Duration MARGIN = AccessTokenProvider.DEFAULT_MARGIN;

  @TempDir
  Path dir;

  private static AccessTokenProvider provider(LiveServer live, String url) {
    WxTokenClient client = WxTokenClient.builder().serverUrl(url)
        .connectTimeout(Duration.ofSeconds(1)).readTimeout(Duration.ofSeconds(5))
        .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(40)).build();
    return AccessTokenProvider.builder(client, APP_ID, SECRET).clock(live.clock).build();
  }

  @Test
  void servesFromMemoryWithZeroNetworkCallsInSteadyState() {
    try (LiveServer live = LiveServer.start(dir);
        CountingProxy proxy = CountingProxy.to(live.url());
        AccessTokenProvider tokens = provider(live, proxy.url())) {
      String token = tokens.currentToken();
      assertThat(proxy.requests()).isEqualTo(1);

      // Up to the last millisecond before the margin, 100,000 calls spread over the token's life.
      Duration step = LIFETIME.minus(MARGIN).minusMillis(1).dividedBy(100_000);
      for (int i = 0; i < 100_000; i++) {
        assertThat(tokens.currentToken()).isSameAs(token);
        live.clock.advance(step);
      }

      assertThat(proxy.requests()).isEqualTo(1);
      assertThat(live.wechatTokenCalls()).isEqualTo(1);
    }
  }

  @Test
  void keepsServingTheHeldTokenWhileTheServerIsDown() {
    try (LiveServer live = LiveServer.start(dir);
        AccessTokenProvider tokens = provider(live, live.url())) {
      String token = tokens.currentToken();

      live.stop(0);
      live.clock.advance(Duration.ofHours(1));

      assertThat(tokens.currentToken()).isEqualTo(token);
      assertThat(tokens.current().expiresAt())
          .isEqualTo(live.clock.instant().minus(Duration.ofHours(1)).plus(LIFETIME));
    }
  }

  @Test
  void insideTheMarginReturnsTheHeldTokenAtOnceAndRefreshesInTheBackground() throws Exception {
    try (LiveServer live = LiveServer.start(dir);
        CountingProxy slow = CountingProxy.to(live.url());
        AccessTokenProvider tokens = provider(live, slow.url())) {
      String old = tokens.currentToken();
      // Past the server's own refresh point too, so that the server has a new token to give.
      live.clock.advance(LIFETIME.minus(MARGIN).plusSeconds(30));
      slow.delay(Duration.ofMillis(500));

      long start = System.nanoTime();
      String served = tokens.currentToken();
      long tookMillis = (System.nanoTime() - start) / 1_000_000;

      assertThat(served).isEqualTo(old);
      assertThat(tookMillis).isLessThan(400); // did not wait for the 500 ms round trip
      await(() -> slow.requests(TOKEN_PATH) == 2);
      String fresh = untilReplaced(live, tokens, old);
      assertThat(live.wechat.isValid(fresh)).isTrue();
      assertThat(slow.requests(TOKEN_PATH)).isLessThan(6); // one request per retry interval
    }
  }

  @Test
  void failedBackgroundRefreshKeepsTheTokenAndIsRetriedAfterAQuarterOfItsRemainingLife()
      throws Exception {
    try (LiveServer live = LiveServer.start(dir);
        CountingProxy proxy = CountingProxy.to(live.url());
        AccessTokenProvider tokens = provider(live, proxy.url())) {
      String token = tokens.currentToken();
      proxy.failWith(503);
      live.clock.advance(LIFETIME.minus(MARGIN)); // 60 s left

      assertThat(tokens.currentToken()).isEqualTo(token);
      await(() -> proxy.requests(TOKEN_PATH) == 4); // 1 fetch + the refresh's 3 attempts
      Thread.sleep(100);
      assertThat(tokens.currentToken()).isEqualTo(token);
      live.clock.advance(Duration.ofSeconds(14));
      assertThat(tokens.currentToken()).isEqualTo(token);
      Thread.sleep(100);
      assertThat(proxy.requests(TOKEN_PATH)).isEqualTo(4); // nothing before 60 s / 4 = 15 s

      proxy.failWith(0);
      live.clock.advance(Duration.ofSeconds(2));
      assertThat(tokens.currentToken()).isEqualTo(token);
      await(() -> proxy.requests(TOKEN_PATH) == 5);
      assertThat(live.wechat.isValid(untilReplaced(live, tokens, token))).isTrue();
    }
  }

  @Test
  void blocksForANewTokenOnceTheHeldOneHasExpired() {
    try (LiveServer live = LiveServer.start(dir);
        AccessTokenProvider tokens = provider(live, live.url())) {
      String old = tokens.currentToken();

      live.clock.advance(LIFETIME);
      String fresh = tokens.currentToken();

      assertThat(fresh).isNotEqualTo(old);
      assertThat(live.wechat.isValid(fresh)).isTrue();
      assertThat(tokens.current().expiresAt()).isAfter(live.clock.instant());
    }
  }

  @Test
  void neverReturnsAnExpiredTokenEvenWhenTheServerIsDown() {
    try (LiveServer live = LiveServer.start(dir);
        AccessTokenProvider tokens = provider(live, live.url())) {
      tokens.currentToken();
      live.stop(0);

      live.clock.advance(LIFETIME);

      assertThatThrownBy(tokens::currentToken).isInstanceOf(WxTokenUnreachableException.class);
    }
  }

  @Test
  void concurrentColdCallersShareOneFetch() throws Exception {
    try (LiveServer live = LiveServer.start(dir);
        CountingProxy proxy = CountingProxy.to(live.url()).delay(Duration.ofMillis(200));
        AccessTokenProvider tokens = provider(live, proxy.url())) {

      Set<String> seen = new HashSet<>(concurrently(50, tokens::currentToken));

      assertThat(seen).hasSize(1);
      assertThat(proxy.requests()).isEqualTo(1);
    }
  }

  @Test
  void reportInvalidFrom50ThreadsMakesExactlyOneServerRefresh() throws Exception {
    try (LiveServer live = LiveServer.start(dir);
        CountingProxy proxy = CountingProxy.to(live.url()).delay(Duration.ofMillis(100));
        AccessTokenProvider tokens = provider(live, proxy.url())) {
      String stale = tokens.currentToken();
      long minted = live.tokensMinted();

      List<String> answers = concurrently(50, () -> tokens.reportInvalid(stale));

      assertThat(new HashSet<>(answers)).hasSize(1).doesNotContain(stale);
      assertThat(proxy.requests(REFRESH_PATH)).isEqualTo(1);
      assertThat(live.tokensMinted()).isEqualTo(minted + 1);
      assertThat(tokens.currentToken()).isEqualTo(answers.get(0));
      assertThat(live.wechat.isValid(answers.get(0))).isTrue();
    }
  }

  @Test
  void reportInvalidOfATokenNoLongerHeldCostsNothing() {
    try (LiveServer live = LiveServer.start(dir);
        CountingProxy proxy = CountingProxy.to(live.url());
        AccessTokenProvider tokens = provider(live, proxy.url())) {
      String stale = tokens.currentToken();
      String fresh = tokens.reportInvalid(stale);
      long requests = proxy.requests();

      assertThat(tokens.reportInvalid(stale)).isEqualTo(fresh);
      assertThat(tokens.reportInvalid("some-other-token")).isEqualTo(fresh);

      assertThat(proxy.requests()).isEqualTo(requests);
    }
  }

  @Test
  void reportInvalidOfAnExpiredTokenFetchesInsteadOfForcingARefresh() {
    try (LiveServer live = LiveServer.start(dir);
        CountingProxy proxy = CountingProxy.to(live.url());
        AccessTokenProvider tokens = provider(live, proxy.url())) {
      String expired = tokens.currentToken();
      live.clock.advance(LIFETIME);

      String fresh = tokens.reportInvalid(expired);

      assertThat(fresh).isNotEqualTo(expired);
      assertThat(live.wechat.isValid(fresh)).isTrue();
      assertThat(proxy.requests(REFRESH_PATH)).isZero();
      assertThat(proxy.requests(TOKEN_PATH)).isEqualTo(2);
    }
  }

  @Test
  void refusedRefreshKeepsTheHeldTokenAndThrowsThrottled() {
    try (LiveServer live = LiveServer.start(dir);
        AccessTokenProvider tokens = provider(live, live.url())) {
      String second = tokens.reportInvalid(tokens.currentToken());

      // WeChat allows a forced refresh every 30 s at most: the server refuses this one.
      ThrottledException e = catchThrowableOfType(ThrottledException.class,
          () -> tokens.reportInvalid(second));

      assertThat(e.apiCode()).isEqualTo(2004);
      assertThat(tokens.currentToken()).isEqualTo(second);
    }
  }

  @Test
  void failedColdFetchIsThrownToEveryWaitingCaller() throws Exception {
    try (LiveServer live = LiveServer.start(dir)) {
      WxTokenClient client = WxTokenClient.builder().serverUrl(live.url()).build();
      AccessTokenProvider tokens = AccessTokenProvider.builder(client, APP_ID,
          "fedcba9876543210fedcba9876543210").clock(live.clock).build();

      List<String> outcomes = concurrently(10, () -> {
        try {
          return tokens.currentToken();
        } catch (SecretRejectedException e) {
          return "403/" + e.apiCode();
        }
      });

      assertThat(outcomes).allMatch(o -> o.startsWith("403/"));
      tokens.close();
    }
  }

  @Test
  void closedProviderStillServesItsTokenButFetchesNoMore() {
    try (LiveServer live = LiveServer.start(dir)) {
      AccessTokenProvider tokens = provider(live, live.url());
      String token = tokens.currentToken();

      tokens.close();

      assertThat(tokens.currentToken()).isEqualTo(token);
      live.clock.advance(LIFETIME);
      assertThatThrownBy(tokens::currentToken).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
    }
  }

  @Test
  void runsFetchesOnAGivenExecutor() throws Exception {
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try (LiveServer live = LiveServer.start(dir)) {
      WxTokenClient client = WxTokenClient.builder().serverUrl(live.url()).build();
      AccessTokenProvider tokens = AccessTokenProvider.builder(client, APP_ID, SECRET)
          .clock(live.clock).executor(executor).waitTimeout(Duration.ofSeconds(10)).build();

      assertThat(live.wechat.isValid(tokens.currentToken())).isTrue();
      tokens.close();
      assertThat(executor.isShutdown()).isFalse();
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void builderRefusesEmptyCredentials() {
    WxTokenClient client = WxTokenClient.builder().serverUrl("http://127.0.0.1:1").build();

    assertThatThrownBy(() -> AccessTokenProvider.builder(client, "", SECRET))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AccessTokenProvider.builder(client, APP_ID, null))
        .isInstanceOf(NullPointerException.class);
  }

  /**
   * The provider's new token once it has one. The server may first answer with the same token
   * (its own refresh still under way); the provider then asks again after a quarter of the
   * remaining life, so the clock is moved on in 5 s steps, each followed by a call.
   */
  private static String untilReplaced(LiveServer live, AccessTokenProvider tokens, String old)
      throws InterruptedException {
    for (int step = 0; step < 6; step++) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      while (System.nanoTime() < deadline) {
        String now = tokens.currentToken();
        if (!now.equals(old)) {
          return now;
        }
        Thread.sleep(10);
      }
      live.clock.advance(Duration.ofSeconds(5));
    }
    throw new AssertionError("the token was not replaced");
  }

  /** Runs {@code task} on {@code threads} threads released together, and returns the results. */
  static <T> List<T> concurrently(int threads, Callable<T> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        futures.add(pool.submit(() -> {
          start.await();
          return task.call();
        }));
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        results.add(f.get(30, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Waits (real time, at most 10 s) for a background fetch to have its visible effect. */
  static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(5);
    }
  }
}
