package io.wxtoken.http;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.wxtoken.metrics.Metrics;
import io.wxtoken.metrics.Metrics.Endpoint;
import io.wxtoken.token.TokenService;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Forwards every other WeChat API call ({@code /cgi-bin/…} that is not a token or ticket call) to
 * WeChat, so an SDK whose one "API host" setting covers all calls (WxJava's
 * {@code WxMpHostConfig}, EasyWeChat's {@code http.base_uri}) can point it at wxtoken.
 *
 * <p>What leaves is bounded by what wxtoken decides, not the caller:
 * <ul>
 *   <li>the scheme, host and port are always the configured WeChat base's; only the normalized
 *       path ({@link RequestTarget}) and the query come from the caller;
 *   <li>by default only a call whose {@code access_token} wxtoken issued and that is still valid
 *       is forwarded ({@link TokenService#ownerOf}); others get WeChat's 40001 at once;
 *   <li>only {@link #FORWARDED_REQUEST_HEADERS} go out, and {@code Set-Cookie} never comes back;
 *   <li>bodies stream both ways with back-pressure, need a {@code Content-Length} within the
 *       path's limit (large only for {@link #UPLOAD_PATHS}), and count against caps on exchanges
 *       and bytes in flight;
 *   <li>one deadline bounds the whole exchange, however slowly either side trickles.
 * </ul>
 * Nothing is logged but the path. Thread-safe; each exchange runs on its request's event loop.
 */
final class PassThrough {
  /**
   * WeChat's media-upload endpoints, the only ones whose bodies may be large (temporary and
   * permanent media up to 10 MB, images for articles up to 1 MB, voice for recognition).
   */
  static final Set<String> UPLOAD_PATHS = Set.of(
      "/cgi-bin/media/upload",
      "/cgi-bin/media/uploadimg",
      "/cgi-bin/material/add_material",
      "/cgi-bin/media/voice/addvoicetorecofortext");
  /** The only caller headers sent on to WeChat: what a body needs to be read, nothing that identifies. */
  static final Set<String> FORWARDED_REQUEST_HEADERS = Set.of("content-type", "content-length",
      "accept", "accept-encoding", "accept-language", "user-agent");
  /** Headers of WeChat's answer never relayed: hop-by-hop ones, and cookies. */
  private static final Set<String> DROPPED_RESPONSE_HEADERS = Set.of("connection", "keep-alive",
      "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade",
      "set-cookie", "set-cookie2");

  private final Vertx vertx;
  private final LogLimiter log;
  private final HttpClientAgent client;
  private final String host;
  private final int port;
  private final boolean ssl;
  private final String basePath;
  private final TokenService tokens;
  private final HttpLimits limits;
  private final Responder responder;
  private final Metrics metrics;
  private final long deadlineMillis;
  private final AtomicInteger exchanges = new AtomicInteger();
  private final AtomicLong bytes = new AtomicLong();

  PassThrough(Vertx vertx, URI wechatBaseUrl, Duration connectTimeout, TokenService tokens,
      HttpLimits limits, Responder responder, LogLimiter log) {
    this.vertx = vertx;
    this.log = log;
    this.ssl = "https".equalsIgnoreCase(wechatBaseUrl.getScheme());
    this.host = wechatBaseUrl.getHost();
    this.port = wechatBaseUrl.getPort() > 0 ? wechatBaseUrl.getPort() : ssl ? 443 : 80;
    String path = wechatBaseUrl.getRawPath() == null ? "" : wechatBaseUrl.getRawPath();
    this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    this.tokens = tokens;
    this.limits = limits;
    this.responder = responder;
    this.metrics = responder.metrics();
    this.deadlineMillis = limits.passThroughDeadline().toMillis();
    this.client = vertx.createHttpClient(new HttpClientOptions()
        .setConnectTimeout((int) connectTimeout.toMillis())
        .setKeepAlive(true)
        .setIdleTimeout(60), new PoolOptions().setHttp1MaxSize(limits.passThroughExchanges()));
  }

  /** Forwards the request, whose normalized path is {@code path} (under {@code /cgi-bin/}). */
  void forward(HttpServerRequest request, String path, String requestId) {
    if (!limits.passThroughAnyToken() && !carriesIssuedToken(request)) {
      refuse(request, 200, 40001, "invalid credential, access_token is invalid or not latest"
          + " (wxtoken: only calls with an access_token wxtoken issued are forwarded)", requestId);
      return;
    }
    long length = declaredLength(request);
    if (length < 0) {
      refuse(request, 411, 44002, "empty post data (wxtoken: a forwarded body needs a"
          + " Content-Length)", requestId);
      return;
    }
    long limit = UPLOAD_PATHS.contains(path) ? limits.passThroughUploadBytes()
        : limits.passThroughBodyBytes();
    if (length > limit) {
      metrics.answered(Endpoint.WECHAT_API, ApiError.PAYLOAD_TOO_LARGE.outcome);
      responder.sendAndClose(request, 413, Responder.wechatError(45002,
          "content size out of limit (wxtoken: " + limit + " bytes at most)"), requestId);
      return;
    }
    if (exchanges.incrementAndGet() > limits.passThroughExchanges()) {
      exchanges.decrementAndGet();
      busy(request, requestId);
      return;
    }
    if (bytes.addAndGet(length) > limits.passThroughBytes()) {
      bytes.addAndGet(-length);
      exchanges.decrementAndGet();
      busy(request, requestId);
      return;
    }
    metrics.answered(Endpoint.WECHAT_API, "proxied");
    new Exchange(request, path, requestId, length).start();
  }

  private boolean carriesIssuedToken(HttpServerRequest request) {
    String token;
    try {
      token = request.getParam("access_token");
    } catch (RuntimeException e) {
      return false; // a query Netty cannot decode
    }
    return token != null && !token.isEmpty() && token.length() <= TokenRequest.MAX_TOKEN
        && tokens.ownerOf(token).isPresent();
  }

  /** The body's declared length: 0 for none, -1 for one without a length (chunked). */
  private static long declaredLength(HttpServerRequest request) {
    String declared = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (declared == null) {
      return request.headers().contains(HttpHeaders.TRANSFER_ENCODING) ? -1 : 0;
    }
    try {
      long length = Long.parseLong(declared.trim());
      return length < 0 ? -1 : length;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private void busy(HttpServerRequest request, String requestId) {
    metrics.answered(Endpoint.WECHAT_API, "busy");
    responder.sendAndClose(request, 429, Responder.wechatError(45009, "api freq out of limit"
        + " (wxtoken: too many forwarded calls in progress; retry shortly)"), requestId);
  }

  private void refuse(HttpServerRequest request, int httpStatus, int errcode, String errmsg,
      String requestId) {
    // The body, if any, was not read: close once answered, so it cannot be taken as a request.
    if (request.headers().contains(HttpHeaders.CONTENT_LENGTH)
        || request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
      metrics.answered(Endpoint.WECHAT_API, "refused");
      responder.sendAndClose(request, httpStatus, Responder.wechatError(errcode, errmsg), requestId);
    } else {
      responder.wechat(request, httpStatus, errcode, errmsg, requestId, "refused");
    }
  }

  /** One forwarded call: its caps are released exactly once, however it ends. */
  private final class Exchange {
    private final HttpServerRequest request;
    private final String path;
    private final String requestId;
    private final long length;
    private HttpClientRequest out;
    private long timer;
    private boolean finished;

    Exchange(HttpServerRequest request, String path, String requestId, long length) {
      this.request = request;
      this.path = path;
      this.requestId = requestId;
      this.length = length;
    }

    void start() {
      request.pause();
      timer = vertx.setTimer(deadlineMillis, id -> fail("timed out", 504));
      request.response().closeHandler(v -> fail("the caller went away", 0));
      String query = request.query();
      RequestOptions options = new RequestOptions()
          .setMethod(request.method())
          .setHost(host)
          .setPort(port)
          .setSsl(ssl)
          .setFollowRedirects(false)
          .setURI(basePath + path + (query == null || query.isEmpty() ? "" : "?" + query));
      client.request(options).onComplete(created -> {
        if (created.failed()) {
          fail(created.cause().getClass().getSimpleName(), 502);
          return;
        }
        out = created.result();
        if (finished) {
          out.reset();
          return;
        }
        copyRequestHeaders(request.headers(), out);
        (length == 0 ? out.send() : out.send(request)).onComplete(answered -> {
          if (answered.failed()) {
            fail(answered.cause().getClass().getSimpleName(), 502);
          } else {
            relay(answered.result());
          }
        });
      });
    }

    private void relay(HttpClientResponse in) {
      if (finished) {
        return;
      }
      HttpServerResponse response = request.response();
      response.setStatusCode(in.statusCode());
      in.headers().forEach((name, value) -> {
        if (!DROPPED_RESPONSE_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
          response.headers().add(name, value);
        }
      });
      response.putHeader(Responder.X_REQUEST_ID, requestId);
      if (!in.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
        response.setChunked(true);
      }
      in.pipeTo(response).onComplete(piped -> {
        if (piped.failed()) {
          fail(piped.cause().getClass().getSimpleName(), 502);
        } else {
          finish();
        }
      });
    }

    private void fail(String why, int status) {
      if (finished) {
        return;
      }
      finish();
      log.warn("pass-through", "pass-through {} {} failed: {}", request.method(), path, why);
      if (out != null) {
        out.reset();
      }
      HttpServerResponse response = request.response();
      if (status == 0 || response.ended()) {
        return;
      }
      if (!response.headWritten()) {
        responder.sendAndClose(request, status, Responder.wechatError(-1, "system error (wxtoken:"
            + " WeChat " + (status == 504 ? "did not answer in time" : "could not be reached")
            + " for " + path + ")"), requestId);
      } else {
        response.reset();
      }
    }

    private void finish() {
      if (!finished) {
        finished = true;
        vertx.cancelTimer(timer);
        bytes.addAndGet(-length);
        exchanges.decrementAndGet();
      }
    }
  }

  private static void copyRequestHeaders(MultiMap headers, HttpClientRequest out) {
    headers.forEach((name, value) -> {
      if (FORWARDED_REQUEST_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
        out.headers().add(name, value);
      }
    });
  }

  void close() {
    client.close();
  }
}
