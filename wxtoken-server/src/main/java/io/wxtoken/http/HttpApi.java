package io.wxtoken.http;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;
import io.wxtoken.metrics.Metrics;
import io.wxtoken.metrics.Metrics.Endpoint;
import io.wxtoken.ticket.JsSdkSignature;
import io.wxtoken.ticket.TicketException;
import io.wxtoken.ticket.TicketService;
import io.wxtoken.ticket.TicketType;
import io.wxtoken.token.AccessToken;
import io.wxtoken.token.Resilience;
import io.wxtoken.token.TokenException;
import io.wxtoken.token.TokenService;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes and answers every HTTP request: the Authing token endpoints, the guarded refresh,
 * {@code /health}, the admin view (delegated to {@link AdminApi}), and a clear envelope for
 * everything else (unknown path, wrong method, oversized or malformed body).
 *
 * <p>Runs on Vert.x event loops and never blocks: a token hit is answered inline; a miss is
 * answered when the engine's future completes, back on the request's event loop.
 */
final class HttpApi implements Handler<HttpServerRequest> {
  static final String TOKEN_PATH = "/api/v3/get-wechat-access-token";
  static final String TOKEN_INFO_PATH = "/api/v3/get-wechat-access-token-info";
  static final String REFRESH_PATH = "/api/v3/refresh-wechat-access-token";
  static final String TICKET_PATH = "/api/v3/get-wechat-jsapi-ticket";
  static final String SIGN_PATH = "/api/v3/sign-wechat-jssdk";
  static final String HEALTH_PATH = "/health";
  /** Token requests are under 200 bytes; 16 KiB leaves room for any SDK's extra fields. */
  static final int MAX_BODY_BYTES = 16 * 1024;
  /**
   * An oversized body up to this size is read and dropped before the 413 goes out: closing a
   * socket with unread data resets it, and the client may then never see the answer. Beyond it,
   * the connection is cut at once.
   */
  static final int DRAIN_LIMIT_BYTES = 1024 * 1024;

  private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
  private static final CharSequence JSON_UTF8 = HttpHeaders.createOptimized("application/json; charset=utf-8");
  static final CharSequence X_REQUEST_ID = HttpHeaders.createOptimized("X-Request-Id");
  private static final CharSequence X_FORWARDED_FOR = HttpHeaders.createOptimized("X-Forwarded-For");
  private static final byte[] HEALTH_UP = "{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8);
  static final String READY_PATH = "/ready";
  private static final byte[] READY = "{\"status\":\"READY\"}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] NOT_READY = ("{\"status\":\"NOT_READY\",\"reason\":\"the store"
      + " shared with the other instances cannot be reached; valid tokens are still served from"
      + " memory\"}").getBytes(StandardCharsets.UTF_8);

  /** Slots for token request bodies answered before: at most a few hundred bytes each in use. */
  static final int KNOWN_REQUESTS = 4096;

  /** A token and its rendered {@code data} object, reused until the app's token changes. */
  private record Rendered(AccessToken token, byte[] data) {}

  private final TokenService tokens;
  private final TicketService tickets;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Envelope envelope;
  private final FailureThrottle throttle;
  private final AdminApi admin;
  private final WeChatFacade facade;
  private final boolean trustForwardedFor;
  private final ConcurrentMap<String, Rendered> rendered = new ConcurrentHashMap<>();
  private final BooleanSupplier ready;
  private final KnownRequests knownRequests = new KnownRequests(KNOWN_REQUESTS);
  private final Metrics metrics;
  private final CallerAuth auth;

  HttpApi(TokenService tokens, TicketService tickets, Envelope envelope, FailureThrottle throttle,
      AdminApi admin, PassThrough passThrough, Clock clock, boolean trustForwardedFor,
      BooleanSupplier ready, Metrics metrics, CallerAuth auth) {
    this.auth = auth;
    this.ready = ready;
    this.metrics = metrics;
    this.tokens = tokens;
    this.tickets = tickets;
    this.clock = clock;
    this.envelope = envelope;
    this.throttle = throttle;
    this.admin = admin;
    this.facade = new WeChatFacade(this, tokens, tickets, passThrough, throttle, clock, metrics,
        auth);
    this.trustForwardedFor = trustForwardedFor;
  }

