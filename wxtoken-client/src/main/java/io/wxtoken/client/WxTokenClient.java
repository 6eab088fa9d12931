package io.wxtoken.client;

import io.wxtoken.client.dto.GetWechatAccessTokenDataDto;
import io.wxtoken.client.dto.GetWechatAccessTokenDto;
import io.wxtoken.client.dto.GetWechatAccessTokenRespDto;
import io.wxtoken.client.dto.GetWechatJsapiTicketDataDto;
import io.wxtoken.client.dto.GetWechatJsapiTicketDto;
import io.wxtoken.client.dto.GetWechatJsapiTicketRespDto;
import io.wxtoken.client.dto.RefreshWechatAccessTokenDto;
import io.wxtoken.client.dto.SignWechatJssdkDataDto;
import io.wxtoken.client.dto.SignWechatJssdkDto;
import io.wxtoken.client.dto.SignWechatJssdkRespDto;
import io.wxtoken.client.dto.WechatAppDto;
import io.wxtoken.client.dto.WxTokenRespDto;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

/**
 * The wxtoken API over HTTP: Authing's {@code getWechatAccessToken(dto)} and the server's other
 * calls (the {@code -info} alias, the guarded refresh, JS-SDK tickets and signatures), with
 * timeouts, bounded retries and failover between several server URLs.
 *
 * <pre>{@code
 * WxTokenClient client = WxTokenClient.builder()
 *     .serverUrls("http://wxtoken-a:8080", "http://wxtoken-b:8080")
 *     .build();
 * GetWechatAccessTokenRespDto resp =
 *     client.getWechatAccessToken(new GetWechatAccessTokenDto("wx5f1e2d3c4b5a6978", secret));
 * String token = resp.getData().getAccessToken();
 * }</pre>
 *
 * <p>Most code wants an {@link AccessTokenProvider} ({@link #accessTokenProvider}) instead, which
 * keeps the token in memory and asks the server only when it is about to expire.
 *
 * <p><b>Errors.</b> Every call returns a response only when the server answered with
 * {@code statusCode} 200; anything else is thrown as a {@link WxTokenException} subclass carrying
 * the envelope's {@code statusCode}, {@code apiCode} and {@code requestId} (see
 * {@link WxTokenException} for the list). Network failures, HTTP 5xx and the server's
 * {@code statusCode} 500 are retried, on the next server URL first; the server's answers about the
 * request, the secret, throttling or WeChat are not.
 *
 * <p><b>Secrets.</b> The appSecret travels only in the POST body, never in a URL, header or log
 * line, and no message or {@code toString()} of this library contains it. A <b>caller key</b>
 * ({@code wxk_…}, issued by the server's operator) may be given wherever an appSecret is: it is
 * then sent as {@code Authorization: Bearer} and left out of the body, so the service never holds
 * the AppSecret at all.
 *
 * <p>Thread-safe and cheap to share: create one per set of server URLs and reuse it. It holds no
 * threads or sockets of its own (the JDK keeps idle connections alive), so there is nothing to
 * close.
 */
public final class WxTokenClient {
  static final String TOKEN_PATH = "/api/v3/get-wechat-access-token";
  static final String TOKEN_INFO_PATH = "/api/v3/get-wechat-access-token-info";
  static final String REFRESH_PATH = "/api/v3/refresh-wechat-access-token";
  static final String TICKET_PATH = "/api/v3/get-wechat-jsapi-ticket";
  static final String SIGN_PATH = "/api/v3/sign-wechat-jssdk";

  private final HttpTransport transport;
  private final Json json = new Json();
  private final Duration callTimeout;

  private WxTokenClient(Builder b) {
    this.transport = new HttpTransport(Collections.unmodifiableList(new ArrayList<>(b.urls)),
        millis(b.connectTimeout), millis(b.readTimeout), b.callTimeout.toMillis(), b.maxRetries,
        new Backoff(b.backoffInitial.toMillis(), b.backoffMax.toMillis()));
    this.callTimeout = b.callTimeout;
  }

  /**
   * @return a builder; at least one server URL must be set
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * An {@link AccessTokenProvider} for one app with the default settings; see
   * {@link AccessTokenProvider#builder} for the others. Create one per app and share it.
   *
   * @param appId the WeChat AppId
   * @param appSecret the WeChat AppSecret
   * @return a new provider; nothing is fetched until its first use
   */
  public AccessTokenProvider accessTokenProvider(String appId, String appSecret) {
    return AccessTokenProvider.builder(this, appId, appSecret).build();
  }

