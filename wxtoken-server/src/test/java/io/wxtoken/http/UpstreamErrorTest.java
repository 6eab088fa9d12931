package io.wxtoken.http;

import static io.wxtoken.server.ServerHarness.APP_ID;
import static io.wxtoken.server.ServerHarness.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import io.wxtoken.server.ServerHarness;
import io.wxtoken.server.ServerHarness.Reply;
import io.wxtoken.wechat.TokenApi;
import java.nio.file.Path;
import io.wxtoken.simulator.WeChatSimulator.Endpoint;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each way WeChat can fail, as the caller sees it: 601 unreachable, 602 errcode, 403 secret. */
class UpstreamErrorTest {
  @TempDir
  Path dir;

  private static void assertError(Reply reply, int statusCode, int apiCode, String message) {
    assertThat(reply.httpStatus()).isEqualTo(200);
    assertThat(reply.statusCode()).isEqualTo(statusCode);
    assertThat(reply.apiCode()).isEqualTo(apiCode);
    assertThat(reply.message()).contains(message);
    assertThat(reply.body().toString()).doesNotContain(SECRET);
  }

  /** The app is known with its secret verified, and its token has expired: WeChat is asked. */
  private static void verifiedAndExpired(ServerHarness h) {
    assertThat(h.token(APP_ID, SECRET).statusCode()).isEqualTo(200);
    h.clock.advance(Duration.ofSeconds(7200));
  }

  @Test
  void weChatErrcodesAre602WithErrcodeAndErrmsgForAVerifiedCaller() {
    try (ServerHarness h = ServerHarness.start(dir)) {
      verifiedAndExpired(h);
      h.wechat.blockIp(APP_ID, true);

      assertError(h.token(APP_ID, SECRET), 602, 3002, "errcode 40164");
    }
  }

  @Test
  void weChatErrcodesAre602ButTheirErrmsgIsNotToldToAnUnverifiedCaller() {
    try (ServerHarness h = ServerHarness.start(dir, sim -> sim
        .app("wx00000000000000b1", SECRET)
        .app("wx00000000000000b2", SECRET)
        .app("wx00000000000000b3", SECRET), c -> c)) {
      h.wechat.blockIp("wx00000000000000b1", true);
      h.wechat.freezeSecret("wx00000000000000b2", true);

      Reply unknown = h.token("wx00000000000000ff", SECRET);
      assertError(unknown, 602, 3002, "could not be verified");
      assertThat(unknown.message()).doesNotContain("40013").doesNotContain("invalid appid");
      Reply blocked = h.token("wx00000000000000b1", SECRET);
      assertError(blocked, 602, 3002, "could not be verified");
      assertThat(blocked.message()).as("WeChat's errmsg names this server's IP")
          .doesNotContain("40164").doesNotContain("invalid ip");
      assertError(h.token("wx00000000000000b2", SECRET), 602, 3002, "could not be verified");
      // -1 is retried (twice, in the harness); when it persists the caller is told it generically
      h.wechat.faults().failNext(3, -1, "system error");
      assertError(h.token("wx00000000000000b3", SECRET), 602, 3002, "could not be verified");
      assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN, "wx00000000000000b3")).isEqualTo(3);
    }
  }

  @Test
  void aTransientErrorIsRetriedAwayUnseen() {
    try (ServerHarness h = ServerHarness.start(dir)) {
      h.wechat.faults().failNext(2, -1, "system error");

      assertThat(h.token(APP_ID, SECRET).statusCode()).isEqualTo(200);
      assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN)).isEqualTo(3);
    }
  }

  @Test
  void dailyQuotaExhaustionIs602With45009() {
    try (ServerHarness h = ServerHarness.start(dir, sim -> sim.dailyTokenQuota(0),
        c -> c.withTokenApi(TokenApi.CLASSIC))) {
      assertError(h.token(APP_ID, SECRET), 602, 3002, "could not be verified");
      assertThat(h.token(APP_ID, SECRET).message()).doesNotContain("45009");
    }
  }

  @Test
  void secretWeChatRejectsIs403() {
    try (ServerHarness h = ServerHarness.start(dir)) {
      assertError(h.token(APP_ID, "ffffffffffffffffffffffffffffffff"), 403, 2002,
          "could not be verified");
      assertThat(h.token(APP_ID, "ffffffffffffffffffffffffffffffff").message())
          .doesNotContain("40125");
    }
  }

  @Test
  void serverErrorsAre601() {
    try (ServerHarness h = ServerHarness.start(dir)) {
      verifiedAndExpired(h);
      h.wechat.faults().serverErrorRate(1.0);

      assertError(h.token(APP_ID, SECRET), 601, 3001, "WeChat answered HTTP 503");
    }
  }

  @Test
  void garbageIs601() {
    try (ServerHarness h = ServerHarness.start(dir)) {
      verifiedAndExpired(h);
      h.wechat.faults().malformedRate(1.0);

      assertError(h.token(APP_ID, SECRET), 601, 3001, "not JSON");
    }
  }

  @Test
  void theBreakerStopsCallingADeadWeChatAndRecoversWithoutARestart() throws Exception {
    try (ServerHarness h = ServerHarness.start(dir)) {
      verifiedAndExpired(h);
      h.wechat.faults().serverErrorRate(1.0);
      h.token(APP_ID, SECRET); // 3 attempts
      h.clock.advance(Duration.ofSeconds(3)); // past the holdoff
      h.token(APP_ID, SECRET); // 2 more: 5 failures in a row open the breaker
      h.clock.advance(Duration.ofSeconds(3));
      long calls = h.wechat.calls(Endpoint.STABLE_TOKEN);

      Reply paused = h.token(APP_ID, SECRET);

      assertError(paused, 601, 3001, "are paused after 5 failures in a row");
      assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN)).isEqualTo(calls);

      h.wechat.faults().reset();
      Thread.sleep(ServerHarness.QUICK.breakerDelay().toMillis() + 200); // the breaker runs on real time
      h.clock.advance(Duration.ofSeconds(3));
      assertThat(h.token(APP_ID, SECRET).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void timeoutIs601AndBounded() {
    try (ServerHarness h = ServerHarness.start(dir)) {
      verifiedAndExpired(h);
      h.wechat.faults().timeoutRate(1.0).hang(Duration.ofSeconds(10));
      long started = System.nanoTime();

      assertError(h.token(APP_ID, SECRET), 601, 3001, "timed out");

      // 2 s read timeout per attempt; retries stop once 3 s have passed: two attempts
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(7));
      assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN)).isEqualTo(1 + 2);
    }
  }

  @Test
  void unreachableWeChatIs601() {
    try (ServerHarness h = ServerHarness.start(dir)) {
      h.wechat.close();

      assertError(h.token(APP_ID, SECRET), 601, 3001, "cannot get a token from WeChat");
    }
  }

  @Test
  void failuresAreReplayedDuringTheHoldoffNotRetried() {
    try (ServerHarness h = ServerHarness.start(dir)) {
      h.wechat.faults().serverErrorRate(1.0);
      h.token(APP_ID, SECRET); // one attempt and two retries
      for (int i = 0; i < 10; i++) {
        assertThat(h.token(APP_ID, SECRET).statusCode()).isEqualTo(601);
      }
      assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN)).isEqualTo(3);
    }
  }
}
