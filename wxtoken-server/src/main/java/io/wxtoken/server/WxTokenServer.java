package io.wxtoken.server;

import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import io.wxtoken.access.AccessControl;
import io.wxtoken.audit.AuditLog;
import io.wxtoken.http.ApiServer;
import io.wxtoken.http.CallerAuth;
import io.wxtoken.metrics.Metrics;
import io.wxtoken.secret.MasterKey;
import io.wxtoken.secret.SecretBox;
import io.wxtoken.ticket.TicketService;
import io.wxtoken.token.AccessToken;
import io.wxtoken.token.AppRecord;
import io.wxtoken.token.TokenException;
import io.wxtoken.store.h2.H2TokenStore;
import io.wxtoken.store.redis.NoticeSigner;
import io.wxtoken.store.redis.RedisStore;
import io.wxtoken.token.Cluster;
import io.wxtoken.token.SecretHasher;
import io.wxtoken.token.TokenService;
import io.wxtoken.token.TokenStore;
import io.wxtoken.wechat.WeChatClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running wxtoken server. {@link #start} wires store → keys → engine → HTTP, schedules the stored
 * apps' proactive refreshes, registers the apps file's apps, and returns once the port is bound;
 * {@link #close} stops the refresher and HTTP first, then the store, so no acknowledged write is cut
 * off.
 *
 * <p>Used by the CLI and, in-process, by tests. Thread-safe.
 */
public final class WxTokenServer implements AutoCloseable {
  static final String KEY_FILE = "secret-hash.key";
  private static final Logger log = LoggerFactory.getLogger(WxTokenServer.class);

  static final String MASTER_KEY_FILE = "master.key";
  /** How often the scheduler looks for due refreshes. */
  static final Duration TICK = Duration.ofSeconds(1);

  private final TokenStore store;
  private final ExecutorService storeExecutor;
  private final ScheduledExecutorService refresher;
  private final TokenService tokens;
  private final ApiServer http;
  private final List<AuditLog> audit;
  private final java.util.concurrent.atomic.AtomicBoolean closed =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final AccessControl access;

  private WxTokenServer(TokenStore store, ExecutorService storeExecutor,
      ScheduledExecutorService refresher, TokenService tokens, ApiServer http, List<AuditLog> audit,
      AccessControl access) {
    this.audit = audit;
    this.access = access;
    this.store = store;
    this.storeExecutor = storeExecutor;
    this.refresher = refresher;
    this.tokens = tokens;
    this.http = http;
  }

  /** Starts a server; fails with a message naming the setting that is wrong. */
  public static WxTokenServer start(ServerConfig config, Clock clock) {
    return start(config, clock, TokenService.Options.defaults(config.tokenApi()));
  }

  /** Starts a server with the engine's tunables given (tests shorten retries and breakers). */
  public static WxTokenServer start(ServerConfig config, Clock clock, TokenService.Options engine) {
    return start(config, clock, System::nanoTime, engine);
  }

  /**
   * Starts a server timing durations with {@code nanoTime} (monotonic nanoseconds; tests pass
   * their {@code ManualClock}'s) and reading wall time from {@code clock}.
   */
  public static WxTokenServer start(ServerConfig config, Clock clock, LongSupplier nanoTime,
      TokenService.Options engine) {
    List<AppsFile.App> registrations = config.appsFile() == null
        ? List.of() : AppsFile.read(config.appsFile(), System.getenv());
    if (config.redis() != null && config.masterKey() == null && config.masterKeyFile() == null) {
      throw new IllegalStateException("a store shared through Redis needs the same master key on"
          + " every instance: set --master-key-file or WXTOKEN_MASTER_KEY");
    }
    // A shared store's master key is configured, never generated: loaded first, since the notices
    // the instances exchange are authenticated with a key derived from it.
    MasterKey configured = configuredMasterKey(config);
    List<MasterKey> previousKeys =
        config.previousMasterKeyFiles().stream().map(MasterKey::load).toList();
    TokenStore store = config.redis() == null
        ? H2TokenStore.open(config.storeDir())
        : RedisStore.connect(config.redis(), NoticeSigner.of(configured, previousKeys),
            RedisStore.Options.defaults().withLeaseTime(leaseTime(config, engine)));
    Cluster cluster = store instanceof RedisStore redis ? redis : Cluster.SOLO;
    ExecutorService storeExecutor = Executors.newFixedThreadPool(2, daemonThreads("wxtoken-store-"));
    ScheduledExecutorService refresher =
        Executors.newSingleThreadScheduledExecutor(daemonThreads("wxtoken-refresher-"));
    List<AuditLog> closeables = new java.util.ArrayList<>();
    try {
      // Read before the embedded store's keys are loaded or made: what the store holds decides
      // whether a missing key may be generated (empty store) or was lost (refused, unless what
      // it protected is discarded).
      List<AppRecord> records = store.loadAll();
      MasterKey current = configured != null ? configured
          : StoredKeys.embeddedMasterKey(((H2TokenStore) store).directory()
              .resolve(MASTER_KEY_FILE), records,
              config.discardSealedSecrets() || config.verifyOnly());
      SecretBox box = new SecretBox(current, previousKeys);
      if (!config.verifyOnly()) { // verify-only erases stored secrets anyway
        records = StoredKeys.checkSealedSecrets(store, box, records,
            config.discardSealedSecrets());
      }
      StoredKeys.HashKey hashKey = store instanceof H2TokenStore h2
          ? StoredKeys.embeddedHashKey(h2, h2.directory().resolve(KEY_FILE), records,
              config.resetSecretHashKey())
          : SharedKeys.secretHashKey((RedisStore) store, box, records.size(),
              config.resetSecretHashKey());
      SecretHasher hasher = SecretHasher.of(hashKey.key());
      if (hashKey.replacedLostKey()) {
        StoredKeys.rebuildVerifiers(store, box, hasher, records);
      }
      Metrics metrics = new Metrics(clock);
      WeChatClient wechat = new WeChatClient(config.wechatBaseUrl(), config.tokenApi(),
          config.wechatConnectTimeout(), config.wechatReadTimeout(), metrics.wechatCalls());
      TokenService tokens = new TokenService(store, cluster, wechat, hasher, box, clock, nanoTime,
          storeExecutor, engine.withStoreSecrets(engine.storeSecrets() && !config.verifyOnly())
              .withUnknownAppChecks(config.unknownAppChecks())
              .withEvictAfter(config.evictIdle())
              .withAllowedApps(config.appsOnly() ? registrations.stream()
                  .map(AppsFile.App::appId).collect(Collectors.toSet()) : null));
      int stored = tokens.scheduleStored();
      TicketService tickets = new TicketService(tokens, wechat, clock, nanoTime, engine.refreshPolicy(),
          engine.failureHoldoff(), engine.resilience(), storeExecutor);
      metrics.watch(tokens::statuses, cluster::isConnected);
      if (store instanceof RedisStore redis) {
        metrics.watchRejectedNotices(redis::rejectedNotices);
      }
      AuditLog audit = Access.auditLog(config, store, clock);
      closeables.add(audit);
      Access.auditEngine(tokens, audit);
      AccessControl access = Access.keys(store, hasher, clock, tokens, audit);
      refresher.scheduleWithFixedDelay(() -> Access.reconcile(access), TICK.toMillis(),
          TICK.toMillis(), TimeUnit.MILLISECONDS);
      ApiServer http = ApiServer.start(config.http(), tokens, tickets, clock, nanoTime,
          cluster::isConnected, metrics,
          new CallerAuth(config.callerAuth(), access, tokens, audit, metrics.keys()));
      refresher.scheduleWithFixedDelay(() -> refreshDue(tokens), TICK.toMillis(), TICK.toMillis(),
          TimeUnit.MILLISECONDS);
      registrations.forEach(app -> register(tokens, app, refresher));
      log.info("wxtoken listening on http://{}:{} (store {} with {} apps, WeChat {} via {} API,"
          + " secrets {}, admin API {})", config.host(), http.port(), describe(store), stored,
          config.wechatBaseUrl(), config.tokenApi().name().toLowerCase(Locale.ROOT),
          config.verifyOnly() ? "not stored (verify-only)" : "sealed under key " + box.currentKeyId(),
          config.adminToken() == null ? "off" : "on");
      return new WxTokenServer(store, storeExecutor, refresher, tokens, http, closeables, access);
    } catch (RuntimeException e) {
      closeables.forEach(AuditLog::close);
      refresher.shutdownNow();
      storeExecutor.shutdownNow();
      store.close();
      throw e;
    }
  }

  private static String describe(TokenStore store) {
    return store instanceof H2TokenStore h2 ? h2.directory().toString()
        : ((RedisStore) store).address() + " (shared)";
  }

  /**
   * How long an app's cluster lease lasts: longer than the longest flight, two WeChat calls (a
   * forced refresh) with all their retries, so a live holder never loses it; at least 10 s.
   */
  static Duration leaseTime(ServerConfig config, TokenService.Options engine) {
    if (config.leaseTime() != null) {
      return config.leaseTime();
    }
    Duration oneCall = engine.resilience().maxDuration().plus(config.wechatReadTimeout());
    Duration flight = oneCall.multipliedBy(2).plusSeconds(2);
    return flight.compareTo(Duration.ofSeconds(10)) < 0 ? Duration.ofSeconds(10) : flight;
  }

  /** The master key given by WXTOKEN_MASTER_KEY or --master-key-file, or null for the default file. */
  private static MasterKey configuredMasterKey(ServerConfig config) {
    if (config.masterKey() != null) {
      try {
        return MasterKey.fromBase64(config.masterKey());
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("WXTOKEN_MASTER_KEY: " + e.getMessage());
      }
    }
    return config.masterKeyFile() == null ? null : MasterKey.load(config.masterKeyFile());
  }

  private static void refreshDue(TokenService tokens) {
    try {
      tokens.refreshDue();
    } catch (RuntimeException e) {
      log.error("proactive refresh tick failed", e); // keep ticking: the next one may succeed
    }
  }

  /** Registers a configured app, retrying every 30 s while WeChat cannot be reached. */
  private static void register(TokenService tokens, AppsFile.App app,
      ScheduledExecutorService executor) {
    RetryPolicy<AccessToken> whileUnreachable = RetryPolicy.<AccessToken>builder()
        .handleIf(failure -> failure instanceof TokenException e
            && (e.reason() == TokenException.Reason.UPSTREAM_UNAVAILABLE
                || e.reason() == TokenException.Reason.CLUSTER_UNAVAILABLE
                || (e.reason() == TokenException.Reason.UPSTREAM_ERROR && e.errcode() == -1)))
        .withDelay(Duration.ofSeconds(30))
        .withMaxRetries(-1)
        .onRetry(event -> log.warn("app {} from the apps file: WeChat unreachable, retrying in 30 s",
            app.appId()))
        .build();
    Failsafe.with(whileUnreachable).with(executor)
        .getStageAsync(() -> tokens.register(app.appId(), app.secret(), !app.verifyOnly()))
        .whenComplete((token, failure) -> {
          if (failure == null) {
            log.info("app {} from the apps file is registered", app.appId());
          } else {
            log.error("app {} from the apps file could not be registered: {}", app.appId(),
                failure.getMessage());
          }
        });
  }

  /** The bound HTTP port. */
  public int port() {
    return http.port();
  }

  /** The token engine, for in-process inspection. */
  public TokenService tokens() {
    return tokens;
  }

  /** The caller keys, for in-process inspection. */
  public AccessControl access() {
    return access;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return; // closed already (a test may stop a server, then its harness stops it again)
    }
    refresher.shutdownNow();
    http.close();
    audit.forEach(AuditLog::close);
    storeExecutor.shutdown();
    try {
      if (!storeExecutor.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("store writes still running after 10 s; closing anyway");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    store.close();
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
