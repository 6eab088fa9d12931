package io.wxtoken.metrics;

import static io.wxtoken.server.ServerHarness.APP_ID;
import static io.wxtoken.server.ServerHarness.SECRET;
import static io.wxtoken.server.ServerHarness.TOKEN_PATH;
import static org.assertj.core.api.Assertions.assertThat;

import io.wxtoken.server.ServerHarness;
import io.wxtoken.server.ServerHarness.Reply;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalDouble;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /admin/metrics} on a real server: what operators and Prometheus see. */
class MetricsTest {
  static final String ADMIN_TOKEN = "0123456789abcdef-admin";

  @TempDir
  Path dir;

  ServerHarness h;

  @BeforeEach
  void start() {
    h = ServerHarness.start(dir, b -> { }, c -> c.withAdminToken(ADMIN_TOKEN));
  }

  @AfterEach
  void stop() {
    h.close();
  }

  @Test
  void metricsNeedTheAdminTokenAndComeInPrometheusTextFormat() {
    h.token(APP_ID, SECRET); // per-app families have no series before an app is known
    assertThat(get("/admin/metrics", null).statusCode()).isEqualTo(401);
    assertThat(get("/admin/metrics", "Bearer wrong").statusCode()).isEqualTo(401);

    HttpResponse<String> scrape = get("/admin/metrics", "Bearer " + ADMIN_TOKEN);

    assertThat(scrape.statusCode()).isEqualTo(200);
    assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
    assertThat(scrape.body()).contains("# TYPE wxtoken_requests_total counter",
        "# TYPE wxtoken_token_expires_in_seconds gauge", "# TYPE jvm_memory_used_bytes gauge",
        "# TYPE jvm_threads_current gauge", "# TYPE process_cpu_seconds_total counter");
  }

  @Test
  void metricsAreOffWithTheAdminApi(@TempDir Path other) {
    try (ServerHarness plain = ServerHarness.start(other)) {
      HttpResponse<String> scrape = send(plain, "/admin/metrics", "Bearer " + ADMIN_TOKEN);

      assertThat(scrape.statusCode()).isEqualTo(404);
      assertThat(scrape.body()).contains("--admin-token").doesNotContain("wxtoken_requests_total");
    }
  }

  @Test
  void answersAreCountedByEndpointAndOutcome() {
    for (int i = 0; i < 3; i++) {
      assertThat(h.token(APP_ID, SECRET).statusCode()).isEqualTo(200); // one fetch, then 2 hits
    }
    Reply wrong = h.token(APP_ID, "ffffffffffffffffffffffffffffffff");
    h.post(TOKEN_PATH, "application/json", "{\"appId\":\"" + APP_ID + "\"}");
    h.post(TOKEN_PATH, "application/json", "{");
    h.post("/api/v3/no-such-thing", "application/json", "{}");

    String metrics = scrape();

    assertThat(value(metrics, "wxtoken_requests_total{endpoint=\"token\",outcome=\"ok\"}")).hasValue(3);
    assertThat(value(metrics, "wxtoken_token_requests_total{served=\"memory\"}")).hasValue(2);
    assertThat(value(metrics, "wxtoken_token_requests_total{served=\"waited\"}")).hasValue(2);
    String refusal = wrong.apiCode() == 2001 ? "secret_mismatch" : "secret_rejected";
    assertThat(value(metrics, "wxtoken_requests_total{endpoint=\"token\",outcome=\"" + refusal + "\"}"))
        .hasValue(1);
    assertThat(value(metrics, "wxtoken_requests_total{endpoint=\"token\",outcome=\"invalid_parameter\"}"))
        .hasValue(1);
    assertThat(value(metrics, "wxtoken_requests_total{endpoint=\"token\",outcome=\"malformed_body\"}"))
        .hasValue(1);
    assertThat(value(metrics, "wxtoken_requests_total{endpoint=\"other\",outcome=\"not_found\"}"))
        .hasValue(1);
  }

  @Test
  void everyCallToWeChatIsCountedWithItsOutcomeAndTimed() {
    h.token(APP_ID, SECRET);
    h.token("wx00000000000000ff", SECRET); // an appid WeChat does not know: its errcode

    String metrics = scrape();

    assertThat(value(metrics, "wxtoken_wechat_requests_total{endpoint=\"stable_token\",outcome=\"ok\"}"))
        .hasValue(1);
    assertThat(value(metrics, "wxtoken_wechat_requests_total{endpoint=\"stable_token\",outcome=\"40013\"}"))
        .hasValue(1); // final: not retried
    assertThat(value(metrics, "wxtoken_wechat_request_duration_seconds_count{endpoint=\"stable_token\"}"))
        .hasValue(2);
  }

