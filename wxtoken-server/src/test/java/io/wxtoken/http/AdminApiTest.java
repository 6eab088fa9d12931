package io.wxtoken.http;

import static io.wxtoken.server.ServerHarness.APP_ID;
import static io.wxtoken.server.ServerHarness.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wxtoken.server.ServerHarness;
import io.wxtoken.token.Resilience;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code GET /admin/apps[/{appId}]}: off unless configured, bearer-guarded, never a secret. */
class AdminApiTest {
  static final String ADMIN_TOKEN = "0123456789abcdef-admin";
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * The harness's quick retries (3 attempts per call), with a breaker that stays open for the
   * whole test once 5 calls in a row have failed (the breaker runs on real time).
   */
  private static final Resilience SLOW_BREAKER = new Resilience(Duration.ofMillis(10),
      Duration.ofMillis(50), 2, Duration.ofSeconds(3), 5, Duration.ofMinutes(5));

  @TempDir
  Path dir;

  ServerHarness h;

  @BeforeEach
  void start() {
    h = ServerHarness.start(dir, b -> { }, c -> c.withAdminToken(ADMIN_TOKEN),
        o -> o.withResilience(SLOW_BREAKER));
  }

  @AfterEach
  void stop() {
    h.close();
  }

  /** An admin answer: HTTP status, headers and the raw body as sent. */
  record Raw(int httpStatus, java.net.http.HttpHeaders headers, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static Raw get(ServerHarness server, String path, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(path))
        .timeout(Duration.ofSeconds(10)).GET();
    if (headers.length > 0) {
      request.headers(headers);
    }
    return send(server, request.build());
  }

