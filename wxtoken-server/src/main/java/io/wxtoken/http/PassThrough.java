package io.wxtoken.http;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards every other WeChat API call ({@code /cgi-bin/…} that is not a token or ticket call)
 * unchanged to WeChat, so an SDK whose one "API host" setting covers all calls (WxJava's
 * {@code WxMpHostConfig}, EasyWeChat's {@code http.base_uri}) can point it at wxtoken.
 *
 * <p>Only the path and query are taken from the caller; the host is always the configured WeChat
 * base URL. Request bodies are bounded ({@link #MAX_BODY_BYTES}, enough for WeChat's media
 * uploads), responses are streamed back with backpressure, hop-by-hop headers are dropped, and
 * the whole exchange is bounded by the read timeout. No secret passes through here that the
 * caller did not send; nothing is logged but the path.
 */
final class PassThrough {
  static final int MAX_BODY_BYTES = 20 * 1024 * 1024;
  private static final Logger log = LoggerFactory.getLogger(PassThrough.class);
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive",
      "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade",
      "host", "content-length", "expect");

  private final HttpClientAgent client;
  private final String base;
  private final long timeoutMillis;

  PassThrough(Vertx vertx, URI wechatBaseUrl, Duration connectTimeout, Duration readTimeout) {
    String url = wechatBaseUrl.toString();
    this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.timeoutMillis = readTimeout.toMillis();
    this.client = vertx.createHttpClient(new HttpClientOptions()
        .setConnectTimeout((int) connectTimeout.toMillis())
        .setKeepAlive(true)
        .setIdleTimeout(60), new PoolOptions().setHttp1MaxSize(64));
  }

  /** Forwards the request; {@code body} is its (already bounded) body. */
  void forward(HttpServerRequest request, byte[] body, String requestId) {
    RequestOptions options = new RequestOptions()
        .setMethod(request.method())
        .setAbsoluteURI(base + request.uri())
        .setTimeout(timeoutMillis);
    client.request(options)
        .compose(out -> {
          copyTo(request.headers(), out);
          return body.length == 0 ? out.send() : out.send(Buffer.buffer(body));
        })
        .onSuccess(in -> relay(request.response(), in))
        .onFailure(failure -> {
          log.warn("pass-through {} {} failed: {}", request.method(), request.path(),
              failure.getClass().getSimpleName());
          HttpServerResponse response = request.response();
          if (!response.headWritten()) {
            response.setStatusCode(502)
                .putHeader("Content-Type", "application/json; charset=utf-8")
                .putHeader("X-Request-Id", requestId)
                .end(Buffer.buffer(("{\"errcode\":-1,\"errmsg\":\"system error (wxtoken: WeChat"
                    + " could not be reached for " + request.path().replaceAll("[^\\x20-\\x7e]", "?")
                    + ")\"}").getBytes(StandardCharsets.UTF_8)));
          } else {
            response.reset();
          }
        });
  }

  private static void copyTo(MultiMap headers, HttpClientRequest out) {
    headers.forEach((name, value) -> {
      if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
        out.headers().add(name, value);
      }
    });
  }

  private static void relay(HttpServerResponse response, HttpClientResponse in) {
    response.setStatusCode(in.statusCode());
    in.headers().forEach((name, value) -> {
      String lower = name.toLowerCase(Locale.ROOT);
      if (!HOP_BY_HOP.contains(lower) || lower.equals("content-length")) {
        response.headers().add(name, value);
      }
    });
    if (!in.headers().contains("content-length")) {
      response.setChunked(true);
    }
    in.pipeTo(response);
  }

  void close() {
    client.close();
  }
}
