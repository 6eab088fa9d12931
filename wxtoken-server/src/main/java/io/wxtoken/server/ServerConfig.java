package io.wxtoken.server;

import io.wxtoken.http.ExpiresAtFormat;
import io.wxtoken.http.HttpOptions;
import io.wxtoken.wechat.TokenApi;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything a server needs to start, already validated (the CLI turns flags and environment
 * variables into this; tests build it directly). {@link #toString()} redacts the secrets.
 *
 * @param host address to listen on
 * @param port port to listen on; 0 picks a free one
 * @param storeDir directory of the embedded store and its key files
 * @param wechatBaseUrl WeChat's API root
 * @param tokenApi which WeChat token endpoint to use
 * @param expiresAtFormat how {@code expiresAt} is written
 * @param wechatConnectTimeout bound on connecting to WeChat
 * @param wechatReadTimeout bound on one WeChat exchange
 * @param eventLoops HTTP event loops
 * @param trustForwardedFor take the client address from {@code X-Forwarded-For} (behind a proxy)
 * @param masterKey Base64 master key ({@code WXTOKEN_MASTER_KEY}), or null
 * @param masterKeyFile master key file, or null for {@code storeDir/master.key} (created if absent)
 * @param previousMasterKeyFiles older master keys, still accepted for decryption
 * @param appsFile apps to register at start, or null
 * @param verifyOnly whether no app's secret is stored (no proactive refresh)
 * @param adminToken bearer token of the admin endpoints, or null to turn them off
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
    boolean trustForwardedFor,
    String masterKey,
    Path masterKeyFile,
    List<Path> previousMasterKeyFiles,
    Path appsFile,
    boolean verifyOnly,
    String adminToken) {

  /** WeChat's production API root. */
  public static final URI WECHAT_API = URI.create("https://api.weixin.qq.com");

  public ServerConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(storeDir, "storeDir");
    Objects.requireNonNull(wechatBaseUrl, "wechatBaseUrl");
    Objects.requireNonNull(tokenApi, "tokenApi");
    Objects.requireNonNull(expiresAtFormat, "expiresAtFormat");
    previousMasterKeyFiles = List.copyOf(previousMasterKeyFiles);
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
        Runtime.getRuntime().availableProcessors(), false, null, null, List.of(), null, false,
        null);
  }

  /** The HTTP part of this configuration. */
  public HttpOptions http() {
    return new HttpOptions(host, port, eventLoops, expiresAtFormat, trustForwardedFor, adminToken);
  }

  public ServerConfig withPort(int value) {
    return new ServerConfig(host, value, storeDir, wechatBaseUrl, tokenApi, expiresAtFormat,
        wechatConnectTimeout, wechatReadTimeout, eventLoops, trustForwardedFor, masterKey,
        masterKeyFile, previousMasterKeyFiles, appsFile, verifyOnly, adminToken);
  }

  public ServerConfig withTokenApi(TokenApi value) {
    return new ServerConfig(host, port, storeDir, wechatBaseUrl, value, expiresAtFormat,
        wechatConnectTimeout, wechatReadTimeout, eventLoops, trustForwardedFor, masterKey,
        masterKeyFile, previousMasterKeyFiles, appsFile, verifyOnly, adminToken);
  }

  public ServerConfig withExpiresAtFormat(ExpiresAtFormat value) {
    return new ServerConfig(host, port, storeDir, wechatBaseUrl, tokenApi, value,
        wechatConnectTimeout, wechatReadTimeout, eventLoops, trustForwardedFor, masterKey,
        masterKeyFile, previousMasterKeyFiles, appsFile, verifyOnly, adminToken);
  }

  public ServerConfig withWeChatTimeouts(Duration connect, Duration read) {
    return new ServerConfig(host, port, storeDir, wechatBaseUrl, tokenApi, expiresAtFormat,
        connect, read, eventLoops, trustForwardedFor, masterKey, masterKeyFile,
        previousMasterKeyFiles, appsFile, verifyOnly, adminToken);
  }

  public ServerConfig withTrustForwardedFor(boolean value) {
    return new ServerConfig(host, port, storeDir, wechatBaseUrl, tokenApi, expiresAtFormat,
        wechatConnectTimeout, wechatReadTimeout, eventLoops, value, masterKey, masterKeyFile,
        previousMasterKeyFiles, appsFile, verifyOnly, adminToken);
  }

  public ServerConfig withAppsFile(Path value) {
    return new ServerConfig(host, port, storeDir, wechatBaseUrl, tokenApi, expiresAtFormat,
        wechatConnectTimeout, wechatReadTimeout, eventLoops, trustForwardedFor, masterKey,
        masterKeyFile, previousMasterKeyFiles, value, verifyOnly, adminToken);
  }

  public ServerConfig withVerifyOnly(boolean value) {
    return new ServerConfig(host, port, storeDir, wechatBaseUrl, tokenApi, expiresAtFormat,
        wechatConnectTimeout, wechatReadTimeout, eventLoops, trustForwardedFor, masterKey,
        masterKeyFile, previousMasterKeyFiles, appsFile, value, adminToken);
  }

  public ServerConfig withAdminToken(String value) {
    return new ServerConfig(host, port, storeDir, wechatBaseUrl, tokenApi, expiresAtFormat,
        wechatConnectTimeout, wechatReadTimeout, eventLoops, trustForwardedFor, masterKey,
        masterKeyFile, previousMasterKeyFiles, appsFile, verifyOnly, value);
  }

  public ServerConfig withMasterKeyFile(Path value, List<Path> previous) {
    return new ServerConfig(host, port, storeDir, wechatBaseUrl, tokenApi, expiresAtFormat,
        wechatConnectTimeout, wechatReadTimeout, eventLoops, trustForwardedFor, masterKey, value,
        previous, appsFile, verifyOnly, adminToken);
  }

  @Override
  public String toString() {
    return "ServerConfig[host=" + host + ", port=" + port + ", storeDir=" + storeDir
        + ", wechatBaseUrl=" + wechatBaseUrl + ", tokenApi=" + tokenApi
        + ", masterKey=" + (masterKey == null ? "none" : "<redacted>")
        + ", masterKeyFile=" + masterKeyFile + ", appsFile=" + appsFile
        + ", verifyOnly=" + verifyOnly + ", adminToken=" + (adminToken == null ? "off" : "<redacted>")
        + "]";
  }
}
