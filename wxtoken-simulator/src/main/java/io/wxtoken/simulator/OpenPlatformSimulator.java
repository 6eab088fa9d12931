package io.wxtoken.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running simulator of the WeChat Open Platform (开放平台) for third-party platforms, on a
 * loopback HTTP port: the {@code /cgi-bin/component/*} token and authorization endpoints, and
 * WeChat's side of the authorization-event callback, which it POSTs, encrypted and signed, to
 * each platform's callback URL.
 *
 * <ul>
 *   <li>{@code api_start_push_ticket} ({@code component_appid}, {@code component_secret}): pushes
 *       resume and one is due at once;</li>
 *   <li>{@code api_component_token} ({@code component_appid}, {@code component_appsecret},
 *       {@code component_verify_ticket}): a new 7200 s token, the previous one valid for the
 *       overlap; 61006 for a ticket never pushed, 61005 for one older than 12 h;</li>
 *   <li>{@code api_create_preauthcode}: a 600 s pre-auth code;</li>
 *   <li>{@code api_query_auth}: an authorization code, once, for the authorizer's first access
 *       token and its refresh token (61009 for an unknown or used code, 61010 for an expired
 *       one);</li>
 *   <li>{@code api_authorizer_token}: a refresh token for a new authorizer token (61023 for a refresh
 *       token that is not the authorizer's current one, 61003 for an authorizer not authorized);</li>
 *   <li>{@code api_get_authorizer_list}: pages of at most 500 authorizers with their refresh
 *       tokens (empty if the code was never exchanged), oldest authorization first.</li>
 * </ul>
 *
 * <p>Every endpoint answers 61004 while the platform's IP whitelist is made to refuse the caller
 * ({@link #blockIp}), 61011 for an unknown {@code component_appid}, and 40001/42001 for a
 * component token that is unknown, replaced past the overlap, or expired.
 *
 * <p><b>Time and pushes.</b> All protocol time comes from the injected {@link Clock}; nothing
 * happens on its own. {@link #pushDue()} is the schedule: it pushes a new ticket to every pushing
 * platform whose last push is ten minutes old (or that asked with {@code api_start_push_ticket}).
 * {@link #authorize}, {@link #deauthorize} and {@link #pushTicket} push their event at once. Every
 * push is a real HTTP POST, answered {@code success} or counted as not acknowledged.
 *
 * <p>Thread-safe; no static mutable state. Callback URLs must be loopback: the simulator never
 * sends anything elsewhere.
 */
public final class OpenPlatformSimulator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(OpenPlatformSimulator.class);

  /** The Open Platform endpoints whose calls are counted. */
  public enum Endpoint {
    /** {@code POST /cgi-bin/component/api_start_push_ticket}. */
    START_PUSH_TICKET,
    /** {@code POST /cgi-bin/component/api_component_token}. */
    COMPONENT_TOKEN,
    /** {@code POST /cgi-bin/component/api_create_preauthcode}. */
    CREATE_PREAUTHCODE,
    /** {@code POST /cgi-bin/component/api_query_auth}. */
    QUERY_AUTH,
    /** {@code POST /cgi-bin/component/api_authorizer_token}. */
    AUTHORIZER_TOKEN,
    /** {@code POST /cgi-bin/component/api_get_authorizer_list}. */
    GET_AUTHORIZER_LIST
  }

  /**
   * A merchant's authorization as the simulator made it.
   *
   * @param authorizationCode the code, as in the pushed event (exchange it with
   *     {@code api_query_auth})
   * @param acknowledged whether the platform's callback answered {@code success}
   */
  public record Authorization(String authorizationCode, boolean acknowledged) {
    @Override
    public String toString() {
      return "Authorization[acknowledged=" + acknowledged + "]";
    }
  }

  /** Simulator-wide call counts. Thread-safe. */
  static final class Counters {
    private final Map<Endpoint, LongAdder> counts = new EnumMap<>(Endpoint.class);

    Counters() {
      for (Endpoint e : Endpoint.values()) {
        counts.put(e, new LongAdder());
      }
    }

    void record(Endpoint e) {
      counts.get(e).increment();
    }

    long get(Endpoint e) {
      return counts.get(e).sum();
    }
  }

  private final LoopbackServer server;
  private final Map<String, ComponentPlatform> platforms;
  private final Counters counters;
  private final Clock clock;
  private final Duration tokenLifetime;
  private final Duration overlap;
  private final HttpClient pusher;
  private final AtomicInteger nonces = new AtomicInteger();
  private final LongAdder pushes = new LongAdder();
  private final LongAdder acknowledged = new LongAdder();

  private OpenPlatformSimulator(LoopbackServer server, Map<String, ComponentPlatform> platforms,
      Counters counters, Builder settings) {
    this.server = server;
    this.platforms = platforms;
    this.counters = counters;
    this.clock = settings.clock;
    this.tokenLifetime = settings.tokenLifetime;
    this.overlap = settings.overlap;
    this.pusher = HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(5))
        .followRedirects(HttpClient.Redirect.NEVER)
        .version(HttpClient.Version.HTTP_1_1)
        .build();
  }

  /** @return a builder with WeChat's defaults and no platforms */
  public static Builder builder() {
    return new Builder();
  }

  /** @return the base URL, e.g. {@code http://127.0.0.1:40123}, without a trailing slash */
  public URI baseUrl() {
    return server.baseUrl();
  }

  /**
   * Registers a platform (or replaces one, with fresh state).
   *
   * @param componentAppId the platform's appid
   * @param secret its component AppSecret
   * @param messageToken the message token of its callback
   * @param encodingAesKey the 43-character EncodingAESKey of its callback
   */
  public void registerPlatform(String componentAppId, String secret, String messageToken,
      String encodingAesKey) {
    Objects.requireNonNull(componentAppId, "componentAppId");
    platforms.put(componentAppId, new ComponentPlatform(componentAppId,
        Objects.requireNonNull(secret, "secret"), Objects.requireNonNull(messageToken, "messageToken"),
        Objects.requireNonNull(encodingAesKey, "encodingAesKey"), clock, tokenLifetime, overlap));
  }

  /**
   * Sets where the platform's events are pushed (its 授权事件接收URL).
   *
   * @param url the callback, or {@code null} for none (events are then not pushed)
   * @throws IllegalArgumentException if the URL is not http(s) on a loopback address
   */
  public void callbackUrl(String componentAppId, URI url) {
    if (url == null) {
      require(componentAppId).callbackUrl(null);
      return;
    }
    try {
      if (url.getHost() == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))
          || !InetAddress.getByName(url.getHost()).isLoopbackAddress()) {
        throw new IllegalArgumentException("callbacks go to loopback http(s) URLs only");
      }
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("unknown callback host", e);
    }
    require(componentAppId).callbackUrl(url);
  }

  /** Stops or resumes the platform's scheduled pushes (a stopped platform gets no tickets). */
  public void pushing(String componentAppId, boolean on) {
    require(componentAppId).pushing(on);
  }

  /** Puts the caller outside or back inside the platform's IP whitelist (61004 while outside). */
  public void blockIp(String componentAppId, boolean blocked) {
    require(componentAppId).blockIp(blocked);
  }

  /**
   * The schedule's tick: pushes a new ticket to every platform that is due.
   *
   * @return how many pushes were made (acknowledged or not)
   */
  public int pushDue() {
    int pushed = 0;
    for (ComponentPlatform platform : List.copyOf(platforms.values())) {
      String event = platform.ticketPushIfDue(false);
      if (event != null) {
        push(platform, event);
        pushed++;
      }
    }
    return pushed;
  }

  /**
   * Pushes a new ticket to the platform now, due or not.
   *
   * @return whether the callback answered {@code success}
   * @throws IllegalStateException if the platform has no callback URL
   */
  public boolean pushTicket(String componentAppId) {
    ComponentPlatform platform = require(componentAppId);
    String event = platform.ticketPushIfDue(true);
    if (event == null) {
      throw new IllegalStateException("no callback URL for " + componentAppId);
    }
    return push(platform, event);
  }

  /** @return the last ticket minted for the platform (pushed or not), or {@code null} */
  public String latestTicket(String componentAppId) {
    return require(componentAppId).latestTicket();
  }

  /**
   * A merchant authorizes the platform (or authorizes again, which replaces its refresh token and
   * ends its tokens at once): an {@code authorized} or {@code updateauthorized} event is pushed.
   *
   * @param preAuthCode the pre-auth code the merchant authorized with, or {@code null}
   * @throws IllegalArgumentException if the pre-auth code is unknown, used or expired
   */
  public Authorization authorize(String componentAppId, String authorizerAppId, String preAuthCode) {
    ComponentPlatform platform = require(componentAppId);
    ComponentPlatform.AuthorizationEvent event =
        platform.authorize(Objects.requireNonNull(authorizerAppId, "authorizerAppId"), preAuthCode);
    boolean ok = platform.callbackUrl() != null && push(platform, event.eventXml());
    return new Authorization(event.code(), ok);
  }

  /**
   * A merchant withdraws the authorization: its refresh and access tokens stop working at once and
   * an {@code unauthorized} event is pushed.
   *
   * @return whether the callback answered {@code success}
   * @throws IllegalArgumentException if the authorizer is not authorized
   */
  public boolean deauthorize(String componentAppId, String authorizerAppId) {
    ComponentPlatform platform = require(componentAppId);
    String event = platform.deauthorize(authorizerAppId);
    return platform.callbackUrl() != null && push(platform, event);
  }

  /** @return the authorizer's current refresh token, or {@code null} if none (for tests) */
  public String refreshToken(String componentAppId, String authorizerAppId) {
    return require(componentAppId).refreshToken(authorizerAppId);
  }

  /** @return whether some platform's authorizer holds this access token, valid now */
  public boolean isAuthorizerTokenValid(String accessToken) {
    return platforms.values().stream().anyMatch(p -> p.isAuthorizerTokenValid(accessToken));
  }

  /** @return whether this component token of the platform is valid now */
  public boolean isComponentTokenValid(String componentAppId, String token) {
    return require(componentAppId).isComponentTokenValid(token);
  }

  /** @return calls received on the endpoint, all platforms and unknown ones together */
  public long calls(Endpoint endpoint) {
    return counters.get(Objects.requireNonNull(endpoint, "endpoint"));
  }

  /** @return calls received on the endpoint for the platform */
  public long calls(Endpoint endpoint, String componentAppId) {
    return require(componentAppId).calls(Objects.requireNonNull(endpoint, "endpoint"));
  }

  /** @return tickets minted for the platform */
  public long ticketsIssued(String componentAppId) {
    return require(componentAppId).ticketsIssued();
  }

  /** @return component tokens minted for the platform */
  public long componentTokensIssued(String componentAppId) {
    return require(componentAppId).componentTokensIssued();
  }

  /** @return authorizer access tokens minted for the platform's authorizers */
  public long authorizerTokensIssued(String componentAppId) {
    return require(componentAppId).authorizerTokensIssued();
  }

  /** @return callback pushes made, all platforms together */
  public long pushes() {
    return pushes.sum();
  }

  /** @return pushes answered {@code success} */
  public long acknowledgedPushes() {
    return acknowledged.sum();
  }

  private ComponentPlatform require(String componentAppId) {
    ComponentPlatform platform = componentAppId == null ? null : platforms.get(componentAppId);
    if (platform == null) {
      throw new IllegalArgumentException("unknown platform: " + componentAppId);
    }
    return platform;
  }

  /** POSTs one event the way WeChat does; never under a platform's lock. */
  private boolean push(ComponentPlatform platform, String eventXml) {
    URI url = platform.callbackUrl();
    if (url == null) {
      return false;
    }
    pushes.increment();
    CallbackSealer sealer = platform.sealer();
    String encrypted = sealer.encrypt(eventXml);
    String timestamp = Long.toString(clock.instant().getEpochSecond());
    String nonce = Integer.toString(1_000_000_000 + nonces.incrementAndGet());
    String query = "signature=" + sealer.sign(timestamp, nonce) + "&timestamp=" + timestamp
        + "&nonce=" + nonce + "&encrypt_type=aes&msg_signature="
        + sealer.sign(timestamp, nonce, encrypted);
    String body = "<xml><AppId><![CDATA[" + platform.componentAppId() + "]]></AppId><Encrypt><![CDATA["
        + encrypted + "]]></Encrypt></xml>";
    String separator = url.getRawQuery() == null ? "?" : "&";
    HttpRequest request = HttpRequest.newBuilder(URI.create(url + separator + query))
        .timeout(Duration.ofSeconds(5))
        .header("Content-Type", "text/xml")
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
        .build();
    try {
      HttpResponse<String> response = pusher.send(request, HttpResponse.BodyHandlers.ofString());
      boolean ok = response.statusCode() == 200 && "success".equals(response.body().strip());
      if (ok) {
        acknowledged.increment();
      }
      return ok;
    } catch (IOException e) {
      LOG.debug("push to {} failed: {}", platform.componentAppId(), e.getClass().getSimpleName());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Stops the server at once and ends its threads. */
  @Override
  public void close() {
    server.close();
  }

  @Override
  public String toString() {
    return "OpenPlatformSimulator[" + server.baseUrl() + "]";
  }

  /**
   * Configures and starts an {@link OpenPlatformSimulator}: WeChat's 7200 s tokens and a 300 s
   * overlap by default. Not thread-safe: configure from one thread.
   */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private Duration tokenLifetime = Duration.ofSeconds(7200);
    private Duration overlap = Duration.ofSeconds(300);
    private final List<String[]> initial = new ArrayList<>();

    private Builder() {
    }

    /** @param clock the source of all protocol time (default {@link Clock#systemUTC()}) */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** @param d lifetime of component and authorizer tokens (default 7200 s) */
    public Builder tokenLifetime(Duration d) {
      this.tokenLifetime = Objects.requireNonNull(d, "d");
      return this;
    }

    /** @param d how long a replaced token stays valid (default 300 s) */
    public Builder overlap(Duration d) {
      this.overlap = Objects.requireNonNull(d, "d");
      return this;
    }

    /** Registers a platform at start; see {@link OpenPlatformSimulator#registerPlatform}. */
    public Builder platform(String componentAppId, String secret, String messageToken,
        String encodingAesKey) {
      initial.add(new String[] {componentAppId, secret, messageToken, encodingAesKey});
      return this;
    }

    /**
     * Binds 127.0.0.1 on an ephemeral port and starts.
     *
     * @throws UncheckedIOException if the port cannot be bound
     */
    public OpenPlatformSimulator start() {
      if (overlap.isNegative() || tokenLifetime.compareTo(overlap) <= 0) {
        throw new IllegalArgumentException("need 0 <= overlap < tokenLifetime");
      }
      Map<String, ComponentPlatform> platforms = new ConcurrentHashMap<>();
      Counters counters = new Counters();
      Exchanges http = new Exchanges(new ObjectMapper());
      Router router = new Router(new ComponentEndpoints(
          id -> id == null ? null : platforms.get(id), http, counters).routes(), http);
      LoopbackServer server = LoopbackServer.start("Open Platform simulator", "open-sim-",
          InetAddress.getLoopbackAddress().getHostAddress(), 0, 256, router);
      OpenPlatformSimulator simulator =
          new OpenPlatformSimulator(server, platforms, counters, this);
      try {
        for (String[] p : initial) {
          simulator.registerPlatform(p[0], p[1], p[2], p[3]);
        }
      } catch (RuntimeException e) {
        server.close();
        throw e;
      }
      LOG.info("Open Platform simulator listening on {} with {} platform(s)",
          simulator.baseUrl(), platforms.size());
      return simulator;
    }
  }
}
