package io.wxtoken.http;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.wxtoken.metrics.Metrics;
import io.wxtoken.ticket.TicketService;
import io.wxtoken.token.TokenService;
import java.time.Clock;
import java.time.Duration;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The HTTP server: one Vert.x instance, one {@link HttpServer} per event loop on the same port
 * (Vert.x spreads connections across them), all answering through one {@link HttpApi}.
 *
 * <p>{@link #start} returns once the port is bound; {@link #close} stops accepting and waits for
 * Vert.x to shut down. Thread-safe.
 */
public final class ApiServer implements AutoCloseable {
  /** A client address may fail the secret check this often per window before getting 429s. */
  static final int FAILURES_PER_WINDOW = 30;
  static final Duration FAILURE_WINDOW = Duration.ofMinutes(1);

  private final Vertx vertx;
  private final int port;

  private ApiServer(Vertx vertx, int port) {
    this.vertx = vertx;
    this.port = port;
  }

  /**
   * Binds {@code host:port} (port 0 picks a free one) and starts answering; {@code ready} answers
   * the readiness check ({@code GET /ready}): false while this instance cannot reach the store it
   * shares with others. Answers are counted in {@code metrics}, which {@code GET /admin/metrics}
   * serves.
   *
   * @throws IllegalStateException if the port cannot be bound
   */
  public static ApiServer start(HttpOptions http, TokenService tokens, TicketService tickets,
      Clock clock, BooleanSupplier ready, Metrics metrics) {
    return start(http, tokens, tickets, clock, System::nanoTime, ready, metrics);
  }

  /**
   * As {@link #start(HttpOptions, TokenService, TicketService, Clock, BooleanSupplier, Metrics)},
   * with the monotonic source that times throttle windows, log limits and header deadlines
   * ({@code System::nanoTime} in production).
   */
  public static ApiServer start(HttpOptions http, TokenService tokens, TicketService tickets,
      Clock clock, LongSupplier nanoTime, BooleanSupplier ready, Metrics metrics) {
    return start(http, tokens, tickets, clock, nanoTime, ready, metrics,
        CallerAuth.secretsOnly(tokens, metrics.keys()));
  }

  /**
   * As {@link #start(HttpOptions, TokenService, TicketService, Clock, LongSupplier,
   * BooleanSupplier, Metrics)}, with callers authenticated by {@code auth} (AppSecrets, caller
   * keys, or both).
   */
  public static ApiServer start(HttpOptions http, TokenService tokens, TicketService tickets,
      Clock clock, LongSupplier nanoTime, BooleanSupplier ready, Metrics metrics, CallerAuth auth) {
    String host = http.host();
    int port = http.port();
    int eventLoops = http.eventLoops();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops));
    Envelope envelope = new Envelope(http.expiresAtFormat());
    HttpLimits limits = http.limits();
    LogLimiter logLimiter = new LogLimiter(nanoTime);
    PassThrough passThrough = http.wechatBaseUrl() == null || !limits.passThrough() ? null
        : new PassThrough(vertx, http.wechatBaseUrl(), http.connectTimeout(), tokens, limits,
            new Responder(envelope, metrics), logLimiter);
    HttpApi api = new HttpApi(tokens, tickets, envelope,
        new FailureThrottle(FAILURES_PER_WINDOW, FAILURE_WINDOW, 100_000, nanoTime, metrics,
            logLimiter),
        http.adminToken(), passThrough, clock, http.trustForwardedFor(), ready, metrics, auth);
    ConnectionGuard connections = new ConnectionGuard(limits, !http.trustForwardedFor(), nanoTime,
        metrics, logLimiter);
    HttpServerOptions options = new HttpServerOptions()
        .setHost(host)
        .setTcpNoDelay(true)
        // HTTP/1.1 only: an h2c upgrade multiplexes a client onto one connection whose stream
        // limit the JDK's HttpClient reports as an error instead of queueing.
        .setHttp2ClearTextEnabled(false)
        .setHandle100ContinueAutomatically(true)
        .setIdleTimeout(60)
        .setIdleTimeoutUnit(TimeUnit.SECONDS);
    // Vert.x shares a port between servers only when it is the same concrete port, so a request
    // for "any free port" is resolved first; losing that port to a race is retried a few times.
    for (int attempt = 1; ; attempt++) {
      int target = port == 0 ? freePort(host) : port;
      List<HttpServer> bound = new ArrayList<>();
      try {
        for (int i = 0; i < eventLoops; i++) {
          HttpServer server = vertx.createHttpServer(new HttpServerOptions(options).setPort(target))
              .connectionHandler(connections)
              .requestHandler(api)
              .invalidRequestHandler(api::invalid);
          await(server.listen());
          bound.add(server);
        }
        return new ApiServer(vertx, target);
      } catch (RuntimeException e) {
        bound.forEach(server -> await(server.close()));
        if (port == 0 && attempt < 5) {
          continue;
        }
        await(vertx.close());
        throw new IllegalStateException("cannot listen on " + host + ":" + port + ": "
            + e.getMessage(), e);
      }
    }
  }

  private static int freePort(String host) {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("cannot find a free port on " + host + ": " + e.getMessage(), e);
    }
  }

  /** The bound port. */
  public int port() {
    return port;
  }

  @Override
  public void close() {
    await(vertx.close());
  }

  private static <T> T await(io.vertx.core.Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause.getMessage(), cause);
    } catch (TimeoutException e) {
      throw new IllegalStateException("timed out waiting for Vert.x", e);
    }
  }
}
