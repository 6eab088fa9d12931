package io.wxtoken.wecom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wxtoken.wechat.CallObserver;
import io.wxtoken.wechat.WeChatErrorException;
import io.wxtoken.wechat.WeChatTicket;
import io.wxtoken.wechat.WeChatToken;
import io.wxtoken.wechat.WeChatUnreachableException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
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
  private static final int MAX_ERRMSG_CHARS = 200;
  /** WeCom documents tokens of at most 512 bytes; some room, but not without bound. */
  private static final int MAX_CREDENTIAL_CHARS = 2048;
  private static final String GETTOKEN = "wecom_gettoken";

  private final HttpClient http;
  private final String baseUrl;
  private final Duration readTimeout;
  private final CallObserver observer;
  private final LongSupplier nanoTime;
  private final ObjectMapper json = new ObjectMapper();

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
    this.observer = Objects.requireNonNull(observer, "observer");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.http = HttpClient.newBuilder()
        .connectTimeout(Objects.requireNonNull(connectTimeout, "connectTimeout"))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
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
    return send(GETTOKEN, get(uri), corpSecret,
        node -> new WeChatToken(credential(node, "access_token"), expiresIn(node)));
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
    return send(type.endpoint(), get(uri), accessToken,
        node -> new WeChatTicket(credential(node, "ticket"), expiresIn(node)));
  }

  private HttpRequest get(URI uri) {
    return HttpRequest.newBuilder(uri).timeout(readTimeout).GET().build();
  }

  /**
   * Sends one request and reads its answer with {@code reader}; {@code secret} (the secret or
   * access token the URL carries) is redacted from every failure message.
   */
  private <T> CompletableFuture<T> send(String endpoint, HttpRequest request, String secret,
      Function<JsonNode, T> reader) {
    long start = nanoTime.getAsLong();
    CompletableFuture<HttpResponse<byte[]>> exchange;
    try {
      exchange = http.sendAsync(request, WeComClient::boundedBody);
    } catch (RuntimeException e) {
      observe(endpoint, CallObserver.UNREACHABLE, start);
      return CompletableFuture.failedFuture(unreachable(e));
    }
    long connectMillis = http.connectTimeout().map(Duration::toMillis).orElse(0L);
    // The request timeout stops at the response headers; this bounds a stalled body too.
    return exchange
        .orTimeout(readTimeout.toMillis() + connectMillis, TimeUnit.MILLISECONDS)
        .handle((response, failure) -> {
          try {
            if (failure != null) {
              throw unreachable(failure);
            }
            T value = reader.apply(answer(response, secret));
            observe(endpoint, CallObserver.OK, start);
            return value;
          } catch (WeChatErrorException e) {
            observe(endpoint, Integer.toString(e.errcode()), start);
            throw e;
          } catch (RuntimeException e) {
            observe(endpoint, CallObserver.UNREACHABLE, start);
            throw e;
          }
        });
  }

  private void observe(String endpoint, String outcome, long start) {
    try {
      observer.called(endpoint, outcome, nanoTime.getAsLong() - start);
    } catch (RuntimeException e) {
      // metrics must never change a call's outcome
    }
  }

  private static HttpResponse.BodySubscriber<byte[]> boundedBody(HttpResponse.ResponseInfo info) {
    OptionalLong length = info.headers().firstValueAsLong("content-length");
    if (length.isPresent() && length.getAsLong() > MAX_RESPONSE_BYTES) {
      return HttpResponse.BodySubscribers.replacing(null);
    }
    return HttpResponse.BodySubscribers.ofByteArray();
  }

  /** The answer as a JSON object whose {@code errcode} is 0 or absent. */
  private JsonNode answer(HttpResponse<byte[]> response, String secret) {
    if (response.statusCode() != 200) {
      throw new WeChatUnreachableException("WeCom answered HTTP " + response.statusCode());
    }
    byte[] body = response.body();
    if (body == null || body.length > MAX_RESPONSE_BYTES) {
      throw new WeChatUnreachableException("WeCom's answer is larger than " + MAX_RESPONSE_BYTES
          + " bytes");
    }
    JsonNode node;
    try {
      node = json.readTree(body);
    } catch (IOException e) {
      throw new WeChatUnreachableException("WeCom's answer is not JSON");
    }
    if (node == null || !node.isObject()) {
      throw new WeChatUnreachableException("WeCom's answer is not a JSON object");
    }
    JsonNode errcode = node.get("errcode");
    if (errcode != null && !(errcode.canConvertToInt() && errcode.isIntegralNumber())) {
      throw new WeChatUnreachableException("WeCom's answer has an unusable errcode");
    }
    if (errcode != null && errcode.intValue() != 0) {
      throw new WeChatErrorException(errcode.intValue(), errmsg(node.path("errmsg").asText(""), secret));
    }
    return node;
  }

  /** The non-empty, bounded string WeCom issued in {@code field}. */
  private static String credential(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual() || value.asText().isEmpty()
        || value.asText().length() > MAX_CREDENTIAL_CHARS) {
      throw new WeChatUnreachableException("WeCom's answer has no usable " + field);
    }
    return value.asText();
  }

  private static Duration expiresIn(JsonNode node) {
    JsonNode expiresIn = node.get("expires_in");
    if (expiresIn == null || !expiresIn.isIntegralNumber() || !expiresIn.canConvertToLong()
        || expiresIn.asLong() <= 0) {
      throw new WeChatUnreachableException("WeCom's answer has no usable expires_in");
    }
    return Duration.ofSeconds(expiresIn.asLong());
  }

  /** WeCom's errmsg, without the credential should WeCom ever echo it, and bounded. */
  private static String errmsg(String raw, String secret) {
    String cleaned = secret.isEmpty() ? raw : raw.replace(secret, "<redacted>");
    return cleaned.length() <= MAX_ERRMSG_CHARS ? cleaned : cleaned.substring(0, MAX_ERRMSG_CHARS);
  }

  /** Names what failed without echoing the HTTP stack's message, which might one day hold the URL. */
  private static RuntimeException unreachable(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
    if (cause instanceof WeChatUnreachableException || cause instanceof WeChatErrorException) {
      return (RuntimeException) cause;
    }
    String what;
    if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
      what = "timed out";
    } else if (cause instanceof ConnectException) {
      what = "connection failed";
    } else if (cause instanceof IOException) {
      what = "I/O error (" + cause.getClass().getSimpleName() + ")";
    } else {
      what = "request failed (" + cause.getClass().getSimpleName() + ")";
    }
    return new WeChatUnreachableException("WeCom " + what);
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
