package io.wxtoken.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.wxtoken.access.Operation;
import io.wxtoken.access.Verdict;
import io.wxtoken.metrics.Metrics;
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
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry of every HTTP request: builds the one {@link Router} (Authing's token endpoints, the
 * guarded refresh, tickets and signatures, {@code /health}, {@code /ready}, WeChat's
 * {@code /cgi-bin/} facade and pass-through, the admin view) and answers the Authing endpoints
 * itself.
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
  static final String READY_PATH = "/ready";

  private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
  private static final CharSequence X_FORWARDED_FOR = HttpHeaders.createOptimized("X-Forwarded-For");
  private static final byte[] HEALTH_UP = "{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8);
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
  private final Responder responder;
  private final BodyReader bodies;
  private final FailureThrottle throttle;
  private final boolean trustForwardedFor;
  private final ConcurrentMap<String, Rendered> rendered = new ConcurrentHashMap<>();
  private final KnownRequests knownRequests = new KnownRequests(KNOWN_REQUESTS);
  private final Metrics metrics;
  private final Router router;
  private final CallerAuth auth;

  HttpApi(TokenService tokens, TicketService tickets, Envelope envelope, FailureThrottle throttle,
      String adminToken, PassThrough passThrough, Clock clock, boolean trustForwardedFor,
      BooleanSupplier ready, Metrics metrics, CallerAuth auth) {
    this.auth = auth;
    this.metrics = metrics;
    this.tokens = tokens;
    this.tickets = tickets;
    this.clock = clock;
    this.envelope = envelope;
    this.throttle = throttle;
    this.trustForwardedFor = trustForwardedFor;
    this.responder = new Responder(envelope, metrics);
    this.bodies = new BodyReader(responder, this::internalError);
    WeChatFacade facade = new WeChatFacade(responder, bodies, tokens, tickets, passThrough,
        throttle, clock, this::address, auth);
    AdminApi admin = new AdminApi(tokens, responder, adminToken, metrics, throttle, this::address,
        bodies, new AccessAdmin(auth));
    // The first route is the hot one: matched by one string comparison.
    this.router = new Router(responder)
        .post(TOKEN_PATH, (request, id, path) -> authing(request, id, TokenRequest.Kind.TOKEN))
        .post(TOKEN_INFO_PATH, (request, id, path) -> authing(request, id, TokenRequest.Kind.TOKEN))
        .post(REFRESH_PATH, (request, id, path) -> authing(request, id, TokenRequest.Kind.REFRESH))
        .post(TICKET_PATH, (request, id, path) -> authing(request, id, TokenRequest.Kind.TICKET))
        .post(SIGN_PATH, (request, id, path) -> authing(request, id, TokenRequest.Kind.SIGN))
        .get(HEALTH_PATH, (request, id, path) -> responder.send(request, 200, HEALTH_UP, id))
        .get(READY_PATH, (request, id, path) -> {
          boolean up = ready.getAsBoolean();
          responder.send(request, up ? 200 : 503, up ? READY : NOT_READY, id);
        })
        .any(WeChatFacade.TOKEN_PATH, facade::token)
        .any(WeChatFacade.STABLE_TOKEN_PATH, facade::stableToken)
        .any(WeChatFacade.TICKET_PATH, facade::ticket)
        .under(WeChatFacade.PREFIX, facade::other)
        .under(AdminApi.PREFIX, admin::handle);
  }

  @Override
  public void handle(HttpServerRequest request) {
    String requestId = RequestIds.fromHeader(request.getHeader(Responder.X_REQUEST_ID));
    try {
      router.route(request, requestId, this::notFound, this::badTarget);
    } catch (RuntimeException e) {
      internalError(request, requestId, e);
    }
  }

  private void notFound(HttpServerRequest request, String requestId, String path) {
    responder.fail(request, 404, ApiError.NOT_FOUND,
        "no such endpoint: " + request.method() + " " + Responder.sanitize(path), requestId);
  }

  /** A target that is not origin-form or not normalizable: nothing is routed, nothing forwarded. */
  private void badTarget(HttpServerRequest request, String requestId, String reason) {
    if (request.uri().contains(WeChatFacade.PREFIX) || request.uri().contains("cgi-bin")) {
      responder.wechat(request, 400, 40066, "invalid url (wxtoken: " + reason + ")", requestId,
          "refused");
    } else {
      responder.fail(request, 400, ApiError.INVALID_PARAMETER, reason, requestId);
    }
  }

  /** Answers requests Netty could not decode (over-long line or headers, bad syntax). */
  void invalid(HttpServerRequest request) {
    String requestId = RequestIds.newId();
    int status = request.decoderResult().cause() instanceof io.netty.handler.codec.TooLongFrameException
        ? 431 : 400;
    metrics.answered(Metrics.Endpoint.OTHER, ApiError.MALFORMED_BODY.outcome);
    responder.sendAndClose(request, status, envelope.error(ApiError.MALFORMED_BODY,
        "the HTTP request could not be read (request line or headers too long or malformed)",
        requestId), requestId);
  }

  private void authing(HttpServerRequest request, String requestId, TokenRequest.Kind kind) {
    bodies.read(request, requestId, body -> onBody(request, requestId, body, kind));
  }

  private void onBody(HttpServerRequest request, String requestId, byte[] body,
      TokenRequest.Kind kind) {
    // The address is only needed once something failed: skip it while the throttle is quiet.
    String address = throttle.isQuiet() ? null : address(request);
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
      TokenRequest withKey = withBearerKey(request, body, kind);
      if (withKey == null) {
        responder.fail(request, 200, e.error, e.getMessage(), requestId);
      } else {
        keyed(request, requestId, withKey, kind, null, null);
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
      keyed(request, requestId, parsed, TokenRequest.Kind.TOKEN, body, syntax);
      return;
    }
    String appId = parsed.appId();
    AccessToken hit = tokens.hit(appId, parsed.appSecret());
    if (hit != null) {
      if (body != null) {
        knownRequests.remember(syntax, body, parsed);
      }
      metrics.tokenFromMemory();
      responder.send(request, 200, envelope.success(requestId, rendered(appId, hit)), requestId);
      return;
    }
    if (address != null && throttle.refuses(address)) {
      throttled(request, requestId);
      return;
    }
    metrics.tokenWaits();
    String from = address != null ? address : address(request);
    whenDone(request, requestId, from, auth.watchSecret(appId, from, requestId,
        tokens.get(appId, parsed.appSecret(), from)), token -> rendered(appId, token));
  }

  /** The request again with the caller key of its {@code Authorization: Bearer}; else null. */
  private TokenRequest withBearerKey(HttpServerRequest request, byte[] body,
      TokenRequest.Kind kind) {
    String bearer = auth.bearerKey(request.getHeader(HttpHeaders.AUTHORIZATION));
    if (bearer == null) {
      return null;
    }
    try {
      return TokenRequest.parse(TokenRequest.syntax(request.getHeader(HttpHeaders.CONTENT_TYPE),
          body), body, kind, bearer);
    } catch (ApiException e) {
      return null;
    }
  }

  /**
   * A caller key where the AppSecret goes ({@link CallerAuth}): checked, then served with the
   * app's stored secret. {@code body} is the token request's body when it was parsed just now
   * (else null): a key's repeat body is remembered like a secret's, and checked again each time.
   */
  private void keyed(HttpServerRequest request, String requestId, TokenRequest parsed,
      TokenRequest.Kind kind, byte[] body, TokenRequest.Syntax syntax) {
    String appId = parsed.appId();
    String from = address(request);
    Verdict verdict = auth.authenticate(parsed.appSecret(), appId, operation(kind), from,
        requestId);
    if (!verdict.accepted()) {
      refused(request, requestId, from, appId, verdict);
      return;
    }
    if (kind == TokenRequest.Kind.TOKEN) {
      AccessToken hit = tokens.trustedHit(appId);
      if (hit != null) {
        if (body != null) {
          knownRequests.remember(syntax, body, parsed);
        }
        metrics.tokenFromMemory();
        responder.send(request, 200, envelope.success(requestId, rendered(appId, hit)), requestId);
        return;
      }
    }
    if (!auth.registered(appId)) {
      responder.fail(request, 200, ApiError.APP_NOT_REGISTERED, "appId " + appId
          + " is not registered here with its secret stored; a caller key cannot register it",
          requestId);
      return;
    }
    switch (kind) {
      case TOKEN -> {
        metrics.tokenWaits();
        whenDone(request, requestId, from, tokens.getWithStoredSecret(appId),
            token -> rendered(appId, token));
      }
      case REFRESH -> whenDone(request, requestId, from, auth.watchForcedRefresh(appId,
          verdict.actor(), requestId, tokens.refreshWithStoredSecret(appId, parsed.staleToken())),
          token -> rendered(appId, token));
      case TICKET -> whenDone(request, requestId, from, tokens.getWithStoredSecret(appId)
          .thenCompose(token -> tickets.getForToken(token.value(), TicketType.parse(parsed.type()))),
          envelope::ticketData);
      case SIGN -> whenDone(request, requestId, from, tokens.getWithStoredSecret(appId)
          .thenCompose(token -> tickets.getForToken(token.value(), TicketType.JSAPI)),
          ticket -> envelope.signatureData(JsSdkSignature.sign(appId, ticket.value(), parsed.url(),
              clock.instant().getEpochSecond(), JsSdkSignature.nonce(random))));
    }
  }

  /**
   * Answers a refused key. A refusal that proves nothing (an unknown, revoked or out-of-scope key,
   * an AppSecret where only keys go) counts in the throttle like a failed secret; once the address
   * is blocked it is told only that.
   */
  private void refused(HttpServerRequest request, String requestId, String from, String appId,
      Verdict verdict) {
    if (verdict.refusal().countsAsFailure()) {
      if (throttle.refuses(from)) {
        throttled(request, requestId);
        return;
      }
      auth.failed(throttle, from, appId, requestId);
    }
    responder.fail(request, 200, WireErrors.apiError(verdict.refusal()), verdict.message(),
        requestId);
  }

  private static Operation operation(TokenRequest.Kind kind) {
    return switch (kind) {
      case TOKEN -> Operation.TOKEN;
      case REFRESH -> Operation.REFRESH;
      case TICKET -> Operation.TICKET;
      case SIGN -> Operation.SIGN;
    };
  }

  private void other(HttpServerRequest request, String requestId, String address,
      TokenRequest parsed, TokenRequest.Kind kind) {
    if (auth.takes(parsed.appSecret())) {
      keyed(request, requestId, parsed, kind, null, null);
      return;
    }
    String appId = parsed.appId();
    // Blocked: refused unless the secret is proven by a cached token (never throttle a caller
    // whose secret verifies, whoever else shares its address).
    if (kind != TokenRequest.Kind.TOKEN && address != null && throttle.isBlocked(address)
        && tokens.hit(appId, parsed.appSecret()) == null && throttle.refuses(address)) {
      throttled(request, requestId);
      return;
    }
    switch (kind) {
      case REFRESH -> {
        String from = address != null ? address : address(request);
        whenDone(request, requestId, from, auth.watchForcedRefresh(appId, "address:" + from,
            requestId, tokens.refresh(appId, parsed.appSecret(), parsed.staleToken(), from)),
            token -> rendered(appId, token));
      }
      case TICKET -> whenDone(request, requestId, address,
          tickets.get(appId, parsed.appSecret(), TicketType.parse(parsed.type()),
              address != null ? address : address(request)),
          envelope::ticketData);
      case SIGN -> whenDone(request, requestId, address,
          tickets.get(appId, parsed.appSecret(), TicketType.JSAPI,
              address != null ? address : address(request)),
          ticket -> envelope.signatureData(JsSdkSignature.sign(appId, ticket.value(), parsed.url(),
              clock.instant().getEpochSecond(), JsSdkSignature.nonce(random))));
      case TOKEN -> token(request, requestId, address, parsed, null, null);
    }
  }

  private void throttled(HttpServerRequest request, String requestId) {
    responder.fail(request, 200, ApiError.THROTTLED,
        "too many failed appSecret checks from this address; retry in a minute", requestId);
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
    Responder.onEventLoop(result, (value, failure) -> {
      if (failure == null) {
        metrics.answered(Responder.endpoint(request.path()), Metrics.OK);
        responder.send(request, 200, envelope.success(requestId, data.apply(value)), requestId);
      } else {
        answerFailure(request, requestId, address, failure);
      }
    });
  }

  private void answerFailure(HttpServerRequest request, String requestId, String address,
      Throwable failure) {
    Throwable cause = Resilience.unwrap(failure);
    if (cause instanceof TicketException e) {
      responder.fail(request, 200, WireErrors.apiError(e), e.getMessage(), requestId);
      return;
    }
    if (!(cause instanceof TokenException error)) {
      internalError(request, requestId, cause);
      return;
    }
    if (WireErrors.isFailedCredential(error)) {
      auth.failed(throttle, address != null ? address : address(request), null, requestId);
    }
    responder.fail(request, 200, WireErrors.apiError(error), WireErrors.apiMessage(error),
        requestId);
  }

  private void internalError(HttpServerRequest request, String requestId, Throwable e) {
    log.error("internal error answering request {}", requestId, e);
    if (!request.response().ended()) {
      responder.fail(request, 200, ApiError.INTERNAL, "internal error (requestId " + requestId + ")",
          requestId);
    }
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
}