  @Test
  void errcodesBeyondTheFirstFewShareOneSeries() throws Exception {
    Metrics metrics = new Metrics(h.clock);
    for (int errcode = 1; errcode <= Metrics.MAX_WECHAT_OUTCOMES + 10; errcode++) {
      metrics.wechatCalls().called("stable_token", Integer.toString(errcode), 1_000_000);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    metrics.scrape(out);
    String text = out.toString(StandardCharsets.UTF_8);

    assertThat(text.lines().filter(line -> line.startsWith("wxtoken_wechat_requests_total{")))
        .hasSize(Metrics.MAX_WECHAT_OUTCOMES + 1);
    assertThat(value(text, "wxtoken_wechat_requests_total{endpoint=\"stable_token\",outcome=\"other\"}"))
        .hasValue(10);
  }

  @Test
  void aPassThroughIsCountedOnceWhateverItsFate() throws Exception {
    String token = h.token(APP_ID, SECRET).accessToken();
    assertThat(get("/cgi-bin/getcallbackip?access_token=" + token, null).statusCode()).isEqualTo(200);
    HttpRequest oversized = HttpRequest.newBuilder(
            h.uri("/cgi-bin/message/custom/send?access_token=" + token))
        .timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[21 * 1024 * 1024])).build();
    try {
      h.http().send(oversized, HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      // the server may cut the connection off before the client has sent it all
    }

    String metrics = scrape();

    assertThat(value(metrics, "wxtoken_requests_total{endpoint=\"wechat-api\",outcome=\"proxied\"}"))
        .hasValue(1);
    assertThat(value(metrics, "wxtoken_requests_total{endpoint=\"wechat-api\",outcome=\"payload_too_large\"}"))
        .hasValue(1);
  }

  @Test
  void wechatCompatibleAnswersAreCountedToo() {
    String query = "/cgi-bin/token?grant_type=client_credential&appid=" + APP_ID + "&secret=";
    assertThat(get(query + SECRET, null).body()).contains("access_token");
    assertThat(get(query, null).body()).contains("errcode");

    String metrics = scrape();

    assertThat(value(metrics, "wxtoken_requests_total{endpoint=\"wechat-api\",outcome=\"ok\"}")).hasValue(1);
    assertThat(value(metrics, "wxtoken_requests_total{endpoint=\"wechat-api\",outcome=\"refused\"}")).hasValue(1);
  }

  @Test
  void eachAppsTokenAndQuotaAreReadAtScrapeTime() {
    h.token(APP_ID, SECRET);
    String app = "{app_id=\"" + APP_ID + "\"}";

    String fresh = scrape();
    h.clock.advance(Duration.ofSeconds(100));
    String later = scrape();

    assertThat(value(fresh, "wxtoken_apps")).hasValue(1);
    assertThat(value(fresh, "wxtoken_ready")).hasValue(1);
    assertThat(value(fresh, "wxtoken_token_expires_in_seconds" + app)).hasValue(7200);
    assertThat(value(later, "wxtoken_token_expires_in_seconds" + app)).hasValue(7100);
    assertThat(value(fresh, "wxtoken_token_fetched_timestamp_seconds" + app))
        .hasValue(h.clock.instant().minusSeconds(100).getEpochSecond());
    assertThat(value(fresh, "wxtoken_wechat_calls_today" + app)).hasValue(1);
    assertThat(value(fresh, "wxtoken_wechat_forced_refreshes_today" + app)).hasValue(0);
    assertThat(value(fresh, "wxtoken_wechat_daily_limit")).hasValue(500_000); // stable_token's
    assertThat(value(fresh, "wxtoken_breaker_open" + app)).hasValue(0);
    assertThat(value(fresh, "wxtoken_refresh_stopped" + app)).hasValue(0);
    assertThat(fresh).doesNotContain("wxtoken_last_error_timestamp_seconds{");
  }

  @Test
  void aRefreshStoppedByWeChatShowsWithWhenItFailed() throws Exception {
    h.token(APP_ID, SECRET);
    h.wechat.blockIp(APP_ID, true); // errcode 40164: final, no retry
    h.clock.advance(Duration.ofSeconds(7200 - 119)); // past the latest proactive refresh
    long failedAt = h.clock.instant().getEpochSecond();
    h.server().tokens().refreshDue();
    String app = "{app_id=\"" + APP_ID + "\"}";

    String metrics = scrape();
    for (long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        value(metrics, "wxtoken_refresh_stopped" + app).orElse(0) == 0 && System.nanoTime() < deadline;
        metrics = scrape()) {
      Thread.sleep(20); // the refresh runs on the engine's executor
    }

    assertThat(value(metrics, "wxtoken_refresh_stopped" + app)).hasValue(1);
    assertThat(value(metrics, "wxtoken_last_error_timestamp_seconds" + app)).hasValue(failedAt);
    assertThat(value(metrics, "wxtoken_breaker_open" + app)).hasValue(0); // a verdict, no outage
    assertThat(value(metrics, "wxtoken_token_expires_in_seconds" + app)).hasValue(119);
  }

  @Test
  void noSecretOrTokenEverReachesTheMetrics() {
    String token = h.token(APP_ID, SECRET).accessToken();
    h.token(APP_ID, "ffffffffffffffffffffffffffffffff");

    String metrics = scrape();

    assertThat(metrics).contains(APP_ID)
        .doesNotContain(SECRET).doesNotContain("ffffffffffffffffffffffffffffffff")
        .doesNotContain(token).doesNotContain(ADMIN_TOKEN);
  }

  /** The value of the series written exactly as {@code series} (name and labels), if present. */
  static OptionalDouble value(String metrics, String series) {
    return metrics.lines()
        .filter(line -> line.startsWith(series + " "))
        .mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1).trim()))
        .findFirst();
  }

  private String scrape() {
    HttpResponse<String> response = get("/admin/metrics", "Bearer " + ADMIN_TOKEN);
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  private HttpResponse<String> get(String path, String authorization) {
    return send(h, path, authorization);
  }

  private static HttpResponse<String> send(ServerHarness server, String path, String authorization) {
    HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(path))
        .timeout(Duration.ofSeconds(10)).GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    try {
      return server.http().send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
