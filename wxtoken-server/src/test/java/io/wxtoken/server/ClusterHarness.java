package io.wxtoken.server;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.wxtoken.server.ServerHarness.Reply;
import io.wxtoken.simulator.ManualClock;
import io.wxtoken.simulator.WeChatSimulator;
import io.wxtoken.store.redis.RedisAddress;
import io.wxtoken.store.redis.RedisServerProcess;
import io.wxtoken.token.TokenService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Several real wxtoken servers sharing one real Redis, in front of one WeChat simulator, all on
 * one {@link ManualClock}: a cluster on loopback for end-to-end tests. Redis is flushed first.
 */
final class ClusterHarness implements AutoCloseable {
  static final String MASTER_KEY = Base64.getEncoder().encodeToString(
      "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));

  final ManualClock clock = ManualClock.startingAt("2026-11-25T00:00:00Z");
  final WeChatSimulator wechat;
  final RedisServerProcess redis;
  private final Path dir;
  private final UnaryOperator<ServerConfig> configure;
  private final List<WxTokenServer> servers = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  private ClusterHarness(Path dir, RedisServerProcess redis, int instances,
      Consumer<WeChatSimulator.Builder> simulator, UnaryOperator<ServerConfig> configure) {
    this.dir = dir;
    this.redis = redis;
    this.configure = configure;
    flush(redis);
    WeChatSimulator.Builder builder = WeChatSimulator.builder().clock(clock)
        .app(ServerHarness.APP_ID, ServerHarness.SECRET);
    simulator.accept(builder);
    this.wechat = builder.start();
    for (int i = 0; i < instances; i++) {
      servers.add(startInstance(i));
    }
  }

  static ClusterHarness start(Path dir, RedisServerProcess redis, int instances) {
    return start(dir, redis, instances, b -> { }, c -> c);
  }

  static ClusterHarness start(Path dir, RedisServerProcess redis, int instances,
      Consumer<WeChatSimulator.Builder> simulator, UnaryOperator<ServerConfig> configure) {
    return new ClusterHarness(dir, redis, instances, simulator, configure);
  }

  static void flush(RedisServerProcess redis) {
    try (RedisClient client = RedisClient.create(redis.uri());
        StatefulRedisConnection<String, String> c = client.connect()) {
      c.sync().flushall();
    }
  }

  /** A base config for instance {@code i}: the shared Redis and master key, a short lease. */
  ServerConfig config(int i) {
    try {
      Path own = Files.createDirectories(dir.resolve("instance-" + i));
      ServerConfig config = ServerConfig.defaults(own, wechat.baseUrl())
          .withPort(0)
          .withWeChatTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2))
          .withRedis(RedisAddress.parse(redis.uri()))
          .withMasterKey(MASTER_KEY)
          .withLeaseTime(Duration.ofSeconds(2));
      return configure.apply(config);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private WxTokenServer startInstance(int i) {
    ServerConfig config = config(i);
    TokenService.Options options = TokenService.Options.defaults(config.tokenApi())
        .withResilience(ServerHarness.QUICK);
    return WxTokenServer.start(config, clock, clock::nanoTime, options);
  }

  WxTokenServer instance(int i) {
    return servers.get(i);
  }

  int size() {
    return servers.size();
  }

  /** Stops instance {@code i} as abruptly as in-process allows: HTTP, refresher and store go. */
  void kill(int i) {
    servers.get(i).close();
  }

  URI uri(int i, String path) {
    return URI.create("http://127.0.0.1:" + servers.get(i).port() + path);
  }

  Reply token(int i, String appId, String secret) {
    return post(i, ServerHarness.TOKEN_PATH,
        "{\"appId\":\"" + appId + "\",\"appSecret\":\"" + secret + "\"}");
  }

  Reply token(int i) {
    return token(i, ServerHarness.APP_ID, ServerHarness.SECRET);
  }

  HttpRequest tokenRequest(int i) {
    return HttpRequest.newBuilder(uri(i, ServerHarness.TOKEN_PATH))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"appId\":\"" + ServerHarness.APP_ID
            + "\",\"appSecret\":\"" + ServerHarness.SECRET + "\"}"))
        .build();
  }

  Reply post(int i, String path, String body) {
    return send(HttpRequest.newBuilder(uri(i, path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build());
  }

  /** The HTTP status of {@code GET /ready} on instance {@code i}. */
  int readiness(int i) {
    try {
      return http.send(HttpRequest.newBuilder(uri(i, "/ready")).GET().build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  Reply send(HttpRequest request) {
    return ServerHarness.exchange(http, request);
  }

  HttpClient http() {
    return http;
  }

  @Override
  public void close() {
    servers.forEach(WxTokenServer::close);
    wechat.close();
  }
}
