package io.wxtoken.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.wxtoken.metrics.Metrics;
import io.wxtoken.token.AppStatus;
import io.wxtoken.token.TokenService;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operators' view: {@code GET /admin/apps} (every known app's {@link AppStatus}) and
 * {@code GET /admin/apps/{appId}}, in the usual envelope with the status in {@code data}; and
 * {@code GET /admin/metrics}, the {@link Metrics} in Prometheus's text format (scraped on a worker
 * thread, not the event loop); {@code /admin/keys} and {@code /admin/audit}, the caller keys and
 * the audit log ({@link AccessAdmin}).
 *
 * <p>Requires {@code Authorization: Bearer <admin token>}, compared in constant time; when no
 * admin token is configured the endpoints do not exist (404). Answers carry real HTTP statuses
 * (401, 404): no Authing SDK calls these. Statuses never contain secrets or tokens.
 */
final class AdminApi {
  static final String PREFIX = "/admin/";
  private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
  private static final String APPS = "/admin/apps";
  static final String METRICS = "/admin/metrics";

  private final TokenService tokens;
  private final Responder responder;
  private final Envelope envelope;
  private final byte[] expectedAuthorization;
  private final JsonFactory json = new JsonFactory();
  private final Metrics metrics;
  private final FailureThrottle throttle;
  private final Function<HttpServerRequest, String> address;
  private final BodyReader bodies;
  private final AccessAdmin access;

  /** @param adminToken the token operators present, or null to disable the admin endpoints */
  AdminApi(TokenService tokens, Responder responder, String adminToken, Metrics metrics,
      FailureThrottle throttle, Function<HttpServerRequest, String> address, BodyReader bodies,
      AccessAdmin access) {
    this.throttle = throttle;
    this.address = address;
    this.bodies = bodies;
    this.access = access;
    this.metrics = metrics;
    this.tokens = tokens;
    this.responder = responder;
    this.envelope = responder.envelope();
    this.expectedAuthorization = adminToken == null
        ? null : adminToken.getBytes(StandardCharsets.UTF_8);
  }

  void handle(HttpServerRequest request, String requestId, String path) {
    if (expectedAuthorization == null
        || !(path.equals(APPS) || path.startsWith(APPS + "/") || path.equals(METRICS)
            || AccessAdmin.serves(path))) {
      send(request, 404, envelope.error(ApiError.NOT_FOUND,
          "no such endpoint: " + request.method() + " " + Responder.sanitize(path)
              + (expectedAuthorization == null ? " (the admin API is off: set --admin-token)" : ""),
          requestId), requestId);
      return;
    }
    String presented = request.getHeader(HttpHeaders.AUTHORIZATION);
    // The scheme is case-insensitive (RFC 9110); the token is compared in constant time.
    boolean bearer = presented != null && presented.length() > 7
        && presented.regionMatches(true, 0, "Bearer ", 0, 7);
    if (!bearer || !MessageDigest.isEqual(expectedAuthorization,
        presented.substring(7).trim().getBytes(StandardCharsets.UTF_8))) {
      // A wrong admin token is a failed credential: guessing it is throttled like a secret.
      String from = address.apply(request);
      if (throttle.refuses(from)) {
        send(request, 429, envelope.error(ApiError.THROTTLED,
            "too many failed credential checks from this address; retry in a minute", requestId),
            requestId);
        return;
      }
      throttle.recordFailure(from);
      request.response().putHeader("WWW-Authenticate", "Bearer");
      send(request, 401, envelope.error(ApiError.UNAUTHORIZED,
          "the admin API needs Authorization: Bearer <admin token>", requestId), requestId);
      return;
    }
    if (AccessAdmin.serves(path)) {
      keysAndAudit(request, requestId, path);
      return;
    }
    if (request.method() != HttpMethod.GET) {
      request.response().putHeader(HttpHeaders.ALLOW, "GET");
      send(request, 405, envelope.error(ApiError.METHOD_NOT_ALLOWED, "use GET", requestId),
          requestId);
      return;
    }
    if (path.equals(METRICS)) {
      scrape(request, requestId);
      return;
    }
    if (path.equals(APPS)) {
      send(request, 200, render(requestId, tokens.statuses(), true), requestId);
      return;
    }
    String appId = path.substring(APPS.length() + 1);
    Optional<AppStatus> status = tokens.status(appId);
    if (status.isEmpty()) {
      send(request, 404, envelope.error(ApiError.NOT_FOUND, "no app "
          + appId.replaceAll("[^A-Za-z0-9_-]", "?") + " is known", requestId), requestId);
      return;
    }
    send(request, 200, render(requestId, List.of(status.get()), false), requestId);
  }

