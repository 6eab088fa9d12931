package io.wxtoken.ticket;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.failsafe.CircuitBreaker;
import dev.failsafe.CircuitBreakerOpenException;
import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import io.wxtoken.token.AccessToken;
import io.wxtoken.token.Resilience;
import io.wxtoken.token.RefreshPolicy;
import io.wxtoken.token.TokenService;
import io.wxtoken.wechat.WeChatClient;
import io.wxtoken.wechat.WeChatErrorException;
import io.wxtoken.wechat.WeChatTicket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each app's JS-SDK tickets, fetched with its current access token and cached centrally.
 *
 * <ul>
 *   <li>One upstream call per (app, type) at a time: concurrent misses join one flight; inside the
 *       refresh window ({@link RefreshPolicy}) the cached ticket is served while one refresh runs.
 *   <li>A fetch answered 40001/42001/40014 (the token was replaced or expired) triggers the
 *       token's guarded refresh, then one retry with the new token; never a loop.
 *   <li>Transient failures (unreachable, timeouts, 5xx, errcode -1) are retried with backoff and
 *       jitter, and a per-(app, type) circuit breaker stops calls to a WeChat that keeps failing,
 *       with the token engine's {@link Resilience} settings.
 *   <li>After a failure, callers get the same failure for {@code failureHoldoff} instead of a new
 *       call each; a ticket is never served past its expiry.
 * </ul>
 *
 * <p>Tickets live in memory: after a restart the first request fetches again (WeChat returns the
 * same ticket while it is valid). Thread-safe, non-blocking.
 */
public final class TicketService {
  private static final Logger log = LoggerFactory.getLogger(TicketService.class);
  private static final Set<Integer> STALE_TOKEN = Set.of(40001, 40014, 42001);

  private record Key(String appId, TicketType type) {}

  private record Cached(Ticket ticket, long refreshAtMillis) {}

  private final TokenService tokens;
  private final WeChatClient wechat;
  private final Clock clock;
  private final RefreshPolicy policy;
  private final ConcurrentMap<Key, Cached> tickets = new ConcurrentHashMap<>();
  private final ConcurrentMap<Key, CompletableFuture<Ticket>> flights = new ConcurrentHashMap<>();
  private final Cache<Key, TicketException> failures;
  private final Executor executor;
  private final Resilience resilience;
  private final RetryPolicy<WeChatTicket> retry;
  private final Cache<Key, CircuitBreaker<WeChatTicket>> breakers;

  /**
   * @param clock wall time, for tickets' {@code expiresAt}
   * @param nanoTime monotonic nanoseconds ({@code System::nanoTime}) for the failure holdoff
   */
  public TicketService(TokenService tokens, WeChatClient wechat, Clock clock,
      LongSupplier nanoTime, RefreshPolicy policy, Duration failureHoldoff, Resilience resilience,
      Executor executor) {
    this.tokens = Objects.requireNonNull(tokens);
    this.wechat = Objects.requireNonNull(wechat);
    this.clock = Objects.requireNonNull(clock);
    this.policy = Objects.requireNonNull(policy);
    this.resilience = Objects.requireNonNull(resilience);
    this.executor = Objects.requireNonNull(executor);
    this.failures = Caffeine.newBuilder()
        .ticker(nanoTime::getAsLong)
        .expireAfterWrite(failureHoldoff).maximumSize(100_000).build();
    this.retry = resilience.retryPolicy();
    this.breakers = Caffeine.newBuilder().maximumSize(100_000).build();
  }

  /** One ticket call, retried while transient, through the (app, type)'s breaker. */
  private CompletableFuture<WeChatTicket> fetch(Key key, String accessToken) {
    CircuitBreaker<WeChatTicket> breaker = breakers.get(key, k -> resilience.newBreaker());
    return Failsafe.with(retry, breaker).with(executor)
        .getStageAsync(() -> wechat.fetchTicket(accessToken, key.type().wire()))
        .exceptionallyCompose(failure -> Resilience.unwrap(failure) instanceof CircuitBreakerOpenException
            ? CompletableFuture.failedFuture(new TicketException(-1, "calls to WeChat for "
                + key.type().wire() + " tickets of appId " + key.appId() + " are paused after "
                + resilience.breakerFailures() + " failures in a row"))
            : CompletableFuture.failedFuture(Resilience.unwrap(failure)));
  }

  /** The app's ticket, for a caller proving itself with the app's secret. */
  public CompletableFuture<Ticket> get(String appId, String secret, TicketType type) {
    return get(appId, secret, type, "local");
  }

