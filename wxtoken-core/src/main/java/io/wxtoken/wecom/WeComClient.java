package io.wxtoken.wecom;

import io.wxtoken.wechat.CallObserver;
import io.wxtoken.wechat.JsonUpstream;
import io.wxtoken.wechat.WeChatErrorException;
import io.wxtoken.wechat.WeChatTicket;
import io.wxtoken.wechat.WeChatToken;
import io.wxtoken.wechat.WeChatUnreachableException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Fetches WeCom (企业微信) access tokens and JS-SDK tickets over the JDK's {@link HttpClient}:
 * {@code GET /cgi-bin/gettoken?corpid=&corpsecret=}, {@code GET /cgi-bin/get_jsapi_ticket} and
 * {@code GET /cgi-bin/ticket/get?type=agent_config}.
 *
 * <p>One call is one upstream request: no caching and no retries. A call completes with a
 * {@link WeChatToken} or {@link WeChatTicket} ({@code expires_in} counted from the answer), or
 * exceptionally with a {@link WeChatErrorException} (WeCom answered a non-zero {@code errcode};
 * {@link WeComFailure#of(Throwable)} says what it means) or a {@link WeChatUnreachableException}
 * (no usable answer: connect error, timeout, HTTP status other than 200, a body that is not
 * WeCom's JSON or is larger than 64 KiB). It always completes within about the read timeout plus
 * the connect timeout. No exception message contains the secret or access token sent, which both
 * travel in the URL as WeCom requires. Every outcome is told to a {@link CallObserver} as
 * {@code wecom_gettoken}, {@code wecom_get_jsapi_ticket} or {@code wecom_agent_config_ticket}.
 *
 * <p>Thread-safe; one instance serves every corp.
 */
public final class WeComClient {

  /** WeCom's public API root; private deployments (私有化部署) have their own. */
  public static final URI DEFAULT_BASE_URL = URI.create("https://qyapi.weixin.qq.com");

  static final int MAX_RESPONSE_BYTES = 64 * 1024;
  private static final String GETTOKEN = "wecom_gettoken";

  private final JsonUpstream upstream;
  private final String baseUrl;
  private final Duration readTimeout;

  /**
   * @param baseUrl WeCom's API root, {@link #DEFAULT_BASE_URL} or a private deployment's: http or
   *     https, a host, optionally a path; no user info, query or fragment
   * @param connectTimeout bound on establishing a connection
   * @param readTimeout bound on the whole exchange once connected
   * @param observer told every call's outcome (metrics)
   * @param nanoTime monotonic nanoseconds for the call durations ({@code System::nanoTime})
   * @throws IllegalArgumentException if {@code baseUrl} is not such a URL
   */
  public WeComClient(URI baseUrl, Duration connectTimeout, Duration readTimeout,
      CallObserver observer, LongSupplier nanoTime) {
    this.baseUrl = checkBaseUrl(baseUrl);
    this.readTimeout = Objects.requireNonNull(readTimeout, "readTimeout");
    // WeCom's numbers are held to be JSON integers: anything else is not WeCom's answer.
    this.upstream = new JsonUpstream("WeCom", connectTimeout, readTimeout, MAX_RESPONSE_BYTES,
        true, observer, nanoTime);
  }

  /** As above, observing nothing and timing with {@link System#nanoTime()}. */
  public WeComClient(URI baseUrl, Duration connectTimeout, Duration readTimeout) {
    this(baseUrl, connectTimeout, readTimeout, CallObserver.NONE, System::nanoTime);
  }

  /** @return the API root calls go to, without a trailing slash */
  public String baseUrl() {
    return baseUrl;
  }

  /**
   * Asks WeCom for the token of one secret of a corp. WeCom hands out the same token while it is
   * valid, so calling again does not invalidate a token somebody else holds.
   *
   * @param corpId the corp ({@code corpid})
   * @param corpSecret an app's secret, or the contacts-sync or customer-contact secret
   * @return the token, or a future failed as described in the class comment
   */
  public CompletableFuture<WeChatToken> fetchToken(String corpId, String corpSecret) {
    Objects.requireNonNull(corpId, "corpId");
    Objects.requireNonNull(corpSecret, "corpSecret");
    URI uri = URI.create(baseUrl + "/cgi-bin/gettoken?corpid=" + encode(corpId)
        + "&corpsecret=" + encode(corpSecret));
    return upstream.send(GETTOKEN, () -> get(uri), List.of(corpSecret),
        node -> new WeChatToken(upstream.text(node, "access_token"),
            upstream.expiresIn(node)));
  }

  /**
   * Asks WeCom for a JS-SDK ticket with an access token of the corp (for {@link WeComTicketType#AGENT},
   * of the app whose ticket is wanted). WeCom caps these at 400 an hour per corp and 100 per app:
   * callers must cache them.
   *
   * <p>40014 and 42001 mean the token is no longer valid (replaced, invalidated early, expired):
   * {@link WeComFailure#STALE_TOKEN}.
   *
   * @param accessToken a token of the corp
   * @param type which ticket
   * @return the ticket, or a future failed as described in the class comment
   */
  public CompletableFuture<WeChatTicket> fetchTicket(String accessToken, WeComTicketType type) {
    Objects.requireNonNull(accessToken, "accessToken");
    Objects.requireNonNull(type, "type");
    String path = type.pathAndQuery();
    URI uri = URI.create(baseUrl + path + (path.indexOf('?') < 0 ? "?" : "&")
        + "access_token=" + encode(accessToken));
    return upstream.send(type.endpoint(), () -> get(uri), List.of(accessToken),
        node -> new WeChatTicket(upstream.text(node, "ticket"), upstream.expiresIn(node)));
  }

  private HttpRequest get(URI uri) {
    return HttpRequest.newBuilder(uri).timeout(readTimeout).GET().build();
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static String checkBaseUrl(URI url) {
    Objects.requireNonNull(url, "baseUrl");
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null
        || url.getRawUserInfo() != null || url.getRawQuery() != null || url.getRawFragment() != null) {
      // The URL is configuration, not a secret, but it may carry user info: do not echo it.
      throw new IllegalArgumentException(
          "the WeCom base URL must be http(s)://host[:port][/path] without user info, query or fragment");
    }
    String base = url.toString();
    return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
  }
}
