package io.wxtoken.http;

import static io.wxtoken.server.ServerHarness.APP_ID;
import static io.wxtoken.server.ServerHarness.SECRET;
import static io.wxtoken.server.ServerHarness.TOKEN_PATH;
import static org.assertj.core.api.Assertions.assertThat;

import io.wxtoken.server.ServerHarness;
import io.wxtoken.server.ServerHarness.Reply;
import io.wxtoken.simulator.WeChatSimulator.Endpoint;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The Authing-compatible contract over real HTTP: envelope, formats, headers and bad input. */
class TokenApiTest {
  @TempDir
  Path dir;

  ServerHarness h;

  @BeforeEach
  void start() {
    h = ServerHarness.start(dir);
  }

  @AfterEach
  void stop() {
    h.close();
  }

  @Test
  void successHasAuthingsEnvelopeWithExpiresAtInEpochSeconds() {
    Reply reply = h.token(APP_ID, SECRET);

    assertThat(reply.httpStatus()).isEqualTo(200);
    assertThat(reply.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
    assertThat(reply.body().fieldNames()).toIterable()
        .containsExactly("statusCode", "message", "requestId", "data");
    assertThat(reply.statusCode()).isEqualTo(200);
    assertThat(reply.message()).isEqualTo("操作成功");
    assertThat(reply.body().path("requestId").asText()).isNotEmpty();
    assertThat(reply.body().path("data").path("expiresAt").isIntegralNumber()).isTrue();
    assertThat(reply.expiresAt()).isEqualTo(h.clock.instant().getEpochSecond() + 7200);
    assertThat(h.wechat.isValid(reply.accessToken())).isTrue();
  }

  @Test
  void aRepeatedBodyIsRefusedOnceTheAppsSecretHasChanged() {
    String newSecret = "fedcba9876543210fedcba9876543210";
    for (int i = 0; i < 3; i++) { // the second answer makes the body a known one
      assertThat(h.token(APP_ID, SECRET).statusCode()).isEqualTo(200);
    }
    h.wechat.registerApp(APP_ID, newSecret);
    h.clock.advance(Duration.ofMinutes(2));
    assertThat(h.token(APP_ID, newSecret).statusCode()).isEqualTo(200); // checked with WeChat

    Reply old = h.token(APP_ID, SECRET);

    assertThat(old.statusCode()).isEqualTo(403);
    assertThat(old.apiCode()).isEqualTo(2001);
    assertThat(old.accessToken()).isNull();
    assertThat(h.token(APP_ID, newSecret).statusCode()).isEqualTo(200);
  }

  @Test
  void aKnownBodyIsStillJudgedByItsContentType() {
    String body = "{\"appId\":\"" + APP_ID + "\",\"appSecret\":\"" + SECRET + "\"}";
    for (int i = 0; i < 3; i++) {
      assertThat(h.post(TOKEN_PATH, "application/json", body).statusCode()).isEqualTo(200);
    }

    assertThat(h.post(TOKEN_PATH, "text/plain", body).apiCode()).isEqualTo(1003);
    assertThat(h.post(TOKEN_PATH, "application/x-www-form-urlencoded", body).statusCode())
        .isEqualTo(200); // what curl -d sends: read as JSON
    assertThat(h.post(TOKEN_PATH, "application/json", body).statusCode()).isEqualTo(200);
  }

  @Test
  void infoEndpointHasTheSameContract() {
    String token = h.token(APP_ID, SECRET).accessToken();

    Reply info = h.post("/api/v3/get-wechat-access-token-info", "application/json",
        "{\"appId\":\"" + APP_ID + "\",\"appSecret\":\"" + SECRET + "\"}");

    assertThat(info.statusCode()).isEqualTo(200);
    assertThat(info.accessToken()).isEqualTo(token);
  }

  @Test
  void acceptsFormEncodedBodiesAndJsonLabelledAsForm() {
    Reply form = h.post(TOKEN_PATH, "application/x-www-form-urlencoded",
        "appId=" + APP_ID + "&appSecret=" + SECRET);
    Reply curlStyle = h.post(TOKEN_PATH, "application/x-www-form-urlencoded",
        "{\"appId\":\"" + APP_ID + "\",\"appSecret\":\"" + SECRET + "\"}");

    assertThat(form.statusCode()).isEqualTo(200);
    assertThat(curlStyle.accessToken()).isEqualTo(form.accessToken());
  }

  @Test
  void expiresAtCanBeWrittenAsAString(@TempDir Path other) {
    try (ServerHarness s = ServerHarness.start(other, b -> { },
        c -> c.withExpiresAtFormat(ExpiresAtFormat.STRING))) {
      Reply reply = s.token(APP_ID, SECRET);

      assertThat(reply.body().path("data").path("expiresAt").isTextual()).isTrue();
      assertThat(reply.body().path("data").path("expiresAt").asText())
          .isEqualTo(Long.toString(s.clock.instant().getEpochSecond() + 7200));
    }
  }

  @Test
  void echoesASafeRequestIdAndReplacesAnUnsafeOne() {
    Reply echoed = h.post(TOKEN_PATH, "application/json",
        "{\"appId\":\"" + APP_ID + "\",\"appSecret\":\"" + SECRET + "\"}", "X-Request-Id", "trace-42.a:b_c");
    Reply replaced = h.post(TOKEN_PATH, "application/json",
        "{\"appId\":\"" + APP_ID + "\",\"appSecret\":\"" + SECRET + "\"}", "X-Request-Id", "\"><script>");

    assertThat(echoed.body().path("requestId").asText()).isEqualTo("trace-42.a:b_c");
    assertThat(echoed.headers().firstValue("x-request-id")).hasValue("trace-42.a:b_c");
    assertThat(replaced.body().path("requestId").asText()).matches("[0-9a-f-]{36}");
  }

  @Test
  void ignoresAuthingSdkHeaders() {
    String body = "{\"appId\":\"" + APP_ID + "\",\"appSecret\":\"" + SECRET + "\"}";
    Reply bearer = h.post(TOKEN_PATH, "application/json;charset=UTF-8", body,
        "x-authing-app-id", "authing-app", "x-authing-request-from", "sdk",
        "x-authing-sdk-version", "5.0.0", "Authorization", "Bearer some.user.token");
    Reply raw = h.post(TOKEN_PATH, "application/json", body, "Authorization", "some.user.token");

    assertThat(bearer.statusCode()).isEqualTo(200);
    assertThat(raw.accessToken()).isEqualTo(bearer.accessToken());
  }

  static Stream<Arguments> badBodies() {
    String longId = "wx" + "a".repeat(63);
    String longSecret = "s".repeat(129);
    return Stream.of(
        Arguments.of("malformed JSON", "application/json", "{\"appId\": \"wx1\",", 1002, "not valid JSON"),
        Arguments.of("JSON array", "application/json", "[1,2]", 1002, "must be a JSON object"),
        Arguments.of("JSON string", "application/json", "\"hi\"", 1002, "must be a JSON object"),
        Arguments.of("empty body", "application/json", "", 1002, "request body is empty"),
        Arguments.of("missing appId", "application/json", "{\"appSecret\":\"x\"}", 1001, "appId is required"),
        Arguments.of("missing appSecret", "application/json", "{\"appId\":\"wx1\"}", 1001, "appSecret is required"),
        Arguments.of("null appId", "application/json", "{\"appId\":null,\"appSecret\":\"x\"}", 1001, "appId is required"),
        Arguments.of("empty appId", "application/json", "{\"appId\":\"\",\"appSecret\":\"x\"}", 1001, "appId must not be empty"),
        Arguments.of("empty appSecret", "application/json", "{\"appId\":\"wx1\",\"appSecret\":\"\"}", 1001, "appSecret must not be empty"),
        Arguments.of("number appId", "application/json", "{\"appId\":12,\"appSecret\":\"x\"}", 1001, "appId must be a string"),
        Arguments.of("object appSecret", "application/json", "{\"appId\":\"wx1\",\"appSecret\":{}}", 1001, "appSecret must be a string"),
        Arguments.of("long appId", "application/json", "{\"appId\":\"" + longId + "\",\"appSecret\":\"x\"}", 1001, "appId must be at most 64"),
        Arguments.of("long appSecret", "application/json", "{\"appId\":\"wx1\",\"appSecret\":\"" + longSecret + "\"}", 1001, "appSecret must be at most 128"),
        Arguments.of("appId with slash", "application/json", "{\"appId\":\"wx/../1\",\"appSecret\":\"x\"}", 1001, "appId may contain only"),
        Arguments.of("appSecret with space", "application/json", "{\"appId\":\"wx1\",\"appSecret\":\"a b\"}", 1001, "appSecret may contain only"),
        Arguments.of("duplicate field", "application/json", "{\"appId\":\"wx1\",\"appId\":\"wx2\",\"appSecret\":\"x\"}", 1002, "Duplicate field"),
        Arguments.of("form missing field", "application/x-www-form-urlencoded", "appId=wx1", 1001, "appSecret is required"),
        Arguments.of("form repeated field", "application/x-www-form-urlencoded", "appId=wx1&appId=wx2&appSecret=x", 1001, "appId is given more than once"),
        Arguments.of("text/plain", "text/plain", "appId=wx1", 1003, "unsupported Content-Type 'text/plain'"),
        Arguments.of("xml", "application/xml", "<a/>", 1003, "unsupported Content-Type"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badBodies")
  void badInputGetsAClearErrorChangesNothingAndServingGoesOn(String name, String contentType,
      String body, int apiCode, String message) {
    Reply reply = h.post(TOKEN_PATH, contentType, body);

    assertThat(reply.httpStatus()).isEqualTo(200);
    assertThat(reply.statusCode()).isEqualTo(400);
    assertThat(reply.apiCode()).isEqualTo(apiCode);
    assertThat(reply.message()).contains(message);
    assertThat(reply.body().path("requestId").asText()).isNotEmpty();
    assertThat(reply.body().has("data")).isFalse();
    assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN) + h.wechat.calls(Endpoint.TOKEN)).isZero();
    assertThat(h.server().tokens().cached("wx1")).isEmpty();
    assertThat(h.token(APP_ID, SECRET).statusCode()).isEqualTo(200);
  }

  @Test
  void secretsAreNeverEchoedInErrors() {
    Reply reply = h.post(TOKEN_PATH, "application/json",
        "{\"appId\":\"wx1\",\"appSecret\":\"" + "TOPSECRET".repeat(20) + "\"}");

    assertThat(reply.statusCode()).isEqualTo(400);
    assertThat(reply.body().toString()).doesNotContain("TOPSECRET");
  }

  /** Repeated: answering before the body is read once lost the answer to a reset connection. */
  @RepeatedTest(20)
  void declaredOversizedBodyIsRefusedAndTheAnswerAlwaysArrives() {
    String body = "{\"appId\":\"wx1\",\"appSecret\":\"" + "x".repeat(17 * 1024) + "\"}";

    Reply reply = h.post(TOKEN_PATH, "application/json", body);

    assertThat(reply.statusCode()).isEqualTo(413);
    assertThat(reply.apiCode()).isEqualTo(1006);
    assertThat(reply.message()).contains("16384 bytes");
    assertThat(h.token(APP_ID, SECRET).statusCode()).isEqualTo(200);
  }

  @Test
  void chunkedOversizedBodyIsCutOffAtTheLimit() {
    byte[] body = ("{\"appId\":\"wx1\",\"appSecret\":\"" + "x".repeat(40 * 1024) + "\"}").getBytes();
    HttpRequest request = HttpRequest.newBuilder(h.uri(TOKEN_PATH))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
        .build(); // unknown length: sent chunked

    Reply reply = h.send(request);

    assertThat(reply.statusCode()).isEqualTo(413);
    assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN)).isZero();
    assertThat(h.token(APP_ID, SECRET).statusCode()).isEqualTo(200);
  }