  /**
   * {@code POST /api/v3/get-wechat-access-token}: the app's current token from wxtoken's cache.
   *
   * @param dto the app's credentials
   * @return the answer, whose {@code data} holds {@code accessToken} and {@code expiresAt}
   * @throws WxTokenException if the server answered with an error, or none answered
   */
  public GetWechatAccessTokenRespDto getWechatAccessToken(GetWechatAccessTokenDto dto) {
    return tokenResp(call(TOKEN_PATH, dto, null, null));
  }

  /**
   * {@code POST /api/v3/get-wechat-access-token-info}: Authing's newer name for
   * {@link #getWechatAccessToken}, with the same contract.
   *
   * @param dto the app's credentials
   * @return the answer, whose {@code data} holds {@code accessToken} and {@code expiresAt}
   * @throws WxTokenException if the server answered with an error, or none answered
   */
  public GetWechatAccessTokenRespDto getWechatAccessTokenInfo(GetWechatAccessTokenDto dto) {
    return tokenResp(call(TOKEN_INFO_PATH, dto, null, null));
  }

  /**
   * {@code POST /api/v3/refresh-wechat-access-token}, the guarded refresh: for a token WeChat
   * refused with 40001 or 42001. The server replaces its token only if {@code staleToken} is still
   * its current one; otherwise it answers with the current token at no cost. Past WeChat's limit on
   * forced refreshes it throws {@link ThrottledException} (apiCode 2004).
   *
   * @param dto the app's credentials and the refused token
   * @return the answer, whose {@code data} holds the new (or already current) token
   * @throws WxTokenException if the server answered with an error, or none answered
   */
  public GetWechatAccessTokenRespDto refreshWechatAccessToken(RefreshWechatAccessTokenDto dto) {
    Objects.requireNonNull(dto, "dto");
    return tokenResp(call(REFRESH_PATH, dto, "staleToken", dto.getStaleToken()));
  }

  /**
   * {@code POST /api/v3/get-wechat-jsapi-ticket}: the app's {@code jsapi} (or {@code wx_card})
   * ticket, cached by the server.
   *
   * @param dto the app's credentials and the ticket type
   * @return the answer, whose {@code data} holds {@code ticket} and {@code expiresAt}
   * @throws WxTokenException if the server answered with an error, or none answered
   */
  public GetWechatJsapiTicketRespDto getWechatJsapiTicket(GetWechatJsapiTicketDto dto) {
    Objects.requireNonNull(dto, "dto");
    Envelope e = call(TICKET_PATH, dto, "type", dto.getType());
    GetWechatJsapiTicketDataDto data = new GetWechatJsapiTicketDataDto();
    data.setTicket(required(e, "ticket"));
    data.setExpiresAt(Long.toString(epochSecond(e, "expiresAt")));
    return fill(new GetWechatJsapiTicketRespDto(), e, data);
  }

  /**
   * {@code POST /api/v3/sign-wechat-jssdk}: the {@code wx.config} signature for a page URL.
   *
   * @param dto the app's credentials and the page's URL
   * @return the answer, whose {@code data} holds {@code appId}, {@code timestamp},
   *     {@code nonceStr} and {@code signature}
   * @throws WxTokenException if the server answered with an error, or none answered
   */
  public SignWechatJssdkRespDto signWechatJssdk(SignWechatJssdkDto dto) {
    Objects.requireNonNull(dto, "dto");
    Envelope e = call(SIGN_PATH, dto, "url", dto.getUrl());
    SignWechatJssdkDataDto data = new SignWechatJssdkDataDto();
    data.setAppId(required(e, "appId"));
    data.setTimestamp(epochSecond(e, "timestamp"));
    data.setNonceStr(required(e, "nonceStr"));
    data.setSignature(required(e, "signature"));
    return fill(new SignWechatJssdkRespDto(), e, data);
  }

  /**
   * @return the server URLs, in the order given to the builder
   */
  public List<String> serverUrls() {
    return transport.baseUrls();
  }

  /** The longest one call may take, retries included; a provider waits this long for a fetch. */
  Duration callTimeout() {
    return callTimeout;
  }

  /** The app's current token (the provider's fetch). */
  AccessToken accessToken(String appId, String appSecret, String requestId) {
    return token(call(TOKEN_PATH, appSecret, requestId,
        json.object("appId", appId, "appSecret", inBody(appSecret))));
  }

