package io.wxtoken.server;

import static io.wxtoken.server.ServerHarness.APP_ID;
import static io.wxtoken.server.ServerHarness.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxtoken.http.HttpLimits;
import io.wxtoken.server.ServerHarness.Reply;
import io.wxtoken.simulator.WeChatSimulator.Endpoint;
import io.wxtoken.store.redis.RedisAddress;
import io.wxtoken.token.AppRecord;
import io.wxtoken.wechat.TokenApi;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Several instances on one real Redis behave as one server. */
class ClusterTest {
  @RegisterExtension
  static final RedisFixture redis = new RedisFixture();

  @TempDir
  Path dir;

  @BeforeEach
  void redisUp() {
    redis.process().startAgain();
  }

  @Test
  void fiveThousandConcurrentColdRequestsAcrossThreeInstancesMakeOneUpstreamCall() {
    // 5,000 connections from one loopback address: lift the per-address cap (256 by default).
    try (ClusterHarness c = ClusterHarness.start(dir, redis.process(), 3, sim -> { }, config ->
        config.withHttpLimits(HttpLimits.defaults().withConnections(20_000, 20_000)))) {
      c.wechat.faults().latency(Duration.ofMillis(500)); // the flight stays open while all arrive
      List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
      for (int i = 0; i < 5000; i++) {
        replies.add(c.http().sendAsync(c.tokenRequest(i % 3), HttpResponse.BodyHandlers.ofString()));
      }
      Set<String> tokens = new HashSet<>();
      for (CompletableFuture<HttpResponse<String>> reply : replies) {
        String text = reply.join().body();
        assertThat(text).contains("\"statusCode\":200");
        tokens.add(text.replaceAll(".*\"accessToken\":\"([^\"]+)\".*", "$1"));
      }
      assertThat(tokens).hasSize(1);
      assertThat(c.wechat.isValid(tokens.iterator().next())).isTrue();
      assertThat(c.wechat.calls(Endpoint.STABLE_TOKEN)).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(TokenApi.class)
  void oneUpstreamCallPerTokenLifetimeAcrossTheCluster(TokenApi api) {
    Duration lifetime = Duration.ofSeconds(60);
    try (ClusterHarness c = ClusterHarness.start(dir, redis.process(), 3,
        sim -> sim.tokenLifetime(lifetime).overlap(Duration.ofSeconds(20)),
        config -> config.withTokenApi(api))) {
      Endpoint endpoint = api == TokenApi.STABLE ? Endpoint.STABLE_TOKEN : Endpoint.TOKEN;
      Set<String> seen = new HashSet<>();
      for (int second = 0; second < 600; second++) {
        Reply reply = c.token(second % 3);
        assertThat(reply.statusCode()).as("at +%d s", second).isEqualTo(200);
        assertThat(c.wechat.isValid(reply.accessToken())).as("live at +%d s", second).isTrue();
        seen.add(reply.accessToken());
        c.clock.advance(Duration.ofSeconds(1));
      }
      // one fetch per lifetime for the whole cluster, give or take the first and the last
      assertThat(c.wechat.calls(endpoint)).isBetween(10L, 12L);
      assertThat(seen.size()).isBetween(10, 12);
    }
  }

  @Test
  void proactiveRefreshRunsOnceForTheClusterAndSurvivesTheLossOfAnInstance() throws Exception {
    try (ClusterHarness c = ClusterHarness.start(dir, redis.process(), 3)) {
      String first = c.token(0).accessToken();
      awaitTrue(() -> held(c, 1, first) && held(c, 2, first), "every instance learns the token");

      c.clock.advance(Duration.ofSeconds(7200 - 100)); // inside every instance's refresh margin
      List<CompletableFuture<Integer>> ticks = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        WxTokenServer server = c.instance(i);
        ticks.add(CompletableFuture.supplyAsync(() -> server.tokens().refreshDue()));
      }
      ticks.forEach(CompletableFuture::join);
      awaitTrue(() -> c.wechat.calls(Endpoint.STABLE_TOKEN) == 2, "one proactive refresh");
      // The call is counted when WeChat receives it; the new token lands a moment later.
      awaitTrue(() -> !held(c, 0, first), "instance 0 holds the refreshed token");
      String second = c.instance(0).tokens().cached(APP_ID).orElseThrow().token().value();
      awaitTrue(() -> held(c, 0, second) && held(c, 1, second) && held(c, 2, second),
          "every instance holds the refreshed token");
      assertThat(second).isNotEqualTo(first);
      Thread.sleep(1500); // the instances' own refreshers tick too: still no second call
      assertThat(c.wechat.calls(Endpoint.STABLE_TOKEN)).isEqualTo(2);

      c.kill(0);
      c.clock.advance(Duration.ofSeconds(7200 - 100));
      c.instance(1).tokens().refreshDue();
      c.instance(2).tokens().refreshDue();
      awaitTrue(() -> c.wechat.calls(Endpoint.STABLE_TOKEN) == 3, "the survivors refresh");
      Thread.sleep(1500);
      assertThat(c.wechat.calls(Endpoint.STABLE_TOKEN)).isEqualTo(3);
      assertThat(c.token(1).accessToken()).isEqualTo(c.token(2).accessToken());
    }
  }

  @Test
  void aWriterWhoseLeaseLapsedMidFetchIsFencedOut() throws Exception {
    try (ClusterHarness c = ClusterHarness.start(dir, redis.process(), 2, sim -> { },
        config -> config.withTokenApi(TokenApi.CLASSIC).withLeaseTime(Duration.ofMillis(500))
            .withVerifyOnly(true))) { // no proactive refresh: the test's requests make them
      expireTheFirstToken(c);
      c.wechat.faults().latency(Duration.ofSeconds(3)); // A's WeChat call outlives its lease
      CompletableFuture<HttpResponse<String>> slow =
          c.http().sendAsync(c.tokenRequest(0), HttpResponse.BodyHandlers.ofString());
      awaitTrue(() -> c.wechat.calls(Endpoint.TOKEN) == 2, "A is calling WeChat");
      c.wechat.faults().latency(Duration.ZERO);
      Thread.sleep(600); // A's lease lapses

      Reply fromB = c.token(1); // B takes over the lease, fetches and stores its token
      assertThat(fromB.statusCode()).isEqualTo(200);
      assertThat(c.wechat.calls(Endpoint.TOKEN)).isEqualTo(3);
      AppRecord stored = c.instance(1).tokens().cached(APP_ID).orElseThrow();

      String fromA = slow.get(10, TimeUnit.SECONDS).body();
      // A got its own token from WeChat, but its write (same generation) was refused: A hands
      // out B's token, and the shared record is still B's.
      assertThat(c.wechat.tokensIssued(APP_ID)).isEqualTo(3);
      assertThat(fromA).contains("\"accessToken\":\"" + fromB.accessToken() + "\"");
      assertThat(c.instance(0).tokens().cached(APP_ID).orElseThrow().token().value())
          .isEqualTo(fromB.accessToken());
      assertThat(c.instance(1).tokens().cached(APP_ID).orElseThrow().generation())
          .isEqualTo(stored.generation());
      assertThat(c.token(0).accessToken()).isEqualTo(fromB.accessToken());
    }
  }

  @Test
  void anotherInstanceTakesOverWhenTheLeaseHolderDiesMidRefresh() throws Exception {
    try (ClusterHarness c = ClusterHarness.start(dir, redis.process(), 3, sim -> { },
        config -> config.withTokenApi(TokenApi.CLASSIC).withLeaseTime(Duration.ofSeconds(1))
            .withVerifyOnly(true))) {
      expireTheFirstToken(c);
      c.wechat.faults().latency(Duration.ofSeconds(3));
      CompletableFuture<HttpResponse<String>> dying =
          c.http().sendAsync(c.tokenRequest(0), HttpResponse.BodyHandlers.ofString());
      awaitTrue(() -> c.wechat.calls(Endpoint.TOKEN) == 2, "A holds the lease and calls WeChat");
      c.kill(0);
      c.wechat.faults().latency(Duration.ZERO);

      long start = System.nanoTime();
      Reply fromB = c.token(1); // waits for A's lease to lapse, then refreshes itself
      long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(fromB.statusCode()).isEqualTo(200);
      assertThat(c.wechat.isValid(fromB.accessToken())).isTrue();
      assertThat(waited).as("B waited for the lease, not longer").isLessThan(5_000);
      assertThat(c.token(2).accessToken()).isEqualTo(fromB.accessToken());
      assertThat(c.wechat.calls(Endpoint.TOKEN)).isEqualTo(3);
      assertThat(dying).failsWithin(Duration.ofSeconds(10));
    }
  }

  @Test
  void aForcedRefreshOnOneInstanceReachesTheOthersAtOnce() throws Exception {
    try (ClusterHarness c = ClusterHarness.start(dir, redis.process(), 3)) {
      String stale = c.token(0).accessToken();
      awaitTrue(() -> held(c, 1, stale) && held(c, 2, stale), "all hold the first token");

      Reply refreshed = c.post(0, "/api/v3/refresh-wechat-access-token", "{\"appId\":\"" + APP_ID
          + "\",\"appSecret\":\"" + SECRET + "\",\"staleToken\":\"" + stale + "\"}");
      assertThat(refreshed.statusCode()).isEqualTo(200);
      String fresh = refreshed.accessToken();
      assertThat(fresh).isNotEqualTo(stale);

      long start = System.nanoTime();
      awaitTrue(() -> fresh.equals(c.token(1).accessToken())
          && fresh.equals(c.token(2).accessToken()), "B and C serve the new token");
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(millis).as("B and C follow within a round trip or two").isLessThan(500);
      assertThat(c.wechat.calls(Endpoint.STABLE_TOKEN)).isEqualTo(3); // first, normal, forced
    }
  }

  @Test
  void aRedisOutageUnderLoadShowsCallersNoErrorAndFlipsReadiness() throws Exception {
    try (ClusterHarness c = ClusterHarness.start(dir, redis.process(), 3)) {
      String token = c.token(0).accessToken();
      awaitTrue(() -> held(c, 1, token) && held(c, 2, token), "all hold the token");
      for (int i = 0; i < 3; i++) {
        assertThat(c.readiness(i)).isEqualTo(200);
      }

      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong served = new AtomicLong();
      Set<String> failures = ConcurrentHashMap.newKeySet();
      ExecutorService load = Executors.newFixedThreadPool(3);
      for (int t = 0; t < 3; t++) {
        int instance = t;
        load.execute(() -> {
          while (running.get()) {
            Reply reply = c.token(instance);
            if (reply.statusCode() != 200 || !token.equals(reply.accessToken())) {
              failures.add(reply.body().toString());
            }
            served.incrementAndGet();
          }
        });
      }
      redis.process().stop();
      awaitTrue(() -> c.readiness(0) == 503 && c.readiness(1) == 503 && c.readiness(2) == 503,
          "readiness flips on every instance");
      Thread.sleep(30_000);
      redis.process().startAgain();
      awaitTrue(() -> c.readiness(0) == 200 && c.readiness(1) == 200 && c.readiness(2) == 200,
          "readiness recovers");
      running.set(false);
      load.shutdown();
      assertThat(load.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

      assertThat(failures).isEmpty();
      assertThat(served.get()).isGreaterThan(300);
      assertThat(c.wechat.calls(Endpoint.STABLE_TOKEN)).as("the outage cost no WeChat call")
          .isEqualTo(1);

      // Redis is back: the next refresh is made once for all, not once per instance.
      c.clock.advance(Duration.ofSeconds(7200 - 100));
      for (int i = 0; i < 3; i++) {
        c.instance(i).tokens().refreshDue();
      }
      awaitTrue(() -> c.wechat.calls(Endpoint.STABLE_TOKEN) == 2, "one refresh");
      Thread.sleep(1500);
      assertThat(c.wechat.calls(Endpoint.STABLE_TOKEN)).isEqualTo(2);
    }
  }

  @Test
  void withoutRedisClassicModeRefusesToFetchWhileStableModeGoesOn() throws Exception {
    try (ClusterHarness c = ClusterHarness.start(dir, redis.process(), 2, sim -> { },
        config -> config.withTokenApi(TokenApi.CLASSIC))) {
      redis.process().stop();
      awaitTrue(() -> c.readiness(0) == 503, "instance sees the outage");
      Reply refused = c.token(0);
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.apiCode()).isEqualTo(5001);
      assertThat(refused.message()).contains("cannot be reached");
      assertThat(c.wechat.calls(Endpoint.TOKEN)).isZero();
    }
    redis.process().startAgain();
    try (ClusterHarness c = ClusterHarness.start(dir, redis.process(), 2)) {
      redis.process().stop();
      awaitTrue(() -> c.readiness(0) == 503, "instance sees the outage");
      Reply served = c.token(0);
      assertThat(served.statusCode()).as(served.message()).isEqualTo(200);
      assertThat(c.wechat.isValid(served.accessToken())).isTrue();
    }
  }

  @Test
  void anUnverifiedSecretIsCheckedWithWeChatOncePerMinuteAndAddressForTheWholeClusterByRedisTime() {
    try (ClusterHarness c = ClusterHarness.start(dir, redis.process(), 3)) {
      c.token(0); // the first secret spends this address's check of the minute, cluster-wide
      c.clock.advance(Duration.ofSeconds(61));
      long calls = c.wechat.calls(Endpoint.STABLE_TOKEN);
      // Every instance's clock jumped a minute, but the shared slot is Redis's to time, and Redis
      // has seen seconds go by: no instance checks another secret from this address.
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 3; i++) {
          assertThat(c.token(i, APP_ID, "wrong-secret-" + round + i).statusCode()).isEqualTo(403);
        }
      }
      c.clock.advance(Duration.ofSeconds(61));
      for (int i = 0; i < 3; i++) {
        assertThat(c.token(i, APP_ID, "wrong-again-" + i).statusCode()).isEqualTo(403);
      }
      assertThat(c.wechat.calls(Endpoint.STABLE_TOKEN)).isEqualTo(calls);
    }
  }

  @Test
  void instancesMustShareTheMasterKey() {
    try (ClusterHarness c = ClusterHarness.start(dir, redis.process(), 1)) {
      ServerConfig noKey = c.config(1).withMasterKey(null);
      assertThatThrownBy(() -> WxTokenServer.start(noKey, c.clock))
          .hasMessageContaining("same master key");
      ServerConfig otherKey = c.config(1).withMasterKey(
          "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".replace('M', 'N'));
      assertThatThrownBy(() -> WxTokenServer.start(otherKey, c.clock))
          .hasMessageContaining("which is not configured here");
    }
  }

  @Test
  void startFailsClearlyWhenRedisCannotBeReached() {
    try (ClusterHarness c = ClusterHarness.start(dir, redis.process(), 0)) {
      ServerConfig config = c.config(0).withRedis(RedisAddress.parse("redis://127.0.0.1:1/0"));
      assertThatThrownBy(() -> WxTokenServer.start(config, c.clock))
          .hasMessageContaining("cannot connect to Redis at redis://127.0.0.1:1/0");
    }
  }

  /** Every instance learns the app's first token; then it expires, so the next request refreshes. */
  static void expireTheFirstToken(ClusterHarness c) throws InterruptedException {
    String first = c.token(0).accessToken();
    awaitTrue(() -> {
      for (int i = 0; i < c.size(); i++) {
        if (!held(c, i, first)) {
          return false;
        }
      }
      return true;
    }, "every instance holds the first token");
    c.clock.advance(Duration.ofSeconds(7200));
  }

  static boolean held(ClusterHarness c, int instance, String token) {
    return c.instance(instance).tokens().cached(APP_ID)
        .map(record -> record.token().value().equals(token)).orElse(false);
  }

  static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(10);
    }
  }
}
