package io.wxtoken.server;

import static io.wxtoken.server.ClusterTest.awaitTrue;
import static io.wxtoken.server.ClusterTest.held;
import static io.wxtoken.server.ServerHarness.APP_ID;
import static io.wxtoken.server.ServerHarness.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.wxtoken.server.ServerHarness.Reply;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notices on {@code wxtoken:events} are authenticated: a client that may {@code PUBLISH} on
 * the Redis (but has no master key) cannot make any instance serve a token of its choosing.
 */
class ClusterNoticesTest {
  private static final String ADMIN_TOKEN = "0123456789abcdef-admin";
  @RegisterExtension
  static final RedisFixture redis = new RedisFixture();

  @TempDir
  Path dir;

  @Test
  void aForgedRecordPublishedOnTheEventsChannelIsAdoptedByNoInstance() throws Exception {
    try (ClusterHarness c = ClusterHarness.start(dir, redis.process(), 2, b -> { },
        config -> config.withAdminToken(ADMIN_TOKEN));
        RedisClient client = RedisClient.create(redis.process().uri());
        StatefulRedisConnection<String, String> attacker = client.connect()) {
      String token = c.token(0).accessToken();
      awaitTrue(() -> held(c, 1, token), "B holds the first token");

      // a newer-looking record with the attacker's token, in every form a notice could take
      String stored = attacker.sync().hget("wxtoken:{" + APP_ID + "}:token", "record");
      ObjectNode forged = (ObjectNode) new ObjectMapper().readTree(stored);
      forged.put("token", "attacker-chosen-token");
      forged.put("generation", forged.path("generation").asLong() + 100);
      String notice = "saved\n" + forged;
      attacker.sync().publish("wxtoken:events", notice);
      attacker.sync().publish("wxtoken:events", "A".repeat(43) + ":" + notice);

      // a genuine change after the forged notices: B hears it after them (one channel, in order)
      Reply refreshed = c.post(0, "/api/v3/refresh-wechat-access-token", "{\"appId\":\"" + APP_ID
          + "\",\"appSecret\":\"" + SECRET + "\",\"staleToken\":\"" + token + "\"}");
      String fresh = refreshed.accessToken();
      assertThat(fresh).isNotEqualTo(token);
      awaitTrue(() -> held(c, 1, fresh), "B holds the refreshed token");

      for (int i = 0; i < 2; i++) {
        Reply reply = c.token(i);
        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(reply.accessToken()).isEqualTo(fresh).isNotEqualTo("attacker-chosen-token");
        assertThat(c.instance(i).tokens().cached(APP_ID).orElseThrow().token().value())
            .isEqualTo(fresh);
      }
      assertThat(c.wechat.isValid(fresh)).isTrue();
      // dropped, and counted where operators look
      String metrics = c.http().send(HttpRequest.newBuilder(c.uri(1, "/admin/metrics"))
          .header("Authorization", "Bearer " + ADMIN_TOKEN).GET().build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertThat(metrics).contains("wxtoken_cluster_rejected_notices_total 2.0")
          .doesNotContain("attacker-chosen-token");
    }
  }
}