  /**
   * {@link #get(String, String, TicketType)} for a caller at {@code address}, whose secret, if it
   * is not the verified one, spends that address's check (see {@link TokenService#get}).
   */
  public CompletableFuture<Ticket> get(String appId, String secret, TicketType type,
      String address) {
    return tokens.get(appId, secret, address).thenCompose(token -> ticket(new Key(appId, type),
        token, stale -> tokens.refresh(appId, secret, stale, address)));
  }

  /**
   * The ticket of the app that {@code accessToken} belongs to: a token this server issued
   * (current, or previous within its overlap) identifies the app, as at WeChat.
   */
  public CompletableFuture<Ticket> getForToken(String accessToken, TicketType type) {
    String appId = tokens.ownerOf(accessToken).orElse(null);
    if (appId == null) {
      return CompletableFuture.failedFuture(new TicketException(40001,
          "invalid credential, access_token is invalid or not latest (not issued by wxtoken)"));
    }
    AccessToken current = tokens.currentToken(appId).orElse(null);
    if (current == null) {
      return CompletableFuture.failedFuture(new TicketException(42001, "access_token expired"));
    }
    return ticket(new Key(appId, type), current,
        stale -> tokens.refreshWithStoredSecret(appId, stale));
  }

  private CompletableFuture<Ticket> ticket(Key key, AccessToken token,
      Function<String, CompletableFuture<AccessToken>> refreshToken) {
    long now = clock.millis();
    Cached cached = tickets.get(key);
    if (cached != null && now < cached.ticket().expiresAt().toEpochMilli()) {
      if (now >= cached.refreshAtMillis() && failures.getIfPresent(key) == null) {
        fly(key, token, refreshToken); // in the window: refresh behind the cached ticket
      }
      return CompletableFuture.completedFuture(cached.ticket());
    }
    TicketException recent = failures.getIfPresent(key);
    if (recent != null) {
      return CompletableFuture.failedFuture(recent);
    }
    return fly(key, token, refreshToken);
  }

  private CompletableFuture<Ticket> fly(Key key, AccessToken token,
      Function<String, CompletableFuture<AccessToken>> refreshToken) {
    CompletableFuture<Ticket> mine = new CompletableFuture<>();
    CompletableFuture<Ticket> running = flights.putIfAbsent(key, mine);
    if (running != null) {
      return running;
    }
    Instant sentAt = clock.instant();
    fetch(key, token.value())
        .exceptionallyCompose(failure -> {
          Throwable cause = Resilience.unwrap(failure);
          if (cause instanceof WeChatErrorException e && STALE_TOKEN.contains(e.errcode())) {
            // The token was replaced under us: one guarded token refresh, one retry.
            return refreshToken.apply(token.value())
                .thenCompose(fresh -> fetch(key, fresh.value()));
          }
          return CompletableFuture.failedFuture(cause);
        })
        .whenComplete((issued, failure) -> {
          if (failure == null) {
            Ticket ticket = remember(key, issued, sentAt);
            failures.invalidate(key);
            flights.remove(key, mine);
            mine.complete(ticket);
          } else {
            TicketException error = translate(key, Resilience.unwrap(failure));
            failures.put(key, error);
            log.warn("app {}: {} ticket fetch failed: {}", key.appId(), key.type().wire(),
                error.getMessage());
            flights.remove(key, mine);
            mine.completeExceptionally(error);
          }
        });
    return mine;
  }

  private Ticket remember(Key key, WeChatTicket issued, Instant sentAt) {
    Cached known = tickets.get(key);
    Ticket ticket = known != null && known.ticket().value().equals(issued.ticket())
        ? known.ticket() // the same ticket again: its life started when we first saw it
        : new Ticket(issued.ticket(), sentAt, sentAt.plus(issued.expiresIn()));
    tickets.put(key, new Cached(ticket, refreshAt(ticket)));
    return ticket;
  }

  private long refreshAt(Ticket ticket) {
    Duration lifetime = Duration.between(ticket.fetchedAt(), ticket.expiresAt());
    return ticket.expiresAt().minus(policy.margin(lifetime)).toEpochMilli();
  }

  private static TicketException translate(Key key, Throwable cause) {
    if (cause instanceof TicketException e) {
      return e;
    }
    if (cause instanceof WeChatErrorException e) {
      return new TicketException(e.errcode(), "WeChat returned errcode " + e.errcode() + ": "
          + e.errmsg());
    }
    if (cause instanceof io.wxtoken.token.TokenException e) {
      return new TicketException(e.errcode() != 0 ? e.errcode() : -1, e.getMessage());
    }
    return new TicketException(-1, "cannot get a " + key.type().wire() + " ticket from WeChat: "
        + cause.getMessage());
  }
}
