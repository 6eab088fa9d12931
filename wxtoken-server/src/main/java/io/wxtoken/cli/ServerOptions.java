package io.wxtoken.cli;

import io.wxtoken.http.ExpiresAtFormat;
import io.wxtoken.server.ServerConfig;
import io.wxtoken.store.redis.RedisAddress;
import io.wxtoken.wechat.TokenApi;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The server's flags, each defaulting to its environment variable, then to a sensible value. */
final class ServerOptions {
  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }

  private static String auditLog(String value) {
    String v = value.trim().toLowerCase(java.util.Locale.ROOT);
    if (!java.util.Set.of("file", "stdout", "off").contains(v)) {
      throw new IllegalArgumentException("must be file, stdout or off");
    }
    return v;
  }

  private static String adminToken(String value) {
    String token = blankToNull(value);
    if (token != null && token.length() < 16) {
      throw new ConfigException(Settings.name("--admin-token")
          + " must be at least 16 characters (it guards the admin API)");
    }
    return token;
  }

  @Option(names = "--host", paramLabel = "ADDR",
      defaultValue = "${env:WXTOKEN_HOST:-127.0.0.1}",
      description = "Address to listen on; 0.0.0.0 for all interfaces (env WXTOKEN_HOST, default ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", paramLabel = "PORT",
      defaultValue = "${env:WXTOKEN_PORT:-8080}",
      description = "Port to listen on (env WXTOKEN_PORT, default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--store", paramLabel = "file:DIR|redis://…",
      defaultValue = "${env:WXTOKEN_STORE:-file:./data}",
      description = "Where tokens are kept: file:DIR is the embedded H2 store; redis://host:port/db (rediss://, redis-sentinel://…#master, redis-cluster://host:port,…) is a Redis shared by several instances, which then need the same master key (env WXTOKEN_STORE, default ${DEFAULT-VALUE}).")
  String store;

  @Option(names = "--wechat-base-url", paramLabel = "URL",
      defaultValue = "${env:WXTOKEN_WECHAT_BASE_URL:-https://api.weixin.qq.com}",
      description = "WeChat API root (env WXTOKEN_WECHAT_BASE_URL, default ${DEFAULT-VALUE}).")
  String wechatBaseUrl;

  @Option(names = "--token-api", paramLabel = "stable|classic",
      defaultValue = "${env:WXTOKEN_TOKEN_API:-stable}",
      description = "WeChat endpoint: stable (/cgi-bin/stable_token) or classic (/cgi-bin/token) (env WXTOKEN_TOKEN_API, default ${DEFAULT-VALUE}).")
  String tokenApi;

  @Option(names = "--expires-at-format", paramLabel = "number|string",
      defaultValue = "${env:WXTOKEN_EXPIRES_AT_FORMAT:-number}",
      description = "JSON type of data.expiresAt (env WXTOKEN_EXPIRES_AT_FORMAT, default ${DEFAULT-VALUE}).")
  String expiresAtFormat;

  @Option(names = "--wechat-connect-timeout", paramLabel = "DURATION",
      defaultValue = "${env:WXTOKEN_WECHAT_CONNECT_TIMEOUT:-3s}",
      description = "Bound on connecting to WeChat (env WXTOKEN_WECHAT_CONNECT_TIMEOUT, default ${DEFAULT-VALUE}).")
  String connectTimeout;

  @Option(names = "--wechat-read-timeout", paramLabel = "DURATION",
      defaultValue = "${env:WXTOKEN_WECHAT_READ_TIMEOUT:-5s}",
      description = "Bound on one WeChat call once connected (env WXTOKEN_WECHAT_READ_TIMEOUT, default ${DEFAULT-VALUE}).")
  String readTimeout;

  @Option(names = "--trust-forwarded-for", paramLabel = "true|false", arity = "0..1",
      fallbackValue = "true", defaultValue = "${env:WXTOKEN_TRUST_FORWARDED_FOR:-false}",
      description = "Behind a reverse proxy: throttle by the last X-Forwarded-For address instead of the peer's (env WXTOKEN_TRUST_FORWARDED_FOR, default ${DEFAULT-VALUE}).")
  boolean trustForwardedFor;

  @Option(names = "--master-key-file", paramLabel = "FILE",
      defaultValue = "${env:WXTOKEN_MASTER_KEY_FILE}",
      description = "Master key that encrypts stored AppSecrets (32 bytes, Base64). Default: DIR/master.key,"
          + " created on first start; or the key itself in WXTOKEN_MASTER_KEY (env WXTOKEN_MASTER_KEY_FILE).")
  Path masterKeyFile;

  @Option(names = "--previous-master-key-file", paramLabel = "FILE",
      description = "An older master key, still accepted to decrypt; repeatable (for key rotation).")
  List<Path> previousMasterKeyFiles = new ArrayList<>();

  @Option(names = "--apps-file", paramLabel = "FILE",
      defaultValue = "${env:WXTOKEN_APPS_FILE}",
      description = "Apps to register at start: {\"apps\":[{\"appId\":…,\"secret\":\"env:NAME|file:PATH\"}]} (env WXTOKEN_APPS_FILE).")
  Path appsFile;

  @Option(names = "--verify-only", paramLabel = "true|false", arity = "0..1", fallbackValue = "true",
      defaultValue = "${env:WXTOKEN_VERIFY_ONLY:-false}",
      description = "Never store AppSecrets: tokens are then refreshed only by callers' requests (env WXTOKEN_VERIFY_ONLY, default ${DEFAULT-VALUE}).")
  boolean verifyOnly;

  @Option(names = "--admin-token", paramLabel = "TOKEN",
      defaultValue = "${env:WXTOKEN_ADMIN_TOKEN}",
      description = "Bearer token for GET /admin/apps and /admin/metrics (Prometheus); both are off without it. Prefer the variable: flags show in ps (env WXTOKEN_ADMIN_TOKEN).")
  String adminToken;

  @Option(names = "--caller-auth", paramLabel = "secret|key|secret,key",
      defaultValue = "${env:WXTOKEN_CALLER_AUTH:-secret,key}",
      description = "What callers present where the AppSecret goes: their app's AppSecret, a caller key issued with `wxtoken keys create` (wxk_…), or either (env WXTOKEN_CALLER_AUTH, default ${DEFAULT-VALUE}).")
  String callerAuth;

  @Option(names = "--audit-log", paramLabel = "file|stdout|off",
      defaultValue = "${env:WXTOKEN_AUDIT_LOG:-file}",
      description = "Where the audit log's JSON lines go: file (DIR/audit.jsonl, rotated at 10 MiB), stdout, or off; GET /admin/audit queries it either way (env WXTOKEN_AUDIT_LOG, default ${DEFAULT-VALUE}).")
  String auditLog;

  /** Validates every setting and builds the config; the WeChat URL may be overridden (demo). */
  ServerConfig toConfig(URI wechatOverride, Path storeOverride) {
    URI wechat = wechatOverride != null ? wechatOverride : Settings.httpUrl("--wechat-base-url", wechatBaseUrl);
    boolean redis = storeOverride == null && RedisAddress.isRedis(store);
    Path dir = storeOverride != null ? storeOverride
        : redis ? Path.of("data") : Settings.store("--store", store);
    ServerConfig base = new ServerConfig(
        host.trim(),
        Settings.port("--port", port),
        dir,
        wechat,
        Settings.choice("--token-api", tokenApi, TokenApi::parse),
        Settings.choice("--expires-at-format", expiresAtFormat, ExpiresAtFormat::parse),
        Settings.duration("--wechat-connect-timeout", connectTimeout),
        Settings.duration("--wechat-read-timeout", readTimeout),
        Runtime.getRuntime().availableProcessors(),
        trustForwardedFor,
        blankToNull(System.getenv("WXTOKEN_MASTER_KEY")),
        masterKeyFile,
        previousMasterKeyFiles,
        appsFile,
        verifyOnly,
        adminToken(adminToken),
        redis ? Settings.redis("--store", store) : null,
        null,
        Settings.choice("--caller-auth", callerAuth, io.wxtoken.access.CallerAuthMode::parse),
        Settings.choice("--audit-log", auditLog, ServerOptions::auditLog));
    if (appsFile != null && !java.nio.file.Files.isReadable(appsFile)) {
      throw new ConfigException(Settings.name("--apps-file") + ": cannot read " + appsFile);
    }
    if (masterKeyFile != null && !java.nio.file.Files.isReadable(masterKeyFile)) {
      throw new ConfigException(Settings.name("--master-key-file") + ": cannot read " + masterKeyFile);
    }
    if (redis && base.masterKey() == null && masterKeyFile == null) {
      throw new ConfigException(Settings.name("--store") + " is a Redis shared by several"
          + " instances: each needs the same master key, from " + Settings.name("--master-key-file")
          + " or WXTOKEN_MASTER_KEY (generate one with: head -c 32 /dev/urandom | base64)");
    }
    if (base.host().isEmpty()) {
      throw new ConfigException(Settings.name("--host") + " must not be empty");
    }
    return base;
  }
}
