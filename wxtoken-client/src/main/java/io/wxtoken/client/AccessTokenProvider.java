package io.wxtoken.client;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One app's WeChat access token, kept in memory and taken from wxtoken only when it is about to
 * expire.
 *
 * <pre>{@code
 * AccessTokenProvider tokens = client.accessTokenProvider("wx5f1e2d3c4b5a6978", secret);
 * String token = tokens.currentToken();          // use with any WeChat API
 * // WeChat answered 40001 or 42001 for that token:
 * token = tokens.reportInvalid(token);           // the replacement, one server refresh for all
 * }</pre>
 *
 * <p><b>Contract.</b>
 * <ul>
 *   <li>{@link #currentToken()} returns the held token without touching the network while it is
 *       more than the refresh margin (default 60 s) from its {@code expiresAt}: one volatile read,
 *       one clock read, no lock, no allocation.
 *   <li>Inside the margin it still returns the held token at once and starts one background
 *       fetch; the first caller after the token has expired (or before any was fetched) waits for
 *       a fetch, at most the client's call timeout, and every other caller waits for the same one.
 *       Whatever the number of threads, there is at most one request to wxtoken per provider at a
 *       time (single flight).
 *   <li>A token that has reached its {@code expiresAt} is never returned.
 *   <li>A failed background fetch keeps the held token (it is still valid) and is tried again
 *       after a quarter of its remaining life (1 s to 30 s), so a server outage shorter than the
 *       margin is invisible to callers. A failed fetch that callers wait for is thrown to all of
 *       them as the {@link WxTokenException} the client raised.
 *   <li>{@link #reportInvalid(String)} makes one guarded refresh per reported token, however many
 *       threads report it; a token the provider no longer holds costs nothing.
 * </ul>
 *
 * <p>Time is the injected {@link Clock} (the server's {@code expiresAt} is compared with it), so
 * tests move a manual clock instead of sleeping; network timeouts are real time.
 *
 * <p>Create one provider per app and share it: the single flight holds within one provider.
 * Thread-safe. It uses one background thread only while a fetch runs (an idle thread ends after 60
 * s), unless given an {@link Builder#executor executor}; {@link #close()} stops that thread.
 */
public final class AccessTokenProvider implements AutoCloseable {
  static final Duration DEFAULT_MARGIN = Duration.ofSeconds(60);
  private static final long WAIT_SLACK_MILLIS = 1_000;

  private static final Logger LOG = Logger.getLogger(AccessTokenProvider.class.getName());

  /** A fetch in progress, and the token it replaces when it is a guarded refresh (else null). */
  private static final class Flight {
    final String staleToken;
    final String requestId = WxTokenClient.newRequestId();
    final CompletableFuture<Snapshot> result = new CompletableFuture<>();

    Flight(String staleToken) {
      this.staleToken = staleToken;
    }
  }

  private final WxTokenClient client;
  private final String appId;
  private final String appSecret;
  private final Clock clock;
  private final long marginMillis;
  private final long waitMillis;
  private final Executor executor;
  private final ExecutorService ownExecutor;
  private final AtomicReference<Flight> flight = new AtomicReference<>();
  private volatile Snapshot snapshot = Snapshot.EMPTY;

  private AccessTokenProvider(Builder b) {
    this.client = b.client;
    this.appId = b.appId;
    this.appSecret = b.appSecret;
    this.clock = b.clock;
    this.marginMillis = b.margin.toMillis();
    // By default a little past the client's own bound, so that a waiter sees the fetch's outcome.
    this.waitMillis = b.waitTimeout != null ? b.waitTimeout.toMillis()
        : client.callTimeout().toMillis() + WAIT_SLACK_MILLIS;
    if (b.executor != null) {
      this.executor = b.executor;
      this.ownExecutor = null;
    } else {
      this.ownExecutor = refreshThread(appId);
      this.executor = ownExecutor;
    }
  }

  /**
   * @param client the client to fetch with
   * @param appId the WeChat AppId
   * @param appSecret the WeChat AppSecret, sent to wxtoken with every fetch
   * @return a builder with the defaults: system UTC clock, 60 s margin, waits bounded by the
   *     client's call timeout (and 1 s), a background thread of its own
   */
  public static Builder builder(WxTokenClient client, String appId, String appSecret) {
    return new Builder(client, appId, appSecret);
  }

  /**
   * The app's token, valid now: from memory unless it is expired or about to be.
   *
   * @return the access token
   * @throws WxTokenException if no valid token is held and the fetch failed (or did not finish
   *     within the wait timeout: {@link WxTokenUnreachableException})
   */
  public String currentToken() {
    Snapshot s = snapshot;
    if (clock.millis() < s.refreshAtMillis) {
      return s.value;
    }
    return slowPath().value();
  }

  /**
   * As {@link #currentToken()}, with the token's expiry.
   *
   * @return the access token and its {@code expiresAt}
   * @throws WxTokenException as {@link #currentToken()}
   */
  public AccessToken current() {
    Snapshot s = snapshot;
    if (clock.millis() < s.refreshAtMillis) {
      return s.token;
    }
    return slowPath();
  }

  /**
   * Reports that WeChat refused {@code token} (errcode 40001 or 42001) and returns the token to
   * use instead.
   *
   * <p>If the provider holds {@code token}, it asks wxtoken for the guarded refresh, once for all
   * threads reporting the same token, and returns the new one. If it holds another token already
   * (someone reported it first, or it was replaced in time), nothing is sent: the held token is
   * returned as by {@link #currentToken()}. So is a token that has reached its {@code expiresAt},
   * which a plain fetch replaces.
   *
   * @param token the token WeChat refused
   * @return the token to retry with
   * @throws WxTokenException if the refresh failed; {@link ThrottledException} with apiCode 2004
   *     when WeChat's limit on forced refreshes is reached (the held token stays in use)
   */
  public String reportInvalid(String token) {
    Objects.requireNonNull(token, "token");
    while (true) {
      if (!isHeldAndUnexpired(token)) {
        return currentToken();
      }
      Flight f = flight.get();
      if (f == null) {
        Flight mine = new Flight(token);
        if (!flight.compareAndSet(null, mine)) {
          continue;
        }
        // Holding the slot, no other flight can land: this check is final.
        if (!isHeldAndUnexpired(token)) {
          land(mine, snapshot, null);
          continue;
        }
        launch(mine);
        return await(mine).value;
      }
      if (token.equals(f.staleToken)) {
        return await(f).value;
      }
      // A plain fetch is under way: let it land, then look again (it may bring a new token).
      try {
        await(f);
      } catch (WxTokenException ignored) {
        // Whatever it failed with, the refresh this caller asked for is still to be made.
      }
    }
  }

  /**
   * @return the WeChat AppId this provider serves
   */
  public String appId() {
    return appId;
  }

  /** Stops the provider's own background thread (not an executor it was given). */
  @Override
  public void close() {
    if (ownExecutor != null) {
      ownExecutor.shutdown();
    }
  }

  @Override
  public String toString() {
    Snapshot s = snapshot;
    return "AccessTokenProvider{appId=" + appId + ", token="
        + (s.token == null ? "none" : "expiring " + s.token.expiresAt()) + "}";
  }

  /**
   * Whether {@code token} is the one held and has not expired. An expired token needs no guarded
   * refresh: the server never serves one, so a plain fetch replaces it.
   */
  private boolean isHeldAndUnexpired(String token) {
    Snapshot s = snapshot;
    return token.equals(s.value) && clock.millis() < s.expiresAtMillis;
  }

  private AccessToken slowPath() {
    Snapshot s = snapshot; // a flight may have landed since the caller's read
    long now = clock.millis();
    if (now < s.refreshAtMillis) {
      return s.token;
    }
    if (now < s.expiresAtMillis) {
      join(); // in the margin: replace it in the background, serve it meanwhile
      return s.token;
    }
    return await(join()).token;
  }

  /** The flight in progress, or a new fetch. */
  private Flight join() {
    while (true) {
      Flight f = flight.get();
      if (f != null) {
        return f;
      }
      Flight mine = new Flight(null);
      if (flight.compareAndSet(null, mine)) {
        launch(mine);
        return mine;
      }
    }
  }

  private void launch(Flight f) {
    try {
      executor.execute(() -> fly(f));
    } catch (RejectedExecutionException e) {
      land(f, null, new IllegalStateException("the provider for appId " + appId + " is closed", e));
    }
  }

  private void fly(Flight f) {
    try {
      AccessToken token = f.staleToken == null
          ? client.accessToken(appId, appSecret, f.requestId)
          : client.refresh(appId, appSecret, f.staleToken, f.requestId);
      Snapshot next = Snapshot.of(token, clock.millis(), marginMillis);
      snapshot = next;
      land(f, next, null);
    } catch (RuntimeException | Error e) {
      keepHeldToken(e);
      land(f, null, e);
    }
  }

  /** After a failed fetch: serve the held token while it is valid, and try again later. */
  private void keepHeldToken(Throwable failure) {
    Snapshot held = snapshot;
    long now = clock.millis();
    if (held.token != null && now >= held.refreshAtMillis && now < held.expiresAtMillis) {
      snapshot = held.retryLater(now);
      LOG.log(Level.WARNING, "wxtoken: could not refresh the token of appId {0}; the current one"
          + " stays in use for {1} s more: {2}",
          new Object[] {appId, (held.expiresAtMillis - now) / 1000, failure.getMessage()});
    }
  }

  /** Frees the slot first, so that a caller woken by the result can start the next flight. */
  private void land(Flight f, Snapshot result, Throwable failure) {
    flight.compareAndSet(f, null);
    if (failure == null) {
      f.result.complete(result);
    } else {
      f.result.completeExceptionally(failure);
    }
  }

  private Snapshot await(Flight f) {
    try {
      return f.result.get(waitMillis, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw unchecked(e.getCause());
    } catch (TimeoutException e) {
      throw new WxTokenUnreachableException("no token for appId " + appId + " within "
          + waitMillis + " ms", f.requestId, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WxTokenUnreachableException("interrupted while waiting for the token of appId "
          + appId, f.requestId, e);
    }
  }

  /** The flight's own exception, thrown again in each waiting caller. */
  private static RuntimeException unchecked(Throwable cause) {
    if (cause instanceof RuntimeException) {
      return (RuntimeException) cause;
    }
    if (cause instanceof Error) {
      throw (Error) cause;
    }
    return new IllegalStateException(cause);
  }

  /** At most one thread, started on demand and ended after a minute idle. */
  private static ExecutorService refreshThread(String appId) {
    ThreadPoolExecutor pool = new ThreadPoolExecutor(0, 1, 60, TimeUnit.SECONDS,
        new LinkedBlockingQueue<Runnable>(), task -> {
          Thread t = new Thread(task, "wxtoken-refresh-" + appId);
          t.setDaemon(true);
          return t;
        });
    return pool;
  }

  /**
   * Configures an {@link AccessTokenProvider}. Not thread-safe: configure from one thread, then
   * {@link #build()}.
   */
  public static final class Builder {
    private final WxTokenClient client;
    private final String appId;
    private final String appSecret;
    private Clock clock = Clock.systemUTC();
    private Duration margin = DEFAULT_MARGIN;
    private Duration waitTimeout;
    private Executor executor;

    private Builder(WxTokenClient client, String appId, String appSecret) {
      this.client = Objects.requireNonNull(client, "client");
      this.appId = nonEmpty(appId, "appId");
      this.appSecret = nonEmpty(appSecret, "appSecret");
    }

    /**
     * @param clock the clock {@code expiresAt} is compared with (default the system's, UTC)
     * @return this
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * @param margin how long before {@code expiresAt} the token is replaced (default 60 s): it
     *     covers clock skew between this host and the server and the time a WeChat call takes.
     *     The server refreshes earlier (120–240 s before expiry for WeChat's 7200 s tokens), so
     *     the replacement is normally ready.
     * @return this
     */
    public Builder refreshMargin(Duration margin) {
      Objects.requireNonNull(margin, "margin");
      if (margin.isNegative()) {
        throw new IllegalArgumentException("refreshMargin must not be negative: " + margin);
      }
      this.margin = margin;
      return this;
    }

    /**
     * @param timeout the longest a caller waits for a fetch when no valid token is held (default
     *     the client's call timeout and 1 s)
     * @return this
     */
    public Builder waitTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("waitTimeout must be positive: " + timeout);
      }
      this.waitTimeout = timeout;
      return this;
    }

    /**
     * @param executor runs the fetches (one at a time per provider) instead of the provider's own
     *     thread; {@link AccessTokenProvider#close()} leaves it alone
     * @return this
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * @return a new provider; nothing is fetched until its first use
     */
    public AccessTokenProvider build() {
      return new AccessTokenProvider(this);
    }

    private static String nonEmpty(String value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isEmpty()) {
        throw new IllegalArgumentException(name + " must not be empty");
      }
      return value;
    }
  }
}
