package io.wxtoken.cli;

import io.wxtoken.http.ExpiresAtFormat;
import io.wxtoken.http.HttpLimits;
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

  @Option(names = "--discard-sealed-secrets",
      description = "Recovery from a lost master key: erase the stored AppSecrets sealed under a key that is not configured (the apps stay served, verify-only until a caller brings the secret again) instead of refusing to start. Logged per app.")
  boolean discardSealedSecrets;

  @Option(names = "--reset-secret-hash-key",
      description = "Recovery from a lost secret-hash key: make a new one and rebuild the stored verifiers from the sealed secrets (other apps' next caller is checked with WeChat) instead of refusing to start.")
  boolean resetSecretHashKey;

  @Option(names = "--apps-only", paramLabel = "true|false", arity = "0..1", fallbackValue = "true",
      defaultValue = "${env:WXTOKEN_APPS_ONLY:-false}",
      description = "Serve only the apps of --apps-file; any other appId is refused like a wrong secret, without a WeChat call (env WXTOKEN_APPS_ONLY, default ${DEFAULT-VALUE}).")
  boolean appsOnly;

  @Option(names = "--unknown-app-checks", paramLabel = "N",
      defaultValue = "${env:WXTOKEN_UNKNOWN_APP_CHECKS:-60}",
      description = "WeChat calls a minute, for the whole server, to check appIds it has no token for; 0 serves only apps it already knows (env WXTOKEN_UNKNOWN_APP_CHECKS, default ${DEFAULT-VALUE}).")
  int unknownAppChecks;

  @Option(names = "--evict-idle-days", paramLabel = "N",
      defaultValue = "${env:WXTOKEN_EVICT_IDLE_DAYS:-30}",
      description = "Forget an app (memory and store, logged) that no caller asked for in N days; 0 never. Not in cluster mode (env WXTOKEN_EVICT_IDLE_DAYS, default ${DEFAULT-VALUE}).")
  int evictIdleDays;

  @Option(names = "--header-timeout", paramLabel = "DURATION",
      defaultValue = "${env:WXTOKEN_HEADER_TIMEOUT:-10s}",
      description = "A request's line and headers must arrive within this time of its first byte, or the connection is closed (env WXTOKEN_HEADER_TIMEOUT, default ${DEFAULT-VALUE}).")
  String headerTimeout;

  @Option(names = "--max-connections", paramLabel = "N",
      defaultValue = "${env:WXTOKEN_MAX_CONNECTIONS:-10000}",
      description = "Open client connections at once; new ones beyond it are closed (env WXTOKEN_MAX_CONNECTIONS, default ${DEFAULT-VALUE}).")
  int maxConnections;

  @Option(names = "--max-connections-per-address", paramLabel = "N",
      defaultValue = "${env:WXTOKEN_MAX_CONNECTIONS_PER_ADDRESS:-2048}",
      description = "Open connections at once from one address (IPv6: one /64); not applied with --trust-forwarded-for (env WXTOKEN_MAX_CONNECTIONS_PER_ADDRESS, default ${DEFAULT-VALUE}).")
  int maxConnectionsPerAddress;

  @Option(names = "--pass-through", paramLabel = "issued-tokens|any|off",
      defaultValue = "${env:WXTOKEN_PASS_THROUGH:-issued-tokens}",
      description = "Other /cgi-bin/ calls: forwarded to WeChat when their access_token is one wxtoken issued and still valid (issued-tokens), whatever it is (any), or refused (off) (env WXTOKEN_PASS_THROUGH, default ${DEFAULT-VALUE}).")
  String passThrough;

  @Option(names = "--pass-through-deadline", paramLabel = "DURATION",
      defaultValue = "${env:WXTOKEN_PASS_THROUGH_DEADLINE:-60s}",
      description = "Bound on a whole forwarded call, upload and answer included (env WXTOKEN_PASS_THROUGH_DEADLINE, default ${DEFAULT-VALUE}).")
  String passThroughDeadline;

  @Option(names = "--pass-through-max-calls", paramLabel = "N",
      defaultValue = "${env:WXTOKEN_PASS_THROUGH_MAX_CALLS:-64}",
      description = "Forwarded calls in progress at once; beyond it callers get 429 (env WXTOKEN_PASS_THROUGH_MAX_CALLS, default ${DEFAULT-VALUE}).")
  int passThroughMaxCalls;

  @Option(names = "--pass-through-max-bytes", paramLabel = "SIZE",
      defaultValue = "${env:WXTOKEN_PASS_THROUGH_MAX_BYTES:-64m}",
      description = "Request body bytes of forwarded calls in progress at once; beyond it callers get 429 (env WXTOKEN_PASS_THROUGH_MAX_BYTES, default ${DEFAULT-VALUE}).")
  String passThroughMaxBytes;

  @Option(names = "--pass-through-max-body", paramLabel = "SIZE",
      defaultValue = "${env:WXTOKEN_PASS_THROUGH_MAX_BODY:-1m}",
      description = "Largest forwarded request body, media uploads aside (env WXTOKEN_PASS_THROUGH_MAX_BODY, default ${DEFAULT-VALUE}).")
  String passThroughMaxBody;

  @Option(names = "--pass-through-max-upload", paramLabel = "SIZE",
      defaultValue = "${env:WXTOKEN_PASS_THROUGH_MAX_UPLOAD:-12m}",
      description = "Largest body forwarded to WeChat's media-upload APIs (media/upload, media/uploadimg, material/add_material, ...) (env WXTOKEN_PASS_THROUGH_MAX_UPLOAD, default ${DEFAULT-VALUE}).")
  String passThroughMaxUpload;

  private HttpLimits httpLimits() {
    String mode = passThrough.trim().toLowerCase(java.util.Locale.ROOT);
    if (!mode.equals("issued-tokens") && !mode.equals("any") && !mode.equals("off")) {
      throw new ConfigException(Settings.name("--pass-through") + " must be issued-tokens, any or"
          + " off, got '" + passThrough + "'");
    }
    return new HttpLimits(
        Settings.duration("--header-timeout", headerTimeout),
        Settings.count("--max-connections", maxConnections, 1_000_000),
        Settings.count("--max-connections-per-address", maxConnectionsPerAddress, 1_000_000),
        !mode.equals("off"),
        mode.equals("any"),
        Settings.count("--pass-through-max-calls", passThroughMaxCalls, 100_000),
        Settings.size("--pass-through-max-bytes", passThroughMaxBytes),
        Settings.size("--pass-through-max-body", passThroughMaxBody),
        Settings.size("--pass-through-max-upload", passThroughMaxUpload),
        Settings.duration("--pass-through-deadline", passThroughDeadline));
  }

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
        discardSealedSecrets,
        resetSecretHashKey,
        appsOnly && appsFile != null,
        Math.max(0, unknownAppChecks),
        evictIdleDays > 0 ? java.time.Duration.ofDays(evictIdleDays) : null,
        httpLimits(),
        Settings.choice("--caller-auth", callerAuth, io.wxtoken.access.CallerAuthMode::parse),
        Settings.choice("--audit-log", auditLog, ServerOptions::auditLog));
    if (appsOnly && appsFile == null) {
      throw new ConfigException(Settings.name("--apps-only") + " needs "
          + Settings.name("--apps-file") + ": it lists the apps served");
    }
    if (evictIdleDays < 0) {
      throw new ConfigException(Settings.name("--evict-idle-days") + " must be 0 (never) or more");
    }
    if (unknownAppChecks < 0) {
      throw new ConfigException(Settings.name("--unknown-app-checks") + " must be 0 or more");
    }
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
