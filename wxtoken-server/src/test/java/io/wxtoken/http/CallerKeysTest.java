package io.wxtoken.http;

import static io.wxtoken.server.ServerHarness.APP_ID;
import static io.wxtoken.server.ServerHarness.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.wxtoken.access.CallerAuthMode;
import io.wxtoken.server.ServerHarness;
import io.wxtoken.server.ServerHarness.Reply;
import io.wxtoken.simulator.WeChatSimulator.Endpoint;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Caller keys over real HTTP: a key in place of the AppSecret on the Authing API and the WeChat
 * facade, each scope rule and refusal (a clear error, no WeChat call, throttled, audited), rotation
 * with overlap, {@code --caller-auth key}, the audit log's actors, and no key, secret or token in
 * the audit file, the logs or the metrics.
 */
class CallerKeysTest {
  static final String ADMIN = "0123456789abcdef-admin";
  static final String OTHER_APP = "wx00000000000000b2";
  static final String OTHER_SECRET = "fedcba9876543210fedcba9876543210";
  static final String REFRESH_PATH = "/api/v3/refresh-wechat-access-token";

  @TempDir
  Path dir;

  ServerHarness h;
  final ByteArrayOutputStream logs = new ByteArrayOutputStream();
  OutputStreamAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender;
  final List<String> issuedKeys = new ArrayList<>();

