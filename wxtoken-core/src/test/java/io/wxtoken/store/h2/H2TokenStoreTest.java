package io.wxtoken.store.h2;

import io.wxtoken.secret.MasterKey;
import io.wxtoken.secret.SecretBox;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxtoken.simulator.ManualClock;
import io.wxtoken.simulator.WeChatSimulator;
import io.wxtoken.token.AccessToken;
import io.wxtoken.token.AppRecord;
import io.wxtoken.token.QuotaUsage;
import io.wxtoken.token.SecretHasher;
import io.wxtoken.token.StoreException;
import io.wxtoken.token.TokenService;
import io.wxtoken.token.Verifier;
import io.wxtoken.wechat.TokenApi;
import io.wxtoken.wechat.WeChatClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store: round trips, generation fencing, persistence, locking and what it holds. */
class H2TokenStoreTest {
  private static final Instant T0 = Instant.parse("2026-03-01T02:00:00Z");
  private static final String APP = "wx1111111111111111";

  @TempDir
  Path dir;

  private final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    Collections.reverse(opened);
    for (AutoCloseable c : opened) {
      c.close();
    }
  }

  private H2TokenStore open() {
    H2TokenStore store = H2TokenStore.open(dir);
    opened.add(store);
    return store;
  }

  private static Verifier verifier(int seed) {
    byte[] bytes = new byte[32];
    Arrays.fill(bytes, (byte) seed);
    return Verifier.of(bytes);
  }

  private static AppRecord record(String appId, String token, long generation) {
    Instant fetched = T0.plusSeconds(generation);
    return new AppRecord(appId, verifier((int) generation), null,
        new AccessToken(token, fetched, fetched.plusSeconds(7200)), generation);
  }

  @Test
  void savesAndLoadsARecordExactly() {
    H2TokenStore store = open();
    AppRecord saved = new AppRecord(APP, verifier(7), "v1.sealed",
        new AccessToken("token-1", T0.plusMillis(123), T0.plusMillis(7_200_123)), 1);

    assertThat(store.save(saved)).isTrue();

    assertThat(store.load(APP)).contains(saved);
    assertThat(store.load("wx-other")).isEmpty();
  }

  @Test
  void loadsEveryRecord() {
    H2TokenStore store = open();
    store.save(record("wxA", "token-a", 1));
    store.save(record("wxB", "token-b", 3));

    assertThat(store.loadAll()).extracting(AppRecord::appId, AppRecord::generation)
        .containsExactlyInAnyOrder(tuple("wxA", 1L), tuple("wxB", 3L));
  }

  @Test
  void savesAndLoadsQuotaUsageAndOverwritesIt() {
    H2TokenStore store = open();
    QuotaUsage first = new QuotaUsage(java.time.LocalDate.of(2026, 3, 1), 7, 2, T0);
    QuotaUsage second = new QuotaUsage(java.time.LocalDate.of(2026, 3, 2), 1, 0, T0.plusSeconds(60));

    assertThat(store.loadQuota(APP)).isEmpty();
    store.saveQuota(APP, first);
    assertThat(store.loadQuota(APP)).contains(first);
    store.saveQuota(APP, second);
    assertThat(store.loadQuota(APP)).contains(second);
    store.close();
    assertThat(H2TokenStore.open(dir).loadQuota(APP)).contains(second); // durable
  }

  @Test
  void keepsAppsApart() {
    H2TokenStore store = open();
    AppRecord a = record("wxA", "token-a", 1);
    AppRecord b = record("wxB", "token-b", 5);

    assertThat(store.save(a)).isTrue();
    assertThat(store.save(b)).isTrue();

    assertThat(store.load("wxA")).contains(a);
    assertThat(store.load("wxB")).contains(b);
  }

  @Test
  void writesOnlyAHigherGeneration() {
    H2TokenStore store = open();
    AppRecord first = record(APP, "token-1", 1);
    assertThat(store.save(first)).isTrue();

    assertThat(store.save(record(APP, "token-1-again", 1))).as("equal generation").isFalse();
    assertThat(store.load(APP)).contains(first);

    AppRecord third = record(APP, "token-3", 3);
    assertThat(store.save(third)).as("higher generation").isTrue();
    assertThat(store.load(APP)).contains(third);

    assertThat(store.save(record(APP, "token-2", 2))).as("lower generation").isFalse();
    assertThat(store.save(record(APP, "token-3-again", 3))).as("equal generation").isFalse();
    assertThat(store.load(APP)).contains(third);
  }

  @Test
  void concurrentFirstWritesOfOneGenerationLetExactlyOneWin() throws Exception {
    H2TokenStore store = open();
    List<Callable<Boolean>> writers = IntStream.range(0, 16)
        .<Callable<Boolean>>mapToObj(i -> () -> store.save(record(APP, "token-" + i, 1)))
        .toList();

    List<Boolean> results = runAll(writers);

    assertThat(results).containsOnlyOnce(true);
    String winner = "token-" + results.indexOf(true);
    assertThat(store.load(APP)).hasValueSatisfying(r -> {
      assertThat(r.token().value()).isEqualTo(winner);
      assertThat(r.generation()).isEqualTo(1);
    });
  }

  @Test
  void concurrentWritersEndWithTheHighestGeneration() throws Exception {
    H2TokenStore store = open();
    List<Callable<Boolean>> writers = new ArrayList<>(IntStream.rangeClosed(1, 200)
        .<Callable<Boolean>>mapToObj(g -> () -> store.save(record(APP, "token-" + g, g)))
        .toList());
    Collections.shuffle(writers, new java.util.Random(42));

    runAll(writers);

    assertThat(store.load(APP)).contains(record(APP, "token-200", 200));
  }

  @Test
  void survivesCloseAndReopen() {
    AppRecord saved = record(APP, "token-4", 4);
    try (H2TokenStore store = H2TokenStore.open(dir)) {
      assertThat(store.save(saved)).isTrue();
    }

    H2TokenStore reopened = open();

    assertThat(reopened.load(APP)).contains(saved);
    assertThat(reopened.save(record(APP, "token-3", 3))).as("fencing survives too").isFalse();
    assertThat(reopened.save(record(APP, "token-5", 5))).isTrue();
  }

  @Test
  void createsMissingDirectoriesAndReportsTheAbsolutePath() {
    Path nested = dir.resolve("a/b/../c");

    try (H2TokenStore store = H2TokenStore.open(nested)) {
      assertThat(store.directory()).isEqualTo(dir.resolve("a/c").toAbsolutePath().normalize());
      assertThat(store.directory().resolve(H2TokenStore.FILE_NAME + ".mv.db")).exists();
    }
  }

  @Test
  void failsWithTheDirectoryNamedWhenItIsAFile() throws IOException {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");

    assertThatThrownBy(() -> H2TokenStore.open(file))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  void refusesASecondServerOnTheSameDirectory() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path childErrors = dir.resolveSibling(dir.getFileName() + "-child.err");
    Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
        StoreHolder.class.getName(), dir.toString())
        .redirectError(childErrors.toFile())
        .start();
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line = out.readLine();
      assertThat(line).as("child stderr: %s", readQuietly(childErrors)).startsWith("open ");

      assertThatThrownBy(() -> H2TokenStore.open(dir))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining(dir.toAbsolutePath().normalize().toString())
          .hasMessageContaining("another wxtoken server");
    } finally {
      child.getOutputStream().close();
      if (!child.waitFor(10, TimeUnit.SECONDS)) {
        child.destroyForcibly();
      }
      Files.deleteIfExists(childErrors);
    }
    assertThat(child.exitValue()).isZero();

    // Once the other server is gone, the directory opens again.
    assertThat(open().load(APP)).isEmpty();
  }

  @Test
  void holdsVerifiersButNeverThePlaintextSecret() throws Exception {
    String secret = "0123456789abcdefPLAINTEXTSECRET0";
    ManualClock clock = new ManualClock(T0);
    ExecutorService storeExecutor = Executors.newFixedThreadPool(2);
    String token;
    try (WeChatSimulator sim = WeChatSimulator.builder().clock(clock).app(APP, secret).start();
        H2TokenStore store = H2TokenStore.open(dir)) {
      WeChatClient client = new WeChatClient(sim.baseUrl(), TokenApi.CLASSIC,
          Duration.ofSeconds(2), Duration.ofSeconds(2));
      TokenService service = new TokenService(store, client, new SecretHasher(new byte[32]),
          new SecretBox(MasterKey.fromBase64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="),
              java.util.List.of()), clock, clock::nanoTime, storeExecutor,
          TokenService.Options.defaults(TokenApi.CLASSIC));
      token = service.get(APP, secret).get(10, TimeUnit.SECONDS).value();
      assertThat(store.load(APP)).hasValueSatisfying(r -> {
        assertThat(r.token().value()).isEqualTo(token);
        assertThat(r.verifier()).isEqualTo(new SecretHasher(new byte[32]).hash(APP, secret));
      });
    } finally {
      storeExecutor.shutdownNow();
    }

    byte[] everything = allBytesUnder(dir);
    assertThat(contains(everything, token)).as("the token is in the file (the scan works)").isTrue();
    assertThat(contains(everything, secret)).as("the plaintext secret is in the file").isFalse();
  }

  private static byte[] allBytesUnder(Path root) throws IOException {
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        all.write(Files.readAllBytes(f));
      }
    }
    return all.toByteArray();
  }

  private static boolean contains(byte[] haystack, String needle) {
    byte[] n = needle.getBytes(StandardCharsets.UTF_8);
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

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "<" + e + ">";
    }
  }

  private static <T> List<T> runAll(List<Callable<T>> tasks) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<T>> futures = pool.invokeAll(tasks, 30, TimeUnit.SECONDS);
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        results.add(f.get());
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }
}
