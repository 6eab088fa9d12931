package io.wxtoken.server;

import io.wxtoken.http.ExpiresAtFormat;
import io.wxtoken.wechat.TokenApi;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything a server needs to start, already validated (the CLI turns flags and environment
 * variables into this; tests build it directly).
 *
 * @param host address to listen on
 * @param port port to listen on; 0 picks a free one
 * @param storeDir directory of the embedded store and its key file
 * @param wechatBaseUrl WeChat's API root
 * @param tokenApi which WeChat token endpoint to use
 * @param expiresAtFormat how {@code expiresAt} is written
 * @param wechatConnectTimeout bound on connecting to WeChat
 * @param wechatReadTimeout bound on one WeChat exchange
 * @param eventLoops HTTP event loops
 * @param trustForwardedFor take the client address from {@code X-Forwarded-For} (behind a proxy)
 */
public record ServerConfig(
    String host,
    int port,
    Path storeDir,
    URI wechatBaseUrl,
    TokenApi tokenApi,
    ExpiresAtFormat expiresAtFormat,
    Duration wechatConnectTimeout,
    Duration wechatReadTimeout,
    int eventLoops,
    boolean trustForwardedFor) {

  /** WeChat's production API root. */
  public static final URI WECHAT_API = URI.create("https://api.weixin.qq.com");

  public ServerConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(storeDir, "storeDir");
    Objects.requireNonNull(wechatBaseUrl, "wechatBaseUrl");
    Objects.requireNonNull(tokenApi, "tokenApi");
    Objects.requireNonNull(expiresAtFormat, "expiresAtFormat");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0-65535");
    }
    if (eventLoops < 1) {
      throw new IllegalArgumentException("eventLoops must be >= 1");
    }
  }

  /** Defaults for everything but the store directory and WeChat's address. */
  public static ServerConfig defaults(Path storeDir, URI wechatBaseUrl) {
    return new ServerConfig("127.0.0.1", 8080, storeDir, wechatBaseUrl, TokenApi.STABLE,
        ExpiresAtFormat.NUMBER, Duration.ofSeconds(3), Duration.ofSeconds(5),
        Runtime.getRuntime().availableProcessors(), false);
  }

  public ServerConfig withPort(int newPort) {
    return new ServerConfig(host, newPort, storeDir, wechatBaseUrl, tokenApi, expiresAtFormat,
        wechatConnectTimeout, wechatReadTimeout, eventLoops, trustForwardedFor);
  }

  public ServerConfig withTrustForwardedFor(boolean trust) {
    return new ServerConfig(host, port, storeDir, wechatBaseUrl, tokenApi, expiresAtFormat,
        wechatConnectTimeout, wechatReadTimeout, eventLoops, trust);
  }

  /** The HTTP part of this configuration. */
  public io.wxtoken.http.HttpOptions http() {
    return new io.wxtoken.http.HttpOptions(host, port, eventLoops, expiresAtFormat, trustForwardedFor);
  }

  public ServerConfig withTokenApi(TokenApi api) {
    return new ServerConfig(host, port, storeDir, wechatBaseUrl, api, expiresAtFormat,
        wechatConnectTimeout, wechatReadTimeout, eventLoops, trustForwardedFor);
  }

  public ServerConfig withExpiresAtFormat(ExpiresAtFormat format) {
    return new ServerConfig(host, port, storeDir, wechatBaseUrl, tokenApi, format,
        wechatConnectTimeout, wechatReadTimeout, eventLoops, trustForwardedFor);
  }

  public ServerConfig withWeChatTimeouts(Duration connect, Duration read) {
    return new ServerConfig(host, port, storeDir, wechatBaseUrl, tokenApi, expiresAtFormat,
        connect, read, eventLoops, trustForwardedFor);
  }
}