  @BeforeEach
  void start() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%level %logger %msg %ex%n");
    encoder.start();
    appender = new OutputStreamAppender<>();
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.setOutputStream(logs);
    appender.start();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(appender);
    h = ServerHarness.start(dir, b -> b.app(OTHER_APP, OTHER_SECRET), c -> c.withAdminToken(ADMIN));
    // Both apps registered with their secrets stored, as an operator does before issuing keys.
    assertThat(h.token(APP_ID, SECRET).statusCode()).isEqualTo(200);
    assertThat(h.token(OTHER_APP, OTHER_SECRET).statusCode()).isEqualTo(200);
  }

  @AfterEach
  void stop() {
    h.close();
    ((LoggerContext) LoggerFactory.getILoggerFactory())
        .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(appender);
  }

  private Reply admin(String method, String path, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(h.uri(path)).timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + ADMIN)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return h.send(request.build());
  }

  /** Creates a key through the admin API; returns (key, id). */
  private String[] createKey(String spec) {
    Reply created = admin("POST", "/admin/keys", spec);
    assertThat(created.httpStatus()).as(created.body().toString()).isEqualTo(201);
    String key = created.body().path("data").path("key").asText();
    issuedKeys.add(key);
    return new String[] {key, created.body().path("data").path("record").path("id").asText()};
  }

  private String[] tokenKey() {
    return createKey("{\"name\":\"billing\",\"apps\":[\"" + APP_ID + "\"],\"operations\":[\"token\"]}");
  }

  private long wechatCalls() {
    return h.wechat.calls(Endpoint.STABLE_TOKEN) + h.wechat.calls(Endpoint.TOKEN);
  }

  private List<JsonNode> audit(String query) {
    Reply reply = admin("GET", "/admin/audit" + query, null);
    assertThat(reply.httpStatus()).as(reply.body().toString()).isEqualTo(200);
    List<JsonNode> out = new ArrayList<>();
    reply.body().path("data").forEach(out::add);
    return out;
  }

  @Test
  void aKeyInTheAppSecretFieldGetsTheAppsTokenWithoutCallingWeChat() {
    String token = h.token(APP_ID, SECRET).accessToken();
    String key = tokenKey()[0];
    long calls = wechatCalls();

    Reply reply = h.token(APP_ID, key);
    Reply again = h.token(APP_ID, key);

    assertThat(reply.statusCode()).as(reply.body().toString()).isEqualTo(200);
    assertThat(reply.accessToken()).isEqualTo(token);
    assertThat(again.accessToken()).isEqualTo(token);
    assertThat(wechatCalls()).isEqualTo(calls);
  }

  @Test
  void aKeyWorksAsTheSecretOfWeChatsOwnTokenEndpoints() {
    String token = h.token(APP_ID, SECRET).accessToken();
    String key = tokenKey()[0];
    long calls = wechatCalls();

    Reply classic = h.send(HttpRequest.newBuilder(h.uri("/cgi-bin/token?grant_type=client_credential"
        + "&appid=" + APP_ID + "&secret=" + key)).GET().build());
    Reply stable = h.post("/cgi-bin/stable_token", "application/json",
        "{\"grant_type\":\"client_credential\",\"appid\":\"" + APP_ID + "\",\"secret\":\"" + key + "\"}");
    Reply unknown = h.post("/cgi-bin/stable_token", "application/json",
        "{\"grant_type\":\"client_credential\",\"appid\":\"" + APP_ID + "\",\"secret\":\""
            + key.substring(0, 40) + "x".repeat(24) + "\"}");
    Reply forced = h.post("/cgi-bin/stable_token", "application/json",
        "{\"grant_type\":\"client_credential\",\"appid\":\"" + APP_ID + "\",\"secret\":\"" + key
            + "\",\"force_refresh\":true}");

    assertThat(classic.body().path("access_token").asText()).isEqualTo(token);
    assertThat(stable.body().path("access_token").asText()).isEqualTo(token);
    assertThat(unknown.body().path("errcode").asInt()).isEqualTo(40125);
    assertThat(forced.body().path("errcode").asInt()).as("refresh is outside the key's scope")
        .isEqualTo(48001);
    assertThat(wechatCalls()).isEqualTo(calls);
  }

  @Test
  void onTheFacadeAThrottledAddressIsToldOnlyThatWhileAValidKeyIsStillServed() {
    String token = h.token(APP_ID, SECRET).accessToken();
    String key = tokenKey()[0];
    String guess = "{\"grant_type\":\"client_credential\",\"appid\":\"" + APP_ID
        + "\",\"secret\":\"wxk_0123456789abcdef_" + "A".repeat(43) + "\"}";
    for (int i = 0; i < 30; i++) {
      assertThat(h.post("/cgi-bin/stable_token", "application/json", guess).body()
          .path("errcode").asInt()).isEqualTo(40125);
    }

    Reply blocked = h.post("/cgi-bin/stable_token", "application/json", guess);
    Reply valid = h.send(HttpRequest.newBuilder(h.uri("/cgi-bin/token?grant_type=client_credential"
        + "&appid=" + APP_ID + "&secret=" + key)).GET().build());

    assertThat(blocked.body().path("errcode").asInt()).isEqualTo(45011);
    assertThat(blocked.body().path("errmsg").asText()).contains("too many failed credential checks");
    assertThat(valid.body().path("access_token").asText()).isEqualTo(token);
  }

  @Test
  void eachRefusalIsAClearErrorWithNoWeChatCallAndIsAudited() {
    String[] key = tokenKey();
    String[] ranged = createKey("{\"name\":\"ranged\",\"apps\":[\"" + APP_ID + "\"],\"cidrs\":[\"10.0.0.0/8\"]}");
    String[] doomed = createKey("{\"name\":\"doomed\",\"apps\":[\"*\"]}");
    String[] paused = createKey("{\"name\":\"paused\",\"apps\":[\"*\"]}");
    String[] soon = createKey("{\"name\":\"soon\",\"apps\":[\"*\"],\"expiresAt\":\""
        + h.clock.instant().plus(Duration.ofMinutes(5)) + "\"}");
    assertThat(admin("POST", "/admin/keys/" + doomed[1] + "/revoke", null).httpStatus()).isEqualTo(200);
    assertThat(admin("POST", "/admin/keys/" + paused[1] + "/disable", null).httpStatus()).isEqualTo(200);
    h.clock.advance(Duration.ofMinutes(5));
    long calls = wechatCalls();

    record Case(String name, Reply reply, int apiCode, String message) {}
    List<Case> cases = List.of(
        new Case("unknown", h.token(APP_ID, "wxk_0123456789abcdef_" + "A".repeat(43)), 2006, "unknown"),
        new Case("malformed", h.token(APP_ID, "wxk_short"), 2006, "unknown"),
        new Case("revoked", h.token(APP_ID, doomed[0]), 2006, "revoked"),
        new Case("disabled", h.token(APP_ID, paused[0]), 2006, "disabled"),
        new Case("expired", h.token(APP_ID, soon[0]), 2006, "expired"),
        new Case("other app", h.token(OTHER_APP, key[0]), 2007, "appId"),
        new Case("operation", h.post(REFRESH_PATH, "application/json", "{\"appId\":\"" + APP_ID
            + "\",\"appSecret\":\"" + key[0] + "\",\"staleToken\":\"x\"}"), 2007, "refresh"),
        new Case("address", h.token(APP_ID, ranged[0]), 2007, "address"));
    for (Case c : cases) {
      assertThat(c.reply().statusCode()).as(c.name()).isEqualTo(403);
      assertThat(c.reply().apiCode()).as(c.name()).isEqualTo(c.apiCode());
      assertThat(c.reply().message()).as(c.name()).contains(c.message());
      assertThat(c.reply().body().toString()).as(c.name()).doesNotContain(SECRET);
    }
    assertThat(wechatCalls()).isEqualTo(calls);
    List<JsonNode> refused = audit("?event=key.refused&limit=100");
    assertThat(refused).hasSize(cases.size());
    assertThat(refused).extracting(r -> r.path("outcome").asText()).contains("key_unknown_key",
        "key_revoked", "key_disabled", "key_expired", "key_app_out_of_scope",
        "key_operation_out_of_scope", "key_address_out_of_scope");
    assertThat(audit("?actor=key:" + doomed[1] + ":doomed&event=key.refused")).hasSize(1);
  }

  @Test
  void refusedKeysCountInTheAddressThrottleWhichNeverRefusesAValidKey() {
    String guess = "wxk_0123456789abcdef_" + "A".repeat(43);
    for (int i = 0; i < 30; i++) {
      assertThat(h.token(APP_ID, guess).apiCode()).isEqualTo(2006);
    }
    Reply blocked = h.token(APP_ID, guess);
    assertThat(blocked.statusCode()).isEqualTo(429);
    assertThat(blocked.apiCode()).isEqualTo(2003);
    // The throttle stops guessing; a caller whose key verifies, behind the same address, is served.
    String key = tokenKey()[0];
    assertThat(h.token(APP_ID, key).statusCode()).isEqualTo(200);
    List<JsonNode> throttled = audit("?event=address.throttled");
    assertThat(throttled).hasSize(1);
    assertThat(throttled.get(0).path("actor").asText()).startsWith("address:");
  }

  @Test
  void aKeyOverItsRateGets429() {
    String key = createKey("{\"name\":\"slow\",\"apps\":[\"" + APP_ID + "\"],\"ratePerSecond\":1,"
        + "\"burst\":3}")[0];
    for (int i = 0; i < 3; i++) {
      assertThat(h.token(APP_ID, key).statusCode()).isEqualTo(200);
    }
    Reply over = h.token(APP_ID, key);
    assertThat(over.statusCode()).isEqualTo(429);
    assertThat(over.apiCode()).isEqualTo(2008);
  }

  @Test
  void rotationGivesASecondKeyWhileTheFirstWorksUntilRevoked() {
    String[] first = tokenKey();
    Reply rotated = admin("POST", "/admin/keys/" + first[1] + "/rotate", null);
    assertThat(rotated.httpStatus()).isEqualTo(201);
    String second = rotated.body().path("data").path("key").asText();
    issuedKeys.add(second);
    assertThat(rotated.body().path("data").path("record").path("rotatedFrom").asText()).isEqualTo(first[1]);

    assertThat(h.token(APP_ID, first[0]).statusCode()).isEqualTo(200);
    assertThat(h.token(APP_ID, second).statusCode()).isEqualTo(200);
    admin("POST", "/admin/keys/" + first[1] + "/revoke", null);
    assertThat(h.token(APP_ID, first[0]).apiCode()).isEqualTo(2006);
    assertThat(h.token(APP_ID, second).statusCode()).isEqualTo(200);

    JsonNode list = admin("GET", "/admin/keys", null).body().path("data");
    assertThat(list).hasSize(2);
    assertThat(list.toString()).doesNotContain(first[0]).doesNotContain(second).doesNotContain("verifier");
  }

  @Test
  void aKeyForAllAppsCannotRegisterAnAppWhoseSecretIsNotStored() {
    String key = createKey("{\"name\":\"all\",\"apps\":[\"*\"]}")[0];
    Reply reply = h.token("wx00000000000000c3", key);
    assertThat(reply.apiCode()).isEqualTo(2010);
    Reply unknownApp = admin("POST", "/admin/keys", "{\"name\":\"x\",\"apps\":[\"wx00000000000000c3\"]}");
    assertThat(unknownApp.httpStatus()).isEqualTo(400);
    assertThat(unknownApp.message()).contains("not registered");
  }

  @Test
  void keyManagementInputIsValidated() {
    for (String bad : List.of("{\"name\":\"bad name\",\"apps\":[\"*\"]}", "{\"apps\":[\"*\"]}",
        "{\"name\":\"a\",\"apps\":[\"*\"],\"cidrs\":[\"example.com\"]}",
        "{\"name\":\"a\",\"apps\":[\"*\"],\"operations\":[\"root\"]}",
        "{\"name\":\"a\",\"apps\":[\"*\"],\"expiresAt\":\"tomorrow\"}",
        "{\"name\":\"a\",\"apps\":[\"*\"],\"extra\":1}", "[1]", "{\"name\":\"a\",\"name\":\"b\"}",
        "not json")) {
      Reply reply = admin("POST", "/admin/keys", bad);
      assertThat(reply.httpStatus()).as(bad).isEqualTo(400);
      assertThat(reply.apiCode()).as(bad).isEqualTo(1001);
    }
    assertThat(admin("POST", "/admin/keys/0123456789abcdef/revoke", null).httpStatus()).isEqualTo(404);
    assertThat(admin("POST", "/admin/keys/nothex/revoke", null).httpStatus()).isEqualTo(400);
    assertThat(admin("DELETE", "/admin/keys", null).httpStatus()).isEqualTo(405);
    assertThat(admin("GET", "/admin/audit?limit=0", null).httpStatus()).isEqualTo(400);
    assertThat(admin("GET", "/admin/audit?since=yesterday", null).httpStatus()).isEqualTo(400);
    Reply anonymous = h.send(HttpRequest.newBuilder(h.uri("/admin/keys"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"a\",\"apps\":[\"*\"]}")).build());
    assertThat(anonymous.httpStatus()).isEqualTo(401);
    assertThat(admin("GET", "/admin/keys", null).body().path("data")).isEmpty();
  }

  @Test
  void refreshStoppedAndResumedAreAuditedWithTheServerAsActor() throws InterruptedException {
    h.wechat.freezeSecret(APP_ID, true);
    h.clock.advance(Duration.ofSeconds(7200 - 60)); // inside the refresh window
    h.server().tokens().refreshDue();
    awaitAudit("?event=refresh.stopped&app=" + APP_ID);

    h.wechat.freezeSecret(APP_ID, false);
    h.clock.advance(Duration.ofSeconds(120)); // expired, and past the minute a verdict is kept
    assertThat(h.token(APP_ID, SECRET).statusCode()).isEqualTo(200);
    JsonNode resumed = awaitAudit("?event=refresh.resumed&app=" + APP_ID);
    assertThat(resumed.path("actor").asText()).isEqualTo("server");
    JsonNode stopped = audit("?event=refresh.stopped").get(0);
    assertThat(stopped.path("errcode").asInt()).isEqualTo(40243);
  }

  /** Polls the audit log (real time, at most 5 s) for one record matching {@code query}. */
  private JsonNode awaitAudit(String query) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    List<JsonNode> found = audit(query);
    while (found.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
      found = audit(query);
    }
    assertThat(found).as(query).isNotEmpty();
    return found.get(0);
  }

  @Test
  void keysOnlyModeRefusesSecretsButServesKeys() {
    String key = tokenKey()[0];
    h.restart(c -> c.withCallerAuth(CallerAuthMode.KEY));
    long calls = wechatCalls();

    Reply secret = h.token(APP_ID, SECRET);
    Reply facade = h.send(HttpRequest.newBuilder(h.uri("/cgi-bin/token?grant_type=client_credential"
        + "&appid=" + APP_ID + "&secret=" + SECRET)).GET().build());

    assertThat(secret.statusCode()).isEqualTo(403);
    assertThat(secret.apiCode()).isEqualTo(2009);
    assertThat(facade.body().path("errcode").asInt()).isEqualTo(40001);
    assertThat(h.token(APP_ID, key).statusCode()).isEqualTo(200);
    assertThat(wechatCalls()).isEqualTo(calls);
  }

  @Test
  void forcedRefreshAndSecretRotationAreAuditedWithTheirActors() throws Exception {
    String[] key = createKey("{\"name\":\"billing\",\"apps\":[\"" + APP_ID + "\"],"
        + "\"operations\":[\"token\",\"refresh\"]}");
    String stale = h.token(APP_ID, key[0]).accessToken();
    Reply refreshed = h.post(REFRESH_PATH, "application/json", "{\"appId\":\"" + APP_ID
        + "\",\"appSecret\":\"" + key[0] + "\",\"staleToken\":\"" + stale + "\"}");
    assertThat(refreshed.statusCode()).as(refreshed.body().toString()).isEqualTo(200);
    assertThat(refreshed.accessToken()).isNotEqualTo(stale);

    String newSecret = "abcdefabcdefabcdefabcdefabcdef01";
    h.wechat.registerApp(APP_ID, newSecret);
    h.clock.advance(Duration.ofHours(2)); // the old token is gone; the new secret is checked
    Reply rotated = h.token(APP_ID, newSecret);
    assertThat(rotated.statusCode()).as(rotated.body().toString()).isEqualTo(200);
    h.token(OTHER_APP, "00000000000000000000000000000000"); // a wrong secret

    List<JsonNode> forced = audit("?event=token.forced_refresh&app=" + APP_ID);
    assertThat(forced).hasSize(1);
    assertThat(forced.get(0).path("actor").asText()).isEqualTo("key:" + key[1] + ":billing");
    assertThat(forced.get(0).path("outcome").asText()).isEqualTo("ok");
    assertThat(forced.get(0).path("requestId").asText()).isNotEmpty();
    List<JsonNode> rotation = audit("?event=secret.rotated");
    assertThat(rotation).hasSize(1);
    assertThat(rotation.get(0).path("actor").asText()).isIn("address:127.0.0.1", "address:0:0:0:0:0:0:0:1");
    assertThat(rotation.get(0).path("app").asText()).isEqualTo(APP_ID);
    assertThat(audit("?event=secret.rejected&app=" + OTHER_APP)).hasSize(1);
    assertThat(audit("?since=" + h.clock.instant().plusSeconds(1))).isEmpty();

    // Nothing secret anywhere an operator or an attacker could read it.
    String scraped = new String(h.http().send(HttpRequest.newBuilder(h.uri("/admin/metrics"))
        .header("Authorization", "Bearer " + ADMIN).GET().build(),
        java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body(), StandardCharsets.UTF_8);
    assertThat(scraped).contains("wxtoken_key_requests_total{key=\"billing\",outcome=\"ok\"}");
    h.close(); // flushes the audit file
    String auditFile = Files.readString(dir.resolve("audit.jsonl"));
    assertThat(auditFile).contains("token.forced_refresh", "secret.rotated", "key.created");
    String logged = logs.toString(StandardCharsets.UTF_8);
    for (String secret : List.of(SECRET, newSecret, OTHER_SECRET, key[0], key[0].substring(21),
        stale, refreshed.accessToken(), rotated.accessToken())) {
      assertThat(auditFile).doesNotContain(secret);
      assertThat(logged).doesNotContain(secret);
      assertThat(scraped).doesNotContain(secret);
    }
    h = ServerHarness.start(dir.resolve("again"), b -> { }, c -> c); // for @AfterEach
  }
}