  @Override
  public void handle(HttpServerRequest request) {
    String requestId = RequestIds.fromHeader(request.getHeader(X_REQUEST_ID));
    try {
      route(request, requestId);
    } catch (RuntimeException e) {
      internalError(request, requestId, e);
    }
  }

  /** Answers requests Netty could not decode (over-long line or headers, bad syntax). */
  void invalid(HttpServerRequest request) {
    String requestId = RequestIds.newId();
    int status = request.decoderResult().cause() instanceof io.netty.handler.codec.TooLongFrameException
        ? 431 : 400;
    metrics.answered(Endpoint.OTHER, ApiError.MALFORMED_BODY.outcome);
    sendAndClose(request, status, envelope.error(ApiError.MALFORMED_BODY,
        "the HTTP request could not be read (request line or headers too long or malformed)",
        requestId), requestId);
  }

  private void route(HttpServerRequest request, String requestId) {
    String path = request.path();
    TokenRequest.Kind kind = path.equals(TOKEN_PATH) ? TokenRequest.Kind.TOKEN : switch (path) {
      case TOKEN_INFO_PATH -> TokenRequest.Kind.TOKEN;
      case REFRESH_PATH -> TokenRequest.Kind.REFRESH;
      case TICKET_PATH -> TokenRequest.Kind.TICKET;
      case SIGN_PATH -> TokenRequest.Kind.SIGN;
      default -> null;
    };
    if (kind != null) {
      if (request.method() != HttpMethod.POST) {
        request.response().putHeader(HttpHeaders.ALLOW, "POST");
        fail(request, 405, ApiError.METHOD_NOT_ALLOWED,
            request.method() + " is not supported on " + path + "; use POST", requestId);
        return;
      }
      readBody(request, requestId, body -> onBody(request, requestId, body, kind));
    } else if (path.startsWith(WeChatFacade.PREFIX)) {
      facade.handle(request, requestId, address(request));
    } else if (path.startsWith(AdminApi.PREFIX)) {
      admin.handle(request, requestId);
    } else if (path.equals(HEALTH_PATH) && request.method() == HttpMethod.GET) {
      send(request, 200, HEALTH_UP, requestId);
    } else if (path.equals(READY_PATH) && request.method() == HttpMethod.GET) {
      boolean up = ready.getAsBoolean();
      send(request, up ? 200 : 503, up ? READY : NOT_READY, requestId);
    } else {
      fail(request, 404, ApiError.NOT_FOUND,
          "no such endpoint: " + request.method() + " " + sanitize(path), requestId);
    }
  }

  /** Reads the body within the API's limit, then hands it to {@code then} on the event loop. */
  void readBody(HttpServerRequest request, String requestId, Consumer<byte[]> then) {
    readBody(request, requestId, MAX_BODY_BYTES, then);
  }

  /** Reads a body of at most {@code limit} bytes, answering 413 beyond it. */
  void readBody(HttpServerRequest request, String requestId, int limit, Consumer<byte[]> then) {
    String declared = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (declared != null && isOver(declared, limit)) {
      if (isOver(declared, Math.max(limit, DRAIN_LIMIT_BYTES))) {
        tooLarge(request, requestId, limit);
      } else {
        request.handler(chunk -> { }); // drop it, then answer on a clean connection
        request.endHandler(v -> tooLarge(request, requestId, limit));
      }
      return;
    }
    BodyCollector body = new BodyCollector(request, requestId, limit, then);
    request.handler(body);
    request.endHandler(v -> body.end());
  }

  private static boolean isOver(String contentLength, int limit) {
    try {
      return Long.parseLong(contentLength.trim()) > limit;
    } catch (NumberFormatException e) {
      return false; // Netty rejects a malformed Content-Length before we see the request
    }
  }

