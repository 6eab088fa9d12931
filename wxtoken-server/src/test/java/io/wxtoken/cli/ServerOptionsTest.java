package io.wxtoken.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxtoken.secret.MasterKey;
import io.wxtoken.secret.SecretBox;
import io.wxtoken.server.ServerConfig;
import io.wxtoken.store.h2.H2TokenStore;
import io.wxtoken.token.AccessToken;
import io.wxtoken.token.AppRecord;
import io.wxtoken.token.Verifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The secret-storage, apps-file and admin settings of {@code wxtoken serve}. */
class ServerOptionsTest {
  @TempDir
  Path dir;

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  /** {@code serve} with a throwaway store and port, plus {@code extra}. */
  private String[] serve(String... extra) {
    List<String> args = new ArrayList<>(List.of("serve", "--store", "file:" + dir, "--port", "0"));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  /** The configuration {@code serve} would start with, without starting anything. */
  private ServerConfig config(String... extra) {
    CommandLine.ParseResult parsed = Main.commandLine().parseArgs(serve(extra));
    ServeCommand serve = (ServeCommand) parsed.subcommand().commandSpec().userObject();
    return serve.options.toConfig(null, null);
  }

  @Test
  void appsOnlyNeedsAnAppsFileAndUnknownAppChecksMustNotBeNegative() throws Exception {
    assertThat(config().appsOnly()).isFalse();
    assertThat(config().unknownAppChecks()).isEqualTo(ServerConfig.DEFAULT_UNKNOWN_APP_CHECKS);
    assertThat(config("--unknown-app-checks", "0").unknownAppChecks()).isZero();
    assertThatThrownBy(() -> config("--apps-only"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--apps-only/WXTOKEN_APPS_ONLY").hasMessageContaining("--apps-file");
    assertThatThrownBy(() -> config("--unknown-app-checks", "-1"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--unknown-app-checks/WXTOKEN_UNKNOWN_APP_CHECKS");
    Path apps = dir.resolve("apps.json");
    Files.writeString(apps, "{\"apps\":[]}");
    assertThat(config("--apps-file", apps.toString(), "--apps-only").appsOnly()).isTrue();
  }

  @Test
  void idleAppsAreForgottenAfterThirtyDaysByDefaultAndZeroMeansNever() {
    assertThat(config().evictIdle()).isEqualTo(java.time.Duration.ofDays(30));
    assertThat(config("--evict-idle-days", "7").evictIdle()).isEqualTo(java.time.Duration.ofDays(7));
    assertThat(config("--evict-idle-days", "0").evictIdle()).isNull();
    assertThatThrownBy(() -> config("--evict-idle-days", "-1"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--evict-idle-days/WXTOKEN_EVICT_IDLE_DAYS");
  }

  @Test
  @Timeout(10)
  void aShortAdminTokenFailsNamingTheSettingAndTheMinimum() {
    CliRun run = run(serve("--admin-token", "short"));

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--admin-token/WXTOKEN_ADMIN_TOKEN", "at least 16")
        .doesNotContain("short");
  }

  @Test
  void anAdminTokenOfSixteenCharactersIsAcceptedTrimmedAndABlankOneTurnsTheApiOff() {
    assertThat(config("--admin-token", " 0123456789abcdef ").adminToken())
        .isEqualTo("0123456789abcdef");
    assertThat(config("--admin-token", "   ").adminToken()).isNull();
    assertThat(config().adminToken()).isNull();
    assertThatThrownBy(() -> config("--admin-token", "0123456789abcde"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("at least 16");
  }

  @Test
  @Timeout(10)
  void anUnreadableAppsFileFailsNamingTheSetting() {
    CliRun run = run(serve("--apps-file", "/nonexistent/apps.json"));

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--apps-file/WXTOKEN_APPS_FILE", "/nonexistent/apps.json");
    assertThat(dir.resolve("wxtoken.mv.db")).doesNotExist();
  }

  @Test
  @Timeout(10)
  void anUnreadableMasterKeyFileFailsNamingTheSetting() {
    CliRun run = run(serve("--master-key-file", "/nonexistent/master.key"));

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--master-key-file/WXTOKEN_MASTER_KEY_FILE",
        "/nonexistent/master.key");
    assertThat(dir.resolve("master.key")).doesNotExist();
  }

  @Test
  @Timeout(10)
  void aMasterKeyFileWithoutAKeyFailsNamingTheFileNotItsContent() throws Exception {
    Path key = dir.resolve("bad.key");
    Files.writeString(key, "not-a-key-but-maybe-a-secret");

    CliRun run = run(serve("--master-key-file", key.toString()));

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("master key file " + key).doesNotContain("maybe-a-secret");
  }

  @Test
  @Timeout(10)
  void aBadAppsFileFailsTheStartWithItsProblem() throws Exception {
    Path apps = dir.resolve("apps.json");
    Files.writeString(apps, "{\"apps\":[{\"appId\":\"wx1\",\"secret\":\"0123456789abcdef\"}]}");

    CliRun run = run(serve("--apps-file", apps.toString()));

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--apps-file " + apps + ", apps[0] (wx1)", "env:NAME or file:PATH")
        .doesNotContain("0123456789abcdef");
  }

  @Test
  void flagsReachTheConfiguration() throws Exception {
    Path apps = Files.writeString(dir.resolve("apps.json"), "{\"apps\":[]}");
    Path key = Files.writeString(dir.resolve("k.key"), "x");

    ServerConfig config = config("--verify-only", "--apps-file", apps.toString(),
        "--master-key-file", key.toString(), "--previous-master-key-file", key.toString());

    assertThat(config.verifyOnly()).isTrue();
    assertThat(config.appsFile()).isEqualTo(apps);
    assertThat(config.masterKeyFile()).isEqualTo(key);
    assertThat(config.previousMasterKeyFiles()).containsExactly(key);
    assertThat(config("--verify-only", "false").verifyOnly()).isFalse();
    assertThat(config().verifyOnly()).isFalse();
    assertThat(config().appsFile()).isNull();
    assertThat(config().masterKeyFile()).isNull();
  }

  @Test
  void theLostKeyRecoveryFlagsAreOffUnlessGiven() {
    assertThat(config().discardSealedSecrets()).isFalse();
    assertThat(config().resetSecretHashKey()).isFalse();
    ServerConfig recovering = config("--discard-sealed-secrets", "--reset-secret-hash-key");
    assertThat(recovering.discardSealedSecrets()).isTrue();
    assertThat(recovering.resetSecretHashKey()).isTrue();
  }

  @Test
  @Timeout(30)
  void serveRefusesAStoreWhoseMasterKeyIsGoneNamingTheKeyIdAndTheFlag(@TempDir Path keys) {
    MasterKey lost = MasterKey.loadOrCreate(keys.resolve("lost.key"));
    SecretBox box = new SecretBox(lost, List.of());
    AccessToken token = new AccessToken("token-value", Instant.EPOCH, Instant.EPOCH.plusSeconds(7200));
    try (H2TokenStore store = H2TokenStore.open(dir)) {
      store.save(new AppRecord("wx00000000000000a1", Verifier.of(new byte[32]),
          new String(box.seal("wx00000000000000a1", "0123456789abcdef0123456789abcdef"),
              StandardCharsets.US_ASCII), token, 1));
    }

    CliRun run = run(serve());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("wxtoken: ", "master key id " + lost.id(),
        "--discard-sealed-secrets").doesNotContain("0123456789abcdef");
    assertThat(dir.resolve("master.key")).doesNotExist();
  }

  @Test
  void serveHelpListsTheNewSettings() {
    CliRun run = run("serve", "--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("--verify-only", "--apps-file", "--master-key-file",
        "--previous-master-key-file", "--discard-sealed-secrets", "--reset-secret-hash-key",
        "--admin-token", "WXTOKEN_VERIFY_ONLY", "WXTOKEN_APPS_FILE",
        "WXTOKEN_MASTER_KEY_FILE", "WXTOKEN_ADMIN_TOKEN");
  }
}
