package io.wxtoken.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.wxtoken.access.Operation;
import io.wxtoken.access.Verdict;
import io.wxtoken.metrics.Metrics;
import io.wxtoken.metrics.Metrics.Endpoint;
import io.wxtoken.ticket.TicketException;
import io.wxtoken.ticket.TicketService;
import io.wxtoken.ticket.TicketType;
import io.wxtoken.token.AccessToken;
import io.wxtoken.token.Resilience;
import io.wxtoken.token.TokenException;
import io.wxtoken.token.TokenService;
import java.io.IOException;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WeChat's own token endpoints, answered from wxtoken's cache, so an existing SDK (WxJava,
 * EasyWeChat, wechatpy, silenceper/wechat) needs only its API host changed to stop overwriting
 * other services' tokens:
 *
 * <ul>
 *   <li>{@code GET /cgi-bin/token?grant_type=client_credential&appid=..&secret=..}
 *   <li>{@code POST /cgi-bin/stable_token} with {@code {"grant_type","appid","secret",
 *       "force_refresh"}}
 *   <li>{@code GET /cgi-bin/ticket/getticket?access_token=..&type=jsapi|wx_card}: the access token
 *       must be one wxtoken issued (it identifies the app, as at WeChat; no secret needed)
 * </ul>
 *
 * <p>Every other {@code /cgi-bin/} call is forwarded to WeChat unchanged ({@link PassThrough}),
 * so the SDK's single API host setting can point at wxtoken.
 *
 * <p>Success is {@code {"access_token":"…","expires_in":N}} with N the token's <em>real</em>
 * remaining seconds; failures are {@code {"errcode":…,"errmsg":"…"}} (HTTP 200), with WeChat's
 * codes. The secret checks and throttles are the Authing API's. {@code force_refresh: true} is the
 * guarded refresh of the current token: within WeChat's limits (20 a day, 30 s apart) it replaces
 * it once for everyone; beyond them it returns the current token, as WeChat does. A plain call
 * never refreshes, whatever the SDK saw: a 40001 it reports by calling again gets the cached token.
 *
 * <p>A caller key ({@link CallerAuth}) goes where the {@code secret} goes: checked (for
 * {@code force_refresh} also for the refresh operation), then served with the app's stored secret.
 */
final class WeChatFacade {
  static final String PREFIX = "/cgi-bin/";
  static final String TOKEN_PATH = "/cgi-bin/token";
  static final String STABLE_TOKEN_PATH = "/cgi-bin/stable_token";
  static final String TICKET_PATH = "/cgi-bin/ticket/getticket";

  private static final Logger log = LoggerFactory.getLogger(WeChatFacade.class);
  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private static final WireErrors.WeChatError THROTTLED = new WireErrors.WeChatError(45011,
      "api minute-quota reach limit, must slower, retry next minute (wxtoken: too many failed"
          + " credential checks from this address)");

  private final Responder responder;
  private final BodyReader bodies;
  private final TokenService tokens;
  private final TicketService tickets;
  private final PassThrough passThrough;
  private final FailureThrottle throttle;
  private final Clock clock;
  private final Metrics metrics;
  private final Function<HttpServerRequest, String> address;
  private final CallerAuth auth;

  WeChatFacade(Responder responder, BodyReader bodies, TokenService tokens, TicketService tickets,
      PassThrough passThrough, FailureThrottle throttle, Clock clock,
      Function<HttpServerRequest, String> address, CallerAuth auth) {
    this.auth = auth;
    this.responder = responder;
    this.bodies = bodies;
    this.metrics = responder.metrics();
    this.tokens = tokens;
    this.tickets = tickets;
    this.passThrough = passThrough;
    this.throttle = throttle;
    this.clock = clock;
    this.address = address;
  }

  /** A WeChat-format refusal thrown while reading a call. */
  private static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient WireErrors.WeChatError refusal;