  /** Accumulates a request body up to the limit, answering 413 the moment it is exceeded. */
  private final class BodyCollector implements Handler<Buffer> {
    private final HttpServerRequest request;
    private final String requestId;
    private final int limit;
    private final Consumer<byte[]> then;
    private Buffer body;
    private boolean copied;
    private boolean overflowed;
    private long received;

    BodyCollector(HttpServerRequest request, String requestId, int limit, Consumer<byte[]> then) {
      this.request = request;
      this.requestId = requestId;
      this.limit = limit;
      this.then = then;
    }

    @Override
    public void handle(Buffer chunk) {
      received += chunk.length();
      if (overflowed) {
        if (received > Math.max(limit, DRAIN_LIMIT_BYTES)) {
          tooLarge(request, requestId, limit); // no end in sight: cut it off
        }
        return;
      }
      if (received > limit) {
        overflowed = true; // keep reading, dropping it, and answer at its end
        body = null;
        return;
      }
      if (body == null) {
        body = chunk; // a body is almost always one chunk: read it in place
      } else {
        if (!copied) {
          body = body.copy(); // ours to grow, whatever the first chunk's buffer is
          copied = true;
        }
        body.appendBuffer(chunk);
      }
    }

    void end() {
      if (overflowed) {
        tooLarge(request, requestId, limit);
      } else {
        try {
          then.accept(body == null ? new byte[0] : body.getBytes());
        } catch (RuntimeException e) {
          internalError(request, requestId, e);
        }
      }
    }
  }

  private void tooLarge(HttpServerRequest request, String requestId, int limit) {
    metrics.answered(endpoint(request.path()), ApiError.PAYLOAD_TOO_LARGE.outcome);
    // The rest of the body is not read: close the connection once the answer is out.
    sendAndClose(request, 200, envelope.error(ApiError.PAYLOAD_TOO_LARGE,
        "request body is larger than " + limit + " bytes", requestId), requestId);
  }

  private void onBody(HttpServerRequest request, String requestId, byte[] body,
      TokenRequest.Kind kind) {
    // The address is only needed once something failed: skip it while the throttle is quiet.
    String address = throttle.isQuiet() ? null : address(request);
    if (address != null && throttle.isBlocked(address)) {
      fail(request, 200, ApiError.THROTTLED,
          "too many failed appSecret checks from this address; retry in a minute", requestId);
      return;
    }
    TokenRequest parsed;
    TokenRequest.Syntax syntax;
    try {
      syntax = TokenRequest.syntax(request.getHeader(HttpHeaders.CONTENT_TYPE), body);
      if (kind == TokenRequest.Kind.TOKEN) {
        TokenRequest known = knownRequests.get(syntax, body);
        if (known != null) {
          token(request, requestId, address, known, null, syntax);
          return;
        }
      }
      parsed = TokenRequest.parse(syntax, body, kind);
    } catch (ApiException e) {
      // No appSecret in the body: a caller key may come as Authorization: Bearer (wxtoken's
      // client). Such a parse is never remembered: the body alone does not carry the key.
      String bearer = auth.bearerKey(request.getHeader(HttpHeaders.AUTHORIZATION));
      TokenRequest withKey = null;
      if (bearer != null) {
        try {
          withKey = TokenRequest.parse(TokenRequest.syntax(
              request.getHeader(HttpHeaders.CONTENT_TYPE), body), body, kind, bearer);
        } catch (ApiException again) {
          withKey = null;
        }
      }
      if (withKey == null) {
        fail(request, 200, e.error, e.getMessage(), requestId);
        return;
      }
      if (kind == TokenRequest.Kind.TOKEN) {
        keyToken(request, requestId, withKey, null, null);
      } else {
        keyOther(request, requestId, withKey, kind);
      }
      return;
    }
    if (kind == TokenRequest.Kind.TOKEN) {
      token(request, requestId, address, parsed, body, syntax);
    } else {
      other(request, requestId, address, parsed, kind);
    }
  }

