package io.wxtoken.server;

import io.wxtoken.access.CallerAuthMode;
import io.wxtoken.http.ExpiresAtFormat;
import io.wxtoken.http.HttpLimits;
import io.wxtoken.http.HttpOptions;
import io.wxtoken.store.redis.RedisAddress;
import io.wxtoken.wechat.TokenApi;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

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
 * @param redis the Redis the instances of a cluster share, or null for the embedded store in
 *     {@code storeDir}
 * @param leaseTime how long an app's refresh lease lasts in a cluster, or null to derive it from
 *     the WeChat timeouts and retries
 * @param discardSealedSecrets erase stored secrets sealed under a master key that is not
 *     configured, instead of refusing to start ({@code --discard-sealed-secrets})
 * @param resetSecretHashKey replace a lost secret-hash key with a new one, instead of refusing to
 *     start ({@code --reset-secret-hash-key})
 * @param appsOnly serve only the apps of {@code appsFile}: others are refused as a wrong secret
 *     is, without a WeChat call
 * @param unknownAppChecks WeChat calls a minute, server-wide, for appIds that have no record
 * @param evictIdle forget an app no caller asked for in this long (lone server only), or null for
 *     never
 * @param httpLimits bounds on connections and on the WeChat pass-through
 * @param callerAuth which credentials callers may present: AppSecrets, caller keys, or both
 * @param auditLog where audit records are written as JSON lines: {@code file}
 *     ({@code storeDir/audit.jsonl}, rotated at 10 MiB, 5 kept), {@code stdout}, or {@code off}
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
    String adminToken,
    RedisAddress redis,
    Duration leaseTime,
    boolean discardSealedSecrets,
    boolean resetSecretHashKey,
    boolean appsOnly,
    int unknownAppChecks,
    Duration evictIdle,
    HttpLimits httpLimits,
    CallerAuthMode callerAuth,
    String auditLog) {

  /** WeChat calls a minute for appIds without a record, unless configured. */
  public static final int DEFAULT_UNKNOWN_APP_CHECKS = 60;

  /** WeChat's production API root. */
  public static final URI WECHAT_API = URI.create("https://api.weixin.qq.com");

  public ServerConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(storeDir, "storeDir");
    Objects.requireNonNull(wechatBaseUrl, "wechatBaseUrl");
    Objects.requireNonNull(tokenApi, "tokenApi");
    Objects.requireNonNull(expiresAtFormat, "expiresAtFormat");
    Objects.requireNonNull(httpLimits, "httpLimits");
    previousMasterKeyFiles = List.copyOf(previousMasterKeyFiles);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0-65535");
    }
    Objects.requireNonNull(callerAuth, "callerAuth");
    if (!java.util.Set.of("file", "stdout", "off").contains(auditLog)) {
      throw new IllegalArgumentException("auditLog must be file, stdout or off");
    }
    if (eventLoops < 1) {
      throw new IllegalArgumentException("eventLoops must be >= 1");
    }
    if (unknownAppChecks < 0) {
      throw new IllegalArgumentException("unknownAppChecks must be >= 0");
    }
    if (appsOnly && appsFile == null) {
      throw new IllegalArgumentException("appsOnly needs an appsFile");
    }
  }

  /** Defaults for everything but the store directory and WeChat's address. */
  public static ServerConfig defaults(Path storeDir, URI wechatBaseUrl) {
    return new ServerConfig("127.0.0.1", 8080, storeDir, wechatBaseUrl, TokenApi.STABLE,
        ExpiresAtFormat.NUMBER, Duration.ofSeconds(3), Duration.ofSeconds(5),
        Runtime.getRuntime().availableProcessors(), false, null, null, List.of(), null, false,
        null, null, null, false, false, false, DEFAULT_UNKNOWN_APP_CHECKS, null,
        HttpLimits.defaults(), CallerAuthMode.SECRET_AND_KEY, "file");
  }

  /** The HTTP part of this configuration. */
  public HttpOptions http() {
    return new HttpOptions(host, port, eventLoops, expiresAtFormat, trustForwardedFor, adminToken,
        wechatBaseUrl, wechatConnectTimeout, wechatReadTimeout, httpLimits);
  }

  public ServerConfig withPort(int value) {
    return copy(b -> b.port = value);
  }

  public ServerConfig withTokenApi(TokenApi value) {
    return copy(b -> b.tokenApi = value);
  }

  public ServerConfig withExpiresAtFormat(ExpiresAtFormat value) {
    return copy(b -> b.expiresAtFormat = value);
  }

  public ServerConfig withWeChatTimeouts(Duration connect, Duration read) {
    return copy(b -> {
      b.wechatConnectTimeout = connect;
      b.wechatReadTimeout = read;
    });
  }

  public ServerConfig withTrustForwardedFor(boolean value) {
    return copy(b -> b.trustForwardedFor = value);
  }

  public ServerConfig withAppsFile(Path value) {
    return copy(b -> b.appsFile = value);
  }

  public ServerConfig withVerifyOnly(boolean value) {
    return copy(b -> b.verifyOnly = value);
  }

  public ServerConfig withAdminToken(String value) {
    return copy(b -> b.adminToken = value);
  }

  /** Shares the store with other instances through Redis instead of the embedded store. */
  public ServerConfig withRedis(RedisAddress value) {
    return copy(b -> b.redis = value);
  }

  public ServerConfig withCallerAuth(CallerAuthMode value) {
    return copy(b -> b.callerAuth = value);
  }

  public ServerConfig withAuditLog(String value) {
    return copy(b -> b.auditLog = value);
  }

  public ServerConfig withHttpLimits(HttpLimits value) {
    return copy(b -> b.httpLimits = value);
  }

  public ServerConfig withLeaseTime(Duration value) {
    return copy(b -> b.leaseTime = value);
  }

  /** Serves only the apps of the apps file (set it first). */
  public ServerConfig withAppsOnly(boolean value) {
    return copy(b -> b.appsOnly = value);
  }

  public ServerConfig withUnknownAppChecks(int value) {
    return copy(b -> b.unknownAppChecks = value);
  }

  public ServerConfig withEvictIdle(Duration value) {
    return copy(b -> b.evictIdle = value);
  }

  public ServerConfig withMasterKey(String base64) {
    return copy(b -> b.masterKey = base64);
  }

  public ServerConfig withMasterKeyFile(Path value, List<Path> previous) {
    return copy(b -> {
      b.masterKeyFile = value;
      b.previousMasterKeyFiles = previous;
    });
  }

  /** See {@code discardSealedSecrets}: a one-off recovery from a lost master key. */
  public ServerConfig withDiscardSealedSecrets(boolean value) {
    return copy(b -> b.discardSealedSecrets = value);
  }

  /** See {@code resetSecretHashKey}: a one-off recovery from a lost secret-hash key. */
  public ServerConfig withResetSecretHashKey(boolean value) {
    return copy(b -> b.resetSecretHashKey = value);
  }

  /** A copy with some components changed: the one place that lists them all. */
  private ServerConfig copy(Consumer<Copy> change) {
    Copy b = new Copy(this);
    change.accept(b);
    return new ServerConfig(b.host, b.port, b.storeDir, b.wechatBaseUrl, b.tokenApi,
        b.expiresAtFormat, b.wechatConnectTimeout, b.wechatReadTimeout, b.eventLoops,
        b.trustForwardedFor, b.masterKey, b.masterKeyFile, b.previousMasterKeyFiles, b.appsFile,
        b.verifyOnly, b.adminToken, b.redis, b.leaseTime, b.discardSealedSecrets,
        b.resetSecretHashKey, b.appsOnly, b.unknownAppChecks, b.evictIdle,
        b.httpLimits, b.callerAuth, b.auditLog);
  }

  /** The components, mutable, for {@link #copy}. */
  private static final class Copy {
    String host;
    int port;
    Path storeDir;
    URI wechatBaseUrl;
    TokenApi tokenApi;
    ExpiresAtFormat expiresAtFormat;
    Duration wechatConnectTimeout;
    Duration wechatReadTimeout;
    int eventLoops;
    boolean trustForwardedFor;
    String masterKey;
    Path masterKeyFile;
    List<Path> previousMasterKeyFiles;
    Path appsFile;
    boolean verifyOnly;
    String adminToken;
    RedisAddress redis;
    Duration leaseTime;
    boolean discardSealedSecrets;
    boolean resetSecretHashKey;
    boolean appsOnly;
    int unknownAppChecks;
    Duration evictIdle;
    HttpLimits httpLimits;
    CallerAuthMode callerAuth;
    String auditLog;

    Copy(ServerConfig c) {
      host = c.host;
      port = c.port;
      storeDir = c.storeDir;
      wechatBaseUrl = c.wechatBaseUrl;
      tokenApi = c.tokenApi;
      expiresAtFormat = c.expiresAtFormat;
      wechatConnectTimeout = c.wechatConnectTimeout;
      wechatReadTimeout = c.wechatReadTimeout;
      eventLoops = c.eventLoops;
      trustForwardedFor = c.trustForwardedFor;
      masterKey = c.masterKey;
      masterKeyFile = c.masterKeyFile;
      previousMasterKeyFiles = c.previousMasterKeyFiles;
      appsFile = c.appsFile;
      verifyOnly = c.verifyOnly;
      adminToken = c.adminToken;
      redis = c.redis;
      leaseTime = c.leaseTime;
      discardSealedSecrets = c.discardSealedSecrets;
      resetSecretHashKey = c.resetSecretHashKey;
      appsOnly = c.appsOnly;
      unknownAppChecks = c.unknownAppChecks;
      evictIdle = c.evictIdle;
      httpLimits = c.httpLimits;
      callerAuth = c.callerAuth;
      auditLog = c.auditLog;
    }
  }

  @Override
  public String toString() {
    return "ServerConfig[host=" + host + ", port=" + port
        + ", store=" + (redis == null ? "file:" + storeDir : redis.toString())
        + ", wechatBaseUrl=" + wechatBaseUrl + ", tokenApi=" + tokenApi
        + ", masterKey=" + (masterKey == null ? "none" : "<redacted>")
        + ", masterKeyFile=" + masterKeyFile + ", appsFile=" + appsFile
        + (appsOnly ? " (only these apps)" : "") + ", unknownAppChecks=" + unknownAppChecks
        + ", verifyOnly=" + verifyOnly + ", callerAuth=" + callerAuth.label()
        + ", auditLog=" + auditLog + ", adminToken=" + (adminToken == null ? "off" : "<redacted>")
        + "]";
  }
}
