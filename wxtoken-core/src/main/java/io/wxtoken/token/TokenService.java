package io.wxtoken.token;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.wxtoken.secret.ConstantTime;
import io.wxtoken.secret.SecretBox;
import io.wxtoken.secret.SecretBoxException;
import io.wxtoken.token.QuotaLedger.Purpose;
import io.wxtoken.token.TokenException.Reason;
import io.wxtoken.wechat.TokenApi;
import io.wxtoken.wechat.WeChatClient;
import io.wxtoken.wechat.WeChatErrorException;
import io.wxtoken.wechat.WeChatToken;
import io.wxtoken.wechat.WeChatUnreachableException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out each app's current WeChat access token to callers that present its AppSecret, and
 * keeps those tokens fresh.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Hits cost no I/O.</b> A caller whose secret matches the app's verifier and whose token is
 *       outside its refresh window gets an already-completed future.
 *   <li><b>One upstream flight per app at a time.</b> Concurrent misses, refreshes and forced
 *       refreshes of an app join a single flight.
 *   <li><b>Proactive refresh.</b> Apps whose secret is stored (sealed) are refreshed by
 *       {@link #refreshDue()} at a jittered time in the first half of the refresh margin, so
 *       callers never wait on WeChat after the first fetch and thousands of apps do not refresh in
 *       the same second. Failed refreshes are retried before expiry.
 *   <li><b>Never an expired token.</b> The current token is served until {@code expiresAt} while
 *       refreshes fail, never after.
 *   <li><b>Durable before visible.</b> A new token is saved to the {@link TokenStore} before any
 *       caller receives it (if the store fails it is served from memory and the failure logged).
 *   <li><b>The secret is the credential.</b> A secret that differs from the verified one is checked
 *       with WeChat at most once per app and caller address per {@code secretCheckInterval} (at
 *       once if WeChat has refused the stored secret); one WeChat accepts replaces the old one
 *       (rotation). WeChat's verdicts on a secret are remembered for as long. A caller whose
 *       secret is not proven gets one generic failure, marked
 *       {@link TokenException#unverifiedCaller()}.
 *   <li><b>Durations are monotonic.</b> Holdoffs and secret-check slots run on the injected
 *       nanosecond source; the wall clock only dates tokens and the WeChat day.
 *   <li><b>Guarded forced refresh.</b> {@link #refresh} replaces a token only if the reported stale
 *       token is still the current one, within WeChat's forced-refresh limits.
 *   <li><b>Quota, retries, breaker.</b> Every WeChat call goes through {@link Upstream}.
 * </ul>
 *
 * <p>Thread-safe and non-blocking: store I/O and upstream bookkeeping run on the given executor,
 * WeChat calls are asynchronous. Futures fail with {@link TokenException} for every expected
 * failure.
 */
public final class TokenService {
  private static final Logger log = LoggerFactory.getLogger(TokenService.class);

  /** How often a request re-examines an app after waiting on another flight. */
  private static final int MAX_ATTEMPTS = 3;

  /**
   * WeChat errcodes that retrying cannot fix, a verdict on the app, its secret or this server:
   * 40002 grant_type, 40013 appid, 40164 IP not whitelisted, 40243 frozen secret, 41002/41004
   * missing appid/secret, and 89501/89503/89506/89507 (this IP awaits, or was refused, the
   * account admin's confirmation: more calls only make it worse).
   */
  private static final Set<Integer> CREDENTIAL_ERRCODES =
      Set.of(40002, 40013, 40164, 40243, 41002, 41004, 89501, 89503, 89506, 89507);

  /**
   * Tunables.
   *
   * @param refreshPolicy when a token enters its refresh window
   * @param secretCheckInterval at most one upstream check of an unverified secret per app per this
   * @param failureHoldoff how long an upstream failure is replayed to waiting callers
   * @param maxTrackedApps bound on the per-appId bookkeeping kept for unknown or failing apps
   * @param storeSecrets whether apps' secrets are sealed and kept, for proactive refresh
   * @param dailyQuota WeChat token calls allowed per app per day
   * @param forcedPerDay forced refreshes allowed per app per day
   * @param forcedInterval minimum time between two forced refreshes of an app
   * @param resilience retries and circuit breaker
   * @param unknownAppChecks WeChat calls per {@code secretCheckInterval}, server-wide, to check
   *     apps that have no record (in-process registrations are exempt)
   * @param allowedApps the only appIds served, or null for every appId
   * @param evictAfter forget an app no caller asked for in this long, or null for never
   */
  public record Options(
      RefreshPolicy refreshPolicy,
      Duration secretCheckInterval,
      Duration failureHoldoff,
      int maxTrackedApps,
      boolean storeSecrets,
      int dailyQuota,
      int forcedPerDay,
      Duration forcedInterval,
      Resilience resilience,
      int unknownAppChecks,
      Set<String> allowedApps,
      Duration evictAfter) {

    public Options {
      Objects.requireNonNull(refreshPolicy, "refreshPolicy");
      Objects.requireNonNull(forcedInterval, "forcedInterval");
      Objects.requireNonNull(resilience, "resilience");
      if (secretCheckInterval.isNegative() || failureHoldoff.isNegative() || maxTrackedApps < 1
          || dailyQuota < 1 || forcedPerDay < 0 || unknownAppChecks < 0) {
        throw new IllegalArgumentException("durations must be >= 0, limits positive");
      }
      allowedApps = allowedApps == null ? null : Set.copyOf(allowedApps);
      if (evictAfter != null && (evictAfter.isNegative() || evictAfter.isZero())) {
        throw new IllegalArgumentException("evictAfter must be positive, or null for never");
      }
    }

    /**
     * Production defaults for an API: daily quota 2000 ({@code /cgi-bin/token}) or 500,000
     * ({@code /cgi-bin/stable_token}); 20 forced refreshes a day, 30 s apart; secrets stored; 60
     * checks a minute, server-wide, of apps that have no record; every appId served.
     */
    public static Options defaults(TokenApi api) {
      return new Options(RefreshPolicy.DEFAULT, Duration.ofMinutes(1), Duration.ofSeconds(2),
          100_000, true, api == TokenApi.CLASSIC ? 2000 : 500_000, 20, Duration.ofSeconds(30),
          Resilience.DEFAULT, 60, null, null);
    }

    public Options withStoreSecrets(boolean store) {
      return new Options(refreshPolicy, secretCheckInterval, failureHoldoff, maxTrackedApps, store,
          dailyQuota, forcedPerDay, forcedInterval, resilience, unknownAppChecks, allowedApps,
          evictAfter);
    }

    public Options withDailyQuota(int quota) {
      return new Options(refreshPolicy, secretCheckInterval, failureHoldoff, maxTrackedApps,
          storeSecrets, quota, forcedPerDay, forcedInterval, resilience, unknownAppChecks,
          allowedApps, evictAfter);
    }

    public Options withResilience(Resilience value) {
      return new Options(refreshPolicy, secretCheckInterval, failureHoldoff, maxTrackedApps,
          storeSecrets, dailyQuota, forcedPerDay, forcedInterval, value, unknownAppChecks,
          allowedApps, evictAfter);
    }

    /**
     * At most {@code checks} WeChat calls per {@link #secretCheckInterval}, server-wide, for apps
     * that have no record here (each new appId costs one; 0 serves only known apps).
     */
    public Options withUnknownAppChecks(int checks) {
      return new Options(refreshPolicy, secretCheckInterval, failureHoldoff, maxTrackedApps,
          storeSecrets, dailyQuota, forcedPerDay, forcedInterval, resilience, checks, allowedApps,
          evictAfter);
    }

    /**
     * Serves only these appIds (null: every appId): others are refused as a wrong secret would
     * be, without a WeChat call.
     */
    public Options withAllowedApps(Set<String> apps) {
      return new Options(refreshPolicy, secretCheckInterval, failureHoldoff, maxTrackedApps,
          storeSecrets, dailyQuota, forcedPerDay, forcedInterval, resilience, unknownAppChecks,
          apps, evictAfter);
    }

    /**
     * Forgets (in memory and in the store) an app no caller has asked for in {@code idle}; null
     * for never. A lone server only: in a cluster each instance sees only part of the traffic.
     */
    public Options withEvictAfter(Duration idle) {
      return new Options(refreshPolicy, secretCheckInterval, failureHoldoff, maxTrackedApps,
          storeSecrets, dailyQuota, forcedPerDay, forcedInterval, resilience, unknownAppChecks,
          allowedApps, idle);
    }
  }

  /**
   * An app's record plus what the hit path compares against: the two instants, precomputed, and
   * the last secret that matched the verifier. Repeat callers are then matched by a constant-time
   * comparison instead of an HMAC; holding it costs nothing new, since this process also holds the
   * master key that opens the stored secret. It is never written anywhere, and a new record (new
   * token or secret) starts without it.
   */
  private static final class Cached {
    final AppRecord record;
    final long refreshAtMillis;
    final long expiresAtMillis;
    /** The token this record's token replaced, or null. */
    final String previousToken;
    /**
     * Until when (wall millis) WeChat still accepts {@link #previousToken}: its overlap after a
     * normal replacement, never past its own {@code expiresAt}; already over after a forced one.
     */
    final long previousValidUntilMillis;
    /**
     * Written by any thread that matched, read by all, deliberately without a fence: a String is
     * safe to publish through a race (its fields are final), and a thread that sees an older
     * instance only compares by content. A volatile write on every match by content would cost
     * traffic of ever-new request bodies about 3 % of its throughput.
     */
    String verifiedSecret;
    /**
     * Whether a caller asked for this app since the last idle sweep. Set by the hit path only when
     * unset (one field read per hit), cleared by the single sweeping thread; racy by design: a
     * lost write only delays an eviction by one sweep.
     */
    boolean asked;
    /** When (monotonic nanos) the app was last seen asked for, or taken into memory. */
    long seenNanos;

    Cached(AppRecord record, long refreshAtMillis, long expiresAtMillis, String previousToken,
        long previousValidUntilMillis) {
      this.record = record;
      this.refreshAtMillis = refreshAtMillis;
      this.expiresAtMillis = expiresAtMillis;
      this.previousToken = previousToken;
      this.previousValidUntilMillis = previousValidUntilMillis;
    }

    AppRecord record() {
      return record;
    }

    long refreshAtMillis() {
      return refreshAtMillis;
    }

    long expiresAtMillis() {
      return expiresAtMillis;
    }

    AccessToken token() {
      return record.token();
    }

    /**
     * Constant time in the secret's length (a length is no secret: WeChat's are 32 characters).
     * The very instance last matched matches at once: a caller can present it again only through
     * a cache of requests it already sent (the HTTP layer keeps one), so the shortcut tells
     * nothing about the secret. A match by content adopts the caller's instance for that reason.
     */
    boolean isVerifiedSecret(String secret) {
      String known = verifiedSecret;
      if (secret == known) {
        return known != null;
      }
      if (known == null || !ConstantTime.equals(known, secret)) {
        return false;
      }
      verifiedSecret = secret;
      return true;
    }
  }

  /** What happened to an app lately, for its status and for deciding whether to keep refreshing. */
  private record Health(Integer lastErrcode, String lastError, Instant lastErrorAt,
      Integer stoppedErrcode) {
    static final Health OK = new Health(null, null, null, null);
  }

  /** One upstream attempt for an app, and the verifier of the secret it uses. */
  private static final class Flight {
    final Verifier verifier;
    final CompletableFuture<AccessToken> result = new CompletableFuture<>();
    /** The cluster lease the flight holds now; null while it holds none (cluster unreachable). */
    volatile Lease lease;
    /** The token a forced flight was asked to replace, or null. */
    volatile String stale;
    /** The address of the caller that started it, whose secret-check slot it spends. */
    volatile String address = "";
    /**
     * The generation of the record the flight decided on (read under its lease): it writes the
     * next one. Not memory's generation at write time, which may already hold another instance's
     * newer record: a lapsed writer would then out-number it.
     */
    volatile long baseGeneration;

    Flight(Verifier verifier) {
      this.verifier = verifier;
    }
  }

  private record Credential(String appId, Verifier verifier) {}

  /** A save lost to a newer record whose token does not answer the flight: take it from the top. */
  private static final class Superseded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Superseded() {
      super(null, null, false, false);
    }
  }

  /** How often a flight starts over after losing its write to another instance. */
  private static final int MAX_FLIGHT_ROUNDS = 3;

  /**
   * How long WeChat keeps accepting a token after it issued the next one (a normal refresh; a
   * forced refresh ends the old token at once).
   */
  static final Duration OVERLAP = Duration.ofMinutes(5);

  /** How often {@link #refreshDue} looks for apps to evict. */
  private static final Duration SWEEP_EVERY = Duration.ofHours(1);

  /** The address of callers inside this process (registration, tickets fetched on a token). */
  static final String LOCAL = "local";

  private final TokenStore store;
  private final SecretHasher hasher;
  private final SecretBox box;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final ExecutorService executor;
  private final Options options;
  private final TokenApi api;
  private final QuotaLedger quota;
  private final Upstream upstream;
  private final RefreshSchedule schedule = new RefreshSchedule();
  private final Cluster cluster;
  private final LeaseGate gate;

  private final ConcurrentMap<String, Cached> apps = new ConcurrentHashMap<>();
  /** The WeChat day whose past quota counts were last purged; touched by the refresher only. */
  private volatile LocalDate purgedDay;
  /** When the idle sweep last ran (monotonic nanos), and whether it ever did; refresher only. */
  private long sweptNanos;
  private boolean swept;
  private final ConcurrentMap<String, Flight> flights = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Health> health = new ConcurrentHashMap<>();
  /** Token value → appId, for the app's current and previous token (still valid in the overlap). */
  private final ConcurrentMap<String, String> owners = new ConcurrentHashMap<>();
  /** Apps configured as verify-only: their secret is never stored. */
  private final Set<String> verifyOnly = ConcurrentHashMap.newKeySet();
  /** The budget for checking secrets that are not the verified one with WeChat. */
  private final SecretChecks secretChecks;
  /** (appId, verifier) → why WeChat refused that secret, replayed without asking again. */
  private final Cache<Credential, TokenException> rejected;
  /** appId → the last upstream failure, replayed during the holdoff. */
  private final Cache<String, TokenException> failures;

  /**
   * A lone server's engine: nobody else shares its store.
   *
   * @param clock wall time, for {@code expiresAt}, {@code fetchedAt} and the WeChat day only
   * @param nanoTime monotonic nanoseconds ({@code System::nanoTime}) for every duration: holdoffs,
   *     secret-check slots, remembered verdicts
   */
  public TokenService(
      TokenStore store,
      WeChatClient wechat,
      SecretHasher hasher,
      SecretBox box,
      Clock clock,
      LongSupplier nanoTime,
      ExecutorService executor,
      Options options) {
    this(store, Cluster.SOLO, wechat, hasher, box, clock, nanoTime, executor, options);
  }

  /**
   * An engine that shares {@code store} with the other instances of {@code cluster}: they take an
   * app's lease before calling WeChat for it, and follow each other's records.
   */
  public TokenService(
      TokenStore store,
      Cluster cluster,
      WeChatClient wechat,
      SecretHasher hasher,
      SecretBox box,
      Clock clock,
      LongSupplier nanoTime,
      ExecutorService executor,
      Options options) {
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.gate = new LeaseGate(cluster, executor, 5);
    this.store = Objects.requireNonNull(store, "store");
    this.hasher = Objects.requireNonNull(hasher, "hasher");
    this.box = Objects.requireNonNull(box, "box");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.executor = Objects.requireNonNull(executor, "executor");
    this.options = Objects.requireNonNull(options, "options");
    this.api = wechat.api();
    this.quota = new QuotaLedger(store, clock, options.dailyQuota(), 0.9, options.forcedPerDay(),
        options.forcedInterval(), options.maxTrackedApps(), apps::containsKey);
    this.upstream = new Upstream(wechat, quota, executor, options.resilience(),
        options.maxTrackedApps());
    // Durations run on the monotonic source: a wall-clock step neither stretches nor cuts them.
    Ticker ticker = nanoTime::getAsLong;
    this.secretChecks = new SecretChecks(options.secretCheckInterval(),
        options.unknownAppChecks(), options.maxTrackedApps(), nanoTime);
    this.rejected = Caffeine.newBuilder().ticker(ticker)
        .expireAfterWrite(options.secretCheckInterval())
        .maximumSize(options.maxTrackedApps()).build();
    this.failures = Caffeine.newBuilder().ticker(ticker)
        .expireAfterWrite(options.failureHoldoff())
        .maximumSize(options.maxTrackedApps()).build();
    cluster.listen(new ClusterListener());
  }

  /** Who hears of refreshes stopped and resumed and of quota refusals (the audit log). */
  private volatile TokenEvents events = TokenEvents.NONE;

  /** Sets who hears of the events no request causes ({@link TokenEvents}); call before use. */
  public void listen(TokenEvents listener) {
    this.events = Objects.requireNonNull(listener, "listener");
  }

  /** Follows the other instances: their records replace older ones here, waiting flights wake. */
  private final class ClusterListener implements Cluster.Listener {
    @Override
    public void saved(AppRecord record) {
      executor.execute(() -> {
        remember(record);
        gate.noticed(record.appId());
      });
    }

    @Override
    public void released(String appId) {
      gate.noticed(appId);
    }

    @Override
    public void reconnected() {
      executor.execute(() -> {
        try {
          store.loadAll().forEach(TokenService.this::remember);
          log.info("shared store reachable again; apps re-read");
        } catch (StoreException e) {
          log.warn("shared store reachable again but the apps could not be re-read", e);
        }
        gate.noticedAll();
      });
    }
  }

  // ------------------------------------------------------------------------------ the API

  /**
   * The app's current token, for a caller presenting {@code secret}.
   *
   * @return a future that is already complete on a hit; otherwise it completes when the app's
   *     flight lands, exceptionally with a {@link TokenException} when no token can be handed out
   */
  public CompletableFuture<AccessToken> get(String appId, String secret) {
    return get(appId, secret, LOCAL);
  }

  /**
   * {@link #get(String, String)} for a caller at {@code address} (its IP address, or the group
   * the HTTP layer counts it in): a secret that is not the verified one is checked with WeChat at
   * most once per {@code secretCheckInterval} per app and address, so callers elsewhere cannot
   * spend this one's check. Failures of an unproven secret are
   * {@linkplain TokenException#unverifiedCaller() marked} and say nothing about the app.
   */
  public CompletableFuture<AccessToken> get(String appId, String secret, String address) {
    AccessToken hit = hit(appId, secret);
    return hit != null
        ? CompletableFuture.completedFuture(hit)
        : resolve(appId, hasher.hash(appId, secret), secret, address(address), 0);
  }

  /**
   * The app's current token if this caller may have it at once, else null (then {@link #get}
   * decides: wait, refuse or fetch). The request path's fast lane: no future, and no hash for a
   * caller presenting the secret verified last. A hit in the refresh window starts the refresh.
   */
  public AccessToken hit(String appId, String secret) {
    Cached cached = apps.get(appId);
    if (cached == null) {
      return null;
    }
    long now = clock.millis();
    if (now >= cached.expiresAtMillis()) {
      return null;
    }
    if (!cached.isVerifiedSecret(secret)) {
      if (!cached.record().verifier().matches(hasher.hash(appId, secret))) {
        return null;
      }
      cached.verifiedSecret = secret;
    }
    if (!cached.asked) {
      cached.asked = true;
    }
    if (now >= cached.refreshAtMillis()) {
      refreshInBackground(appId, cached.record().verifier(), secret);
    }
    return cached.token();
  }

  /**
   * A caller got 40001/42001 from WeChat with {@code staleToken}: replace it, but only if it is
   * still the app's current token (compare-and-refresh). Every caller reporting the same token
   * gets the token of one refresh; a token already replaced costs no upstream call.
   *
   * <p>Stable API: first a normal call (if somebody else already replaced the token, WeChat
   * returns the new one), then {@code force_refresh} within WeChat's limit of 20 a day, 30 s
   * apart. Classic API: one call, at most every 30 s and 20 times a day.
   */
  public CompletableFuture<AccessToken> refresh(String appId, String secret, String staleToken) {
    return refresh(appId, secret, staleToken, LOCAL);
  }

  /** {@link #refresh(String, String, String)} for a caller at {@code address} (see {@link #get}). */
  public CompletableFuture<AccessToken> refresh(String appId, String secret, String staleToken,
      String address) {
    return refresh(appId, hasher.hash(appId, secret), secret, staleToken, address(address), 0);
  }

  /** Bounded, so a hostile header cannot grow the secret-check bookkeeping. */
  private static String address(String address) {
    return address == null ? "" : address.length() > 64 ? address.substring(0, 64) : address;
  }

  /**
   * Makes the app known ahead of its first request (from configuration), with its secret stored
   * unless {@code storeSecret} is false.
   */
  public CompletableFuture<AccessToken> register(String appId, String secret, boolean storeSecret) {
    if (storeSecret) {
      verifyOnly.remove(appId);
    } else {
      verifyOnly.add(appId);
    }
    return get(appId, secret);
  }

  /**
   * Loads every stored app and schedules those with a sealed secret for proactive refresh; call
   * once at start. With secrets off (verify-only), sealed secrets stored earlier are erased.
   */
  public int scheduleStored() {
    List<AppRecord> all = store.loadAll();
    for (AppRecord record : all) {
      if (record.hasSealedSecret() && !options.storeSecrets()) {
        // Switched to verify-only: secrets stored before are erased, not used.
        record = new AppRecord(record.appId(), record.verifier(), null, record.token(),
            record.generation() + 1);
        store.save(record);
      }
      remember(record);
    }
    return all.size();
  }

  /**
   * Starts the refreshes that are due now; called every second or so by the server (and by tests
   * after moving the clock). Costs O(k log n) for k due apps of n scheduled.
   *
   * @return how many apps were due
   */
  public int refreshDue() {
    evictIdle(); // first: an idle app is forgotten, not refreshed once more
    List<String> due = schedule.pollDue(clock.millis(), 10_000);
    due.forEach(this::refreshProactively);
    purgeOnceADay();
    return due.size();
  }

  /**
   * Every hour (monotonic), forgets the apps no caller asked for in {@code evictAfter}: memory,
   * schedule and store. Lone servers only: an instance of a cluster sees part of the traffic, and
   * deleting from the shared store would take the app from the others.
   */
  private void evictIdle() {
    Duration idle = options.evictAfter();
    if (idle == null || cluster.isShared()) {
      return;
    }
    long now = nanoTime.getAsLong();
    if (swept && now - sweptNanos < SWEEP_EVERY.toNanos()) {
      return;
    }
    swept = true;
    sweptNanos = now;
    for (Cached cached : apps.values()) {
      if (cached.asked) {
        cached.asked = false;
        cached.seenNanos = now;
      } else if (now - cached.seenNanos >= idle.toNanos()) {
        evict(cached, idle);
      }
    }
  }

  private void evict(Cached cached, Duration idle) {
    String appId = cached.record().appId();
    if (flights.containsKey(appId) || !apps.remove(appId, cached)) {
      return; // busy, or replaced meanwhile: not idle after all
    }
    schedule.cancel(appId);
    owners.remove(cached.token().value(), appId);
    if (cached.previousToken != null) {
      owners.remove(cached.previousToken, appId);
    }
    health.remove(appId);
    log.info("app {}: forgotten, no caller asked for it in {} days; its next caller fetches it"
        + " again", appId, idle.toDays());
    executor.execute(() -> {
      try {
        store.delete(appId);
      } catch (StoreException e) {
        log.warn("app {}: forgotten in memory but still in the store; it is loaded again at the"
            + " next start", appId, e);
      }
    });
  }

  /** Once per WeChat day, off the caller's thread: yesterday's quota counts limit nothing. */
  private void purgeOnceADay() {
    LocalDate today = QuotaLedger.wechatDay(clock.instant());
    LocalDate last = purgedDay;
    if (today.equals(last)) {
      return;
    }
    purgedDay = today;
    executor.execute(() -> {
      try {
        int purged = quota.purgeOldDays();
        if (purged > 0) {
          log.info("deleted {} quota counts of past WeChat days", purged);
        }
      } catch (StoreException e) {
        log.warn("could not delete past quota counts; trying again tomorrow", e);
      }
    });
  }

  /**
   * The app that was issued {@code accessToken} by this server: its current token (even past its
   * {@code expiresAt}, so that WeChat-style callers can be told 42001 rather than 40001: check
   * {@link #currentToken} for validity), or the token it replaced while WeChat still accepts
   * that one: within WeChat's overlap (5 minutes after a normal refresh, never past its own
   * {@code expiresAt}) and never after a forced refresh, which ends the old token at once. For
   * WeChat-style calls where the token identifies the app.
   */
  public Optional<String> ownerOf(String accessToken) {
    String appId = owners.get(accessToken);
    Cached cached = appId == null ? null : apps.get(appId);
    if (cached == null) {
      return Optional.empty();
    }
    long now = clock.millis();
    boolean live = accessToken.equals(cached.token().value())
        || accessToken.equals(cached.previousToken) && now < cached.previousValidUntilMillis;
    return live ? Optional.of(appId) : Optional.empty();
  }

  /** The app's current token if it is known and still valid; no secret check (trusted callers). */
  public Optional<AccessToken> currentToken(String appId) {
    Cached cached = apps.get(appId);
    return cached != null && clock.millis() < cached.expiresAtMillis()
        ? Optional.of(cached.token()) : Optional.empty();
  }

  /**
   * For a caller already authorized another way (a caller key): the app's current token if it is
   * valid and outside its refresh window, else null (then {@link #getWithStoredSecret}). A map
   * lookup and a clock read; no secret involved.
   */
  public AccessToken trustedHit(String appId) {
    Cached cached = apps.get(appId);
    return cached != null && cached.record().hasSealedSecret()
        && clock.millis() < cached.refreshAtMillis() ? cached.token() : null;
  }

  /**
   * {@link #get} with the app's stored secret, for a caller authorized another way (a caller
   * key): it never brings the secret, so an app that keeps none here fails.
   */
  public CompletableFuture<AccessToken> getWithStoredSecret(String appId) {
    Cached cached = apps.get(appId);
    if (cached == null || !cached.record().hasSealedSecret()) {
      return CompletableFuture.failedFuture(TokenException.of(Reason.UPSTREAM_UNAVAILABLE,
          "appId " + appId + " is not registered here with its secret stored"));
    }
    String secret = cached.verifiedSecret;
    if (secret == null) {
      try {
        secret = box.open(appId, cached.record().sealedSecret().getBytes(StandardCharsets.US_ASCII));
      } catch (SecretBoxException e) {
        return CompletableFuture.failedFuture(TokenException.of(Reason.UPSTREAM_UNAVAILABLE,
            "the stored secret of appId " + appId + " cannot be opened: " + e.getMessage()));
      }
    }
    return get(appId, secret);
  }

  /**
   * The guarded refresh of {@link #refresh}, with the app's stored secret instead of a caller's
   * (for tickets fetched on a token's say-so). Fails when the app keeps no secret.
   */
  public CompletableFuture<AccessToken> refreshWithStoredSecret(String appId, String staleToken) {
    Cached cached = apps.get(appId);
    if (cached == null || !cached.record().hasSealedSecret()) {
      return CompletableFuture.failedFuture(TokenException.of(Reason.UPSTREAM_UNAVAILABLE,
          "appId " + appId + " keeps no secret here, so its token cannot be refreshed without one"));
    }
    String secret;
    try {
      secret = box.open(appId, cached.record().sealedSecret().getBytes(StandardCharsets.US_ASCII));
    } catch (SecretBoxException e) {
      return CompletableFuture.failedFuture(TokenException.of(Reason.UPSTREAM_UNAVAILABLE,
          "the stored secret of appId " + appId + " cannot be opened: " + e.getMessage()));
    }
    return refresh(appId, secret, staleToken);
  }

  /** Upstream flights running now; tests wait for zero before looking at the outcome. */
  int flightsInProgress() {
    return flights.size();
  }

  /** The app's record as held in memory, if the app is known; for status pages and tests. */
  public Optional<AppRecord> cached(String appId) {
    Cached cached = apps.get(appId);
    return cached == null ? Optional.empty() : Optional.of(cached.record());
  }

  /** The app's status, if it is known. */
  public Optional<AppStatus> status(String appId) {
    Cached cached = apps.get(appId);
    if (cached == null) {
      return Optional.empty();
    }
    AppRecord record = cached.record();
    Health h = health.getOrDefault(appId, Health.OK);
    long due = schedule.dueMillis(appId);
    QuotaUsage today = quota.today(appId);
    return Optional.of(new AppStatus(appId, record.token().expiresAt(), record.token().fetchedAt(),
        due < 0 ? null : Instant.ofEpochMilli(due), record.generation(), record.hasSealedSecret(),
        h.lastErrcode(), h.lastError(), h.lastErrorAt(), h.stoppedErrcode(),
        upstream.breakerState(appId), today.calls(), today.forced(), quota.dailyLimit()));
  }

  /** Every known app's status, by appId. */
  public List<AppStatus> statuses() {
    List<AppStatus> all = new ArrayList<>();
    for (String appId : apps.keySet()) {
      status(appId).ifPresent(all::add);
    }
    all.sort(Comparator.comparing(AppStatus::appId));
    return all;
  }

  // ------------------------------------------------------------------------------ request path

  private CompletableFuture<AccessToken> resolve(
      String appId, Verifier verifier, String secret, String address, int attempt) {
    long now = clock.millis();
    Cached cached = apps.get(appId);
    boolean verified = cached != null && cached.record().verifier().matches(verifier);
    if (verified) {
      cached.asked = true;
      if (now < cached.refreshAtMillis()) {
        return CompletableFuture.completedFuture(cached.token());
      }
      if (now < cached.expiresAtMillis()) {
        refreshInBackground(appId, verifier, secret);
        return CompletableFuture.completedFuture(cached.token());
      }
    } else {
      TokenException refused = rejected.getIfPresent(new Credential(appId, verifier));
      if (refused != null) {
        return CompletableFuture.failedFuture(refused);
      }
      if (options.allowedApps() != null && !options.allowedApps().contains(appId)) {
        // Not served here: refused as a wrong secret is, and WeChat is never asked.
        return CompletableFuture.failedFuture(unverified(appId, Reason.SECRET_MISMATCH, 0));
      }
      if (cached != null && !mayCheck(appId, cached, address, verifier)) {
        // Known app, other secret, and this address's check is spent: refuse without a flight
        // (and so without a store read or a wait behind the app's refresh).
        return CompletableFuture.failedFuture(unverified(appId, Reason.SECRET_MISMATCH, 0));
      }
    }
    // A failure is replayed to whoever would have started the same flight: the app's verified
    // callers, or anyone while the app is unknown. A new secret goes through the secret check.
    TokenException recent = verified || cached == null ? failures.getIfPresent(appId) : null;
    if (recent != null) {
      return CompletableFuture.failedFuture(recent);
    }
    return join(appId, verifier, secret, null, address, attempt);
  }

  private CompletableFuture<AccessToken> refresh(String appId, Verifier verifier, String secret,
      String stale, String address, int attempt) {
    Cached cached = apps.get(appId);
    boolean verified = cached != null && cached.record().verifier().matches(verifier);
    if (!verified) {
      return resolve(appId, verifier, secret, address, attempt); // the secret must pass first
    }
    if (!cached.token().value().equals(stale)) {
      // Already replaced: hand out the current one (or wait for it, if it expired).
      return resolve(appId, verifier, secret, address, attempt);
    }
    if (flights.containsKey(appId)) {
      // A flight is running (perhaps the forced one for this very token, already counted
      // against the forced-refresh limits): its outcome answers this report too.
      return join(appId, verifier, secret, stale, address, attempt);
    }
    TokenException recent = failures.getIfPresent(appId);
    if (recent != null) {
      return CompletableFuture.failedFuture(recent);
    }
    try {
      checkForcedAllowed(appId); // refuse a burst at once, without a flight or a WeChat call
    } catch (TokenException e) {
      Cached now = apps.get(appId);
      if (now != null && !now.token().value().equals(stale)) {
        // The forced flight landed between the look above and this one: the report is stale.
        return resolve(appId, verifier, secret, address, attempt);
      }
      return CompletableFuture.failedFuture(e);
    }
    return join(appId, verifier, secret, stale, address, attempt);
  }

  /**
   * Whether a secret other than the verified one may be checked now: at once if WeChat has
   * rejected the stored one (the app is down until a caller brings the new secret), otherwise
   * within the address's slot.
   */
  private boolean mayCheck(String appId, Cached cached, String address, Verifier verifier) {
    return secretChecks.reserve(appId, address, verifier) || storedSecretRejected(appId);
  }

  /** Whether WeChat refused the app's verified secret (it was reset): the app is down. */
  private boolean storedSecretRejected(String appId) {
    Integer stopped = health.getOrDefault(appId, Health.OK).stoppedErrcode();
    return stopped != null && (stopped == 40001 || stopped == 40125);
  }

  private void refreshInBackground(String appId, Verifier verifier, String secret) {
    if (failures.getIfPresent(appId) != null) {
      return; // an upstream failure is fresh: the current token is still good, try again later
    }
    if (health.getOrDefault(appId, Health.OK).stoppedErrcode() != null) {
      return; // WeChat's last answer was final; asking again before expiry only repeats it
    }
    Flight mine = new Flight(verifier);
    if (flights.putIfAbsent(appId, mine) == null) {
      fly(appId, mine, secret, null);
    }
  }

  private CompletableFuture<AccessToken> join(String appId, Verifier verifier, String secret,
      String stale, String address, int attempt) {
    Flight mine = new Flight(verifier);
    mine.address = address;
    Flight running = flights.putIfAbsent(appId, mine);
    if (running == null) {
      fly(appId, mine, secret, stale);
      return mine.result;
    }
    if (running.verifier.matches(verifier)) {
      if (stale == null) {
        return running.result;
      }
      // Same caller, same question: share the flight's outcome. Only a flight that kept the
      // stale token (a plain refresh) makes the report worth another look.
      return running.result.handle((token, failure) -> failure == null ? token : null)
          .thenCompose(token -> {
            if (token != null && !token.value().equals(stale)) {
              return CompletableFuture.completedFuture(token);
            }
            if (token == null || attempt + 1 >= MAX_ATTEMPTS) {
              return running.result; // its failure, or the token it settled on
            }
            return refresh(appId, verifier, secret, stale, address, attempt + 1);
          });
    }
    if (attempt + 1 >= MAX_ATTEMPTS) {
      return CompletableFuture.failedFuture(unverified(appId, Reason.SECRET_MISMATCH, 0));
    }
    // Another secret's flight decides what this app's verifier is; look again once it lands.
    return running.result
        .handle((token, failure) -> null)
        .thenCompose(ignored -> stale == null
            ? resolve(appId, verifier, secret, address, attempt + 1)
            : refresh(appId, verifier, secret, stale, address, attempt + 1));
  }

  // ------------------------------------------------------------------------------ proactive refresh

  private void refreshProactively(String appId) {
    Cached cached = apps.get(appId);
    if (cached == null || !cached.record().hasSealedSecret()) {
      return;
    }
    if (health.getOrDefault(appId, Health.OK).stoppedErrcode() != null) {
      return; // WeChat refused this secret; a caller with one it accepts restarts refreshing
    }
    String secret;
    try {
      secret = box.open(appId, cached.record().sealedSecret().getBytes(StandardCharsets.US_ASCII));
    } catch (SecretBoxException e) {
      log.error("app {}: cannot open its stored secret ({}); proactive refresh stopped until a"
          + " caller presents it", appId, e.getMessage());
      noteFailure(appId, 0, "stored secret cannot be opened: " + e.getMessage(), null);
      return;
    }
    Flight mine = new Flight(cached.record().verifier());
    if (flights.putIfAbsent(appId, mine) != null) {
      // Another flight runs: it reschedules the app if it lands a new record, but it may be
      // another secret's check that fails. Re-arm now; a new record moves this again.
      schedule.schedule(appId, retryAt(appId, clock.millis()));
      return;
    }
    fly(appId, mine, secret, null);
  }

  /** When the scheduler should refresh a token: a jittered point in the first half of the margin. */
  private long proactiveAt(AccessToken token) {
    Duration margin = options.refreshPolicy().margin(token.lifetime());
    long start = options.refreshPolicy().refreshAt(token).toEpochMilli();
    long spread = Math.max(1, margin.toMillis() / 2);
    return start + ThreadLocalRandom.current().nextLong(spread);
  }

  /** After a failed refresh: a quarter of the time left (1 s to 60 s), or later once expired. */
  private long retryAt(String appId, long now) {
    Cached cached = apps.get(appId);
    long left = cached == null ? 0 : cached.expiresAtMillis() - now;
    long delay = left > 0
        ? Math.max(1_000, Math.min(60_000, left / 4))
        : options.resilience().breakerDelay().toMillis();
    return now + delay + ThreadLocalRandom.current().nextLong(Math.max(1, delay / 4));
  }

  // ------------------------------------------------------------------------------ flights

  private void fly(String appId, Flight flight, String secret, String stale) {
    flight.stale = stale;
    attempt(appId, flight, secret, stale, 1)
        .whenComplete((token, failure) -> land(appId, flight, token, failure));
  }

  /**
   * One round of a flight: take the app's cluster lease (or find that the instance holding it
   * has already answered), read the stored record, call WeChat if still needed, save, give the
   * lease back.
   */
  private CompletableFuture<AccessToken> attempt(
      String appId, Flight flight, String secret, String stale, int round) {
    return gate.acquire(appId, () -> adoptStored(appId), () -> settled(appId, flight.verifier, stale))
        .thenCompose(outcome -> {
          if (outcome instanceof LeaseGate.Settled) {
            return CompletableFuture.completedFuture(apps.get(appId).token());
          }
          Lease lease = outcome instanceof LeaseGate.Held held ? held.lease() : null;
          flight.lease = lease;
          Cached base = apps.get(appId);
          flight.baseGeneration = base == null ? 0 : base.record().generation();
          if (lease == null) {
            log.warn("app {}: shared store unreachable; deciding without a lease", appId);
          }
          return CompletableFuture.completedFuture(null)
              .thenCompose(ignored -> fetchUnlessFresh(appId, flight, secret, stale))
              .whenComplete((token, failure) -> {
                if (lease != null) {
                  gate.release(lease);
                }
              });
        })
        .exceptionallyCompose(failure -> {
          if (!(Resilience.unwrap(failure) instanceof Superseded)) {
            return CompletableFuture.failedFuture(failure);
          }
          return round < MAX_FLIGHT_ROUNDS
              ? attempt(appId, flight, secret, stale, round + 1)
              : CompletableFuture.failedFuture(TokenException.of(Reason.UPSTREAM_UNAVAILABLE,
                  "the token of appId " + appId + " kept being replaced by other wxtoken"
                      + " instances while this one fetched it; retry shortly"));
        });
  }

  /** Whether the app's record in memory already answers a flight for this verifier. */
  private boolean settled(String appId, Verifier verifier, String stale) {
    Cached cached = apps.get(appId);
    if (cached == null || !cached.record().verifier().matches(verifier)) {
      return false;
    }
    long now = clock.millis();
    return stale == null
        ? now < cached.refreshAtMillis()
        : !cached.token().value().equals(stale) && now < cached.expiresAtMillis();
  }

  /** Takes the stored record if it is newer than memory (after a restart, or another instance). */
  private void adoptStored(String appId) {
    Optional<AppRecord> stored;
    try {
      stored = store.load(appId);
    } catch (StoreException e) {
      log.error("could not read app {} from the store; asking WeChat instead", appId, e);
      return;
    }
    stored.ifPresent(this::remember);
    if (cluster.isShared()) {
      quota.reload(appId); // another instance may have called WeChat for this app
    }
  }

  private CompletableFuture<AccessToken> fetchUnlessFresh(
      String appId, Flight flight, String secret, String stale) {
    Verifier verifier = flight.verifier;
    Instant now = clock.instant();
    Cached cached = apps.get(appId);
    boolean verified = cached != null && cached.record().verifier().matches(verifier);
    if (verified && stale == null && now.toEpochMilli() < cached.refreshAtMillis()) {
      return CompletableFuture.completedFuture(cached.token());
    }
    if (verified && stale != null && !cached.token().value().equals(stale)
        && cached.token().isValidAt(now)) {
      return CompletableFuture.completedFuture(cached.token()); // replaced meanwhile
    }
    if (!verified) {
      if (!reserveSecretCheck(appId, flight.address, verifier, cached == null)) {
        throw unverified(appId, Reason.SECRET_MISMATCH, 0);
      }
      return call(appId, flight, secret, Purpose.SECRET_CHECK, false, now);
    }
    return stale == null
        ? call(appId, flight, secret, Purpose.REFRESH, false, now)
        : forced(appId, flight, secret, stale, now);
  }

  /** Throws if WeChat's forced-refresh rules (per day, minimum interval) refuse one now. */
  private void checkForcedAllowed(String appId) {
    if (quota.forcedRecently(appId)) {
      throw new TokenException(Reason.FORCED_REFRESH_LIMIT, "the token of appId " + appId
          + " was force-refreshed less than " + options.forcedInterval().toSeconds()
          + " s ago; WeChat allows one forced refresh per " + options.forcedInterval().toSeconds()
          + " s", 0, options.forcedInterval());
    }
    quota.admit(appId, Purpose.FORCED);
  }

  private CompletableFuture<AccessToken> forced(
      String appId, Flight flight, String secret, String stale, Instant now) {
    checkForcedAllowed(appId);
    if (api == TokenApi.CLASSIC) {
      return call(appId, flight, secret, Purpose.FORCED, false, now);
    }
    // A normal call first: if the token was replaced behind our back, WeChat returns the new one
    // and the day's 20 forced refreshes are spared.
    return call(appId, flight, secret, Purpose.REFRESH, false, now)
        .thenCompose(token -> token.value().equals(stale)
            ? call(appId, flight, secret, Purpose.FORCED, true, clock.instant())
            : CompletableFuture.completedFuture(token));
  }

  private CompletableFuture<AccessToken> call(String appId, Flight flight, String secret,
      Purpose purpose, boolean forceRefresh, Instant sentAt) {
    if (flight.lease == null && (api == TokenApi.CLASSIC || purpose == Purpose.FORCED)) {
      // Without the lease another instance may be serving the token this call would replace.
      // Stable normal calls are safe: WeChat returns the token already out.
      throw TokenException.of(Reason.CLUSTER_UNAVAILABLE, "the store shared by the wxtoken"
          + " instances cannot be reached, so the token of appId " + appId + " cannot be "
          + (purpose == Purpose.FORCED ? "force-refreshed" : "refreshed")
          + " safely now; retry once it is back");
    }
    return upstream.fetch(appId, secret, purpose, forceRefresh).thenApplyAsync(
        issued -> persist(appId, flight, secret, issued, sentAt, purpose == Purpose.FORCED),
        executor);
  }

  /**
   * Reserves the check of an unverified secret: the address's slot for the app (skipped once
   * WeChat has rejected the stored secret), the server-wide budget for apps without a record,
   * and in a cluster the same slot for every instance.
   *
   * @return whether the check may be made now
   */
  private boolean reserveSecretCheck(String appId, String address, Verifier verifier,
      boolean noRecord) {
    boolean slot = secretChecks.reserve(appId, address, verifier);
    boolean prompt = !slot && !noRecord && storedSecretRejected(appId);
    if (!slot && !prompt) {
      return false;
    }
    if (noRecord && !LOCAL.equals(address) && !secretChecks.takeUnknown()) {
      log.warn("app {}: not checked with WeChat: the {} checks a minute of apps without a record"
          + " are spent", appId, options.unknownAppChecks());
      return false;
    }
    if (!prompt && cluster.isShared()) {
      // One check per address and interval for the whole cluster, not one per instance.
      try {
        return cluster.reserveSecretCheck(appId, verifier, address,
            options.secretCheckInterval());
      } catch (StoreException e) {
        log.warn("app {}: shared store unreachable; secret check budgeted here only", appId);
      }
    }
    return true;
  }

  private AccessToken persist(String appId, Flight flight, String secret, WeChatToken issued,
      Instant sentAt, boolean forceRefresh) {
    Verifier verifier = flight.verifier;
    AccessToken token = new AccessToken(issued.accessToken(), sentAt, sentAt.plus(issued.expiresIn()));
    Cached previous = apps.get(appId);
    long generation = flight.baseGeneration + 1;
    AppRecord next = new AppRecord(appId, verifier, sealed(appId, secret, verifier, previous),
        token, generation);
    try {
      if (!store.save(next, flight.lease)) {
        // Another instance stored a newer record, or took the lease this flight let lapse: the
        // cluster's record wins, and this token is not handed out.
        log.warn("app {}: a newer record or lease holder won; the token fetched here is dropped",
            appId);
        adoptStored(appId);
        if (settled(appId, verifier, flight.stale)) {
          return apps.get(appId).token();
        }
        throw new Superseded();
      }
    } catch (StoreException e) {
      log.error("could not persist the new token of app {}; serving it from memory only", appId, e);
    }
    remember(next, forceRefresh);
    if (previous == null) {
      quota.persist(appId); // its checks so far were counted in memory only
    }
    flight.baseGeneration = generation; // a forced flight's second call writes the next one
    Health before = health.put(appId, Health.OK);
    if (before != null && before.stoppedErrcode() != null) {
      events.refreshResumed(appId);
    }
    log.info("app {}: new token, generation {}, valid {} s", appId, generation,
        issued.expiresIn().toSeconds());
    return token;
  }

  /** The sealed secret to keep: reused while current, resealed on rotation or a new master key. */
  private String sealed(String appId, String secret, Verifier verifier, Cached previous) {
    if (!options.storeSecrets() || verifyOnly.contains(appId)) {
      return null;
    }
    String old = previous == null ? null : previous.record().sealedSecret();
    if (old != null && previous.record().verifier().matches(verifier)
        && !box.needsResealing(old.getBytes(StandardCharsets.US_ASCII))) {
      return old;
    }
    return new String(box.seal(appId, secret), StandardCharsets.US_ASCII);
  }

  private void remember(AppRecord record) {
    remember(record, false);
  }

  /**
   * Takes a newer record into memory. {@code forced}: its token replaced the previous one by a
   * forced refresh, which ends the old token at WeChat at once (no overlap). A record from
   * elsewhere that replaced a token with more than the overlap left was forced too: a normal
   * refresh gets a new token only in the old one's last five minutes.
   */
  private void remember(AppRecord record, boolean forced) {
    AccessToken token = record.token();
    Cached[] replaced = {null};
    Cached kept = apps.compute(record.appId(), (id, old) -> {
      if (old != null && record.generation() <= old.record().generation()) {
        return old;
      }
      replaced[0] = old;
      String previous;
      long previousUntil;
      if (old == null) {
        previous = null;
        previousUntil = 0;
      } else if (old.token().value().equals(token.value())) {
        previous = old.previousToken;
        previousUntil = old.previousValidUntilMillis;
      } else {
        previous = old.token().value();
        long replacedAt = token.fetchedAt().toEpochMilli();
        boolean early = replacedAt < old.expiresAtMillis() - OVERLAP.toMillis();
        previousUntil = forced || early ? Long.MIN_VALUE
            : Math.min(replacedAt + OVERLAP.toMillis(), old.expiresAtMillis());
      }
      Cached next = new Cached(record, options.refreshPolicy().refreshAt(token).toEpochMilli(),
          token.expiresAt().toEpochMilli(), previous, previousUntil);
      // A refresh is no caller: idleness carries over to the new record.
      next.asked = old != null && old.asked;
      next.seenNanos = old != null ? old.seenNanos : nanoTime.getAsLong();
      return next;
    });
    if (kept.record() != record) {
      return;
    }
    // remember() runs on the store executor (or at start): read the app's quota usage here, so
    // the event-loop paths that consult it (forced-refresh limits, status) never touch the store.
    quota.today(record.appId());
    owners.put(token.value(), record.appId());
    Cached old = replaced[0];
    if (old != null && old.previousToken != null && !old.previousToken.equals(kept.previousToken)) {
      owners.remove(old.previousToken, record.appId()); // two tokens back: past its overlap
    }
    if (record.hasSealedSecret()) {
      schedule.schedule(record.appId(), proactiveAt(token));
    } else {
      schedule.cancel(record.appId());
    }
  }

  private void land(String appId, Flight flight, AccessToken token, Throwable failure) {
    // Bookkeeping first, then unregister the flight: a request arriving in between must see the
    // outcome, not start another upstream call.
    if (failure == null) {
      failures.invalidate(appId);
      flights.remove(appId, flight);
      flight.result.complete(token);
      return;
    }
    Throwable cause = Resilience.unwrap(failure);
    if (!(cause instanceof TokenException) && !(cause instanceof WeChatErrorException)
        && !(cause instanceof WeChatUnreachableException)) {
      log.error("unexpected failure getting a token for app {}", appId, cause);
      flights.remove(appId, flight);
      flight.result.completeExceptionally(cause);
      return;
    }
    TokenException error = translate(appId, cause);
    Cached cached = apps.get(appId);
    boolean verified = cached != null && cached.record().verifier().matches(flight.verifier);
    // The caller's secret was not proven: it learns nothing from the failure (the detail is
    // logged here and, for a known app, kept in its status).
    TokenException told = verified || error.unverifiedCaller() ? error
        : error.reason() == Reason.CLUSTER_UNAVAILABLE ? unproven(error) // says nothing of the app
        : unverified(appId, error.reason(), error.errcode());
    if (error.reason() != Reason.SECRET_MISMATCH && error.reason() != Reason.FORCED_REFRESH_LIMIT) {
      // The holdoff replays a failure to everyone who would start the same flight; a verdict on
      // one secret is kept for that secret alone (below), not shown to other callers.
      if (verified || (cached == null && !isVerdictOnCredential(error))) {
        failures.put(appId, told);
      }
      if (!verified) {
        if (isVerdictOnCredential(error)) {
          rejected.put(new Credential(appId, flight.verifier), told);
        } else {
          // A blip is no verdict on the secret: allow the next check after the holdoff, not in a
          // minute, so an app whose first request met a WeChat hiccup is not locked out.
          secretChecks.releaseAfter(appId, flight.address, options.failureHoldoff());
        }
      }
      if (verified) {
        afterFailedRefresh(appId, error);
      }
      log.warn("app {}: token fetch failed{}: {}", appId,
          verified ? "" : " (checking a secret that is not the verified one)", error.getMessage());
    }
    flights.remove(appId, flight);
    flight.result.completeExceptionally(told);
  }

  /** Records the failure and decides when the scheduler tries again, if at all. */
  private void afterFailedRefresh(String appId, TokenException error) {
    boolean stop = isVerdictOnCredential(error);
    noteFailure(appId, error.errcode(), error.getMessage(), stop ? error.errcode() : null);
    Cached cached = apps.get(appId);
    if (cached == null || !cached.record().hasSealedSecret()) {
      return;
    }
    long now = clock.millis();
    if (stop) {
      schedule.cancel(appId);
      log.error("app {}: proactive refresh stopped: {}", appId, error.getMessage());
      events.refreshStopped(appId, error.errcode());
    } else if (error.reason() == Reason.QUOTA_EXHAUSTED || error.errcode() == 45009) {
      events.quotaRefused(appId, error.errcode());
      schedule.schedule(appId, now + Math.max(error.retryAfter().toMillis(), 60_000));
    } else {
      schedule.schedule(appId, retryAt(appId, now));
    }
  }

  private void noteFailure(String appId, int errcode, String message, Integer stoppedErrcode) {
    if (apps.containsKey(appId)) { // unknown appIds leave no trace: they could be sprayed
      health.put(appId, new Health(errcode, message, clock.instant(), stoppedErrcode));
    }
  }

  /**
   * Whether WeChat's answer says this (appId, secret) pair cannot work (wrong secret, unknown appid,
   * frozen secret, caller IP not whitelisted), rather than that WeChat had a bad moment.
   */
  private static boolean isVerdictOnCredential(TokenException error) {
    return error.reason() == Reason.SECRET_REJECTED
        || (error.reason() == Reason.UPSTREAM_ERROR && CREDENTIAL_ERRCODES.contains(error.errcode()));
  }

  private static TokenException translate(String appId, Throwable cause) {
    if (cause instanceof TokenException e) {
      return e;
    }
    if (cause instanceof WeChatErrorException e) {
      if (e.isInvalidSecret()) {
        return new TokenException(Reason.SECRET_REJECTED,
            "WeChat rejected the appSecret of appId " + appId + " (errcode " + e.errcode() + ": "
                + e.errmsg() + ")", e.errcode(), Duration.ZERO);
      }
      return new TokenException(Reason.UPSTREAM_ERROR,
          "WeChat returned errcode " + e.errcode() + ": " + e.errmsg(), e.errcode(), Duration.ZERO);
    }
    return TokenException.of(Reason.UPSTREAM_UNAVAILABLE, cause.getMessage());
  }

  /**
   * A failure told to a caller whose secret is not proven: the same words whether the app is
   * known or not, whatever WeChat said (its errmsg may name this server's IP), with no quota
   * counts and no time of the next check. The reason and errcode stay for metrics and tests.
   */
  private static TokenException unproven(TokenException error) {
    return new TokenException(error.reason(), error.getMessage(), error.errcode(),
        error.retryAfter(), true);
  }

  private static TokenException unverified(String appId, Reason reason, int errcode) {
    return new TokenException(reason, "appSecret could not be verified for appId " + appId
        + "; if it was just reset in WeChat, retry in a minute", errcode, Duration.ZERO, true);
  }
}