  /**
   * The hot path, kept small so the JIT inlines it: a hit is answered inline. {@code body} is
   * the request's body when it was parsed just now (null when it came from
   * {@link KnownRequests}): a hit proves its secret, so it is remembered.
   */
  private void token(HttpServerRequest request, String requestId, String address,
      TokenRequest parsed, byte[] body, TokenRequest.Syntax syntax) {
    if (auth.takes(parsed.appSecret())) {
      keyToken(request, requestId, parsed, body, syntax);
      return;
    }
    String appId = parsed.appId();
    AccessToken hit = tokens.hit(appId, parsed.appSecret());
    if (hit != null) {
      if (body != null) {
        knownRequests.remember(syntax, body, parsed);
      }
      metrics.tokenFromMemory();
      send(request, 200, envelope.success(requestId, rendered(appId, hit)), requestId);
      return;
    }
    metrics.tokenWaits();
    String from = address != null ? address : address(request);
    whenDone(request, requestId, address, auth.watchSecret(appId, from, requestId,
        tokens.get(appId, parsed.appSecret())), token -> rendered(appId, token));
  }

  /**
   * A caller key where the AppSecret goes ({@link CallerAuth}): checked, then the app's token
   * fetched with its stored secret. A key's repeat body is remembered like a secret's.
   */
  private void keyToken(HttpServerRequest request, String requestId, TokenRequest parsed,
      byte[] body, TokenRequest.Syntax syntax) {
    String appId = parsed.appId();
    if (keyAllowed(request, requestId, parsed, io.wxtoken.access.Operation.TOKEN) == null) {
      return;
    }
    AccessToken hit = tokens.trustedHit(appId);
    if (hit != null) {
      if (body != null) {
        knownRequests.remember(syntax, body, parsed);
      }
      metrics.tokenFromMemory();
      send(request, 200, envelope.success(requestId, rendered(appId, hit)), requestId);
      return;
    }
    if (!registered(request, requestId, appId)) {
      return;
    }
    metrics.tokenWaits();
    whenDone(request, requestId, null, tokens.getWithStoredSecret(appId),
        token -> rendered(appId, token));
  }

  /** The verdict if the key may do {@code operation}; else null, the refusal answered and counted. */
  private io.wxtoken.access.Verdict keyAllowed(HttpServerRequest request, String requestId, TokenRequest parsed,
      io.wxtoken.access.Operation operation) {
    String from = address(request);
    io.wxtoken.access.Verdict verdict = auth.authenticate(parsed.appSecret(), parsed.appId(),
        operation, from, requestId);
    if (!verdict.accepted()) {
      if (verdict.refusal().countsAsFailure()) {
        auth.failed(throttle, from, parsed.appId(), requestId);
      }
      fail(request, 200, CallerAuth.error(verdict.refusal()), verdict.message(), requestId);
      return null;
    }
    return verdict;
  }

  /** Whether a key caller can be served the app; if not, the refusal is answered. */
  private boolean registered(HttpServerRequest request, String requestId, String appId) {
    if (auth.registered(appId)) {
      return true;
    }
    fail(request, 200, ApiError.APP_NOT_REGISTERED, "appId " + appId
        + " is not registered here with its secret stored; a caller key cannot register it",
        requestId);
    return false;
  }

