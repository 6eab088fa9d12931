package io.wxtoken.server;

import static io.wxtoken.server.ServerHarness.APP_ID;
import static io.wxtoken.server.ServerHarness.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.wxtoken.secret.MasterKey;
import io.wxtoken.simulator.WeChatSimulator.Endpoint;
import io.wxtoken.token.AppRecord;
import io.wxtoken.token.TokenService;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lost master key or secret-hash key is never silently replaced by a new one: the start is
 * refused, naming the key id and the flag that discards what the lost key protected; with that
 * flag the server starts, the loss is logged, and the admin view shows it.
 */
class LostKeysTest {
  private static final String ADMIN_TOKEN = "0123456789abcdef-admin";
  private static final String OTHER_KEY = Base64.getEncoder().encodeToString(
      "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII));
  private static final ObjectMapper JSON = new ObjectMapper();

  private static AppRecord record(WxTokenServer server) {
    return server.tokens().cached(APP_ID).orElseThrow();
  }

  private static String sealedKeyId(AppRecord record) {
    return record.sealedSecret().split("\\.")[1];
  }

  private static JsonNode adminStatus(ServerHarness h) throws Exception {
    HttpResponse<String> reply = h.http().send(HttpRequest.newBuilder(h.uri("/admin/apps/" + APP_ID))
        .header("Authorization", "Bearer " + ADMIN_TOKEN).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(reply.statusCode()).isEqualTo(200);
    return JSON.readTree(reply.body()).path("data");
  }

  @Nested
  class EmbeddedStore {
    @TempDir
    Path dir;

    private ServerHarness started() {
      ServerHarness h = ServerHarness.start(dir, b -> { }, c -> c.withAdminToken(ADMIN_TOKEN));
      assertThat(h.token(APP_ID, SECRET).statusCode()).isEqualTo(200);
      return h;
    }

    /** Restarts with {@code change}, expecting a refusal; returns its message. */
    private String refusedRestart(ServerHarness h, UnaryOperator<ServerConfig> change) {
      Throwable refused = org.assertj.core.api.Assertions.catchThrowable(() -> h.restart(change));
      assertThat(refused).isInstanceOf(IllegalStateException.class);
      return refused.getMessage();
    }

    @Test
    void aDeletedMasterKeyFileRefusesTheStartNamingTheKeyIdAndTheWayOut() throws Exception {
      try (ServerHarness h = started()) {
        AppRecord before = record(h.server());
        String keyId = sealedKeyId(before);
        Files.delete(dir.resolve("master.key"));

        String message = refusedRestart(h, c -> c);

        assertThat(message).contains(keyId, dir.resolve("master.key").toString(),
            "--discard-sealed-secrets", "--master-key-file", "WXTOKEN_MASTER_KEY");
        assertThat(dir.resolve("master.key")).doesNotExist(); // no new key was generated
        // and the stored secret is untouched: restoring the key is still possible
        try (var store = io.wxtoken.store.h2.H2TokenStore.open(dir)) {
          assertThat(store.load(APP_ID).orElseThrow().sealedSecret())
              .isEqualTo(before.sealedSecret());
        }
      }
    }

    @Test
    void anotherMasterKeyRefusesTheStartNamingBothKeyIds() {
      try (ServerHarness h = started()) {
        String keyId = sealedKeyId(record(h.server()));

        String message = refusedRestart(h, c -> c.withMasterKey(OTHER_KEY));

        assertThat(message).contains("master key id " + keyId, "not configured",
            MasterKey.fromBase64(OTHER_KEY).id(), "--discard-sealed-secrets",
            "--previous-master-key-file");
        assertThat(message).doesNotContain(OTHER_KEY, SECRET);

        // listing the old key as previous is enough
        h.restart(c -> c.withMasterKey(OTHER_KEY)
            .withMasterKeyFile(null, List.of(dir.resolve("master.key"))));
        assertThat(record(h.server()).hasSealedSecret()).isTrue();
      }
    }

    @Test
    void theDiscardFlagStartsWithTheSecretsErasedLoggedAndShownInTheAdminView() throws Exception {
      try (ServerHarness h = started()) {
        String token = record(h.server()).token().value();
        long generation = record(h.server()).generation();
        Files.delete(dir.resolve("master.key"));
        refusedRestart(h, c -> c);

        try (LogCapture logs = new LogCapture(StoredKeys.class)) {
          h.restart(c -> c.withDiscardSealedSecrets(true));
          assertThat(logs.at(Level.WARN)).anySatisfy(w -> assertThat(w)
              .contains("--discard-sealed-secrets", APP_ID, "verify-only"));
        }

        AppRecord after = record(h.server());
        assertThat(after.hasSealedSecret()).isFalse();
        assertThat(after.generation()).isEqualTo(generation + 1);
        JsonNode status = adminStatus(h);
        assertThat(status.path("secretStored").asBoolean(true)).isFalse();
        assertThat(status.path("nextRefreshAt").isNull() || status.path("nextRefreshAt").isMissingNode())
            .isTrue();
        assertThat(dir.resolve("master.key")).exists(); // the new key for secrets from now on

        // the app is still served its token; a caller's secret is sealed again under the new key
        h.wechat.resetCounters();
        assertThat(h.token(APP_ID, SECRET).accessToken()).isEqualTo(token);
        assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN)).isZero();
        h.clock.set(after.token().expiresAt());
        assertThat(h.token(APP_ID, SECRET).statusCode()).isEqualTo(200);
        assertThat(sealedKeyId(record(h.server())))
            .isEqualTo(MasterKey.load(dir.resolve("master.key")).id());

        // a later start needs no flag
        h.restart();
        assertThat(record(h.server()).hasSealedSecret()).isTrue();
      }
    }

    @Test
    void aDeletedSecretHashKeyRefusesTheStart() throws Exception {
      try (ServerHarness h = started()) {
        String hashKeyId = MasterKey.load(dir.resolve("secret-hash.key")).id();
        Files.delete(dir.resolve("secret-hash.key"));

        String message = refusedRestart(h, c -> c);

        assertThat(message).contains(dir.resolve("secret-hash.key").toString(), hashKeyId,
            "--reset-secret-hash-key");
        assertThat(dir.resolve("secret-hash.key")).doesNotExist();
      }
    }

    @Test
    void anotherSecretHashKeyRefusesTheStartNamingBothKeyIds(@TempDir Path keys) throws Exception {
      try (ServerHarness h = started()) {
        String hashKeyId = MasterKey.load(dir.resolve("secret-hash.key")).id();
        MasterKey other = MasterKey.loadOrCreate(keys.resolve("other.key"));
        h.server().close();
        Files.copy(keys.resolve("other.key"), dir.resolve("secret-hash.key"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        String message = refusedRestart(h, c -> c);

        assertThat(message).contains(hashKeyId, other.id(), "--reset-secret-hash-key");
      }
    }

    @Test
    void theResetFlagRebuildsTheVerifiersSoCallersAreServedWithoutAWeChatCheck()
        throws Exception {
      try (ServerHarness h = started()) {
        String token = record(h.server()).token().value();
        Files.delete(dir.resolve("secret-hash.key"));
        refusedRestart(h, c -> c);

        try (LogCapture logs = new LogCapture(StoredKeys.class)) {
          h.restart(c -> c.withResetSecretHashKey(true));
          assertThat(logs.at(Level.WARN)).anySatisfy(w -> assertThat(w)
              .contains("--reset-secret-hash-key", "1 of 1 verifiers rebuilt"));
        }
        h.wechat.resetCounters();

        ServerHarness.Reply reply = h.token(APP_ID, SECRET);
        assertThat(reply.accessToken()).isEqualTo(token);
        assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN)).isZero(); // the verifier matched
        assertThat(adminStatus(h).path("secretStored").asBoolean()).isTrue();

        h.restart(); // and the new key is the store's from now on
        assertThat(h.token(APP_ID, SECRET).accessToken()).isEqualTo(token);
        assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN)).isZero();
      }
    }

    @Test
    void anEmptyStoreStillGeneratesBothKeysOnItsFirstStart() {
      try (ServerHarness h = ServerHarness.start(dir)) {
        assertThat(dir.resolve("master.key")).exists();
        assertThat(dir.resolve("secret-hash.key")).exists();
        assertThat(h.token(APP_ID, SECRET).statusCode()).isEqualTo(200);
      }
    }
  }

  @Nested
  class SharedStore {
    @RegisterExtension
    static final RedisFixture redis = new RedisFixture();

    @TempDir
    Path dir;

    private WxTokenServer startAnother(ClusterHarness h, UnaryOperator<ServerConfig> change) {
      ServerConfig config = change.apply(h.config(1));
      return WxTokenServer.start(config, h.clock, TokenService.Options
          .defaults(config.tokenApi()).withResilience(ServerHarness.QUICK));
    }

    private static void hdel(String key, String field) {
      try (RedisClient client = RedisClient.create(redis.process().uri());
          StatefulRedisConnection<String, String> c = client.connect()) {
        c.sync().hdel(key, field);
      }
    }

    @Test
    void anotherMasterKeyRefusesTheStartNamingTheStoredKeyId() {
      try (ClusterHarness h = ClusterHarness.start(dir, redis.process(), 1)) {
        assertThat(h.token(0).statusCode()).isEqualTo(200);
        String keyId = sealedKeyId(record(h.instance(0)));

        assertThatThrownBy(() -> startAnother(h, c -> c.withMasterKey(OTHER_KEY)))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("master key id " + keyId)
            .hasMessageContaining("--discard-sealed-secrets");
      }
    }

    @Test
    void aSecretHashKeyGoneFromRedisRefusesTheStart() {
      try (ClusterHarness h = ClusterHarness.start(dir, redis.process(), 1)) {
        assertThat(h.token(0).statusCode()).isEqualTo(200);
        hdel("wxtoken:meta", SharedKeys.SECRET_HASH_KEY);

        assertThatThrownBy(() -> startAnother(h, c -> c))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("secret-hash key")
            .hasMessageContaining("--reset-secret-hash-key");
      }
    }

    @Test
    void theResetFlagReplacesASecretHashKeyGoneFromRedisAndRebuildsTheVerifiers() {
      try (ClusterHarness h = ClusterHarness.start(dir, redis.process(), 1)) {
        String token = h.token(0).accessToken();
        h.kill(0);
        hdel("wxtoken:meta", SharedKeys.SECRET_HASH_KEY);

        try (LogCapture logs = new LogCapture(StoredKeys.class);
            WxTokenServer other = startAnother(h, c -> c.withResetSecretHashKey(true))) {
          assertThat(logs.at(Level.WARN)).anySatisfy(w -> assertThat(w)
              .contains("--reset-secret-hash-key", "1 of 1 verifiers rebuilt"));
          h.wechat.resetCounters();
          ServerHarness.Reply reply = ServerHarness.exchange(h.http(), HttpRequest.newBuilder(
              java.net.URI.create("http://127.0.0.1:" + other.port() + ServerHarness.TOKEN_PATH))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString("{\"appId\":\"" + APP_ID
                  + "\",\"appSecret\":\"" + SECRET + "\"}")).build());
          assertThat(reply.accessToken()).isEqualTo(token);
          assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN)).isZero(); // the verifier matched
          assertThat(record(other).hasSealedSecret()).isTrue();
        }
      }
    }

    @Test
    void withBothFlagsALostMasterKeyIsRecoveredFrom() {
      try (ClusterHarness h = ClusterHarness.start(dir, redis.process(), 1)) {
        String token = h.token(0).accessToken();
        h.kill(0);

        try (WxTokenServer other = startAnother(h, c -> c.withMasterKey(OTHER_KEY)
            .withDiscardSealedSecrets(true).withResetSecretHashKey(true))) {
          AppRecord record = record(other);
          assertThat(record.hasSealedSecret()).isFalse();
          assertThat(other.tokens().status(APP_ID).orElseThrow().secretStored()).isFalse();
          // the token is kept and served; the verifier matches nothing until a caller's secret
          // is checked with WeChat (no sealed secret was left to rebuild it from)
          assertThat(record.token().value()).isEqualTo(token);
        }
        // and the next start with the new key needs no flag
        try (WxTokenServer again = startAnother(h, c -> c.withMasterKey(OTHER_KEY))) {
          assertThat(again.tokens().cached(APP_ID)).isPresent();
        }
      }
    }
  }
}
