package io.wxtoken.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.wxtoken.metrics.Metrics;
import io.wxtoken.metrics.Metrics.Endpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * Writes every answer the HTTP layer gives: Authing's envelope ({@link #fail}), WeChat's
 * {@code {"errcode","errmsg"}} ({@link #wechat}) and ready-made JSON ({@link #send}), each with
 * the request id in {@code X-Request-Id}, and counts it in the {@link Metrics}.
 *
 * <p>Stateless apart from its configuration; call it on the request's event loop.
 */
final class Responder {
  static final CharSequence JSON_UTF8 = HttpHeaders.createOptimized("application/json; charset=utf-8");
  static final CharSequence X_REQUEST_ID = HttpHeaders.createOptimized("X-Request-Id");
  private static final JsonFactory JSON = new JsonFactory();

  private final Envelope envelope;
  private final Metrics metrics;

  Responder(Envelope envelope, Metrics metrics) {
    this.envelope = envelope;
    this.metrics = metrics;
  }

  Envelope envelope() {
    return envelope;
  }

  Metrics metrics() {
    return metrics;
  }

  /** Answers with Authing's error envelope, counted under the path's endpoint. */
  void fail(HttpServerRequest request, int httpStatus, ApiError error, String message,
      String requestId) {
    metrics.answered(endpoint(request.path()), error.outcome);
    send(request, httpStatus, envelope.error(error, message, requestId), requestId);
  }

  /** As {@link #fail}, then closes the connection (whose request was not, or could not be, read). */
  void failAndClose(HttpServerRequest request, int httpStatus, ApiError error, String message,
      String requestId) {
    metrics.answered(endpoint(request.path()), error.outcome);
    sendAndClose(request, httpStatus, envelope.error(error, message, requestId), requestId);
  }

  /** Answers in WeChat's format, {@code {"errcode":…,"errmsg":"…"}}, counted as {@code outcome}. */
  void wechat(HttpServerRequest request, int httpStatus, int errcode, String errmsg,
      String requestId, String outcome) {
    metrics.answered(Endpoint.WECHAT_API, outcome);
    send(request, httpStatus, wechatError(errcode, errmsg), requestId);
  }

  static byte[] wechatError(int errcode, String errmsg) {
    return write(g -> {
      g.writeStartObject();
      g.writeNumberField("errcode", errcode);
      g.writeStringField("errmsg", errmsg);
      g.writeEndObject();
    });
  }

  void send(HttpServerRequest request, int httpStatus, byte[] body, String requestId) {
    send(request, httpStatus, Buffer.buffer(body), requestId);
  }

  void send(HttpServerRequest request, int httpStatus, Buffer body, String requestId) {
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
  void sendAndClose(HttpServerRequest request, int httpStatus, byte[] body, String requestId) {
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

  /** Which endpoint {@code path} is, for the metrics. */
  static Endpoint endpoint(String path) {
    return switch (path) {
      case HttpApi.TOKEN_PATH, HttpApi.TOKEN_INFO_PATH -> Endpoint.TOKEN;
      case HttpApi.REFRESH_PATH -> Endpoint.REFRESH;
      case HttpApi.TICKET_PATH -> Endpoint.TICKET;
      case HttpApi.SIGN_PATH -> Endpoint.SIGN;
      default -> path.startsWith(WeChatFacade.PREFIX) ? Endpoint.WECHAT_API : Endpoint.OTHER;
    };
  }

  /** Writes a small JSON document. */
  interface Json {
    void writeTo(JsonGenerator g) throws IOException;
  }

  static byte[] write(Json body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      body.writeTo(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** A path or other caller text fit for a message or a log line: printable ASCII, bounded. */
  static String sanitize(String text) {
    String cut = text.length() > 100 ? text.substring(0, 100) + "…" : text;
    StringBuilder out = new StringBuilder(cut.length());
    for (int i = 0; i < cut.length(); i++) {
      char c = cut.charAt(i);
      out.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return out.toString();
  }
}
