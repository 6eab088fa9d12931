package io.wxtoken.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The load benchmark's baseline: a bare Vert.x JSON hello-world, set up like wxtoken's
 * {@code ApiServer} (one Vert.x, {@code eventLoops} event loops, one {@link HttpServer} per event
 * loop on the same port, TCP_NODELAY, HTTP/1.1 only (no h2c upgrade), 100-continue handled, 120 s
 * idle timeout).
 *
 * <p>Every request gets {@code 200 {"message":"Hello, World!"}} as {@code application/json},
 * encoded per request (as in TechEmpower's Vert.x JSON test). A request with a body (the load
 * script POSTs the same JSON as to wxtoken) is answered after the body has been read into a
 * buffer, so the per-request work shape is wxtoken's minus the token lookup and envelope.
 *
 * <p>Usage: {@code HelloWorldServer PORT EVENT_LOOPS}; port 0 picks a free one. Prints
 * {@code hello-world listening on 127.0.0.1:PORT} once bound; stops on SIGTERM.
 */
public final class HelloWorldServer {
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");

  private HelloWorldServer() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: HelloWorldServer PORT EVENT_LOOPS");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    int eventLoops = Integer.parseInt(args[1]);
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops));
    HttpServerOptions options = new HttpServerOptions()
        .setHost("127.0.0.1")
        .setTcpNoDelay(true)
        .setHttp2ClearTextEnabled(false)
        .setHandle100ContinueAutomatically(true)
        .setIdleTimeout(120)
        .setIdleTimeoutUnit(TimeUnit.SECONDS);
    options.setPort(port);
    int bound = 0;
    for (int i = 0; i < eventLoops; i++) {
      // Same requested port for every server: Vert.x shares one socket among them (port 0 too).
      HttpServer server = vertx.createHttpServer(options).requestHandler(HelloWorldServer::handle);
      bound = await(server.listen()).actualPort();
    }
    System.out.println("hello-world listening on 127.0.0.1:" + bound + " with " + eventLoops
        + " event loop(s)");
    System.out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        await(vertx.close());
      } finally {
        stopped.countDown();
      }
    }, "hello-world-shutdown"));
    stopped.await();
  }

  private static void handle(HttpServerRequest request) {
    Buffer[] body = {null};
    request.handler(chunk -> {
      if (body[0] == null) {
        body[0] = chunk.copy();
      } else {
        body[0].appendBuffer(chunk);
      }
    });
    request.endHandler(v -> request.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .end(new JsonObject().put("message", "Hello, World!").toBuffer()));
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("Vert.x did not answer: " + e, e);
    }
  }
}