  /** The refresh, ticket and signing endpoints with a caller key. */
  private void keyOther(HttpServerRequest request, String requestId, TokenRequest parsed,
      TokenRequest.Kind kind) {
    String appId = parsed.appId();
    io.wxtoken.access.Operation operation = switch (kind) {
      case TOKEN -> io.wxtoken.access.Operation.TOKEN;
      case REFRESH -> io.wxtoken.access.Operation.REFRESH;
      case TICKET -> io.wxtoken.access.Operation.TICKET;
      case SIGN -> io.wxtoken.access.Operation.SIGN;
    };
    io.wxtoken.access.Verdict verdict = keyAllowed(request, requestId, parsed, operation);
    if (verdict == null || !registered(request, requestId, appId)) {
      return;
    }
    String actor = verdict.actor();
    switch (kind) {
      case REFRESH -> whenDone(request, requestId, null, auth.watchForcedRefresh(appId, actor,
          requestId, tokens.refreshWithStoredSecret(appId, parsed.staleToken())),
          token -> rendered(appId, token));
      case TICKET -> whenDone(request, requestId, null, tokens.getWithStoredSecret(appId)
          .thenCompose(token -> tickets.getForToken(token.value(), TicketType.parse(parsed.type()))),
          envelope::ticketData);
      case SIGN -> whenDone(request, requestId, null, tokens.getWithStoredSecret(appId)
          .thenCompose(token -> tickets.getForToken(token.value(), TicketType.JSAPI)),
          ticket -> envelope.signatureData(JsSdkSignature.sign(appId, ticket.value(), parsed.url(),
              clock.instant().getEpochSecond(), JsSdkSignature.nonce(random))));
      case TOKEN -> whenDone(request, requestId, null, tokens.getWithStoredSecret(appId),
          token -> rendered(appId, token));
    }
  }

  private void other(HttpServerRequest request, String requestId, String address,
      TokenRequest parsed, TokenRequest.Kind kind) {
    if (auth.takes(parsed.appSecret())) {
      keyOther(request, requestId, parsed, kind);
      return;
    }
    String appId = parsed.appId();
    switch (kind) {
      case REFRESH -> whenDone(request, requestId, address, auth.watchForcedRefresh(appId,
          "address:" + address(request), requestId,
          tokens.refresh(appId, parsed.appSecret(), parsed.staleToken())),
          token -> rendered(appId, token));
      case TICKET -> whenDone(request, requestId, address,
          tickets.get(appId, parsed.appSecret(), TicketType.parse(parsed.type())),
          envelope::ticketData);
      case SIGN -> whenDone(request, requestId, address,
          tickets.get(appId, parsed.appSecret(), TicketType.JSAPI),
          ticket -> envelope.signatureData(JsSdkSignature.sign(appId, ticket.value(), parsed.url(),
              clock.instant().getEpochSecond(), JsSdkSignature.nonce(random))));
      case TOKEN -> token(request, requestId, address, parsed, null, null);
    }
  }

  private byte[] rendered(String appId, AccessToken token) {
    Rendered current = rendered.get(appId);
    if (current == null || current.token() != token) {
      current = new Rendered(token, envelope.data(token));
      rendered.put(appId, current);
    }
    return current.data();
  }

  /** Answers with {@code data} once {@code result} completes, back on the request's event loop. */
  private <T> void whenDone(HttpServerRequest request, String requestId, String address,
      CompletableFuture<T> result, Function<T, byte[]> data) {
    onEventLoop(result, (value, failure) -> {
      if (failure == null) {
        metrics.answered(endpoint(request.path()), Metrics.OK);
        send(request, 200, envelope.success(requestId, data.apply(value)), requestId);
      } else {
        answerFailure(request, requestId, address, failure);
      }
    });
  }

  /**
   * Runs {@code reply} when {@code result} completes, on the calling event loop: at once if it
   * already has, else handed back from whichever thread completed it.
   */
  static <T> void onEventLoop(CompletableFuture<T> result, BiConsumer<T, Throwable> reply) {
    Context context = Vertx.currentContext();
    result.whenComplete((value, failure) -> {
      if (Vertx.currentContext() == context) {
        reply.accept(value, failure);
      } else {
        context.runOnContext(v -> reply.accept(value, failure));
      }
    });
  }

