package io.wxtoken.http;

import static io.wxtoken.server.ServerHarness.APP_ID;
import static io.wxtoken.server.ServerHarness.SECRET;
import static io.wxtoken.server.ServerHarness.TOKEN_PATH;
import static org.assertj.core.api.Assertions.assertThat;

import io.wxtoken.server.ServerHarness;
import io.wxtoken.server.ServerHarness.Reply;
import io.wxtoken.simulator.WeChatSimulator.Endpoint;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-address failure throttle over real HTTP: it stops guessing (secrets, appIds, the admin
 * token) and never locks out a caller whose secret verifies, whoever shares its address.
 */
class FailureThrottleTest {
  private static final String ADMIN_TOKEN = "0123456789abcdef-admin";

  @TempDir
  Path dir;

  ServerHarness h;

  @BeforeEach
  void start() {
    h = ServerHarness.start(dir, b -> { },
        c -> c.withTrustForwardedFor(true).withAdminToken(ADMIN_TOKEN));
  }

  @AfterEach
  void stop() {
    h.close();
  }

  private Reply tokenFrom(String address, String appId, String secret) {
    return h.post(TOKEN_PATH, "application/json",
        "{\"appId\":\"" + appId + "\",\"appSecret\":\"" + secret + "\"}",
        "X-Forwarded-For", address);
  }

  private void failAll(String address) {
    for (int i = 0; i < ApiServer.FAILURES_PER_WINDOW; i++) {
      assertThat(tokenFrom(address, APP_ID, "wrong-" + i).statusCode()).isEqualTo(403);
    }
  }

  @Test
  void aBlockedAddressStillGetsItsTokenWithTheRightSecret() {
    String token = tokenFrom("192.0.2.1", APP_ID, SECRET).accessToken();
    failAll("192.0.2.1"); // a guesser behind the same NAT

    Reply honest = tokenFrom("192.0.2.1", APP_ID, SECRET);
    Reply guesser = tokenFrom("192.0.2.1", APP_ID, "wrong-again");

    assertThat(honest.statusCode()).isEqualTo(200);
    assertThat(honest.accessToken()).isEqualTo(token);
    assertThat(guesser.statusCode()).isEqualTo(429);
    assertThat(guesser.apiCode()).isEqualTo(2003);
  }

  @Test
  void theFacadeToo() {
    tokenFrom("192.0.2.2", APP_ID, SECRET);
    failAll("192.0.2.2");

    Reply honest = h.send(HttpRequest.newBuilder(h.uri("/cgi-bin/token?grant_type="
        + "client_credential&appid=" + APP_ID + "&secret=" + SECRET))
        .header("X-Forwarded-For", "192.0.2.2").GET().build());

    assertThat(honest.body().has("access_token")).isTrue();
  }

  @Test
  void ipv6AddressesAreCountedByTheirSlash64() {
    tokenFrom("2001:db8:1:2::1", APP_ID, SECRET);
    for (int i = 0; i < ApiServer.FAILURES_PER_WINDOW; i++) {
      tokenFrom("2001:db8:1:2::" + Integer.toHexString(0x100 + i), APP_ID, "wrong-" + i);
    }

    assertThat(tokenFrom("2001:db8:1:2:ffff:ffff:ffff:fffe", APP_ID, "wrong").statusCode())
        .isEqualTo(429);
    assertThat(tokenFrom("2001:db8:1:3::1", APP_ID, "wrong").statusCode()).isEqualTo(403);
  }

  @Test
  void randomAppIdsCountAsFailedCredentialsSoGuessingStopsCostingWeChatCalls() {
    for (int i = 0; i < ApiServer.FAILURES_PER_WINDOW; i++) {
      tokenFrom("192.0.2.3", "wx" + String.format("%016x", 0xabc000L + i), SECRET);
    }
    long calls = h.wechat.calls(Endpoint.STABLE_TOKEN);

    Reply refused = tokenFrom("192.0.2.3", "wx00000000deadbeef", SECRET);

    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN)).isEqualTo(calls);
  }

  @Test
  void theWindowIsTimedOnTheMonotonicClockNotTheWallClock() {
    tokenFrom("192.0.2.4", APP_ID, SECRET);
    failAll("192.0.2.4");
    h.clock.set(h.clock.instant().minus(Duration.ofMinutes(10))); // the wall clock steps back

    h.clock.advance(ApiServer.FAILURE_WINDOW.plusSeconds(1));

    assertThat(tokenFrom("192.0.2.4", APP_ID, "wrong-again").statusCode()).isEqualTo(403);
  }

  @Test
  void wrongAdminTokensAreThrottledButTheRightOneStillWorks() throws Exception {
    for (int i = 0; i < ApiServer.FAILURES_PER_WINDOW; i++) {
      assertThat(admin("192.0.2.5", "guess-" + i).statusCode()).isEqualTo(401);
    }

    assertThat(admin("192.0.2.5", "guess-again").statusCode()).isEqualTo(429);
    assertThat(admin("192.0.2.5", ADMIN_TOKEN).statusCode()).isEqualTo(200);
    assertThat(admin("192.0.2.6", "guess-elsewhere").statusCode()).isEqualTo(401);
  }

  @Test
  void refusalsAreCountedInTheMetrics() throws Exception {
    failAll("192.0.2.7");
    tokenFrom("192.0.2.7", APP_ID, "wrong-again");
    tokenFrom("192.0.2.7", APP_ID, "wrong-again");

    String metrics = admin("192.0.2.8", ADMIN_TOKEN).body();

    assertThat(metrics).contains("wxtoken_http_refused_total{reason=\"throttled\"} 2");
  }

  private HttpResponse<String> admin(String address, String token) throws Exception {
    return h.http().send(HttpRequest.newBuilder(h.uri("/admin/metrics"))
        .header("Authorization", "Bearer " + token).header("X-Forwarded-For", address)
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

}
