package io.wxtoken.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running WeChat access-token API simulator on a loopback HTTP port, faithful to WeChat's
 * documented rules: classic {@code /cgi-bin/token} (a new token per call, the previous one valid
 * for the overlap), {@code /cgi-bin/stable_token} (a separate chain; normal and force-refresh
 * modes with their limits), per-app daily quotas counted in Beijing days, the error codes of the
 * research notes, {@code getcallbackip} as the validity probe, and
 * {@code /cgi-bin/ticket/getticket} (jsapi and wx_card tickets obtained with a valid token).
 *
 * <p>Tickets follow what WeChat is observed to do: per app and type, a call returns the current
 * ticket while it has more than the overlap left, else mints a new one, and the previous ticket
 * stays valid until its own expiry. {@code expires_in} is always the full ticket lifetime, even
 * for a ticket handed out again later, so a caller cannot know a ticket's true remaining life: it
 * can only rely on it being more than the overlap at the moment it was handed out.
 *
 * <p>Typical test use:
 * <pre>{@code
 * ManualClock clock = ManualClock.startingAt("2026-01-01T00:00:00Z");
 * try (WeChatSimulator wechat = WeChatSimulator.builder().clock(clock).app("wx1", "s3cret").start()) {
 *     URI base = wechat.baseUrl();   // point the code under test here
 *     clock.advance(Duration.ofHours(2));
 * }
 * }</pre>
 *
 * <p>Thread-safe: all methods may be called while requests are being served; per-app state is
 * guarded per app. Instances hold no static mutable state, so many may run side by side.
 */
