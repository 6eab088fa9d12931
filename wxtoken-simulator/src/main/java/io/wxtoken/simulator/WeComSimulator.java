package io.wxtoken.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running WeCom (企业微信) token API simulator on a loopback HTTP port of its own (WeCom and
 * WeChat share {@code /cgi-bin/} paths), faithful to WeCom's documented rules:
 * <ul>
 *   <li>{@code GET /cgi-bin/gettoken?corpid=&corpsecret=}: one token per (corp, secret), 7200 s,
 *       the same token handed out again while it is valid with the seconds it has left, a new one
 *       after it expired or was invalidated early ({@link #invalidate}); 41002/41004 missing
 *       parameters, 40013 unknown corp, 40001 wrong secret, 60020 an address outside the corp's
 *       trusted IPs ({@link #trustIps}), 45009 past a frequency limit or after about 2,000 failed
 *       calls from one address in an hour (blocked for the hour);</li>
 *   <li>{@code GET /cgi-bin/get_jsapi_ticket?access_token=}: the corp's jsapi ticket (for
 *       {@code wx.config}), and {@code GET /cgi-bin/ticket/get?access_token=&type=agent_config}:
 *       the app's ticket (for {@code wx.agentConfig}); each capped at 400 an hour per corp and 100
 *       per app (45009), the same ticket while valid; 41001 missing, 40014 unknown or invalidated,
 *       42001 expired token;</li>
 *   <li>{@code GET /cgi-bin/agent/get?access_token=&agentid=}: never faulted, the probe for
 *       301002, a token of one app used for another (secrets mixed up).</li>
 * </ul>
 * Every error's {@code errmsg} carries WeCom's hint and the caller's address ("from ip: …"), as
 * WeCom writes it. Frequency limits count per corp and per caller address per API in clock
 * minutes and hours; passing one refuses that API for 60 s (minute) or an hour.
 *
 * <p>Typical test use:
 * <pre>{@code
 * ManualClock clock = ManualClock.startingAt("2026-01-01T00:00:00Z");
 * try (WeComSimulator wecom = WeComSimulator.builder().clock(clock)
 *     .app("ww1234567890abcdef", 1000002, "app-secret").start()) {
 *   URI base = wecom.baseUrl();   // point the code under test here
 * }
 * }</pre>
 *
 * <p>Thread-safe: all methods may be called while requests are being served. No static mutable
 * state, so many instances may run side by side (and next to a {@link WeChatSimulator}).
 */
public final class WeComSimulator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WeComSimulator.class);

  /** The WeCom endpoints whose calls are counted. */
  public enum Endpoint {
    /** {@code GET /cgi-bin/gettoken}. */
    GETTOKEN,
    /** {@code GET /cgi-bin/get_jsapi_ticket}. */
    JSAPI_TICKET,
    /** {@code GET /cgi-bin/ticket/get?type=agent_config}. */
    AGENT_TICKET,
    /** {@code GET /cgi-bin/agent/get}. */
    AGENT_GET
  }

  private final LoopbackServer server;
  private final WeComRules rules;
  private final Faults faults;
  private final WeComCounters counters;

  private WeComSimulator(LoopbackServer server, WeComRules rules, Faults faults,
      WeComCounters counters) {
    this.server = server;
    this.rules = rules;
    this.faults = faults;
    this.counters = counters;
  }

  /** @return a builder with WeCom's defaults and no corps */
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
   * Adds a self-built app's secret to a corp (creating the corp if new).
   *
   * @param corpId the corp
   * @param agentId the app's agentid
   * @param secret the app's secret
   */
  public void registerApp(String corpId, int agentId, String secret) {
    rules.register(corpId, agentId, secret);
  }

  /**
   * Adds a secret that is no app's (通讯录同步, 客户联系) to a corp (creating the corp if new): it
   * gets tokens like an app's secret, but no agent_config ticket.
   *
   * @param corpId the corp
   * @param secret the secret
   */
  public void registerSecret(String corpId, String secret) {
    rules.register(corpId, null, secret);
  }

  /**
   * Restricts a corp's calls to these addresses (企业可信IP); calls from any other address get
   * 60020 on every endpoint. Literal addresses only, compared as the socket reports them.
   *
   * @param corpId a registered corp
   * @param ips the trusted addresses, e.g. {@code 127.0.0.1}
   * @throws IllegalArgumentException if the corp is unknown or an entry is not an IP literal
   */
  public void trustIps(String corpId, String... ips) {
    Set<String> normalized = new LinkedHashSet<>();
    for (String ip : ips) {
      normalized.add(literal(ip));
    }
    rules.require(corpId).trustedIps(normalized);
  }

  /**
   * Lifts a corp's trusted-IP restriction (the default).
   *
   * @param corpId a registered corp
   */
  public void trustAnyIp(String corpId) {
    rules.require(corpId).trustedIps(null);
  }

  /**
   * Invalidates a token before its expiry, as WeCom may ("出于运营需要"): using it gets 40014,
   * and the next {@code gettoken} for its secret mints a new one.
   *
   * @param accessToken a token
   * @return whether it was a token this simulator issued
   */
  public boolean invalidate(String accessToken) {
    return rules.invalidate(accessToken);
  }

  /** @return the live fault-injection settings of gettoken and the two ticket endpoints */
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
   * @param corpId a corp (for the token-carrying endpoints: the corp the token was issued in)
   * @return calls received on it for a registered corp, including failed and faulted ones
   */
  public long calls(Endpoint e, String corpId) {
    Objects.requireNonNull(e, "e");
    WeComCorp corp = rules.find(corpId);
    return corp == null ? 0 : corp.calls(e);
  }

  /**
   * @param corpId a corp
   * @return new tokens minted for the corp's secrets (a token handed out again is not counted)
   */
  public long tokensIssued(String corpId) {
    WeComCorp corp = rules.find(corpId);
    return corp == null ? 0 : corp.tokensIssued();
  }

  /**
   * @param corpId a corp
   * @return new tickets minted for the corp, both kinds together
   */
  public long ticketsIssued(String corpId) {
    WeComCorp corp = rules.find(corpId);
    return corp == null ? 0 : corp.ticketsIssued();
  }

  /**
   * @param accessToken a token
   * @return whether it is usable now (issued here, not expired, not invalidated)
   */
  public boolean isValid(String accessToken) {
    return rules.isValid(accessToken);
  }

  /**
   * @param ticket a ticket
   * @return whether it was issued here and has not reached its expiry
   */
  public boolean isTicketValid(String ticket) {
    return rules.isTicketValid(ticket);
  }

  /** Zeroes the call, token and ticket counters; WeCom's own limits are not touched. */
  public void resetCounters() {
    counters.reset();
    rules.corps().forEach(WeComCorp::resetCounters);
  }

  /** Stops the server at once and ends its threads, including requests hanging in a fault. */
  @Override
  public void close() {
    server.close();
  }

  @Override
  public String toString() {
    return "WeComSimulator[" + server.baseUrl() + "]";
  }

  /** An IP literal as the socket reports it; never a DNS lookup. */
  private static String literal(String ip) {
    Objects.requireNonNull(ip, "ip");
    if (ip.isEmpty() || !ip.matches("[0-9A-Fa-f:.]+")) {
      throw new IllegalArgumentException("not an IP literal: " + ip);
    }
    try {
      return InetAddress.getByName(ip).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP literal: " + ip, e);
    }
  }

  /**
   * Configures and starts a {@link WeComSimulator}. Defaults are WeCom's: 7200 s tokens and
   * tickets; 10,000 calls a minute and 150,000 an hour per corp and API; 20,000 and 600,000 per
   * address and API; 2,000 failed gettoken calls an hour per address; 400 tickets an hour per
   * corp and 100 per app, per ticket kind. Not thread-safe: configure from one thread.
   */
  public static final class Builder {

    private Clock clock = Clock.systemUTC();
    private String host = "127.0.0.1";
    private int port;
    private Duration tokenLifetime = Duration.ofSeconds(7200);
    private Duration ticketLifetime = Duration.ofSeconds(7200);
    private int corpMinuteLimit = 10_000;
    private int corpHourLimit = 150_000;
    private int ipMinuteLimit = 20_000;
    private int ipHourLimit = 600_000;
    private int failedTokenCallsPerHour = 2_000;
    private int corpTicketsPerHour = 400;
    private int appTicketsPerHour = 100;
    private long seed = 20_260_101L;
    private final List<Registration> registrations = new ArrayList<>();

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
     * @throws IllegalArgumentException if it is not a loopback address
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
     * @param d lifetime of a new token (default 7200 s)
     * @return this
     */
    public Builder tokenLifetime(Duration d) {
      this.tokenLifetime = Objects.requireNonNull(d, "d");
      return this;
    }

    /**
     * @param d lifetime of a new ticket (default 7200 s)
     * @return this
     */
    public Builder ticketLifetime(Duration d) {
      this.ticketLifetime = Objects.requireNonNull(d, "d");
      return this;
    }

    /**
     * @param perMinute calls per corp per API per clock minute (default 10,000)
     * @param perHour calls per corp per API per clock hour (default 150,000)
     * @return this
     */
    public Builder corpLimits(int perMinute, int perHour) {
      this.corpMinuteLimit = perMinute;
      this.corpHourLimit = perHour;
      return this;
    }

    /**
     * @param perMinute calls per address per API per clock minute (default 20,000)
     * @param perHour calls per address per API per clock hour (default 600,000)
     * @return this
     */
    public Builder ipLimits(int perMinute, int perHour) {
      this.ipMinuteLimit = perMinute;
      this.ipHourLimit = perHour;
      return this;
    }

    /**
     * @param n failed gettoken calls from one address in a clock hour that block it for an hour
     *     (default 2,000)
     * @return this
     */
    public Builder failedTokenCallsPerHour(int n) {
      this.failedTokenCallsPerHour = n;
      return this;
    }

    /**
     * @param perCorp tickets of one kind per corp per clock hour (default 400)
     * @param perApp tickets of one kind per app (secret) per clock hour (default 100)
     * @return this
     */
    public Builder ticketCaps(int perCorp, int perApp) {
      this.corpTicketsPerHour = perCorp;
      this.appTicketsPerHour = perApp;
      return this;
    }

    /**
     * Registers a self-built app's secret at start; repeatable.
     *
     * @param corpId the corp
     * @param agentId the app's agentid
     * @param secret the app's secret
     * @return this
     */
    public Builder app(String corpId, int agentId, String secret) {
      registrations.add(new Registration(corpId, agentId, secret));
      return this;
    }

    /**
     * Registers a secret that is no app's (通讯录同步, 客户联系) at start; repeatable.
     *
     * @param corpId the corp
     * @param secret the secret
     * @return this
     */
    public Builder secret(String corpId, String secret) {
      registrations.add(new Registration(corpId, null, secret));
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
    public WeComSimulator start() {
      WeComRules rules = new WeComRules(clock, settings());
      registrations.forEach(r -> rules.register(r.corpId(), r.agentId(), r.secret()));
      Faults faults = new Faults(seed);
      WeComCounters counters = new WeComCounters();
      Exchanges http = new Exchanges(new ObjectMapper());
      Router router = new Router(new WeComEndpoints(rules, faults, counters, http).routes(), http);

      WeComSimulator simulator = new WeComSimulator(
          LoopbackServer.start("WeCom simulator", "wecom-sim-", host, port, 1024, router),
          rules, faults, counters);
      LOG.info("WeCom simulator listening on {} with {} corp(s)", simulator.baseUrl(),
          rules.corps().size());
      return simulator;
    }

    /** The protocol settings configured so far. */
    WeComSettings settings() {
      return new WeComSettings(tokenLifetime, ticketLifetime, corpMinuteLimit, corpHourLimit,
          ipMinuteLimit, ipHourLimit, failedTokenCallsPerHour, corpTicketsPerHour, appTicketsPerHour);
    }

    /** One secret to register at start; {@code agentId} null for a secret that is no app's. */
    private record Registration(String corpId, Integer agentId, String secret) {
      @Override
      public String toString() {
        return "Registration[" + corpId + ", agent " + agentId + ", secret=<redacted>]";
      }
    }
  }
}
