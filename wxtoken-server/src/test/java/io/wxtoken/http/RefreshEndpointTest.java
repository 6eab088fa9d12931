package io.wxtoken.http;

import static io.wxtoken.server.ServerHarness.APP_ID;
import static io.wxtoken.server.ServerHarness.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.wxtoken.server.ServerHarness;
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
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code POST /api/v3/refresh-wechat-access-token}: a caller reports the token WeChat refused and
 * gets a replacement, at most one forced refresh however many report it, within WeChat's limits.
 */
class RefreshEndpointTest {
  static final String REFRESH_PATH = "/api/v3/refresh-wechat-access-token";
  private static final String WRONG_SECRET = "ffffffffffffffffffffffffffffffff";

  @TempDir
  Path dir;

  private static String body(String appId, String secret, String staleToken) {
    return "{\"appId\":\"" + appId + "\",\"appSecret\":\"" + secret + "\",\"staleToken\":\""
        + staleToken + "\"}";
  }

  private static Reply refresh(ServerHarness h, String staleToken) {
    return h.post(REFRESH_PATH, "application/json", body(APP_ID, SECRET, staleToken));
  }

  private static long upstreamCalls(ServerHarness h) {
    return h.wechat.calls(Endpoint.STABLE_TOKEN) + h.wechat.calls(Endpoint.TOKEN);
  }

  private static void assertForcedRefreshLimit(Reply reply) {
    assertThat(reply.httpStatus()).isEqualTo(200);
    assertThat(reply.statusCode()).isEqualTo(429);
    assertThat(reply.apiCode()).isEqualTo(2004);
    assertThat(reply.body().has("data")).isFalse();
  }

  @Test
  void reportingTheCurrentTokenForcesExactlyOneNewTokenThatWeChatAccepts() {
    try (ServerHarness h = ServerHarness.start(dir)) {
      String stale = h.token(APP_ID, SECRET).accessToken();
      long minted = h.wechat.tokensIssued(APP_ID);

      Reply reply = refresh(h, stale);

      assertThat(reply.httpStatus()).isEqualTo(200);
      assertThat(reply.statusCode()).isEqualTo(200);
      assertThat(reply.message()).isEqualTo("操作成功");
      String fresh = reply.accessToken();
      assertThat(fresh).isNotNull().isNotEqualTo(stale);
      assertThat(h.wechat.isValid(fresh)).isTrue();
      assertThat(reply.expiresAt()).isEqualTo(h.clock.instant().getEpochSecond() + 7200);
      assertThat(h.wechat.tokensIssued(APP_ID)).isEqualTo(minted + 1);
      // the new token is now the one handed out, with no further upstream call
      long calls = upstreamCalls(h);
      assertThat(h.token(APP_ID, SECRET).accessToken()).isEqualTo(fresh);
      assertThat(h.server().tokens().cached(APP_ID).orElseThrow().token().value()).isEqualTo(fresh);
      assertThat(upstreamCalls(h)).isEqualTo(calls);
      assertThat(h.server().tokens().status(APP_ID).orElseThrow().forcedToday()).isEqualTo(1);
      // WeChat keeps the replaced token alive only for its 300 s overlap
      h.clock.advance(Duration.ofSeconds(301));
      assertThat(h.wechat.isValid(stale)).isFalse();
      assertThat(h.wechat.isValid(fresh)).isTrue();
      assertThat(h.token(APP_ID, SECRET).accessToken()).isEqualTo(fresh);
    }
  }

