package io.wxtoken.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.wxtoken.metrics.Metrics;
import io.wxtoken.metrics.Metrics.Endpoint;
import io.wxtoken.ticket.TicketException;
import io.wxtoken.ticket.TicketService;
import io.wxtoken.ticket.TicketType;
import io.wxtoken.token.AccessToken;
import io.wxtoken.token.Resilience;
import io.wxtoken.token.TokenException;
import io.wxtoken.token.TokenService;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
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
 */
final class WeChatFacade {
  static final String PREFIX = "/cgi-bin/";
  static final String TOKEN_PATH = "/cgi-bin/token";
  static final String STABLE_TOKEN_PATH = "/cgi-bin/stable_token";
  static final String TICKET_PATH = "/cgi-bin/ticket/getticket";

  private static final Logger log = LoggerFactory.getLogger(WeChatFacade.class);
  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private final HttpApi api;
  private final TokenService tokens;
  private final TicketService tickets;
  private final PassThrough passThrough;
  private final FailureThrottle throttle;
  private final Clock clock;
  private final Metrics metrics;
  private final CallerAuth auth;

  WeChatFacade(HttpApi api, TokenService tokens, TicketService tickets, PassThrough passThrough,
      FailureThrottle throttle, Clock clock, Metrics metrics, CallerAuth auth) {
    this.auth = auth;
    this.metrics = metrics;
    this.api = api;
    this.tokens = tokens;
    this.tickets = tickets;
    this.passThrough = passThrough;
    this.throttle = throttle;
    this.clock = clock;
  }

  /** A WeChat-format refusal. */
  record Refusal(int errcode, String errmsg) {}

  private static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient Refusal refusal;