  @Test
  void unknownPathAndWrongMethodGetEnvelopes() {
    Reply notFound = h.send(HttpRequest.newBuilder(h.uri("/api/v3/nope")).GET().build());
    Reply wrongMethod = h.send(HttpRequest.newBuilder(h.uri(TOKEN_PATH)).GET().build());

    assertThat(notFound.httpStatus()).isEqualTo(404);
    assertThat(notFound.statusCode()).isEqualTo(404);
    assertThat(notFound.message()).contains("GET /api/v3/nope");
    assertThat(wrongMethod.httpStatus()).isEqualTo(405);
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(wrongMethod.headers().firstValue("allow")).hasValue("POST");
  }

  @Test
  void undecodableRequestGetsAnEnvelopeToo() {
    Reply reply = h.send(HttpRequest.newBuilder(h.uri(TOKEN_PATH + "?q=" + "a".repeat(10_000)))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build());

    assertThat(reply.httpStatus()).isIn(400, 414, 431);
    assertThat(reply.statusCode()).isEqualTo(400);
    assertThat(reply.apiCode()).isEqualTo(1002);
    assertThat(reply.message()).contains("could not be read");
    assertThat(h.token(APP_ID, SECRET).statusCode()).isEqualTo(200);
  }

  @Test
  void healthAnswersUp() {
    Reply health = h.send(HttpRequest.newBuilder(h.uri("/health")).GET().build());

    assertThat(health.httpStatus()).isEqualTo(200);
    assertThat(health.body().path("status").asText()).isEqualTo("UP");
  }

