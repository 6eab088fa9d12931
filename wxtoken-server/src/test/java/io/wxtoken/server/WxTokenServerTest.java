package io.wxtoken.server;

import static io.wxtoken.server.ServerHarness.APP_ID;
import static io.wxtoken.server.ServerHarness.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import io.wxtoken.server.ServerHarness.Reply;
import io.wxtoken.simulator.WeChatSimulator.Endpoint;
import io.wxtoken.wechat.TokenApi;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** End to end over real HTTP: the server, its H2 store and the WeChat simulator. */
class WxTokenServerTest {
  @TempDir
  Path dir;

  @Test
  void coldFetchThenCachedHitsMakeNoFurtherUpstreamCalls() {
    try (ServerHarness h = ServerHarness.start(dir)) {
      Reply first = h.token(APP_ID, SECRET);

      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(h.wechat.isValid(first.accessToken())).isTrue();
      // expires_in 7200 counted from the request, in epoch seconds
      assertThat(first.expiresAt()).isEqualTo(h.clock.instant().getEpochSecond() + 7200);
      assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN, APP_ID)).isEqualTo(1);

      for (int i = 0; i < 20; i++) {
        assertThat(h.token(APP_ID, SECRET).accessToken()).isEqualTo(first.accessToken());
      }
      assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN, APP_ID)).isEqualTo(1);
      assertThat(h.wechat.calls(Endpoint.TOKEN)).isZero();
    }
  }

  @Test
  void thousandConcurrentColdRequestsMakeExactlyOneUpstreamCall() {
    try (ServerHarness h = ServerHarness.start(dir)) {
      h.wechat.faults().latency(Duration.ofMillis(300)); // keep the flight open while all arrive
      String body = "{\"appId\":\"" + APP_ID + "\",\"appSecret\":\"" + SECRET + "\"}";
      List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        replies.add(h.http().sendAsync(HttpRequest.newBuilder(h.uri(ServerHarness.TOKEN_PATH))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString()));
      }
      Set<String> bodies = new HashSet<>();
      for (CompletableFuture<HttpResponse<String>> reply : replies) {
        String text = reply.join().body();
        assertThat(text).contains("\"statusCode\":200");
        bodies.add(text.substring(text.indexOf("\"data\"")));
      }

      assertThat(bodies).hasSize(1); // everyone got the same token
      assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN)).isEqualTo(1);
    }
  }

  @Test
  void hundredAppsConcurrentlyMakeOneUpstreamCallEach() {
    try (ServerHarness h = ServerHarness.start(dir, sim -> {
      for (int i = 0; i < 100; i++) {
        sim.app(appId(i), SECRET);
      }
    }, c -> c.withUnknownAppChecks(100))) { // all new at once: above the default 60 a minute
      h.wechat.faults().latency(Duration.ofMillis(100));
      List<CompletableFuture<Reply>> replies = new ArrayList<>();
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 100; i++) {
          String app = appId(i);
          replies.add(CompletableFuture.supplyAsync(() -> h.token(app, SECRET)));
        }
      }
      replies.forEach(r -> assertThat(r.join().statusCode()).isEqualTo(200));

      assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN)).isEqualTo(100);
      for (int i = 0; i < 100; i++) {
        assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN, appId(i))).isEqualTo(1);
      }
    }
  }

  @Test
  void restartedServerServesStoredTokenWithZeroUpstreamCalls() {
    try (ServerHarness h = ServerHarness.start(dir)) {
      String token = h.token(APP_ID, SECRET).accessToken();
      h.clock.advance(Duration.ofMinutes(30));

      h.restart();
      h.wechat.resetCounters();
      Reply after = h.token(APP_ID, SECRET);

      assertThat(after.accessToken()).isEqualTo(token);
      assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN)).isZero();
      // the stored verifier still guards it: a wrong secret is refused (after its one check)
      assertThat(h.token(APP_ID, "ffffffffffffffffffffffffffffffff").statusCode()).isEqualTo(403);
      assertThat(h.token(APP_ID, "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee").statusCode()).isEqualTo(403);
      assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN)).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(TokenApi.class)
  void everyTokenHandedOutIsLiveAcrossRefreshCycles(TokenApi api) {
    Duration lifetime = Duration.ofSeconds(60);
    try (ServerHarness h = ServerHarness.start(dir,
        sim -> sim.tokenLifetime(lifetime).overlap(Duration.ofSeconds(20)),
        c -> c.withTokenApi(api))) {
      Endpoint endpoint = api == TokenApi.STABLE ? Endpoint.STABLE_TOKEN : Endpoint.TOKEN;
      Set<String> seen = new HashSet<>();
      // 10 lifetimes in 1 s steps; every answer must be a token WeChat accepts right now
      for (int second = 0; second < 600; second++) {
        Reply reply = h.token(APP_ID, SECRET);
        assertThat(reply.statusCode()).as("at +%d s", second).isEqualTo(200);
        assertThat(h.wechat.isValid(reply.accessToken())).as("token live at +%d s", second).isTrue();
        assertThat(reply.expiresAt()).isGreaterThan(h.clock.instant().getEpochSecond() - 1);
        seen.add(reply.accessToken());
        h.clock.advance(Duration.ofSeconds(1));
      }
      // one fetch per lifetime, give or take the first and the last
      assertThat(h.wechat.calls(endpoint)).isBetween(10L, 12L);
      assertThat(seen.size()).isBetween(10, 12);
    }
  }

  @Test
  void wrongSecretForKnownAppIsRefusedWithoutAskingWeChat() {
    try (ServerHarness h = ServerHarness.start(dir)) {
      h.token(APP_ID, SECRET);
      h.token(APP_ID, "bad-secret-1"); // the one check per minute
      long calls = h.wechat.calls(Endpoint.STABLE_TOKEN);

      Reply refused = h.token(APP_ID, "bad-secret-2");

      assertThat(refused.statusCode()).isEqualTo(403);
      assertThat(refused.apiCode()).isEqualTo(2001);
      assertThat(refused.accessToken()).isNull();
      assertThat(refused.body().toString()).doesNotContain("bad-secret-2");
      assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN)).isEqualTo(calls);
    }
  }

  static String appId(int i) {
    return String.format("wx%016x", 0x1000 + i);
  }
}