  @Test
  void hundredConcurrentReportsOfOneStaleTokenShareOneForcedRefresh() {
    try (ServerHarness h = ServerHarness.start(dir)) {
      String stale = h.token(APP_ID, SECRET).accessToken();
      long minted = h.wechat.tokensIssued(APP_ID);
      h.wechat.faults().latency(Duration.ofMillis(200)); // keep the flight open while all arrive
      ObjectMapper json = new ObjectMapper();

      List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        replies.add(h.http().sendAsync(HttpRequest.newBuilder(h.uri(REFRESH_PATH))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body(APP_ID, SECRET, stale))).build(),
            HttpResponse.BodyHandlers.ofString()));
      }
      Set<String> tokens = new HashSet<>();
      for (CompletableFuture<HttpResponse<String>> reply : replies) {
        String text = reply.join().body();
        assertThat(text).contains("\"statusCode\":200");
        try {
          tokens.add(json.readTree(text).path("data").path("accessToken").asText());
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }

      assertThat(tokens).hasSize(1).doesNotContain(stale);
      assertThat(h.wechat.isValid(tokens.iterator().next())).isTrue();
      assertThat(h.wechat.tokensIssued(APP_ID)).isEqualTo(minted + 1);
      assertThat(h.server().tokens().status(APP_ID).orElseThrow().forcedToday()).isEqualTo(1);
    }
  }

  @Test
  void reportingATokenAlreadyReplacedReturnsTheCurrentOneWithoutCallingWeChat() {
    try (ServerHarness h = ServerHarness.start(dir)) {
      String first = h.token(APP_ID, SECRET).accessToken();
      String current = refresh(h, first).accessToken();
      assertThat(current).isNotEqualTo(first);
      long calls = upstreamCalls(h);
      long minted = h.wechat.tokensIssued(APP_ID);

      Reply late = refresh(h, first);
      Reply unknown = refresh(h, "some-token-this-server-never-issued");

      assertThat(late.statusCode()).isEqualTo(200);
      assertThat(late.accessToken()).isEqualTo(current);
      assertThat(unknown.accessToken()).isEqualTo(current);
      assertThat(upstreamCalls(h)).isEqualTo(calls);
      assertThat(h.wechat.tokensIssued(APP_ID)).isEqualTo(minted);
    }
  }

  @Test
  void classicApiRefreshesOnceThenRefusesAnotherWithin30sWithoutCallingWeChat() {
    try (ServerHarness h = ServerHarness.start(dir, b -> { },
        c -> c.withTokenApi(TokenApi.CLASSIC))) {
      String first = h.token(APP_ID, SECRET).accessToken();

      Reply refreshed = refresh(h, first);

      assertThat(refreshed.statusCode()).isEqualTo(200);
      String second = refreshed.accessToken();
      assertThat(second).isNotEqualTo(first);
      assertThat(h.wechat.isValid(second)).isTrue();
      assertThat(h.wechat.calls(Endpoint.TOKEN, APP_ID)).isEqualTo(2);
      assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN)).isZero();

      h.clock.advance(Duration.ofSeconds(29));
      long calls = upstreamCalls(h);
      Reply tooSoon = refresh(h, second);

      assertForcedRefreshLimit(tooSoon);
      assertThat(tooSoon.message()).contains(APP_ID, "less than 30 s ago", "one forced refresh per 30 s");
      assertThat(upstreamCalls(h)).isEqualTo(calls);
      // the refused report changed nothing: the token is still handed out
      assertThat(h.token(APP_ID, SECRET).accessToken()).isEqualTo(second);

      h.clock.advance(Duration.ofSeconds(1)); // 30 s after the forced refresh
      Reply later = refresh(h, second);

      assertThat(later.statusCode()).isEqualTo(200);
      assertThat(later.accessToken()).isNotEqualTo(second);
      assertThat(h.wechat.isValid(later.accessToken())).isTrue();
      assertThat(h.wechat.calls(Endpoint.TOKEN, APP_ID)).isEqualTo(3);
    }
  }

  @Test
  void stableApiRefusesTheTwentyFirstForcedRefreshOfTheDay() {
    try (ServerHarness h = ServerHarness.start(dir)) {
      String current = h.token(APP_ID, SECRET).accessToken();
      for (int i = 1; i <= 20; i++) {
        h.clock.advance(Duration.ofSeconds(30));
        Reply reply = refresh(h, current);
        assertThat(reply.statusCode()).as("forced refresh %d", i).isEqualTo(200);
        assertThat(reply.accessToken()).as("forced refresh %d", i).isNotEqualTo(current);
        current = reply.accessToken();
      }
      assertThat(h.server().tokens().status(APP_ID).orElseThrow().forcedToday()).isEqualTo(20);
      long minted = h.wechat.tokensIssued(APP_ID);
      h.clock.advance(Duration.ofSeconds(30));

      Reply refused = refresh(h, current);

      assertForcedRefreshLimit(refused);
      assertThat(refused.message()).contains(APP_ID, "20 forced refreshes today",
          "midnight Beijing time");
      assertThat(h.wechat.tokensIssued(APP_ID)).isEqualTo(minted);
      assertThat(h.wechat.isValid(current)).isTrue();
      assertThat(h.token(APP_ID, SECRET).accessToken()).isEqualTo(current);
    }
  }

  @Test
  void concurrentReportsRefusedByThe30sRuleAllGet429AndNoOneIsBlamedForTheSecret() {
    try (ServerHarness h = ServerHarness.start(dir)) {
      String first = h.token(APP_ID, SECRET).accessToken();
      String fresh = refresh(h, first).accessToken();

      ObjectMapper json = new ObjectMapper();
      List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        replies.add(h.http().sendAsync(HttpRequest.newBuilder(h.uri(REFRESH_PATH))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(APP_ID, SECRET, fresh))).build(),
            HttpResponse.BodyHandlers.ofString()));
      }

      for (CompletableFuture<HttpResponse<String>> reply : replies) {
        try {
          com.fasterxml.jackson.databind.JsonNode body = json.readTree(reply.join().body());
          assertThat(body.path("statusCode").asInt()).as(body.toString()).isEqualTo(429);
          assertThat(body.path("apiCode").asInt()).as(body.toString()).isEqualTo(2004);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
      assertThat(h.token(APP_ID, SECRET).accessToken()).isEqualTo(fresh); // not throttled
    }
  }

  @Test
  void aFailedForcedRefreshIsReplayedDuringTheHoldoffNotRetried() {
    try (ServerHarness h = ServerHarness.start(dir, b -> { }, c -> c, o -> o.withResilience(
        new io.wxtoken.token.Resilience(Duration.ofMillis(10), Duration.ofMillis(50), 2,
            Duration.ofSeconds(3), 100, Duration.ofSeconds(30))))) {
      String current = h.token(APP_ID, SECRET).accessToken();
      h.wechat.faults().serverErrorRate(1.0);
      assertThat(refresh(h, current).statusCode()).isEqualTo(601);
      long calls = upstreamCalls(h);

      for (int i = 0; i < 5; i++) {
        assertThat(refresh(h, current).statusCode()).isEqualTo(601);
      }

      assertThat(upstreamCalls(h)).isEqualTo(calls);
    }
  }

  @Test
  void wrongSecretIsRefusedLikeOnTheTokenEndpointAndChangesNothing() {
    try (ServerHarness h = ServerHarness.start(dir)) {
      String current = h.token(APP_ID, SECRET).accessToken();
      h.clock.advance(Duration.ofSeconds(61)); // the app's secret check is free again

      Reply viaRefresh = h.post(REFRESH_PATH, "application/json",
          body(APP_ID, WRONG_SECRET, current));
      Reply viaToken = h.token(APP_ID, WRONG_SECRET);

      assertThat(viaRefresh.httpStatus()).isEqualTo(200);
      assertThat(viaRefresh.statusCode()).isEqualTo(403);
      assertThat(viaRefresh.apiCode()).isEqualTo(2002);
      assertThat(viaRefresh.message()).contains("could not be verified").doesNotContain("40125");
      assertThat(viaRefresh.body().has("data")).isFalse();
      assertThat(viaRefresh.body().toString()).doesNotContain(WRONG_SECRET, current);
      assertThat(viaToken.statusCode()).isEqualTo(viaRefresh.statusCode());
      assertThat(viaToken.apiCode()).isEqualTo(viaRefresh.apiCode());
      // no forced refresh happened: the reported token is still the one handed out
      assertThat(h.wechat.isValid(current)).isTrue();
      assertThat(h.token(APP_ID, SECRET).accessToken()).isEqualTo(current);
      assertThat(h.server().tokens().status(APP_ID).orElseThrow().forcedToday()).isZero();
    }
  }

  @Test
  void aSecondWrongSecretWithinTheMinuteIsRefusedWithoutAskingWeChat() {
    try (ServerHarness h = ServerHarness.start(dir)) {
      String current = h.token(APP_ID, SECRET).accessToken();
      long calls = upstreamCalls(h);

      Reply reply = h.post(REFRESH_PATH, "application/json", body(APP_ID, WRONG_SECRET, current));

      assertThat(reply.statusCode()).isEqualTo(403);
      assertThat(reply.apiCode()).isEqualTo(2001);
      assertThat(reply.message()).contains("could not be verified")
          .doesNotContainPattern("retry in \\d+ s");
      assertThat(upstreamCalls(h)).isEqualTo(calls);
    }
  }

  static java.util.stream.Stream<Arguments> badStaleTokens() {
    String base = "{\"appId\":\"" + APP_ID + "\",\"appSecret\":\"" + SECRET + "\"";
    return java.util.stream.Stream.of(
        Arguments.of("missing", base + "}", "staleToken is required"),
        Arguments.of("null", base + ",\"staleToken\":null}", "staleToken is required"),
        Arguments.of("number", base + ",\"staleToken\":42}", "staleToken must be a string"),
        Arguments.of("empty", base + ",\"staleToken\":\"\"}", "staleToken must be 1-2048 characters"),
        Arguments.of("too long", base + ",\"staleToken\":\"" + "a".repeat(2049) + "\"}",
            "staleToken must be 1-2048 characters"),
        Arguments.of("space", base + ",\"staleToken\":\"ab cd\"}",
            "staleToken may contain only visible ASCII characters"),
        Arguments.of("non-ASCII", base + ",\"staleToken\":\"ab令牌\"}",
            "staleToken may contain only visible ASCII characters"),
        Arguments.of("control character", base + ",\"staleToken\":\"ab\\u0000cd\"}",
            "staleToken may contain only visible ASCII characters"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badStaleTokens")
  void badStaleTokenIs400WithTheFieldNamedAndNoUpstreamCall(String name, String body,
      String message) {
    try (ServerHarness h = ServerHarness.start(dir)) {
      Reply reply = h.post(REFRESH_PATH, "application/json", body);

      assertThat(reply.httpStatus()).isEqualTo(200);
      assertThat(reply.statusCode()).isEqualTo(400);
      assertThat(reply.apiCode()).isEqualTo(1001);
      assertThat(reply.message()).isEqualTo(message);
      assertThat(reply.body().toString()).doesNotContain(SECRET);
      assertThat(upstreamCalls(h)).isZero();
      assertThat(h.server().tokens().cached(APP_ID)).isEmpty();
    }
  }

  @Test
  void formBodiesCarryStaleTokenToo() {
    try (ServerHarness h = ServerHarness.start(dir)) {
      String stale = h.token(APP_ID, SECRET).accessToken();

      Reply missing = h.post(REFRESH_PATH, "application/x-www-form-urlencoded",
          "appId=" + APP_ID + "&appSecret=" + SECRET);
      Reply ok = h.post(REFRESH_PATH, "application/x-www-form-urlencoded",
          "appId=" + APP_ID + "&appSecret=" + SECRET + "&staleToken=" + stale);

      assertThat(missing.statusCode()).isEqualTo(400);
      assertThat(missing.message()).isEqualTo("staleToken is required");
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.accessToken()).isNotEqualTo(stale);
    }
  }

  @Test
  void refreshTakesOnlyPost() {
    try (ServerHarness h = ServerHarness.start(dir)) {
      Reply reply = h.send(HttpRequest.newBuilder(h.uri(REFRESH_PATH)).GET().build());

      assertThat(reply.httpStatus()).isEqualTo(405);
      assertThat(reply.statusCode()).isEqualTo(405);
      assertThat(reply.apiCode()).isEqualTo(1005);
      assertThat(reply.headers().firstValue("allow")).hasValue("POST");
    }
  }

  @Test
  void theTokenEndpointsIgnoreAStaleTokenField() {
    try (ServerHarness h = ServerHarness.start(dir)) {
      String current = h.token(APP_ID, SECRET).accessToken();

      Reply reply = h.post(ServerHarness.TOKEN_PATH, "application/json",
          body(APP_ID, SECRET, current));

      assertThat(reply.accessToken()).isEqualTo(current);
      assertThat(h.wechat.tokensIssued(APP_ID)).isEqualTo(1);
    }
  }
}
