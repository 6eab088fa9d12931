package io.wxtoken.token;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.wxtoken.token.TokenException.Reason;
import io.wxtoken.wechat.WeChatClient;
import io.wxtoken.wechat.WeChatErrorException;
import io.wxtoken.wechat.WeChatToken;
import io.wxtoken.wechat.WeChatUnreachableException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out each app's current WeChat access token to callers that present its AppSecret.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Hits cost no I/O.</b> A caller whose secret matches the app's verifier and whose token is
 *       outside its refresh window gets an already-completed future.
 *   <li><b>One upstream call per app at a time.</b> All concurrent misses for an app join a single
 *       flight; in the refresh window the current token is served while one refresh runs behind.
 *   <li><b>Never an expired token.</b> Past {@code expiresAt} callers wait for the flight.
 *   <li><b>Durable before visible.</b> A new token is saved to the {@link TokenStore} before any
 *       caller receives it. If the store fails, the token is still served from memory (and the
 *       failure logged): losing availability to a disk hiccup would be worse.
 *   <li><b>The secret is the credential.</b> A secret that differs from the verified one is checked
 *       with WeChat at most once per app per {@code secretCheckInterval}; a secret WeChat refused is
 *       remembered for as long, per app and secret, so repeating it costs nothing upstream.
 *   <li><b>Failures hold off.</b> After an upstream failure, callers that must wait get the same
 *       failure for {@code failureHoldoff} instead of a new upstream call each.
 * </ul>
 *
 * <p>Thread-safe and non-blocking: store I/O runs on the given executor, WeChat calls are
 * asynchronous. Futures fail with {@link TokenException} for every expected failure.
 */
public final class TokenService {
  private static final Logger log = LoggerFactory.getLogger(TokenService.class);

  /** WeChat errcodes that are a verdict on the app or its secret: 40002 grant_type, 40013 appid,
   * 40164 IP whitelist, 40243 frozen secret, 41002/41004 missing appid/secret. */
  private static final java.util.Set<Integer> CREDENTIAL_ERRCODES =
      java.util.Set.of(40002, 40013, 40164, 40243, 41002, 41004);

  /** How often a request re-examines an app after waiting on another secret's flight. */
  private static final int MAX_ATTEMPTS = 3;

  /**
   * Tunables.
   *
   * @param refreshPolicy when a token enters its refresh window
   * @param secretCheckInterval at most one upstream check of an unverified secret per app per this
   * @param failureHoldoff how long an upstream failure is replayed instead of retried
   * @param maxTrackedApps bound on the per-appId bookkeeping kept for unknown or failing apps
   */
  public record Options(
      RefreshPolicy refreshPolicy,
      Duration secretCheckInterval,
      Duration failureHoldoff,
      int maxTrackedApps) {

    /** Production defaults: {@link RefreshPolicy#DEFAULT}, 60 s, 2 s, 100,000. */
    public static final Options DEFAULT =
        new Options(RefreshPolicy.DEFAULT, Duration.ofMinutes(1), Duration.ofSeconds(2), 100_000);

    public Options {
      Objects.requireNonNull(refreshPolicy, "refreshPolicy");
      if (secretCheckInterval.isNegative() || failureHoldoff.isNegative() || maxTrackedApps < 1) {
        throw new IllegalArgumentException("durations must be >= 0 and maxTrackedApps >= 1");
      }
    }
  }

  /** An app's record plus the two instants the hit path compares against, precomputed. */
  private record Cached(AppRecord record, long refreshAtMillis, long expiresAtMillis) {}

  /** One upstream attempt for an app, and the verifier of the secret it uses. */
  private static final class Flight {
    final Verifier verifier;
    final CompletableFuture<AccessToken> result = new CompletableFuture<>();

    Flight(Verifier verifier) {
      this.verifier = verifier;
    }
  }

  private record Credential(String appId, Verifier verifier) {}

  private final TokenStore store;
  private final WeChatClient wechat;
  private final SecretHasher hasher;
  private final Clock clock;
  private final Executor storeExecutor;
  private final Options options;

  private final ConcurrentMap<String, Cached> apps = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Flight> flights = new ConcurrentHashMap<>();
  /** appId → when a secret that was not the verified one was last checked with WeChat. */
  private final Cache<String, Instant> secretChecks;
  /** (appId, verifier) → why WeChat refused that secret, replayed without asking again. */
  private final Cache<Credential, TokenException> rejected;
  /** appId → the last upstream failure, replayed during the holdoff. */
  private final Cache<String, TokenException> failures;