  /** Whether {@code credential} is a caller key rather than an AppSecret (by its prefix). */
  static boolean isCallerKey(String credential) {
    return credential != null && credential.startsWith("wxk_");
  }

  /** What goes in the body's appSecret: the secret, or nothing for a caller key (sent as Bearer). */
  private static String inBody(String credential) {
    return isCallerKey(credential) ? null : credential;
  }

  /** The guarded refresh of {@code staleToken} (the provider's reportInvalid). */
  AccessToken refresh(String appId, String appSecret, String staleToken, String requestId) {
    return token(call(REFRESH_PATH, appSecret, requestId,
        json.object("appId", appId, "appSecret", inBody(appSecret), "staleToken", staleToken)));
  }

  static String newRequestId() {
    return UUID.randomUUID().toString();
  }

  /** Sends the DTO's credentials and the endpoint's one extra field (if any) to {@code path}. */
  private Envelope call(String path, WechatAppDto dto, String field, String value) {
    Objects.requireNonNull(dto, "dto");
    return call(path, dto.getAppSecret(), newRequestId(), json.object("appId", dto.getAppId(),
        "appSecret", inBody(dto.getAppSecret()), field, value));
  }

  private Envelope call(String path, String secret, String requestId, byte[] body) {
    return transport.post(path, body, requestId, isCallerKey(secret) ? secret : null,
        (status, answer, url) -> read(status, answer, url, requestId, secret));
  }

  /** What an HTTP answer amounts to: a success envelope, or the exception to throw (or retry). */
  private Envelope read(int status, byte[] answer, String url, String requestId, String secret) {
    if (status >= 500) {
      throw new WxTokenServerException("HTTP " + status + " from " + url, 0, 0, requestId, true);
    }
    Envelope e;
    try {
      e = json.envelope(answer);
    } catch (IOException notAnEnvelope) {
      if (status == 429) {
        throw new ThrottledException("HTTP 429 from " + url, 0, 0, requestId);
      }
      if (status == 404 || status == 405) {
        throw new InvalidRequestException("HTTP " + status + " from " + url
            + ": is the server URL right?", 0, 0, requestId);
      }
      String redirect = status >= 300 && status < 400
          ? " (redirects are not followed, so the secret goes only where it was configured to)"
          : "";
      throw new WxTokenServerException("HTTP " + status + " from " + url
          + " is not a wxtoken answer" + redirect, 0, 0, requestId, false);
    }
    if (e.statusCode != 200) {
      throw Errors.of(e, requestId, secret);
    }
    return e;
  }

  private static AccessToken token(Envelope e) {
    return new AccessToken(required(e, "accessToken"), epochSecond(e, "expiresAt"));
  }

  private static GetWechatAccessTokenRespDto tokenResp(Envelope e) {
    AccessToken token = token(e);
    GetWechatAccessTokenDataDto data = new GetWechatAccessTokenDataDto();
    data.setAccessToken(token.value());
    data.setExpiresAt(e.data("expiresAt").trim());
    return fill(new GetWechatAccessTokenRespDto(), e, data);
  }

  private static <T, R extends WxTokenRespDto<T>> R fill(R resp, Envelope e, T data) {
    resp.setStatusCode(e.statusCode);
    resp.setMessage(e.message);
    resp.setApiCode(e.apiCode == 0 ? null : e.apiCode);
    resp.setRequestId(e.requestId);
    resp.setData(data);
    return resp;
  }

  private static String required(Envelope e, String field) {
    String value = e.data(field);
    if (value == null || value.isEmpty()) {
      throw new WxTokenServerException("the answer has no data." + field, 200, 0, e.requestId,
          false);
    }
    return value;
  }

