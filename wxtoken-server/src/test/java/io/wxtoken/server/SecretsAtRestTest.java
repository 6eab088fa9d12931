package io.wxtoken.server;

import static io.wxtoken.server.ServerHarness.APP_ID;
import static io.wxtoken.server.ServerHarness.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import io.wxtoken.secret.MasterKey;
import io.wxtoken.simulator.WeChatSimulator.Endpoint;
import io.wxtoken.token.AppRecord;
import io.wxtoken.token.AppStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AppSecrets kept for proactive refresh are sealed under a master key: never in the store in
 * plaintext, usable after a restart, absent in verify-only mode, and a wrong key only stops the
 * proactive refresh (after its secrets were discarded), never the serving.
 */
class SecretsAtRestTest {
  @TempDir
  Path dir;

  private static byte[] storeBytes(Path dir) throws Exception {
    return Files.readAllBytes(dir.resolve("wxtoken.mv.db"));
  }

  private static boolean contains(byte[] haystack, String needle) {
    byte[] n = needle.getBytes(StandardCharsets.US_ASCII);
    outer:
    for (int i = 0; i + n.length <= haystack.length; i++) {
      for (int j = 0; j < n.length; j++) {
        if (haystack[i + j] != n[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /** Polls (real time, at most 5 s) until {@code condition} holds. */
  private static boolean await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }

  private static AppRecord record(ServerHarness h) {
    return h.server().tokens().cached(APP_ID).orElseThrow();
  }

  private static AppStatus status(ServerHarness h) {
    return h.server().tokens().status(APP_ID).orElseThrow();
  }

  @Test
  void theStoreFileNeverHoldsThePlaintextSecretOnlyASealedOne() throws Exception {
    try (ServerHarness h = ServerHarness.start(dir)) {
      String token = h.token(APP_ID, SECRET).accessToken();

      String sealed = record(h).sealedSecret();
      assertThat(sealed).startsWith("v1.").doesNotContain(SECRET);
      byte[] open = storeBytes(dir);
      // the search works: what the store is meant to hold is found in the same bytes
      assertThat(contains(open, token)).as("token in the store file").isTrue();
      assertThat(contains(open, SECRET)).as("plaintext secret in the store file").isFalse();

      h.restart();
      assertThat(record(h).sealedSecret()).isEqualTo(sealed);
    }
    byte[] closed = storeBytes(dir);
    assertThat(contains(closed, SECRET)).as("plaintext secret in the closed store file").isFalse();
    try (var files = Files.list(dir)) {
      for (Path file : files.toList()) {
        assertThat(contains(Files.readAllBytes(file), SECRET)).as(file.toString()).isFalse();
      }
    }
  }

  @Test
  void theMasterKeyIsCreatedInTheStoreDirectoryOwnerOnly() throws Exception {
    try (ServerHarness h = ServerHarness.start(dir)) {
      Path key = dir.resolve("master.key");

      assertThat(key).isRegularFile();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
          .isEqualTo("rw-------");
      Path hashKey = dir.resolve("secret-hash.key");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(hashKey)))
          .isEqualTo("rw-------");
      assertThat(MasterKey.load(hashKey).id()).isNotEqualTo(MasterKey.load(key).id());
      // the key file is the one records are sealed with: its id names it
      h.token(APP_ID, SECRET);
      assertThat(record(h).sealedSecret())
          .startsWith("v1." + MasterKey.load(key).id() + ".");
      try (var files = Files.list(dir)) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .noneMatch(name -> name.startsWith(".master.key"));
      }
    }
  }

  @Test
  void afterARestartTheSchedulerRefreshesTheTokenWithoutAnyCaller() throws Exception {
    try (ServerHarness h = ServerHarness.start(dir)) {
      String before = h.token(APP_ID, SECRET).accessToken();
      h.clock.advance(Duration.ofMinutes(30));

      h.restart();
      h.wechat.resetCounters();
      AppStatus scheduled = status(h);
      long generation = record(h).generation();

      assertThat(scheduled.secretStored()).isTrue();
      assertThat(scheduled.nextRefreshAt()).isNotNull()
          .isBefore(scheduled.tokenExpiresAt()).isAfter(h.clock.instant());

      h.clock.set(scheduled.nextRefreshAt().plusMillis(1));
      h.server().tokens().refreshDue(); // (or the server's own tick)

      assertThat(await(() -> record(h).generation() > generation
          && status(h).nextRefreshAt() != null)).isTrue();
      String after = record(h).token().value();
      assertThat(after).isNotEqualTo(before);
      assertThat(h.wechat.isValid(after)).isTrue();
      assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN, APP_ID)).isEqualTo(1);
      assertThat(h.wechat.tokensIssued(APP_ID)).isEqualTo(1);
      assertThat(record(h).token().expiresAt()).isEqualTo(h.clock.instant().plusSeconds(7200));
      // and it is rescheduled for the new token's margin
      assertThat(status(h).nextRefreshAt()).isAfter(record(h).token().expiresAt().minusSeconds(241));
      // callers now get the new token, without another upstream call
      assertThat(h.token(APP_ID, SECRET).accessToken()).isEqualTo(after);
      assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN, APP_ID)).isEqualTo(1);
    }
  }

  @Test
  void verifyOnlyKeepsNoSecretAndSchedulesNoRefresh() throws Exception {
    try (ServerHarness h = ServerHarness.start(dir, b -> { }, c -> c.withVerifyOnly(true))) {
      String token = h.token(APP_ID, SECRET).accessToken();

      assertThat(record(h).sealedSecret()).isNull();
      assertThat(record(h).hasSealedSecret()).isFalse();
      AppStatus status = status(h);
      assertThat(status.secretStored()).isFalse();
      assertThat(status.nextRefreshAt()).isNull();

      // nothing refreshes it on its own: only a caller in the refresh window does
      h.clock.advance(Duration.ofSeconds(7200 - 60));
      assertThat(h.server().tokens().refreshDue()).isZero();
      assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN, APP_ID)).isEqualTo(1);
      assertThat(h.token(APP_ID, SECRET).accessToken()).isEqualTo(token);
      assertThat(await(() -> record(h).generation() == 2)).isTrue();
      assertThat(record(h).sealedSecret()).isNull();

      h.restart(c -> c.withVerifyOnly(true));
      assertThat(record(h).sealedSecret()).isNull();
      assertThat(status(h).nextRefreshAt()).isNull();
    }
  }

  @Test
  void switchingToVerifyOnlyNeitherUsesNorKeepsSecretsStoredBefore() throws Exception {
    try (ServerHarness h = ServerHarness.start(dir)) {
      h.token(APP_ID, SECRET);
      String sealed = record(h).sealedSecret();

      h.restart(c -> c.withVerifyOnly(true));

      assertThat(status(h).secretStored()).isFalse();
      assertThat(status(h).nextRefreshAt()).isNull();
      assertThat(record(h).sealedSecret()).isNull();
      assertThat(sealed).startsWith("v1.");
      // The erased ciphertext may stay in H2's free pages until they are reused (it is useless
      // without the master key; README says to rotate the key when switching).
    }
  }

  @Test
  void aDifferentMasterKeyWithTheDiscardFlagStopsOnlyTheProactiveRefreshNotTheServing(
      @TempDir Path keys) throws Exception {
    Path otherKey = keys.resolve("other.key");
    MasterKey other = MasterKey.loadOrCreate(otherKey);
    try (ServerHarness h = ServerHarness.start(dir)) {
      String token = h.token(APP_ID, SECRET).accessToken();
      String sealed = record(h).sealedSecret();
      assertThat(sealed).doesNotStartWith("v1." + other.id() + ".");

      // (without the flag the start is refused: LostKeysTest)
      h.restart(c -> c.withMasterKeyFile(otherKey, List.of()).withDiscardSealedSecrets(true));

      AppStatus discarded = status(h);
      assertThat(discarded.secretStored()).isFalse();
      assertThat(discarded.nextRefreshAt()).isNull(); // verify-only until a caller comes
      h.wechat.resetCounters();
      assertThat(h.server().tokens().refreshDue()).isZero();

      // a caller with the right secret is still served the current token ...
      ServerHarness.Reply reply = h.token(APP_ID, SECRET);
      assertThat(reply.statusCode()).isEqualTo(200);
      assertThat(reply.accessToken()).isEqualTo(token);
      assertThat(h.wechat.isValid(reply.accessToken())).isTrue();
      assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN)).isZero();

      // ... and once it expires, a caller gets a new one and the secret is re-sealed under the
      // new key, which restarts the proactive refresh
      h.clock.set(discarded.tokenExpiresAt());
      ServerHarness.Reply renewed = h.token(APP_ID, SECRET);
      assertThat(renewed.statusCode()).isEqualTo(200);
      assertThat(renewed.accessToken()).isNotEqualTo(token);
      assertThat(h.wechat.isValid(renewed.accessToken())).isTrue();
      assertThat(record(h).sealedSecret()).startsWith("v1." + other.id() + ".");
      assertThat(await(() -> status(h).nextRefreshAt() != null)).isTrue();
      assertThat(status(h).lastError()).isNull();
    }
  }

  @Test
  void aCallerInTheRefreshWindowReRegistersADiscardedSecret(@TempDir Path keys)
      throws Exception {
    Path otherKey = keys.resolve("other.key");
    MasterKey other = MasterKey.loadOrCreate(otherKey);
    try (ServerHarness h = ServerHarness.start(dir)) {
      String token = h.token(APP_ID, SECRET).accessToken();
      Instant expiresAt = record(h).token().expiresAt();
      h.restart(c -> c.withMasterKeyFile(otherKey, List.of()).withDiscardSealedSecrets(true));
      long generation = record(h).generation();
      h.clock.set(expiresAt.minusSeconds(60)); // inside the refresh window

      assertThat(h.token(APP_ID, SECRET).accessToken()).isEqualTo(token);

      // the caller's secret refreshes the token in the background, before expiry
      assertThat(await(() -> record(h).generation() == generation + 1
          && status(h).nextRefreshAt() != null)).isTrue();
      assertThat(record(h).sealedSecret()).startsWith("v1." + other.id() + ".");
      assertThat(h.wechat.isValid(record(h).token().value())).isTrue();
      assertThat(status(h).lastError()).isNull();
    }
  }

  @Test
  void withThePreviousKeyListedTheRestartedServerStillOpensAndReSealsTheSecret(
      @TempDir Path keys) throws Exception {
    Path otherKey = keys.resolve("other.key");
    MasterKey other = MasterKey.loadOrCreate(otherKey);
    try (ServerHarness h = ServerHarness.start(dir)) {
      h.token(APP_ID, SECRET);

      h.restart(c -> c.withMasterKeyFile(otherKey, List.of(dir.resolve("master.key"))));
      AppStatus scheduled = status(h);
      h.clock.set(scheduled.nextRefreshAt().plusMillis(1));
      h.server().tokens().refreshDue();

      assertThat(await(() -> record(h).generation() == 2)).isTrue();
      assertThat(await(() -> status(h).nextRefreshAt() != null)).isTrue();
      assertThat(status(h).lastError()).isNull();
      assertThat(h.wechat.isValid(record(h).token().value())).isTrue();
      assertThat(record(h).sealedSecret()).startsWith("v1." + other.id() + ".");
    }
  }
}
