package io.wxtoken.client.testing;

import io.wxtoken.server.ServerConfig;
import io.wxtoken.server.WxTokenServer;
import io.wxtoken.simulator.ManualClock;
import io.wxtoken.simulator.WeChatSimulator;
import io.wxtoken.token.Resilience;
import io.wxtoken.token.TokenService;
import io.wxtoken.wechat.TokenApi;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Real wxtoken servers (one or more, each with its own store) in front of one real WeChat
 * simulator, all on loopback ports and one {@link ManualClock}. Two servers on the stable API get
 * the same token from the simulator, as two wxtoken instances in front of WeChat would.
 */
public final class LiveServer implements AutoCloseable {
  public static final String APP_ID = "wx00000000000000b1";
  public static final String SECRET = "0123456789abcdef0123456789abcdef";
  /** WeChat's own lifetime: a token expires 7200 s after it was fetched. */
  public static final Duration LIFETIME = Duration.ofSeconds(7200);
  /** The server's retries and breaker on a test's time scale. */
  private static final Resilience QUICK = new Resilience(Duration.ofMillis(10),
      Duration.ofMillis(50), 2, Duration.ofSeconds(3), 5, Duration.ofSeconds(1));

  public final ManualClock clock = ManualClock.startingAt("2026-11-25T00:00:00Z");
  public final WeChatSimulator wechat;
  private final Path dir;
  private final UnaryOperator<ServerConfig> configure;
  private final List<WxTokenServer> servers = new ArrayList<>();

  private LiveServer(Path dir, Consumer<WeChatSimulator.Builder> simulator,
      UnaryOperator<ServerConfig> configure, int count) {
    WeChatSimulator.Builder builder = WeChatSimulator.builder().clock(clock)
        .tokenLifetime(LIFETIME).app(APP_ID, SECRET);
    simulator.accept(builder);
    this.wechat = builder.start();
    this.dir = dir;
    this.configure = configure;
    try {
      for (int i = 0; i < count; i++) {
        servers.add(startServer(i));
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** One server, defaults (stable API). */
  public static LiveServer start(Path dir) {
    return start(dir, b -> { }, c -> c, 1);
  }

  /** {@code count} servers with the simulator and servers adjusted. */
  public static LiveServer start(Path dir, Consumer<WeChatSimulator.Builder> simulator,
      UnaryOperator<ServerConfig> configure, int count) {
    return new LiveServer(dir, simulator, configure, count);
  }

  private WxTokenServer startServer(int i) {
    Path store = dir.resolve("server-" + i);
    try {
      Files.createDirectories(store);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ServerConfig config = configure.apply(ServerConfig.defaults(store, wechat.baseUrl())
        .withPort(0)
        .withWeChatTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2)));
    TokenService.Options options = TokenService.Options.defaults(config.tokenApi())
        .withResilience(QUICK);
    return WxTokenServer.start(config, clock, clock::nanoTime, options);
  }

  /** The first server's base URL. */
  public String url() {
    return url(0);
  }

  public String url(int i) {
    return "http://127.0.0.1:" + servers.get(i).port();
  }

  public WxTokenServer server(int i) {
    return servers.get(i);
  }

  /** Stops server {@code i}: its port refuses connections from now on. */
  public void stop(int i) {
    servers.get(i).close();
  }

  /** Token calls the simulator received for {@link #APP_ID}, classic and stable. */
  public long wechatTokenCalls() {
    return wechat.calls(WeChatSimulator.Endpoint.TOKEN, APP_ID)
        + wechat.calls(WeChatSimulator.Endpoint.STABLE_TOKEN, APP_ID);
  }

  /** New tokens WeChat minted for {@link #APP_ID}. */
  public long tokensMinted() {
    return wechat.tokensIssued(APP_ID);
  }

  /** A loopback URL nothing listens on (bound once, then released). */
  public static String deadUrl() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return "http://127.0.0.1:" + socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Uses the classic API upstream. */
  public static UnaryOperator<ServerConfig> classic() {
    return c -> c.withTokenApi(TokenApi.CLASSIC);
  }

  @Override
  public void close() {
    for (WxTokenServer server : servers) {
      server.close();
    }
    wechat.close();
  }
}