  /** A whole number of seconds, given as a JSON number or a string holding one. */
  private static long epochSecond(Envelope e, String field) {
    String value = required(e, field);
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException notWhole) {
      throw new WxTokenServerException("the answer's data." + field + " is not a whole number",
          200, 0, e.requestId, false);
    }
  }

  private static int millis(Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
  }

  /**
   * Configures a {@link WxTokenClient}. Defaults: connect timeout 3 s; read timeout 15 s (a cold
   * fetch may wait on the server's own retries of WeChat, up to about 13 s); at most 30 s per call
   * including retries; 2 retries; backoff from 100 ms up to 2 s.
   *
   * <p>Not thread-safe: configure from one thread, then {@link #build()}.
   */
  public static final class Builder {
    private final List<String> urls = new ArrayList<>();
    private Duration connectTimeout = Duration.ofSeconds(3);
    private Duration readTimeout = Duration.ofSeconds(15);
    private Duration callTimeout = Duration.ofSeconds(30);
    private int maxRetries = 2;
    private Duration backoffInitial = Duration.ofMillis(100);
    private Duration backoffMax = Duration.ofSeconds(2);

    private Builder() {
    }

    /**
     * The one server, e.g. {@code http://wxtoken:8080}; replaces any URLs set before.
     *
     * @param url the server's base URL (http or https, optionally with a path prefix)
     * @return this
     * @throws IllegalArgumentException if it is not an absolute http(s) URL without credentials,
     *     query or fragment
     */
    public Builder serverUrl(String url) {
      return serverUrls(Collections.singletonList(url));
    }

    /**
     * Several servers to fail over between, tried in this order; replaces any URLs set before.
     *
     * @param urls the servers' base URLs
     * @return this
     * @throws IllegalArgumentException if there are none or one is not a valid base URL
     */
    public Builder serverUrls(String... urls) {
      return serverUrls(java.util.Arrays.asList(urls));
    }

    /**
     * As {@link #serverUrls(String...)}.
     *
     * @param urls the servers' base URLs
     * @return this
     */
    public Builder serverUrls(List<String> urls) {
      if (urls.isEmpty()) {
        throw new IllegalArgumentException("at least one server URL is required");
      }
      List<String> checked = new ArrayList<>();
      for (String url : urls) {
        checked.add(baseUrl(url));
      }
      this.urls.clear();
      this.urls.addAll(checked);
      return this;
    }

    /**
     * @param d how long to wait for a connection to a server (default 3 s)
     * @return this
     */
    public Builder connectTimeout(Duration d) {
      this.connectTimeout = positive(d, "connectTimeout");
      return this;
    }

    /**
     * @param d how long to wait for the answer once connected (default 15 s)
     * @return this
     */
    public Builder readTimeout(Duration d) {
      this.readTimeout = positive(d, "readTimeout");
      return this;
    }

    /**
     * @param d the most one call may take, retries and waits included (default 30 s); no new
     *     attempt starts after it, and none is given longer than what is left
     * @return this
     */
    public Builder callTimeout(Duration d) {
      this.callTimeout = positive(d, "callTimeout");
      return this;
    }

    /**
     * @param n attempts after the first, 0 to 10 (default 2). Failing over to another server URL
     *     is one of them, so with 0 there is no failover.
     * @return this
     */
    public Builder maxRetries(int n) {
      if (n < 0 || n > 10) {
        throw new IllegalArgumentException("maxRetries must be 0 to 10: " + n);
      }
      this.maxRetries = n;
      return this;
    }

    /**
     * @param initial the first wait before retrying a server already tried (default 100 ms)
     * @param max the longest wait (default 2 s)
     * @return this
     */
    public Builder retryBackoff(Duration initial, Duration max) {
      this.backoffInitial = positive(initial, "initial");
      this.backoffMax = positive(max, "max");
      if (max.compareTo(initial) < 0) {
        throw new IllegalArgumentException("max backoff must not be below the initial one");
      }
      return this;
    }

    /**
     * @return a new client
     * @throws IllegalStateException if no server URL was set
     */
    public WxTokenClient build() {
      if (urls.isEmpty()) {
        throw new IllegalStateException("set the wxtoken server URL (serverUrl or serverUrls)");
      }
      return new WxTokenClient(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }

    /** The URL without trailing slashes, checked to be a plain http(s) base. */
    static String baseUrl(String url) {
      Objects.requireNonNull(url, "url");
      URI uri;
      try {
        uri = new URI(url.trim());
      } catch (java.net.URISyntaxException e) {
        throw new IllegalArgumentException("the server URL is not a valid URL", e);
      }
      if (uri.getRawUserInfo() != null || uri.getRawQuery() != null
          || uri.getRawFragment() != null) {
        // Credentials in a URL end up in logs (so this message does not echo it); the API needs
        // neither a query nor a fragment.
        throw new IllegalArgumentException(
            "the server URL must have no user info, query or fragment");
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
        throw new IllegalArgumentException("the server URL must be http(s)://host[:port][/path]: "
            + url);
      }
      String s = uri.toString();
      while (s.endsWith("/")) {
        s = s.substring(0, s.length() - 1);
      }
      return s;
    }
  }
}