  private static Raw send(ServerHarness server, HttpRequest request) {
    try {
      HttpResponse<String> response = server.http().send(request, HttpResponse.BodyHandlers.ofString());
      return new Raw(response.statusCode(), response.headers(), response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private Raw admin(String path) {
    return get(h, path, "Authorization", "Bearer " + ADMIN_TOKEN);
  }

  private JsonNode appStatus() {
    return admin("/admin/apps/" + APP_ID).json().path("data");
  }

  /** Polls the app's status (real time, at most 5 s) until it satisfies {@code condition}. */
  private JsonNode awaitStatus(Predicate<JsonNode> condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    JsonNode status = appStatus();
    while (!condition.test(status) && System.nanoTime() < deadline) {
      Thread.sleep(20);
      status = appStatus();
    }
    return status;
  }

  @Test
  void isOffByDefaultAndSaysHowToTurnItOn(@TempDir Path other) {
    try (ServerHarness plain = ServerHarness.start(other)) {
      plain.token(APP_ID, SECRET);

      Raw reply = get(plain, "/admin/apps", "Authorization", "Bearer " + ADMIN_TOKEN);

      assertThat(reply.httpStatus()).isEqualTo(404);
      assertThat(reply.json().path("statusCode").asInt()).isEqualTo(404);
      assertThat(reply.json().path("apiCode").asInt()).isEqualTo(1004);
      assertThat(reply.json().path("message").asText()).contains("GET /admin/apps", "--admin-token");
      assertThat(reply.body()).doesNotContain(APP_ID + "\"");
      assertThat(get(plain, "/admin/apps/" + APP_ID).httpStatus()).isEqualTo(404);
    }
  }

  @ParameterizedTest(name = "Authorization: \"{0}\"")
  @ValueSource(strings = {"", "Bearer wrong-token-0123456789", "0123456789abcdef-admin",
      "Bearer 0123456789abcdef-admin-and-more", "Basic MDEyMzQ1Njc4OWFiY2RlZi1hZG1pbg=="})
  void missingOrWrongBearerIs401WithAChallenge(String authorization) {
    Raw list = authorization.isEmpty() ? get(h, "/admin/apps")
        : get(h, "/admin/apps", "Authorization", authorization);
    Raw one = authorization.isEmpty() ? get(h, "/admin/apps/wx-unknown")
        : get(h, "/admin/apps/wx-unknown", "Authorization", authorization);

    for (Raw reply : new Raw[] {list, one}) {
      assertThat(reply.httpStatus()).isEqualTo(401);
      assertThat(reply.headers().firstValue("www-authenticate")).hasValue("Bearer");
      assertThat(reply.json().path("statusCode").asInt()).isEqualTo(401);
      assertThat(reply.json().path("apiCode").asInt()).isEqualTo(1007);
      assertThat(reply.json().path("message").asText()).contains("Authorization: Bearer");
      assertThat(reply.json().has("data")).isFalse();
      assertThat(reply.body()).doesNotContain(ADMIN_TOKEN);
    }
  }

  @Test
  void listsEachKnownAppWithItsScheduleAndCountersButNeverItsTokenOrSecret() {
    Instant fetchedAt = h.clock.instant();
    String token = h.token(APP_ID, SECRET).accessToken();

    Raw list = admin("/admin/apps");

    assertThat(list.httpStatus()).isEqualTo(200);
    assertThat(list.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
    JsonNode body = list.json();
    assertThat(body.path("statusCode").asInt()).isEqualTo(200);
    assertThat(body.path("message").asText()).isEqualTo("操作成功");
    assertThat(body.path("requestId").asText()).isNotEmpty();
    assertThat(body.path("data").isArray()).isTrue();
    assertThat(body.path("data")).hasSize(1);
    JsonNode app = body.path("data").get(0);
    assertThat(app.fieldNames()).toIterable().containsExactly("appId", "tokenExpiresAt",
        "lastRefreshAt", "nextRefreshAt", "generation", "secretStored", "lastError",
        "refreshStoppedByErrcode", "breaker", "callsToday", "forcedRefreshesToday", "dailyLimit");
    assertThat(app.path("appId").asText()).isEqualTo(APP_ID);
    assertThat(Instant.parse(app.path("tokenExpiresAt").asText()))
        .isEqualTo(fetchedAt.plusSeconds(7200));
    assertThat(Instant.parse(app.path("lastRefreshAt").asText())).isEqualTo(fetchedAt);
    // proactive refresh: in the first half of the 240 s margin before expiry
    assertThat(Instant.parse(app.path("nextRefreshAt").asText()))
        .isBetween(fetchedAt.plusSeconds(7200 - 240), fetchedAt.plusSeconds(7200 - 120));
    assertThat(app.path("generation").asLong()).isEqualTo(1);
    assertThat(app.path("secretStored").asBoolean()).isTrue();
    assertThat(app.path("lastError").isObject()).isTrue();
    assertThat(app.path("lastError")).isEmpty();
    assertThat(app.path("refreshStoppedByErrcode").isNull()).isTrue();
    assertThat(app.path("breaker").asText()).isEqualTo("CLOSED");
    assertThat(app.path("callsToday").asInt()).isEqualTo(1);
    assertThat(app.path("forcedRefreshesToday").asInt()).isZero();
    assertThat(app.path("dailyLimit").asInt()).isEqualTo(500_000);
    assertThat(list.body()).doesNotContain(token).doesNotContain(SECRET)
        .doesNotContain(h.server().tokens().cached(APP_ID).orElseThrow().sealedSecret());

    Raw single = admin("/admin/apps/" + APP_ID);

    assertThat(single.httpStatus()).isEqualTo(200);
    assertThat(single.json().path("data").isObject()).isTrue();
    assertThat(single.json().path("data")).isEqualTo(app);
    assertThat(single.body()).doesNotContain(token).doesNotContain(SECRET);
  }

  @Test
  void listIsEmptyBeforeAnyAppIsKnown() {
    Raw list = admin("/admin/apps");

    assertThat(list.httpStatus()).isEqualTo(200);
    assertThat(list.json().path("data").isArray()).isTrue();
    assertThat(list.json().path("data")).isEmpty();
  }

  @Test
  void unknownAppIs404() {
    h.token(APP_ID, SECRET);

    Raw reply = admin("/admin/apps/wx00000000000000ff");

    assertThat(reply.httpStatus()).isEqualTo(404);
    assertThat(reply.json().path("statusCode").asInt()).isEqualTo(404);
    assertThat(reply.json().path("apiCode").asInt()).isEqualTo(1004);
    assertThat(reply.json().path("message").asText()).contains("wx00000000000000ff", "is known");
    assertThat(reply.json().has("data")).isFalse();
  }

  @Test
  void otherMethodsAre405() {
    Raw reply = send(h, HttpRequest.newBuilder(h.uri("/admin/apps"))
        .header("Authorization", "Bearer " + ADMIN_TOKEN)
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build());

    assertThat(reply.httpStatus()).isEqualTo(405);
    assertThat(reply.headers().firstValue("allow")).hasValue("GET");
    assertThat(reply.json().path("apiCode").asInt()).isEqualTo(1005);
  }

  @Test
  void aFailedRefreshShowsItsMessageAndErrcodeWhileTheOldTokenIsStillServed() throws Exception {
    String token = h.token(APP_ID, SECRET).accessToken();
    h.wechat.faults().serverErrorRate(1.0);
    // past the latest possible proactive refresh (expiry − 120 s), before expiry
    h.clock.advance(Duration.ofSeconds(7200 - 119));
    Instant failedAt = h.clock.instant();
    h.server().tokens().refreshDue(); // (the server's own tick may have started it already)

    JsonNode status = awaitStatus(s -> s.path("lastError").has("message"));

    assertThat(status.path("lastError").path("errcode").asInt()).isZero(); // no WeChat errcode
    assertThat(status.path("lastError").path("message").asText()).contains("WeChat answered HTTP 503");
    assertThat(Instant.parse(status.path("lastError").path("at").asText())).isEqualTo(failedAt);
    assertThat(status.path("refreshStoppedByErrcode").isNull()).isTrue();
    assertThat(status.path("breaker").asText()).isEqualTo("CLOSED"); // 3 failures so far
    assertThat(status.path("callsToday").asInt()).isEqualTo(1 + 3);
    assertThat(status.path("generation").asLong()).isEqualTo(1);
    // retried later, before expiry
    assertThat(Instant.parse(status.path("nextRefreshAt").asText()))
        .isAfter(failedAt).isBefore(failedAt.plusSeconds(119));
    assertThat(h.token(APP_ID, SECRET).accessToken()).isEqualTo(token);
    assertThat(h.wechat.isValid(token)).isTrue();
  }

  @Test
  void afterFiveFailuresInARowTheBreakerShowsOpen() throws Exception {
    h.token(APP_ID, SECRET);
    h.wechat.faults().serverErrorRate(1.0);
    h.clock.advance(Duration.ofSeconds(7200 - 119));
    h.server().tokens().refreshDue();
    JsonNode first = awaitStatus(s -> s.path("lastError").has("message")
        && !s.path("nextRefreshAt").isNull());
    assertThat(first.path("breaker").asText()).isEqualTo("CLOSED");

    // the retry: two more failures open the breaker, which refuses the third attempt
    h.clock.set(Instant.parse(first.path("nextRefreshAt").asText()).plusMillis(1));
    h.server().tokens().refreshDue();
    JsonNode open = awaitStatus(s -> s.path("breaker").asText().equals("OPEN")
        && s.path("lastError").path("message").asText().contains("paused"));

    assertThat(open.path("breaker").asText()).isEqualTo("OPEN");
    assertThat(open.path("lastError").path("message").asText())
        .contains("are paused after 5 failures in a row");
    assertThat(open.path("callsToday").asInt()).isEqualTo(1 + 5);
  }

  @Test
  void aWeChatVerdictOnTheCredentialStopsProactiveRefreshAndShowsTheErrcode() throws Exception {
    h.token(APP_ID, SECRET);
    h.wechat.blockIp(APP_ID, true);
    h.clock.advance(Duration.ofSeconds(7200 - 119));
    h.server().tokens().refreshDue();

    JsonNode status = awaitStatus(s -> s.path("lastError").has("message"));

    assertThat(status.path("lastError").path("errcode").asInt()).isEqualTo(40164);
    assertThat(status.path("lastError").path("message").asText()).contains("errcode 40164");
    assertThat(status.path("refreshStoppedByErrcode").asInt()).isEqualTo(40164);
    assertThat(status.path("nextRefreshAt").isNull()).isTrue();
    assertThat(status.path("breaker").asText()).isEqualTo("CLOSED"); // a verdict is no outage
  }
}