  private void answerFailure(HttpServerRequest request, String requestId, String address,
      Throwable failure) {
    Throwable cause = Resilience.unwrap(failure);
    if (cause instanceof TicketException e) {
      fail(request, 200, e.errcode() == -1 ? ApiError.UPSTREAM_UNAVAILABLE : ApiError.UPSTREAM_ERROR,
          e.getMessage(), requestId);
      return;
    }
    if (!(cause instanceof TokenException error)) {
      internalError(request, requestId, cause);
      return;
    }
    switch (error.reason()) {
      case SECRET_MISMATCH -> {
        auth.failed(throttle, address != null ? address : address(request), null, requestId);
        fail(request, 200, ApiError.SECRET_MISMATCH, error.getMessage(), requestId);
      }
      case SECRET_REJECTED -> {
        auth.failed(throttle, address != null ? address : address(request), null, requestId);
        fail(request, 200, ApiError.SECRET_REJECTED, error.getMessage(), requestId);
      }
      case UPSTREAM_UNAVAILABLE -> fail(request, 200, ApiError.UPSTREAM_UNAVAILABLE,
          "cannot get a token from WeChat: " + error.getMessage(), requestId);
      case UPSTREAM_ERROR -> fail(request, 200, ApiError.UPSTREAM_ERROR, error.getMessage(), requestId);
      case QUOTA_EXHAUSTED -> fail(request, 200, ApiError.QUOTA_EXHAUSTED, error.getMessage(), requestId);
      case FORCED_REFRESH_LIMIT -> fail(request, 200, ApiError.FORCED_REFRESH_LIMIT,
          error.getMessage(), requestId);
      case CLUSTER_UNAVAILABLE -> fail(request, 200, ApiError.CLUSTER_UNAVAILABLE,
          error.getMessage(), requestId);
    }
  }

  private void internalError(HttpServerRequest request, String requestId, Throwable e) {
    log.error("internal error answering request {}", requestId, e);
    if (!request.response().ended()) {
      fail(request, 200, ApiError.INTERNAL, "internal error (requestId " + requestId + ")", requestId);
    }
  }

  void fail(HttpServerRequest request, int httpStatus, ApiError error, String message,
      String requestId) {
    metrics.answered(endpoint(request.path()), error.outcome);
    send(request, httpStatus, envelope.error(error, message, requestId), requestId);
  }

  static void send(HttpServerRequest request, int httpStatus, byte[] body, String requestId) {
    send(request, httpStatus, Buffer.buffer(body), requestId);
  }

  static void send(HttpServerRequest request, int httpStatus, Buffer body, String requestId) {
    HttpServerResponse response = request.response();
    if (response.ended()) {
      return;
    }
    response.setStatusCode(httpStatus)
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON_UTF8)
        .putHeader(X_REQUEST_ID, requestId)
        .end(body);
  }

  /** Answers, then closes the connection (whose request was not, or could not be, read). */
  private static void sendAndClose(HttpServerRequest request, int httpStatus, byte[] body,
      String requestId) {
    HttpServerResponse response = request.response();
    if (response.ended()) {
      return;
    }
    response.setStatusCode(httpStatus)
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON_UTF8)
        .putHeader(X_REQUEST_ID, requestId)
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end(Buffer.buffer(body))
        .onComplete(done -> request.connection().close());
  }

  /** Which endpoint {@code path} is, for the metrics. */
  private static Endpoint endpoint(String path) {
    return switch (path) {
      case TOKEN_PATH, TOKEN_INFO_PATH -> Endpoint.TOKEN;
      case REFRESH_PATH -> Endpoint.REFRESH;
      case TICKET_PATH -> Endpoint.TICKET;
      case SIGN_PATH -> Endpoint.SIGN;
      default -> path.startsWith(WeChatFacade.PREFIX) ? Endpoint.WECHAT_API : Endpoint.OTHER;
    };
  }

  /** The client's address, for throttling: the TCP peer, or what a trusted proxy says it saw. */
  String address(HttpServerRequest request) {
    if (trustForwardedFor) {
      String forwarded = request.getHeader(X_FORWARDED_FOR);
      if (forwarded != null) {
        // The last entry is the one our proxy appended; earlier ones are the client's to invent.
        String last = forwarded.substring(forwarded.lastIndexOf(',') + 1).trim();
        if (!last.isEmpty() && last.length() <= 64) {
          return last;
        }
      }
    }
    SocketAddress remote = request.remoteAddress();
    return remote == null || remote.hostAddress() == null ? "unknown" : remote.hostAddress();
  }

  private static String sanitize(String path) {
    String cut = path.length() > 100 ? path.substring(0, 100) + "…" : path;
    return cut.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
