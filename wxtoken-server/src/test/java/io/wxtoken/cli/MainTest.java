package io.wxtoken.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad configuration stops the program before anything starts, naming the setting. */
class MainTest {
  @TempDir
  Path dir;

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--port|abc|Invalid value for option '--port': 'abc' is not an int (set by --port or WXTOKEN_PORT)",
      "--port|70000|--port/WXTOKEN_PORT must be between 0 and 65535, got 70000",
      "--store|redis://127.0.0.1:6379/0|--store/WXTOKEN_STORE is a Redis shared by several instances: each needs the same master key",
      "--store|redis-cluster://pw@n1:7000/3|--store/WXTOKEN_STORE: not a usable Redis address redis-cluster://***@n1:7000/3 (a Redis Cluster has no databases",
      "--store|./data|--store/WXTOKEN_STORE must look like file:DIR",
      "--wechat-base-url|ftp://example|--wechat-base-url/WXTOKEN_WECHAT_BASE_URL must be an http:// or https:// URL",
      "--token-api|fast|--token-api/WXTOKEN_TOKEN_API: unknown token API 'fast' (expected stable or classic)",
      "--expires-at-format|date|--expires-at-format/WXTOKEN_EXPIRES_AT_FORMAT: unknown expiresAt format 'date'",
      "--wechat-read-timeout|0s|--wechat-read-timeout/WXTOKEN_WECHAT_READ_TIMEOUT must be a positive duration",
      "--wechat-connect-timeout|soon|--wechat-connect-timeout/WXTOKEN_WECHAT_CONNECT_TIMEOUT must be a positive duration",
  })
  void badSettingFailsFastNamingIt(String flag, String value, String message) {
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(
        "serve", "--store", "file:" + dir, "--port", "0"));
    int existing = args.indexOf(flag);
    if (existing >= 0) {
      args.set(existing + 1, value);
    } else {
      args.addAll(java.util.List.of(flag, value));
    }
    CliRun run = run(args.toArray(String[]::new));

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains(message);
  }

  @Test
  void unusableStoreDirectoryFailsFastNamingIt() throws Exception {
    Path file = dir.resolve("not-a-dir");
    java.nio.file.Files.writeString(file, "x");

    CliRun run = run("serve", "--port", "0", "--store", "file:" + file.resolve("sub"));

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("cannot create store directory");
  }

  @Test
  void helpListsTheCommands() {
    CliRun run = run("--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("serve", "simulator", "demo");
  }

  @Test
  void serveHelpDocumentsEveryEnvironmentVariable() {
    CliRun run = run("serve", "--help");

    assertThat(run.exitCode()).isZero();
    Main.ENVIRONMENT.forEach((flag, env) -> assertThat(run.out()).contains(flag, env));
  }
}
