package io.wxtoken.bench;

import io.wxtoken.client.AccessToken;
import io.wxtoken.client.AccessTokenProvider;
import io.wxtoken.client.WxTokenClient;
import io.wxtoken.server.ServerConfig;
import io.wxtoken.server.WxTokenServer;
import io.wxtoken.simulator.WeChatSimulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
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
import org.openjdk.jmh.annotations.Threads;

/**
 * The Java client's {@link AccessTokenProvider#currentToken()} on a warm cache: what every WeChat
 * call in an application pays to get its token.
 *
 * <p>Setup starts the WeChat simulator and a real wxtoken server on loopback, builds a
 * {@link WxTokenClient} and a provider with the system clock and default settings, and fetches the
 * token once. WeChat's 7200 s lifetime keeps the token far from its refresh margin for the whole
 * run, so every measured call is the hot path: a volatile read, a clock read, a compare.
 * Tear-down fails the run if the provider holds another token than after warm-up (it would have
 * gone to the network) or WeChat issued another one.
 *
 * <ul>
 *   <li>{@link #currentToken}: one thread.
 *   <li>{@link #currentTokenTwoThreads}: two threads on the same provider (it shares nothing
 *       writable on the hot path, so there is nothing to contend on).
 *   <li>{@link #clockReadAlone}: {@code Clock.systemUTC().millis()}, the one call the hot path
 *       makes, as the baseline: what is left above it is the provider's own work.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "-DWXTOKEN_LOG_LEVEL=WARN")
public class AccessTokenProviderBenchmark {
  static final String APP_ID = "wx5f1e2d3c4b5a6978";
  static final String SECRET = "0123456789abcdef0123456789abcdef";

  /** A server, a simulator and a warm provider. */
  @State(Scope.Benchmark)
  public static class Warm {
    AccessTokenProvider provider;
    private Path dir;
    private WeChatSimulator simulator;
    private WxTokenServer server;
    private AccessToken warm;

    @Setup(Level.Trial)
    public void start() throws IOException {
      simulator = WeChatSimulator.builder().app(APP_ID, SECRET).start();
      dir = Files.createTempDirectory("wxtoken-bench-client-");
      server = WxTokenServer.start(ServerConfig.defaults(dir, simulator.baseUrl()).withPort(0),
          Clock.systemUTC());
      WxTokenClient client = WxTokenClient.builder()
          .serverUrl("http://127.0.0.1:" + server.port()).build();
      provider = client.accessTokenProvider(APP_ID, SECRET);
      provider.currentToken();
      warm = provider.current();
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
      try {
        if (provider.current() != warm || simulator.tokensIssued(APP_ID) != 1) {
          throw new IllegalStateException("the provider fetched a token during the measurement:"
              + " calls were not all cache hits, the figures are invalid");
        }
      } finally {
        provider.close();
        server.close();
        simulator.close();
        TempDirs.delete(dir);
      }
    }
  }

  /** The system clock, read on its own. */
  @State(Scope.Thread)
  public static class SystemClock {
    final Clock clock = Clock.systemUTC();
  }

  @Benchmark
  public long clockReadAlone(SystemClock state) {
    return state.clock.millis();
  }

  @Benchmark
  public String currentToken(Warm state) {
    return state.provider.currentToken();
  }

  @Benchmark
  @Threads(2)
  public String currentTokenTwoThreads(Warm state) {
    return state.provider.currentToken();
  }
}
