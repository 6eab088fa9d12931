package io.wxtoken.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wxtoken.simulator.ManualClock;
import io.wxtoken.token.Resilience;
import io.wxtoken.token.TokenService;
import io.wxtoken.simulator.WeChatSimulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A real wxtoken server and a real WeChat simulator on loopback, sharing one {@link ManualClock},
 * plus a small HTTP client for the API. For end-to-end tests.
 */
public final class ServerHarness implements AutoCloseable {
  public static final String APP_ID = "wx00000000000000a1";
  public static final String SECRET = "0123456789abcdef0123456789abcdef";
  public static final String TOKEN_PATH = "/api/v3/get-wechat-access-token";
  /** Retries and breaker on a test's time scale: 2 retries 10-50 ms apart, breaker 5 × 1 s. */
  public static final Resilience QUICK = new Resilience(Duration.ofMillis(10),
      Duration.ofMillis(50), 2, Duration.ofSeconds(3), 5, Duration.ofSeconds(1));

  public final ManualClock clock = ManualClock.startingAt("2026-11-25T00:00:00Z");
  public final WeChatSimulator wechat;
  private final Path dir;
  private final UnaryOperator<ServerConfig> configure;
  private final UnaryOperator<TokenService.Options> engine;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final ObjectMapper JSON = new ObjectMapper();
  private WxTokenServer server;

  private ServerHarness(Path dir, Consumer<WeChatSimulator.Builder> simulator,
      UnaryOperator<ServerConfig> configure, UnaryOperator<TokenService.Options> engine) {
    WeChatSimulator.Builder builder = WeChatSimulator.builder().clock(clock).app(APP_ID, SECRET);
    simulator.accept(builder);
    this.wechat = builder.start();
    this.dir = dir;
    this.configure = configure;
    this.engine = engine;
    this.server = startServer();
  }

  /** Simulator with {@link #APP_ID}, server with defaults (stable API, port 0). */
  public static ServerHarness start(Path dir) {
    return start(dir, b -> { }, c -> c);
  }

  public static ServerHarness start(Path dir, Consumer<WeChatSimulator.Builder> simulator,
      UnaryOperator<ServerConfig> configure) {
    return start(dir, simulator, configure, o -> o);
  }

  /** With the engine's tunables adjusted too (they start from {@link #QUICK} retries). */
  public static ServerHarness start(Path dir, Consumer<WeChatSimulator.Builder> simulator,
      UnaryOperator<ServerConfig> configure, UnaryOperator<TokenService.Options> engine) {
    return new ServerHarness(dir, simulator, configure, engine);
  }

  private WxTokenServer startServer() {
    return startServer(c -> c);
  }

  private WxTokenServer startServer(UnaryOperator<ServerConfig> reconfigure) {
    ServerConfig config = ServerConfig.defaults(dir, wechat.baseUrl())
        .withPort(0)
        .withWeChatTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2));
    ServerConfig configured = reconfigure.apply(configure.apply(config));
    TokenService.Options options = TokenService.Options.defaults(configured.tokenApi())
        .withResilience(QUICK);
    return WxTokenServer.start(configured, clock, clock::nanoTime, engine.apply(options));
  }

  public WxTokenServer server() {
    return server;
  }

  /** Stops the server (the store is closed cleanly) and starts a new one on the same directory. */
  public void restart() {
    server.close();
    server = startServer();
  }

  /**
   * As {@link #restart()}, with this start's configuration adjusted further (another master key,
   * verify-only, ...); later plain restarts go back to the harness's own configuration.
   */
  public void restart(UnaryOperator<ServerConfig> reconfigure) {
    server.close();
    server = startServer(reconfigure);
  }

  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  /** POSTs {@code {"appId":…,"appSecret":…}} as JSON to the token endpoint. */
  public Reply token(String appId, String secret) {
    return post(TOKEN_PATH, "application/json",
        "{\"appId\":\"" + appId + "\",\"appSecret\":\"" + secret + "\"}");
  }

  public Reply post(String path, String contentType, String body, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    if (headers.length > 0) {
      request.headers(headers);
    }
    return send(request.build());
  }

  public Reply send(HttpRequest request) {
    return exchange(http, request);
  }

  /** Sends {@code request} and reads the JSON answer. */
  static Reply exchange(HttpClient http, HttpRequest request) {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Reply(response.statusCode(), JSON.readTree(response.body()), response.headers());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public HttpClient http() {
    return http;
  }

  @Override
  public void close() {
    server.close();
    wechat.close();
  }

  /** An HTTP answer with its JSON body. */
  public record Reply(int httpStatus, JsonNode body, java.net.http.HttpHeaders headers) {
    public int statusCode() {
      return body.path("statusCode").asInt();
    }

    public int apiCode() {
      return body.path("apiCode").asInt();
    }

    public String message() {
      return body.path("message").asText();
    }

    public String accessToken() {
      return body.path("data").path("accessToken").asText(null);
    }

    public long expiresAt() {
      return body.path("data").path("expiresAt").asLong();
    }
  }
}