  public TokenService(
      TokenStore store,
      WeChatClient wechat,
      SecretHasher hasher,
      Clock clock,
      Executor storeExecutor,
      Options options) {
    this.store = Objects.requireNonNull(store, "store");
    this.wechat = Objects.requireNonNull(wechat, "wechat");
    this.hasher = Objects.requireNonNull(hasher, "hasher");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.storeExecutor = Objects.requireNonNull(storeExecutor, "storeExecutor");
    this.options = Objects.requireNonNull(options, "options");
    // Expiry follows the injected clock, so tests move time instead of sleeping.
    Ticker ticker = () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
    this.secretChecks = Caffeine.newBuilder().ticker(ticker)
        .expireAfterWrite(options.secretCheckInterval())
        .maximumSize(options.maxTrackedApps()).build();
    this.rejected = Caffeine.newBuilder().ticker(ticker)
        .expireAfterWrite(options.secretCheckInterval())
        .maximumSize(options.maxTrackedApps()).build();
    this.failures = Caffeine.newBuilder().ticker(ticker)
        .expireAfterWrite(options.failureHoldoff())
        .maximumSize(options.maxTrackedApps()).build();
  }

  /**
   * The app's current token, for a caller presenting {@code secret}.
   *
   * @return a future that is already complete on a hit; otherwise it completes when the app's
   *     flight lands, exceptionally with a {@link TokenException} when no token can be handed out
   */
  public CompletableFuture<AccessToken> get(String appId, String secret) {
    return resolve(appId, hasher.hash(appId, secret), secret, 0);
  }

  /** The app's record as held in memory, if the app is known; for status pages and tests. */
  public Optional<AppRecord> cached(String appId) {
    Cached cached = apps.get(appId);
    return cached == null ? Optional.empty() : Optional.of(cached.record());
  }

  private CompletableFuture<AccessToken> resolve(
      String appId, Verifier verifier, String secret, int attempt) {
    long now = clock.millis();
    Cached cached = apps.get(appId);
    boolean verified = cached != null && cached.record().verifier().matches(verifier);
    if (verified) {
      AccessToken token = cached.record().token();
      if (now < cached.refreshAtMillis()) {
        return CompletableFuture.completedFuture(token);
      }
      if (now < cached.expiresAtMillis()) {
        refreshInBackground(appId, verifier, secret);
        return CompletableFuture.completedFuture(token);
      }
    } else {
      TokenException refused = rejected.getIfPresent(new Credential(appId, verifier));
      if (refused != null) {
        return CompletableFuture.failedFuture(refused);
      }
      if (cached != null) {
        // Known app, other secret: if this minute's check is spent, refuse without a flight (and
        // so without a store read or a wait behind the app's refresh).
        Instant last = secretChecks.getIfPresent(appId);
        Instant next = last == null ? null : last.plus(options.secretCheckInterval());
        if (next != null && now < next.toEpochMilli()) {
          return CompletableFuture.failedFuture(
              mismatch(appId, true, Duration.ofMillis(next.toEpochMilli() - now)));
        }
      }
    }
    // A failure is replayed to whoever would have started the same flight: the app's verified
    // callers, or anyone while the app is unknown. A new secret goes through the secret check.
    TokenException recent = verified || cached == null ? failures.getIfPresent(appId) : null;
    if (recent != null) {
      return CompletableFuture.failedFuture(recent);
    }
    return join(appId, verifier, secret, attempt);
  }

  private void refreshInBackground(String appId, Verifier verifier, String secret) {
    if (failures.getIfPresent(appId) != null) {
      return; // an upstream failure is fresh: the current token is still good, try again later
    }
    Flight mine = new Flight(verifier);
    if (flights.putIfAbsent(appId, mine) == null) {
      fly(appId, mine, secret);
    }
  }

  private CompletableFuture<AccessToken> join(
      String appId, Verifier verifier, String secret, int attempt) {
    Flight mine = new Flight(verifier);
    Flight running = flights.putIfAbsent(appId, mine);
    if (running == null) {
      fly(appId, mine, secret);
      return mine.result;
    }
    if (running.verifier.matches(verifier)) {
      return running.result;
    }
    if (attempt + 1 >= MAX_ATTEMPTS) {
      return CompletableFuture.failedFuture(TokenException.of(Reason.SECRET_MISMATCH,
          "appSecret could not be verified for appId " + appId
              + ": another secret is being checked for this app; retry shortly"));
    }
    // Another secret's flight decides what this app's verifier is; look again once it lands.
    return running.result
        .handle((token, failure) -> null)
        .thenCompose(ignored -> resolve(appId, verifier, secret, attempt + 1));
  }

