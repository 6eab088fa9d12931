package io.wxtoken.http;

import static io.wxtoken.server.ServerHarness.APP_ID;
import static io.wxtoken.server.ServerHarness.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import io.wxtoken.server.ServerHarness;
import io.wxtoken.server.ServerHarness.Reply;
import io.wxtoken.wechat.TokenApi;
import java.nio.file.Path;
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

  @Test
  void weChatErrcodesAre602WithErrcodeAndErrmsg() {
    try (ServerHarness h = ServerHarness.start(dir, sim -> sim
        .app("wx00000000000000b1", SECRET)
        .app("wx00000000000000b2", SECRET)
        .app("wx00000000000000b3", SECRET), c -> c)) {
      h.wechat.blockIp("wx00000000000000b1", true);
      h.wechat.freezeSecret("wx00000000000000b2", true);

      assertError(h.token("wx00000000000000ff", SECRET), 602, 3002, "errcode 40013: invalid appid");
      assertError(h.token("wx00000000000000b1", SECRET), 602, 3002, "errcode 40164");
      assertError(h.token("wx00000000000000b2", SECRET), 602, 3002, "errcode 40243");
      h.wechat.faults().failNext(1, -1, "system error");
      assertError(h.token("wx00000000000000b3", SECRET), 602, 3002, "errcode -1: system error");
    }
  }

  @Test
  void dailyQuotaExhaustionIs602With45009() {
    try (ServerHarness h = ServerHarness.start(dir, sim -> sim.dailyTokenQuota(0),
        c -> c.withTokenApi(TokenApi.CLASSIC))) {
      assertError(h.token(APP_ID, SECRET), 602, 3002, "errcode 45009");
    }
  }

  @Test
  void secretWeChatRejectsIs403() {
    try (ServerHarness h = ServerHarness.start(dir)) {
      assertError(h.token(APP_ID, "ffffffffffffffffffffffffffffffff"), 403, 2002,
          "WeChat rejected the appSecret");
      assertThat(h.token(APP_ID, "ffffffffffffffffffffffffffffffff").message()).contains("40125");
    }
  }

  @Test
  void serverErrorsAndGarbageAre601() {
    try (ServerHarness h = ServerHarness.start(dir)) {
      h.wechat.faults().serverErrorRate(1.0);
      assertError(h.token(APP_ID, SECRET), 601, 3001, "WeChat answered HTTP 503");

      h.clock.advance(Duration.ofSeconds(3)); // past the failure holdoff
      h.wechat.faults().reset().malformedRate(1.0);
      assertError(h.token(APP_ID, SECRET), 601, 3001, "not JSON");

      h.clock.advance(Duration.ofSeconds(3));
      h.wechat.faults().reset();
      assertThat(h.token(APP_ID, SECRET).statusCode()).isEqualTo(200); // recovers by itself
    }
  }

  @Test
  void timeoutIs601AndBounded() {
    try (ServerHarness h = ServerHarness.start(dir)) {
      h.wechat.faults().timeoutRate(1.0).hang(Duration.ofSeconds(10));
      long started = System.nanoTime();

      assertError(h.token(APP_ID, SECRET), 601, 3001, "timed out");

      // read timeout is 2 s in the harness (plus the 2 s connect allowance)
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(6));
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
      h.token(APP_ID, SECRET);
      for (int i = 0; i < 10; i++) {
        assertThat(h.token(APP_ID, SECRET).statusCode()).isEqualTo(601);
      }
      assertThat(h.wechat.calls(io.wxtoken.simulator.WeChatSimulator.Endpoint.STABLE_TOKEN))
          .isEqualTo(1);
    }
  }
}
