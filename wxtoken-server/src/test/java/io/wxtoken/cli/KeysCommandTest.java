package io.wxtoken.cli;

import static io.wxtoken.server.ServerHarness.APP_ID;
import static io.wxtoken.server.ServerHarness.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import io.wxtoken.server.ServerHarness;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code wxtoken keys …} against a data directory: the keys it issues work on the next start. */
class KeysCommandTest {
  @TempDir
  Path dir;

  @Test
  void keysIssuedOnTheDataDirectoryWorkOnceTheServerStartsAndRevokeStopsThem() {
    try (ServerHarness h = ServerHarness.start(dir)) {
      assertThat(h.token(APP_ID, SECRET).statusCode()).isEqualTo(200);
      h.server().close(); // the directory is free for the command

      CliRun created = CliRun.of("keys", "create", "--data", dir.toString(), "--name", "billing",
          "--apps", APP_ID, "--ops", "token,ticket");
      assertThat(created.exitCode()).as(created.err()).isZero();
      String key = created.out().lines().findFirst().orElseThrow();
      assertThat(key).startsWith("wxk_").hasSize(64);
      String id = key.substring(4, 20);

      CliRun listed = CliRun.of("keys", "list", "--data", dir.toString());
      assertThat(listed.exitCode()).isZero();
      assertThat(listed.out()).contains(id, "billing", "\"token\"", "\"ticket\"").doesNotContain(key)
          .doesNotContain(key.substring(21));

      h.restart();
      assertThat(h.token(APP_ID, key).statusCode()).isEqualTo(200);
      // (A server in another process holds H2's file lock, so --data is refused while it runs;
      // in this JVM H2 would share the open database instead, so that is not tried here.)
      h.server().close();
      CliRun revoked = CliRun.of("keys", "revoke", "--data", dir.toString(), id);
      assertThat(revoked.exitCode()).as(revoked.err()).isZero();
      assertThat(revoked.out()).contains("\"state\":\"revoked\"");
      h.restart();
      assertThat(h.token(APP_ID, key).apiCode()).isEqualTo(2006);
    }
  }

  @Test
  void badInputIsRefusedWithAMessage() {
    CliRun noTarget = CliRun.of("keys", "list");
    assertThat(noTarget.exitCode()).isEqualTo(2);
    CliRun badCidr = CliRun.of("keys", "create", "--data", dir.toString(), "--name", "a", "--apps",
        "*", "--cidrs", "example.com");
    assertThat(badCidr.exitCode()).isEqualTo(2);
    assertThat(badCidr.err()).contains("CIDR");
    CliRun unknownApp = CliRun.of("keys", "create", "--data", dir.toString(), "--name", "a",
        "--apps", "wx0000000000000099");
    assertThat(unknownApp.exitCode()).isEqualTo(2);
    assertThat(unknownApp.err()).contains("not registered");
    CliRun noSuchKey = CliRun.of("keys", "revoke", "--data", dir.toString(), "0123456789abcdef");
    assertThat(noSuchKey.exitCode()).isEqualTo(2);
    CliRun remoteWithoutToken = CliRun.of("keys", "list", "--server", "http://127.0.0.1:1");
    assertThat(remoteWithoutToken.exitCode()).isEqualTo(2);
  }
}