  @Test
  void anAddressThatKeepsFailingTheSecretCheckIsThrottled() {
    h.token(APP_ID, SECRET);
    for (int i = 0; i < ApiServer.FAILURES_PER_WINDOW; i++) {
      assertThat(h.token(APP_ID, "wrong-" + i).statusCode()).isEqualTo(403);
    }

    Reply throttled = h.token(APP_ID, "wrong-again");

    assertThat(throttled.statusCode()).isEqualTo(429);
    assertThat(throttled.apiCode()).isEqualTo(2003);
    h.clock.advance(ApiServer.FAILURE_WINDOW);
    assertThat(h.token(APP_ID, "wrong-again").statusCode()).isEqualTo(403);
  }

  private Reply tokenFrom(ServerHarness server, String forwardedFor, String secret) {
    return server.post(TOKEN_PATH, "application/json",
        "{\"appId\":\"" + APP_ID + "\",\"appSecret\":\"" + secret + "\"}",
        "X-Forwarded-For", forwardedFor);
  }

  @Test
  void forwardedForIsIgnoredUnlessTrusted() {
    h.token(APP_ID, SECRET);
    for (int i = 0; i < ApiServer.FAILURES_PER_WINDOW; i++) {
      tokenFrom(h, "10.0.0." + i, "wrong-" + i); // a client cannot dodge the throttle this way
    }

    assertThat(tokenFrom(h, "10.0.1.1", "wrong-again").statusCode()).isEqualTo(429);
  }

  @Test
  void behindATrustedProxyEachClientIsThrottledOnItsOwn(@TempDir Path other) {
    try (ServerHarness proxied = ServerHarness.start(other, b -> { },
        c -> c.withTrustForwardedFor(true))) {
      proxied.token(APP_ID, SECRET);
      for (int i = 0; i < ApiServer.FAILURES_PER_WINDOW; i++) {
        tokenFrom(proxied, "spoofed, 192.0.2.7", "wrong-" + i);
      }

      assertThat(tokenFrom(proxied, "192.0.2.7", "wrong-again").statusCode()).isEqualTo(429);
      assertThat(tokenFrom(proxied, "192.0.2.7, 192.0.2.8", "wrong-again").statusCode())
          .isEqualTo(403);
    }
  }
}