    Refused(int errcode, String errmsg) {
      super(errmsg, null, false, false);
      this.refusal = new Refusal(errcode, errmsg);
    }
  }

  void handle(HttpServerRequest request, String requestId, String address) {
    String path = request.path();
    boolean stable = path.equals(STABLE_TOKEN_PATH);
    if (path.equals(TOKEN_PATH)) {
      if (request.method() != HttpMethod.GET) {
        refuse(request, requestId, new Refusal(43001, "require GET method"));
        return;
      }
      answer(request, requestId, address, false, () -> new Call(
          request.getParam("grant_type"), request.getParam("appid"), request.getParam("secret"),
          false));
    } else if (stable) {
      if (request.method() != HttpMethod.POST) {
        refuse(request, requestId, new Refusal(43002, "require POST method"));
        return;
      }
      api.readBody(request, requestId,
          body -> answer(request, requestId, address, true, () -> parseStable(body)));
    } else if (path.equals(TICKET_PATH)) {
      ticket(request, requestId);
    } else if (passThrough != null) {
      api.readBody(request, requestId, PassThrough.MAX_BODY_BYTES, body -> {
        metrics.answered(Endpoint.WECHAT_API, "proxied"); // an oversized body is counted as such
        passThrough.forward(request, body, requestId);
      });
    } else {
      metrics.answered(Endpoint.WECHAT_API, "not_found");
      HttpApi.send(request, 404, error(new Refusal(-1, "wxtoken serves /cgi-bin/token,"
          + " /cgi-bin/stable_token and /cgi-bin/ticket/getticket only; call WeChat itself for"
          + " other APIs")), requestId);
    }
  }

  private void ticket(HttpServerRequest request, String requestId) {
    String accessToken = request.getParam("access_token");
    if (accessToken == null || accessToken.isEmpty()) {
      refuse(request, requestId, new Refusal(41001, "access_token missing"));
      return;
    }
    TicketType type;
    try {
      type = TicketType.parse(request.getParam("type"));
    } catch (IllegalArgumentException e) {
      refuse(request, requestId, new Refusal(40097, "invalid args (type must be jsapi or wx_card)"));
      return;
    }
    HttpApi.onEventLoop(tickets.getForToken(accessToken, type), (ticket, failure) -> {
      if (failure == null) {
        long left = Math.max(0, ticket.expiresAt().toEpochMilli() - clock.millis()) / 1000;
        metrics.answered(Endpoint.WECHAT_API, Metrics.OK);
        HttpApi.send(request, 200, write(g -> {
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
      refuse(request, requestId, cause instanceof TicketException e
          ? new Refusal(e.errcode(), e.getMessage())
          : new Refusal(-1, "system error (wxtoken: " + cause.getMessage() + ")"));
    });
  }

  /** One token request in WeChat's terms. */
  private record Call(String grantType, String appId, String secret, boolean forceRefresh) {}

  private interface CallSource {
    Call get();
  }

  private void answer(HttpServerRequest request, String requestId, String address, boolean stable,
      CallSource source) {
    if (throttle.isBlocked(address)) {
      refuse(request, requestId, new Refusal(45011,
          "api minute-quota reach limit, must slower, retry next minute (wxtoken: too many failed"
              + " appSecret checks from this address)"));
      return;
    }
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
    CompletableFuture<AccessToken> token = call.forceRefresh()
        ? tokens.get(call.appId(), call.secret()).thenCompose(current ->
            tokens.refresh(call.appId(), call.secret(), current.value())
                .exceptionallyCompose(failure -> isForcedLimit(failure)
                    ? CompletableFuture.completedFuture(current) // WeChat: "否则不会刷新"
                    : CompletableFuture.failedFuture(failure)))
        : auth.watchSecret(call.appId(), address, requestId, tokens.get(call.appId(), call.secret()));
    if (call.forceRefresh()) {
      token = auth.watchForcedRefresh(call.appId(), "address:" + address, requestId, token);
    }
    HttpApi.onEventLoop(token,
        (issued, failure) -> reply(request, requestId, address, stable, issued, failure));
  }

  /**
   * A caller key as the {@code secret} ({@link CallerAuth}): checked (for {@code force_refresh},
   * also for the refresh operation), then the app's token with its stored secret.
   */
  private void keyAnswer(HttpServerRequest request, String requestId, String address,
      boolean stable, Call call) {
    String appId = call.appId();
    io.wxtoken.access.Verdict verdict = auth.authenticate(call.secret(), appId,
        call.forceRefresh() ? io.wxtoken.access.Operation.REFRESH : io.wxtoken.access.Operation.TOKEN,
        address, requestId);
    if (!verdict.accepted()) {
      if (verdict.refusal().countsAsFailure()) {
        auth.failed(throttle, address, null, requestId);
      }
      refuse(request, requestId, new Refusal(CallerAuth.errcode(verdict.refusal(), stable),
          (verdict.refusal() == io.wxtoken.access.Refusal.RATE_LIMITED
              ? "api minute-quota reach limit, must slower, retry next minute"
              : "invalid credential") + " (wxtoken: " + verdict.message() + ")"));
      return;
    }
    AccessToken hit = call.forceRefresh() ? null : tokens.trustedHit(appId);
    if (hit != null) {
      reply(request, requestId, address, stable, hit, null);
      return;
    }
    if (!auth.registered(appId)) {
      refuse(request, requestId, new Refusal(40013, "invalid appid (wxtoken: appId " + appId
          + " is not registered here with its secret stored; a caller key cannot register it)"));
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
    HttpApi.onEventLoop(token,
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
      HttpApi.send(request, 200, write(g -> {
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
      refuse(request, requestId, new Refusal(-1, "system error (wxtoken: internal error,"
          + " requestId " + requestId + ")"));
      return;
    }
    Refusal refusal = switch (e.reason()) {
      case SECRET_MISMATCH, SECRET_REJECTED -> {
        auth.failed(throttle, address, null, requestId);
        yield stable
            ? new Refusal(40125, "invalid appsecret (wxtoken: " + e.getMessage() + ")")
            : new Refusal(40001, "invalid credential, access_token is invalid or not latest"
                + " (wxtoken: " + e.getMessage() + ")");
      }
      case UPSTREAM_ERROR -> new Refusal(e.errcode(), e.getMessage());
      case UPSTREAM_UNAVAILABLE -> new Refusal(-1, "system error (wxtoken: cannot get a token from"
          + " WeChat: " + e.getMessage() + ")");
      case CLUSTER_UNAVAILABLE -> new Refusal(-1, "system error (wxtoken: " + e.getMessage() + ")");
      case QUOTA_EXHAUSTED -> new Refusal(45009, "reach max api daily quota limit (wxtoken: "
          + e.getMessage() + ")");
      case FORCED_REFRESH_LIMIT -> new Refusal(45009, e.getMessage());
    };
    refuse(request, requestId, refusal);
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

  private void refuse(HttpServerRequest request, String requestId, Refusal refusal) {
    metrics.answered(Endpoint.WECHAT_API, "refused");
    HttpApi.send(request, 200, error(refusal), requestId);
  }

  private static byte[] error(Refusal refusal) {
    return write(g -> {
      g.writeStartObject();
      g.writeNumberField("errcode", refusal.errcode());
      g.writeStringField("errmsg", refusal.errmsg());
      g.writeEndObject();
    });
  }

  private interface Body {
    void writeTo(JsonGenerator g) throws IOException;
  }

  private static byte[] write(Body body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      body.writeTo(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
