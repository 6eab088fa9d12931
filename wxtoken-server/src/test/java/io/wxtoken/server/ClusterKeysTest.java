package io.wxtoken.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxtoken.access.Issued;
import io.wxtoken.access.KeySpec;
import io.wxtoken.access.Operation;
import io.wxtoken.server.ServerHarness.Reply;
import io.wxtoken.store.redis.RedisServerProcess;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Caller keys on a real Redis shared by three instances: issued on one, revoked everywhere at once. */
class ClusterKeysTest {
  static final String ADMIN = "0123456789abcdef-admin";
  static RedisServerProcess redis;

  @TempDir
  Path dir;

  @BeforeAll
  static void startRedis() {
    redis = RedisServerProcess.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @Test
  void aKeyIssuedOnOneInstanceWorksOnAllAndARevokeReachesEveryInstanceWithinASecond()
      throws InterruptedException {
    try (ClusterHarness c = ClusterHarness.start(dir, redis, 3, b -> { },
        config -> config.withAdminToken(ADMIN))) {
      assertThat(c.token(0).statusCode()).isEqualTo(200); // registered, secret stored, in Redis
      Issued key = c.instance(0).access().create(new KeySpec("billing",
          Set.of(ServerHarness.APP_ID), EnumSet.of(Operation.TOKEN), List.of(), null, 0, 0),
          "admin", null);
      for (int i = 0; i < 3; i++) {
        // In-process: polling over HTTP with a key not yet known would count in the throttle.
        long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        while (c.instance(i).access().find(key.key().id()).isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(5);
        }
        assertThat(c.token(i, ServerHarness.APP_ID, key.secretKey()).apiCode()).as("instance " + i)
            .isZero();
      }

      long revokedAt = System.nanoTime();
      Reply revoke = c.send(HttpRequest.newBuilder(c.uri(1, "/admin/keys/" + key.key().id() + "/revoke"))
          .header("Authorization", "Bearer " + ADMIN).POST(HttpRequest.BodyPublishers.noBody()).build());
      assertThat(revoke.httpStatus()).isEqualTo(200);
      for (int i = 0; i < 3; i++) {
        awaitApiCode(c, i, key.secretKey(), 2006, Duration.ofSeconds(1).minusNanos(System.nanoTime() - revokedAt));
      }

      // The audit log is the cluster's: instance 2 sees what instance 1 recorded.
      Reply audit = c.send(HttpRequest.newBuilder(c.uri(2, "/admin/audit?event=key.revoked"))
          .header("Authorization", "Bearer " + ADMIN).GET().build());
      assertThat(audit.body().path("data")).hasSize(1);
      assertThat(audit.body().path("data").get(0).path("actor").asText()).isEqualTo("admin");
    }
  }

  /** Polls instance {@code i} until the key's answer has {@code apiCode} (0: a token), or fails. */
  private static void awaitApiCode(ClusterHarness c, int i, String key, int apiCode, Duration within)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    Reply reply = c.token(i, ServerHarness.APP_ID, key);
    while (reply.apiCode() != apiCode && System.nanoTime() < deadline) {
      Thread.sleep(25); // a refusal counts in the address throttle: few polls, not a spin
      reply = c.token(i, ServerHarness.APP_ID, key);
    }
    assertThat(reply.apiCode()).as("instance " + i + ": " + reply.body()).isEqualTo(apiCode);
  }
}