    Refused(int errcode, String errmsg) {
      super(errmsg, null, false, false);
      this.refusal = new WireErrors.WeChatError(errcode, errmsg);
    }
  }

  /** {@code GET /cgi-bin/token}. */
  void token(HttpServerRequest request, String requestId, String path) {
    if (request.method() != HttpMethod.GET) {
      refuse(request, requestId, new WireErrors.WeChatError(43001, "require GET method"));
      return;
    }
    answer(request, requestId, address.apply(request), false, () -> new Call(
        request.getParam("grant_type"), request.getParam("appid"), request.getParam("secret"),
        false));
  }

  /** {@code POST /cgi-bin/stable_token}. */
  void stableToken(HttpServerRequest request, String requestId, String path) {
    if (request.method() != HttpMethod.POST) {
      refuse(request, requestId, new WireErrors.WeChatError(43002, "require POST method"));
      return;
    }
    String from = address.apply(request);
    bodies.read(request, requestId,
        body -> answer(request, requestId, from, true, () -> parseStable(body)));
  }

  /** Every other {@code /cgi-bin/} call: forwarded to WeChat, or refused when that is off. */
  void other(HttpServerRequest request, String requestId, String path) {
    if (passThrough != null) {
      passThrough.forward(request, path, requestId);
    } else {
      metrics.answered(Endpoint.WECHAT_API, "not_found");
      responder.send(request, 404, Responder.wechatError(-1, "wxtoken serves /cgi-bin/token,"
          + " /cgi-bin/stable_token and /cgi-bin/ticket/getticket only; call WeChat itself for"
          + " other APIs"), requestId);
    }
  }

  /** {@code GET /cgi-bin/ticket/getticket}. */
  void ticket(HttpServerRequest request, String requestId, String path) {
    String accessToken = request.getParam("access_token");
    if (accessToken == null || accessToken.isEmpty()) {
      refuse(request, requestId, new WireErrors.WeChatError(41001, "access_token missing"));
      return;
    }
    TicketType type;
    try {
      type = TicketType.parse(request.getParam("type"));
    } catch (IllegalArgumentException e) {
      refuse(request, requestId, new WireErrors.WeChatError(40097, "invalid args (type must be jsapi or wx_card)"));
      return;
    }
    Responder.onEventLoop(tickets.getForToken(accessToken, type), (ticket, failure) -> {
      if (failure == null) {
        long left = Math.max(0, ticket.expiresAt().toEpochMilli() - clock.millis()) / 1000;
        metrics.answered(Endpoint.WECHAT_API, Metrics.OK);
        responder.send(request, 200, Responder.write(g -> {
          g.writeStartObject();
          g.writeNumberField("errcode", 0);
          g.writeStringField("errmsg", "ok");
          g.writeStringField("ticket", ticket.value());
          g.writeNumberField("expires_in", left);
          g.writeEndObject();
        }), requestId);
        return;
      }
      Throwable cause = Resilience.unwrap(failure);
      if (cause instanceof TicketException e) {
        refuse(request, requestId, WireErrors.wechat(e));
      } else {
        log.error("internal error answering request {}", requestId, cause);
        refuse(request, requestId, WireErrors.internal(requestId));
      }
    });
  }

  /** One token request in WeChat's terms. */
  private record Call(String grantType, String appId, String secret, boolean forceRefresh) {}

  private interface CallSource {
    Call get();
  }

  private void answer(HttpServerRequest request, String requestId, String address, boolean stable,
      CallSource source) {
    Call call;
    try {
      call = validated(source.get(), stable);
    } catch (Refused e) {
      refuse(request, requestId, e.refusal);
      return;
    }
    if (auth.takes(call.secret())) {
      keyAnswer(request, requestId, address, stable, call);
      return;
    }
    // A blocked address is refused only what its secret does not prove: a caller behind the
    // same NAT as a guesser keeps its token.
    if (throttle.isBlocked(address) && tokens.hit(call.appId(), call.secret()) == null
        && throttle.refuses(address)) {
      refuse(request, requestId, THROTTLED);
      return;
    }
    CompletableFuture<AccessToken> token = call.forceRefresh()
        ? tokens.get(call.appId(), call.secret(), address).thenCompose(current ->
            tokens.refresh(call.appId(), call.secret(), current.value(), address)
                .exceptionallyCompose(failure -> isForcedLimit(failure)
                    ? CompletableFuture.completedFuture(current) // WeChat: "否则不会刷新"
                    : CompletableFuture.failedFuture(failure)))
        : auth.watchSecret(call.appId(), address, requestId,
            tokens.get(call.appId(), call.secret(), address));
    if (call.forceRefresh()) {
      token = auth.watchForcedRefresh(call.appId(), "address:" + address, requestId, token);
    }
    Responder.onEventLoop(token,
        (issued, failure) -> reply(request, requestId, address, stable, issued, failure));
  }

  /**
   * A caller key as the {@code secret}: checked, then the app's token with its stored secret. A
   * refusal that proves nothing counts in the throttle like a failed secret; once the address is
   * blocked it is told only that.
   */
  private void keyAnswer(HttpServerRequest request, String requestId, String address,
      boolean stable, Call call) {
    String appId = call.appId();
    Verdict verdict = auth.authenticate(call.secret(), appId,
        call.forceRefresh() ? Operation.REFRESH : Operation.TOKEN, address, requestId);
    if (!verdict.accepted()) {
      if (verdict.refusal().countsAsFailure()) {
        if (throttle.refuses(address)) {
          refuse(request, requestId, THROTTLED);
          return;
        }
        auth.failed(throttle, address, appId, requestId);
      }
      refuse(request, requestId, WireErrors.wechat(verdict.refusal(), verdict.message(), stable));
      return;
    }
    AccessToken hit = call.forceRefresh() ? null : tokens.trustedHit(appId);
    if (hit != null) {
      reply(request, requestId, address, stable, hit, null);
      return;
    }
    if (!auth.registered(appId)) {
      refuse(request, requestId, new WireErrors.WeChatError(40013, "invalid appid (wxtoken: appId "
          + appId + " is not registered here with its secret stored; a caller key cannot"
          + " register it)"));
      return;
    }
    CompletableFuture<AccessToken> token = call.forceRefresh()
        ? auth.watchForcedRefresh(appId, verdict.actor(), requestId,
            tokens.getWithStoredSecret(appId).thenCompose(current ->
                tokens.refreshWithStoredSecret(appId, current.value())
                    .exceptionallyCompose(failure -> isForcedLimit(failure)
                        ? CompletableFuture.completedFuture(current)
                        : CompletableFuture.failedFuture(failure))))
        : tokens.getWithStoredSecret(appId);
    Responder.onEventLoop(token,
        (issued, failure) -> reply(request, requestId, address, stable, issued, failure));
  }

  private static boolean isForcedLimit(Throwable failure) {
    Throwable cause = Resilience.unwrap(failure);
    return cause instanceof TokenException e
        && e.reason() == TokenException.Reason.FORCED_REFRESH_LIMIT;
  }

  private void reply(HttpServerRequest request, String requestId, String address, boolean stable,
      AccessToken token, Throwable failure) {
    if (failure == null) {
      long left = Math.max(0, token.expiresAt().toEpochMilli() - clock.millis()) / 1000;
      metrics.answered(Endpoint.WECHAT_API, Metrics.OK);
      responder.send(request, 200, Responder.write(g -> {
        g.writeStartObject();
        g.writeStringField("access_token", token.value());
        g.writeNumberField("expires_in", left);
        g.writeEndObject();
      }), requestId);
      return;
    }
    Throwable cause = Resilience.unwrap(failure);
    if (!(cause instanceof TokenException e)) {
      log.error("internal error answering request {}", requestId, cause);
      refuse(request, requestId, WireErrors.internal(requestId));
      return;
    }
    if (WireErrors.isFailedCredential(e)) {
      auth.failed(throttle, address, null, requestId);
    }
    refuse(request, requestId, WireErrors.wechat(e, stable));
  }

  private static Call parseStable(byte[] body) {
    String grantType = null;
    String appId = null;
    String secret = null;
    boolean force = false;
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new Refused(47001, "data format error");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        switch (name) {
          case "grant_type" -> grantType = text(p, value);
          case "appid" -> appId = text(p, value);
          case "secret" -> secret = text(p, value);
          case "force_refresh" -> force = value == JsonToken.VALUE_TRUE
              || (value == JsonToken.VALUE_STRING && "true".equals(p.getText()));
          default -> p.skipChildren();
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw new Refused(47001, "data format error"); // truncated, or bytes after the object
      }
    } catch (IOException e) {
      throw new Refused(47001, "data format error");
    }
    return new Call(grantType, appId, secret, force);
  }

  private static String text(JsonParser p, JsonToken value) throws IOException {
    if (value == JsonToken.VALUE_STRING) {
      return p.getText();
    }
    p.skipChildren();
    return value == JsonToken.VALUE_NULL ? null : "";
  }

  /** WeChat's checks, in WeChat's order, then the Authing API's bounds on the values. */
  private static Call validated(Call call, boolean stable) {
    if (call.appId() == null || call.appId().isEmpty()) {
      throw new Refused(41002, "appid missing");
    }
    if (call.secret() == null || call.secret().isEmpty()) {
      throw new Refused(41004, "appsecret missing");
    }
    if (!"client_credential".equals(call.grantType())) {
      throw new Refused(40002, "invalid grant_type");
    }
    try {
      TokenRequest.validated(call.appId(), call.secret(), null);
    } catch (ApiException e) {
      throw e.getMessage().startsWith("appId")
          ? new Refused(40013, "invalid appid (wxtoken: " + e.getMessage() + ")")
          : new Refused(stable ? 40125 : 40001, "invalid appsecret (wxtoken: " + e.getMessage() + ")");
    }
    return call;
  }

  private void refuse(HttpServerRequest request, String requestId, WireErrors.WeChatError refusal) {
    responder.wechat(request, 200, refusal.errcode(), refusal.errmsg(), requestId, "refused");
  }
}
