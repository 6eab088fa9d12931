package io.wxtoken.bench;

import io.wxtoken.secret.MasterKey;
import io.wxtoken.secret.SecretBox;
import io.wxtoken.simulator.WeChatSimulator;
import io.wxtoken.store.h2.H2TokenStore;
import io.wxtoken.token.AccessToken;
import io.wxtoken.token.SecretHasher;
import io.wxtoken.token.TokenService;
import io.wxtoken.wechat.TokenApi;
import io.wxtoken.wechat.WeChatClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@link TokenService#get} on a warm cache: the engine's share of every token request.
 *
 * <p>Setup wires the real engine as the server does (WeChat simulator on loopback, H2 store in a
 * temp directory, HMAC secret hasher, AES-GCM secret box, system clock, production default
 * options for the stable token API), then fetches each app's token once, so that
 * every measured call is a hit: secret hash, map lookup, verifier compare, clock read, completed
 * future. Tear-down checks that no token was fetched during measurement (a miss would make the
 * numbers meaningless).
 *
 * <ul>
 *   <li>{@link #hitOneApp}: the same app every call.
 *   <li>{@link #hitRoundRobin1000Apps}: 1,000 apps taken in turn, so the lookup touches a map and
 *       records that do not all sit in L1.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "-DWXTOKEN_LOG_LEVEL=WARN")
public class TokenServiceHitBenchmark {

  /** A running engine with {@code apps} warm apps. */
  abstract static class Engine {
    String[] appIds;
    String[] secrets;
    private Path dir;
    private WeChatSimulator simulator;
    private H2TokenStore store;
    private ExecutorService storeExecutor;
    TokenService tokens;
    private long issuedAfterWarmup;

    abstract int apps();

    @Setup(Level.Trial)
    public void start() throws Exception {
      int n = apps();
      appIds = new String[n];
      secrets = new String[n];
      WeChatSimulator.Builder sim = WeChatSimulator.builder();
      for (int i = 0; i < n; i++) {
        appIds[i] = String.format(Locale.ROOT, "wx%016x", 0x5f1e2d3c4b000000L + i);
        secrets[i] = String.format(Locale.ROOT, "%032x", 0x0123456789abL * (i + 1));
        sim.app(appIds[i], secrets[i]);
      }
      simulator = sim.start();
      dir = Files.createTempDirectory("wxtoken-bench-");
      store = H2TokenStore.open(dir);
      storeExecutor = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "bench-store");
        t.setDaemon(true);
        return t;
      });
      SecureRandom random = new SecureRandom();
      byte[] hashKey = new byte[32];
      random.nextBytes(hashKey);
      byte[] boxKey = new byte[32];
      random.nextBytes(boxKey);
      SecretBox box = new SecretBox(MasterKey.fromBase64(Base64.getEncoder().encodeToString(boxKey)),
          List.of());
      WeChatClient wechat = new WeChatClient(simulator.baseUrl(), TokenApi.STABLE,
          Duration.ofSeconds(3), Duration.ofSeconds(5));
      tokens = new TokenService(store, wechat, new SecretHasher(hashKey), box, Clock.systemUTC(),
          System::nanoTime, storeExecutor, TokenService.Options.defaults(TokenApi.STABLE));
      for (int i = 0; i < n; i++) {
        tokens.get(appIds[i], secrets[i]).get(10, TimeUnit.SECONDS);
      }
      issuedAfterWarmup = totalIssued();
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
      long issued = totalIssued() - issuedAfterWarmup;
      try {
        if (issued != 0) {
          throw new IllegalStateException(issued + " token(s) were fetched from WeChat during the"
              + " measurement: calls were not all hits, the figures are invalid");
        }
      } finally {
        storeExecutor.shutdown();
        store.close();
        simulator.close();
        TempDirs.delete(dir);
      }
    }

    private long totalIssued() {
      long sum = 0;
      for (String appId : appIds) {
        sum += simulator.tokensIssued(appId);
      }
      return sum;
    }
  }

  /** One warm app. */
  @State(Scope.Benchmark)
  public static class OneApp extends Engine {
    @Override
    int apps() {
      return 1;
    }
  }

  /** 1,000 warm apps. */
  @State(Scope.Benchmark)
  public static class ThousandApps extends Engine {
    @Override
    int apps() {
      return 1_000;
    }
  }

  /** Each benchmark thread's position in the round robin. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;
  }

  @Benchmark
  public AccessToken hitOneApp(OneApp engine) {
    return engine.tokens.get(engine.appIds[0], engine.secrets[0]).getNow(null);
  }

  @Benchmark
  public AccessToken hitRoundRobin1000Apps(ThousandApps engine, Cursor cursor) {
    int i = cursor.next;
    cursor.next = i + 1 == engine.appIds.length ? 0 : i + 1;
    return engine.tokens.get(engine.appIds[i], engine.secrets[i]).getNow(null);
  }
}