public final class WeChatSimulator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WeChatSimulator.class);

  /** The WeChat endpoints whose calls are counted. */
  public enum Endpoint {
    /** {@code GET /cgi-bin/token}. */
    TOKEN,
    /** {@code POST /cgi-bin/stable_token}. */
    STABLE_TOKEN,
    /** {@code GET /cgi-bin/getcallbackip}. */
    CALLBACK_IP,
    /** {@code GET /cgi-bin/ticket/getticket}. */
    TICKET
  }

  private final LoopbackServer server;
  private final TokenService service;
  private final Faults faults;
  private final CallCounters counters;

  private WeChatSimulator(LoopbackServer server, TokenService service, Faults faults,
      CallCounters counters) {
    this.server = server;
    this.service = service;
    this.faults = faults;
    this.counters = counters;
  }

  /** @return a builder with WeChat's defaults and no apps */
  public static Builder builder() {
    return new Builder();
  }

  /** @return the base URL, e.g. {@code http://127.0.0.1:40123}, without a trailing slash */
  public URI baseUrl() {
    return server.baseUrl();
  }

  /** @return the bound port */
  public int port() {
    return server.port();
  }

  /**
   * Registers an app, or changes its secret (rotation: the old secret stops working, tokens
   * already issued stay valid).
   *
   * @param appId the app id
   * @param secret the AppSecret
   */
  public void registerApp(String appId, String secret) {
    service.register(appId, secret);
  }

  /**
   * Freezes or unfreezes an app's AppSecret; while frozen both token endpoints answer 40243.
   *
   * @param appId a registered app id
   * @param frozen whether the secret is frozen
   * @throws IllegalArgumentException if the app is not registered
   */
  public void freezeSecret(String appId, boolean frozen) {
    service.require(appId).freeze(frozen);
  }

  /**
   * Puts the caller outside or back inside an app's IP whitelist; while blocked both token
   * endpoints answer 40164.
   *
   * @param appId a registered app id
   * @param blocked whether calls are refused
   * @throws IllegalArgumentException if the app is not registered
   */
  public void blockIp(String appId, boolean blocked) {
    service.require(appId).blockIp(blocked);
  }

  /** @return the live fault-injection settings of the two token endpoints and the ticket endpoint */
  public Faults faults() {
    return faults;
  }

  /**
   * @param e an endpoint
   * @return calls received on it, including failed and faulted ones
   */
  public long calls(Endpoint e) {
    return counters.get(Objects.requireNonNull(e, "e"));
  }

  /**
   * @param e an endpoint
   * @param appId an app id (for {@link Endpoint#CALLBACK_IP} and {@link Endpoint#TICKET}: the
   *     app the presented token was issued to, whether or not it was still valid)
   * @return calls received on it for a registered app, including failed and faulted ones; 0 for
   *     unregistered apps
   */
  public long calls(Endpoint e, String appId) {
    Objects.requireNonNull(e, "e");
    AppAccount account = service.find(appId);
    return account == null ? 0 : account.calls(e);
  }

  /**
   * @param appId an app id
   * @return new tokens minted for the app, classic and stable together (0 if unregistered)
   */
  public long tokensIssued(String appId) {
    AppAccount account = service.find(appId);
    return account == null ? 0 : account.issued();
  }

  /**
   * @param appId an app id
   * @return new API tickets minted for the app, jsapi and wx_card together (0 if unregistered);
   *     a ticket handed out again is not counted again
   */
  public long ticketsIssued(String appId) {
    AppAccount account = service.find(appId);
    return account == null ? 0 : account.ticketsIssued();
  }

  /**
   * @param accessToken a token
   * @return whether it is valid now, by the same check as {@code getcallbackip}
   */
  public boolean isValid(String accessToken) {
    return service.checkToken(accessToken) == null;
  }

  /**
   * @param ticket an API ticket
   * @return whether this simulator issued it and it has not reached its own expiry; a ticket that
   *     a newer one replaced stays valid until then
   */
  public boolean isTicketValid(String ticket) {
    return service.isTicketValid(ticket);
  }

  /**
   * Zeroes the call, issued-token and issued-ticket counters. WeChat's own quota counters are not
   * touched.
   */
  public void resetCounters() {
    counters.reset();
    service.accounts().forEach(AppAccount::resetCounters);
  }

  /** Stops the server at once and ends its threads, including requests hanging in a fault. */
  @Override
  public void close() {
    server.close();
  }

  @Override
  public String toString() {
    return "WeChatSimulator[" + server.baseUrl() + "]";
  }

  /**
   * Configures and starts a {@link WeChatSimulator}. Defaults follow WeChat: 7200 s tokens and
   * tickets, 300 s overlap, 2000 classic calls a day, 500,000 stable calls a day and 10,000 a minute,
   * 20 forced refreshes a day at least 30 s apart. Not thread-safe: configure from one thread.
   */
  public static final class Builder {

    private Clock clock = Clock.systemUTC();
    private String host = "127.0.0.1";
    private int port;
    private Duration tokenLifetime = Duration.ofSeconds(7200);
    private Duration overlap = Duration.ofSeconds(300);
    private int dailyTokenQuota = 2000;
    private int stableDailyQuota = 500_000;
    private int stableMinuteQuota = 10_000;
    private int forceRefreshDailyLimit = 20;
    private Duration forceRefreshMinInterval = Duration.ofSeconds(30);
    private Duration ticketLifetime = Duration.ofSeconds(7200);
    private long seed = 20_260_101L;
    private final Map<String, String> apps = new LinkedHashMap<>();

    private Builder() {
    }

    /**
     * @param clock the source of all protocol time (default {@link Clock#systemUTC()})
     * @return this
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * @param host a loopback address or name to bind (default {@code 127.0.0.1})
     * @return this
     * @throws IllegalArgumentException if it is not a loopback address: the simulator hands
     *     out tokens for known secrets and must never be reachable from elsewhere
     */
    public Builder host(String host) {
      this.host = LoopbackServer.requireLoopback(host);
      return this;
    }

    /**
     * @param port the port to bind, 0 for an ephemeral one (default)
     * @return this
     */
    public Builder port(int port) {
      this.port = LoopbackServer.requirePort(port);
      return this;
    }

    /**
     * @param d lifetime of a new token and its {@code expires_in} (default 7200 s)
     * @return this
     */
    public Builder tokenLifetime(Duration d) {
      this.tokenLifetime = Objects.requireNonNull(d, "d");
      return this;
    }

    /**
     * @param d how long a replaced token stays valid, and how early a stable token or an API
     *     ticket is renewed (default 300 s; must be shorter than the token and ticket lifetimes)
     * @return this
     */
    public Builder overlap(Duration d) {
      this.overlap = Objects.requireNonNull(d, "d");
      return this;
    }

    /**
     * @param d lifetime of a new API ticket (default 7200 s). The ticket's {@code expires_in}
     *     always reports this full lifetime, also when an existing ticket is handed out again.
     * @return this
     */
    public Builder ticketLifetime(Duration d) {
      this.ticketLifetime = Objects.requireNonNull(d, "d");
      return this;
    }

    /**
     * @param n {@code /cgi-bin/token} calls per app per Beijing day (default 2000)
     * @return this
     */
    public Builder dailyTokenQuota(int n) {
      this.dailyTokenQuota = n;
      return this;
    }

    /**
     * @param n {@code /cgi-bin/stable_token} calls per app per Beijing day (default 500,000)
     * @return this
     */
    public Builder stableDailyQuota(int n) {
      this.stableDailyQuota = n;
      return this;
    }

    /**
     * @param n {@code /cgi-bin/stable_token} calls per app per clock minute (default 10,000)
     * @return this
     */
    public Builder stableMinuteQuota(int n) {
      this.stableMinuteQuota = n;
      return this;
    }

    /**
     * @param n forced stable refreshes per app per Beijing day (default 20)
     * @return this
     */
    public Builder forceRefreshDailyLimit(int n) {
      this.forceRefreshDailyLimit = n;
      return this;
    }

    /**
     * @param d minimum spacing of forced stable refreshes (default 30 s)
     * @return this
     */
    public Builder forceRefreshMinInterval(Duration d) {
      this.forceRefreshMinInterval = Objects.requireNonNull(d, "d");
      return this;
    }

    /**
     * Registers an app at start; repeatable (a repeated id keeps the last secret).
     *
     * @param appId the app id
     * @param secret the AppSecret
     * @return this
     */
    public Builder app(String appId, String secret) {
      apps.put(Objects.requireNonNull(appId, "appId"), Objects.requireNonNull(secret, "secret"));
      return this;
    }

    /**
     * @param seed seed of the fault-injection random source (default fixed)
     * @return this
     */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Binds and starts the simulator.
     *
     * @return the running simulator; close it when done
     * @throws UncheckedIOException if the address cannot be bound
     * @throws IllegalArgumentException if the settings are inconsistent
     */
    public WeChatSimulator start() {
      SimulatorSettings settings = new SimulatorSettings(tokenLifetime, overlap, dailyTokenQuota,
          stableDailyQuota, stableMinuteQuota, forceRefreshDailyLimit, forceRefreshMinInterval,
          ticketLifetime);
      TokenService service = new TokenService(clock, settings);
      apps.forEach(service::register);
      Faults faults = new Faults(seed);
      CallCounters counters = new CallCounters();
      Exchanges http = new Exchanges(new ObjectMapper());
      Router router = Router.wechat(new ApiEndpoints(service, faults, counters, http),
          new ControlEndpoints(service, faults, counters, http), http);

      WeChatSimulator simulator = new WeChatSimulator(
          LoopbackServer.start("WeChat simulator", "wechat-sim-", host, port, 1024, router),
          service, faults, counters);
      LOG.info("WeChat simulator listening on {} with {} registered app(s)",
          simulator.baseUrl(), service.appCount());
      return simulator;
    }
  }
}
