package io.wxtoken.http;

import static io.wxtoken.server.ServerHarness.APP_ID;
import static io.wxtoken.server.ServerHarness.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wxtoken.server.ServerHarness;
import io.wxtoken.simulator.WeChatSimulator.Endpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authing's official Node.js SDK ({@code authing-node-sdk} 4.0.1 from npm, unchanged), its
 * {@code appHost} pointed at wxtoken: the script {@code src/test/node/authing-sdk/client.js} makes
 * one SDK call per run and prints what the SDK handed back.
 *
 * <p>Needs Node.js and npm (the SDK is installed with {@code npm ci} from the committed lock
 * file). Without them the test is skipped on a developer's machine, and fails under CI
 * ({@code CI} set), where {@code .ci/run} makes sure they are there.
 */
class AuthingNodeSdkCompatibilityTest {
  private static final Path SOURCES = Path.of("src", "test", "node", "authing-sdk");
  private static final Path INSTALL = Path.of("target", "authing-node-sdk");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  @BeforeAll
  static void installTheSdk() throws Exception {
    if (!runs("node", "--version") || !runs("npm", "--version")) {
      String why = "Node.js and npm are needed to run Authing's Node.js SDK";
      if (System.getenv("CI") != null) {
        throw new AssertionError(why + " (CI must have them: see .ci/run)");
      }
      Assumptions.abort(why + "; skipped");
    }
    Files.createDirectories(INSTALL);
    for (String file : List.of("package.json", "package-lock.json", "client.js")) {
      Files.copy(SOURCES.resolve(file), INSTALL.resolve(file),
          StandardCopyOption.REPLACE_EXISTING);
    }
    Result install = run(INSTALL, 300, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error");
    assertThat(install.exit).as("npm ci: %s", install.err).isZero();
  }

  @Test
  void getWechatMpAccessTokenWorksUnchanged() throws Exception {
    try (ServerHarness h = ServerHarness.start(dir)) {
      JsonNode reply = call(h, "getWechatMpAccessToken", APP_ID, SECRET);

      assertThat(reply.get("statusCode").asInt()).isEqualTo(200);
      assertThat(reply.get("message").asText()).isEqualTo("操作成功");
      assertThat(reply.get("requestId").asText()).isNotBlank();
      assertThat(h.wechat.isValid(reply.at("/data/accessToken").asText())).isTrue();
      assertThat(reply.at("/data/expiresAt").asLong())
          .isEqualTo(h.clock.instant().getEpochSecond() + 7200);
    }
  }

  @Test
  void getWechatMpAccessTokenInfoWorksUnchangedAndSharesTheCache() throws Exception {
    try (ServerHarness h = ServerHarness.start(dir)) {
      JsonNode first = call(h, "getWechatMpAccessTokenInfo", APP_ID, SECRET);
      JsonNode second = call(h, "getWechatMpAccessToken", APP_ID, SECRET);

      assertThat(first.get("statusCode").asInt()).isEqualTo(200);
      assertThat(second.at("/data/accessToken").asText())
          .isEqualTo(first.at("/data/accessToken").asText());
      assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN)).isEqualTo(1);
    }
  }

  @Test
  void aCallerKeyInTheAppSecretFieldWorksUnchanged() throws Exception {
    try (ServerHarness h = ServerHarness.start(dir)) {
      String token = h.token(APP_ID, SECRET).accessToken(); // the operator registers the app
      String key = h.server().access().create(new io.wxtoken.access.KeySpec("authing-node",
          java.util.Set.of(APP_ID), java.util.EnumSet.of(io.wxtoken.access.Operation.TOKEN),
          List.of(), null, 0, 0), "admin", null).secretKey();

      JsonNode reply = call(h, "getWechatMpAccessTokenInfo", APP_ID, key);
      h.server().access().revoke(key.substring(4, 20), "admin", null);
      JsonNode revoked = call(h, "getWechatMpAccessToken", APP_ID, key);

      assertThat(reply.get("statusCode").asInt()).isEqualTo(200);
      assertThat(reply.at("/data/accessToken").asText()).isEqualTo(token);
      assertThat(revoked.get("statusCode").asInt()).isEqualTo(403);
      assertThat(revoked.get("apiCode").asInt()).isEqualTo(2006);
      assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN)).isEqualTo(1);
    }
  }

  @Test
  void errorsReachTheSdkAsEnvelopesNotExceptions() throws Exception {
    try (ServerHarness h = ServerHarness.start(dir)) {
      // WeChat is asked once (it may be a new app) and refuses the secret: 2002.
      JsonNode wrong = call(h, "getWechatMpAccessTokenInfo", APP_ID, "ffffffffffffffffffffffffffffffff");
      JsonNode missing = call(h, "getWechatMpAccessTokenInfo", APP_ID, null);

      assertThat(wrong.get("statusCode").asInt()).isEqualTo(403);
      assertThat(wrong.get("apiCode").asInt()).isEqualTo(2002);
      assertThat(wrong.has("data")).isFalse();
      assertThat(wrong.toString()).doesNotContain("ffffffffffffffffffffffffffffffff");
      assertThat(missing.get("statusCode").asInt()).isEqualTo(400);
      assertThat(missing.get("message").asText()).isEqualTo("appSecret is required");
    }
  }

  /** One SDK call in a Node.js process; what the SDK resolved with, as JSON. */
  private JsonNode call(ServerHarness h, String method, String appId, String secret)
      throws Exception {
    List<String> command = new ArrayList<>(List.of("node", "client.js",
        "http://127.0.0.1:" + h.server().port(), method, appId));
    if (secret != null) {
      command.add(secret);
    }
    Result result = run(INSTALL, 60, command.toArray(String[]::new));
    assertThat(result.exit).as("the SDK call failed: %s", result.err).isZero();
    return JSON.readTree(result.out);
  }

  private record Result(int exit, String out, String err) {}

  private static boolean runs(String... command) {
    try {
      return run(Path.of("."), 30, command).exit == 0;
    } catch (IOException e) {
      return false; // not installed
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static Result run(Path workDir, int timeoutSeconds, String... command)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("node-out", ".txt");
    Path err = Files.createTempFile("node-err", ".txt");
    try {
      Process process = new ProcessBuilder(command).directory(workDir.toFile())
          .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish in "
            + timeoutSeconds + " s");
      }
      return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