  private void fly(String appId, Flight flight, String secret) {
    CompletableFuture
        .runAsync(() -> adoptStored(appId), storeExecutor)
        .thenCompose(ignored -> fetchUnlessFresh(appId, flight.verifier, secret))
        .whenComplete((token, failure) -> land(appId, flight, token, failure));
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
  }

  private CompletableFuture<AccessToken> fetchUnlessFresh(
      String appId, Verifier verifier, String secret) {
    Instant now = clock.instant();
    Cached cached = apps.get(appId);
    boolean verified = cached != null && cached.record().verifier().matches(verifier);
    if (verified && now.toEpochMilli() < cached.refreshAtMillis()) {
      return CompletableFuture.completedFuture(cached.record().token());
    }
    if (!verified) {
      Duration wait = reserveSecretCheck(appId, now);
      if (wait != null) {
        throw mismatch(appId, cached != null, wait);
      }
    }
    return wechat.fetchToken(appId, secret)
        .thenApplyAsync(issued -> persist(appId, verifier, issued, now), storeExecutor);
  }

  /** @return null if a check may run now (and reserves it), else how long until one may */
  private Duration reserveSecretCheck(String appId, Instant now) {
    Duration interval = options.secretCheckInterval();
    Duration[] wait = {null};
    secretChecks.asMap().compute(appId, (id, last) -> {
      if (last != null && now.isBefore(last.plus(interval))) {
        wait[0] = Duration.between(now, last.plus(interval));
        return last;
      }
      return now;
    });
    return wait[0];
  }

  private AccessToken persist(String appId, Verifier verifier, WeChatToken issued, Instant sentAt) {
    AccessToken token = new AccessToken(issued.accessToken(), sentAt, sentAt.plus(issued.expiresIn()));
    Cached previous = apps.get(appId);
    long generation = previous == null ? 1 : previous.record().generation() + 1;
    AppRecord next = new AppRecord(appId, verifier, token, generation);
    try {
      if (!store.save(next)) {
        // A newer generation was stored meanwhile (another instance): it wins.
        adoptStored(appId);
        Cached winner = apps.get(appId);
        if (winner != null && winner.record().verifier().matches(verifier)
            && token.expiresAt().toEpochMilli() <= winner.expiresAtMillis()) {
          return winner.record().token();
        }
      }
    } catch (StoreException e) {
      log.error("could not persist the new token of app {}; serving it from memory only", appId, e);
    }
    remember(next);
    log.info("app {}: new token, generation {}, valid {} s", appId, generation,
        issued.expiresIn().toSeconds());
    return token;
  }

  private void remember(AppRecord record) {
    AccessToken token = record.token();
    Cached fresh = new Cached(record,
        options.refreshPolicy().refreshAt(token).toEpochMilli(),
        token.expiresAt().toEpochMilli());
    apps.merge(record.appId(), fresh,
        (old, candidate) -> candidate.record().generation() > old.record().generation() ? candidate : old);
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
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
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
    if (error.reason() != Reason.SECRET_MISMATCH) { // SECRET_MISMATCH: nothing was asked upstream
      // The holdoff replays a failure to everyone who would start the same flight; a verdict on
      // one secret is kept for that secret alone (below), not shown to other callers.
      if (verified || (cached == null && !isVerdictOnCredential(error))) {
        failures.put(appId, error);
      }
      if (!verified) {
        if (isVerdictOnCredential(error)) {
          rejected.put(new Credential(appId, flight.verifier), error);
        } else {
          // A blip is no verdict on the secret: allow the next check after the holdoff, not in a
          // minute, so an app whose first request met a WeChat hiccup is not locked out.
          Instant retryAt = clock.instant().plus(options.failureHoldoff());
          secretChecks.asMap().computeIfPresent(appId,
              (id, last) -> retryAt.minus(options.secretCheckInterval()));
        }
      }
      log.warn("app {}: token fetch failed: {}", appId, error.getMessage());
    }
    flights.remove(appId, flight);
    flight.result.completeExceptionally(error);
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

  private static TokenException mismatch(String appId, boolean known, Duration wait) {
    long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
    String message = known
        ? "appSecret does not match the one verified for appId " + appId
            + "; if it was just reset in WeChat, retry in " + seconds + " s"
        : "appSecret for appId " + appId + " was not verified: another secret was checked with"
            + " WeChat less than a minute ago; retry in " + seconds + " s";
    return new TokenException(Reason.SECRET_MISMATCH, message, 0, Duration.ofSeconds(seconds));
  }
}
