package io.wxtoken.server;

import static io.wxtoken.server.ClusterTest.awaitTrue;
import static io.wxtoken.server.ClusterTest.held;
import static io.wxtoken.server.ServerHarness.APP_ID;
import static io.wxtoken.server.ServerHarness.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.wxtoken.server.ServerHarness.Reply;
import io.wxtoken.store.redis.RedisAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Redis ACL that SECURITY.md recommends is enough for a cluster to work: instances that may
 * touch only {@code wxtoken:*} and {@code wxtoken:events}, with only the listed commands, fetch,
 * share, announce and refresh tokens as usual.
 */
class RestrictedRedisUserTest {
  @RegisterExtension
  static final RedisFixture redis = new RedisFixture();

  @TempDir
  Path dir;

  /** The {@code ACL SETUSER} line of SECURITY.md, as documented. */
  static List<String> documentedAcl() throws Exception {
    String doc = Files.readString(Path.of("..", "SECURITY.md"), StandardCharsets.UTF_8);
    String line = doc.lines().map(String::strip).filter(l -> l.startsWith("ACL SETUSER wxtoken"))
        .findFirst().orElseThrow();
    return List.of(line.replace("A-LONG-RANDOM-PASSWORD", "test-password").split(" "));
  }

  @Test
  void theDocumentedAclIsEnoughForACluster() throws Exception {
    List<String> acl = documentedAcl();
    try (RedisClient client = RedisClient.create(redis.process().uri());
        StatefulRedisConnection<String, String> admin = client.connect()) {
      admin.sync().dispatch(io.lettuce.core.protocol.CommandType.ACL,
          new io.lettuce.core.output.StatusOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
          new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8)
              .addValues(acl.subList(1, acl.size())));
    }
    RedisAddress restricted = RedisAddress.parse(
        "redis://wxtoken:test-password@127.0.0.1:" + redis.process().port() + "/0");
    try (ClusterHarness c = ClusterHarness.start(dir, redis.process(), 2, b -> { },
        config -> config.withRedis(restricted))) {
      String token = c.token(0).accessToken();
      assertThat(token).isNotNull();
      awaitTrue(() -> held(c, 1, token), "B learns the token from A's notice");
      Reply refreshed = c.post(1, "/api/v3/refresh-wechat-access-token", "{\"appId\":\"" + APP_ID
          + "\",\"appSecret\":\"" + SECRET + "\",\"staleToken\":\"" + token + "\"}");
      assertThat(refreshed.statusCode()).isEqualTo(200);
      String fresh = refreshed.accessToken();
      awaitTrue(() -> held(c, 0, fresh), "A learns the refreshed token from B's notice");
      assertThat(c.readiness(0)).isEqualTo(200);
      assertThat(c.token(0, APP_ID, "wrong-secret-0123456789abcdef012").statusCode())
          .isNotEqualTo(200);
      assertThat(c.token(0).accessToken()).isEqualTo(fresh);
    }
  }
}