  /**
   * Caller keys and the audit log ({@link AccessAdmin}): the body read by the one bounded
   * {@link BodyReader}, then answered on a worker (the stores block).
   */
  private void keysAndAudit(HttpServerRequest request, String requestId, String path) {
    Map<String, String> query = new HashMap<>();
    for (Map.Entry<String, String> e : request.params()) {
      query.putIfAbsent(e.getKey(), e.getValue());
    }
    String method = request.method().name();
    bodies.read(request, requestId, body -> Vertx.currentContext().executeBlocking(
        () -> access.handle(method, path, query, body, requestId)).onComplete(done -> {
          if (request.response().ended()) {
            return;
          }
          if (done.succeeded()) {
            responder.send(request, done.result().status(), done.result().body(), requestId);
          } else {
            log.error("admin request {} failed", requestId, done.cause());
            send(request, 500, envelope.error(ApiError.INTERNAL,
                "internal error (requestId " + requestId + ")", requestId), requestId);
          }
        }));
  }

  /** A scrape reads every app and the JVM's beans: a worker thread's job, not the event loop's. */
  private void scrape(HttpServerRequest request, String requestId) {
    Vertx.currentContext().executeBlocking(() -> {
      ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
      metrics.scrape(out);
      return Buffer.buffer(out.toByteArray());
    }).onComplete(done -> {
      if (request.response().ended()) {
        return;
      }
      if (done.succeeded()) {
        request.response().putHeader(HttpHeaders.CONTENT_TYPE, metrics.contentType())
            .putHeader(Responder.X_REQUEST_ID, requestId)
            .end(done.result());
      } else {
        log.error("metrics scrape failed (request {})", requestId, done.cause());
        send(request, 500, envelope.error(ApiError.INTERNAL,
            "internal error (requestId " + requestId + ")", requestId), requestId);
      }
    });
  }

  private void send(HttpServerRequest request, int status, byte[] body, String requestId) {
    responder.send(request, status, body, requestId);
  }

  private byte[] render(String requestId, List<AppStatus> statuses, boolean list) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = json.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("statusCode", 200);
      g.writeStringField("message", Envelope.SUCCESS_MESSAGE);
      g.writeStringField("requestId", requestId);
      g.writeFieldName("data");
      if (list) {
        g.writeStartArray();
      }
      for (AppStatus s : statuses) {
        write(g, s);
      }
      if (list) {
        g.writeEndArray();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void write(JsonGenerator g, AppStatus s) throws IOException {
    g.writeStartObject();
    g.writeStringField("appId", s.appId());
    instant(g, "tokenExpiresAt", s.tokenExpiresAt());
    instant(g, "lastRefreshAt", s.lastRefreshAt());
    instant(g, "nextRefreshAt", s.nextRefreshAt());
    g.writeNumberField("generation", s.generation());
    g.writeBooleanField("secretStored", s.secretStored());
    g.writeObjectFieldStart("lastError");
    if (s.lastErrorAt() != null) {
      g.writeNumberField("errcode", s.lastErrcode());
      g.writeStringField("message", s.lastError());
      instant(g, "at", s.lastErrorAt());
    }
    g.writeEndObject();
    if (s.stoppedErrcode() != null) {
      g.writeNumberField("refreshStoppedByErrcode", s.stoppedErrcode());
    } else {
      g.writeNullField("refreshStoppedByErrcode");
    }
    g.writeStringField("breaker", s.breaker());
    g.writeNumberField("callsToday", s.callsToday());
    g.writeNumberField("forcedRefreshesToday", s.forcedToday());
    g.writeNumberField("dailyLimit", s.dailyLimit());
    g.writeEndObject();
  }

  private static void instant(JsonGenerator g, String name, Instant value) throws IOException {
    if (value == null) {
      g.writeNullField(name);
    } else {
      g.writeStringField(name, value.toString());
    }
  }
}
