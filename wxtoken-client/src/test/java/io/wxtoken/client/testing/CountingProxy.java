package io.wxtoken.client.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A loopback HTTP proxy in front of a wxtoken server that counts the requests it sees, per path,
 * so that a test can tell exactly how often the client went to the network. It can also answer
 * with an HTTP error instead of forwarding, or hold each request before forwarding it.
 */
public final class CountingProxy implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "counting-proxy");
    t.setDaemon(true);
    return t;
  });
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final String target;
  private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
  private final AtomicInteger failWith = new AtomicInteger();
  private final AtomicReference<Duration> delay = new AtomicReference<>(Duration.ZERO);

  private CountingProxy(String target) throws IOException {
    this.target = target;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** A proxy forwarding to {@code target} (a base URL such as {@code http://127.0.0.1:8080}). */
  public static CountingProxy to(String target) {
    try {
      return new CountingProxy(target);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Requests seen on every path, forwarded or not. */
  public long requests() {
    return counts.values().stream().mapToLong(AtomicLong::get).sum();
  }

  /** Requests seen on {@code path}. */
  public long requests(String path) {
    AtomicLong n = counts.get(path);
    return n == null ? 0 : n.get();
  }

  /** Answers every request with {@code httpStatus} and an HTML body; 0 forwards again. */
  public CountingProxy failWith(int httpStatus) {
    failWith.set(httpStatus);
    return this;
  }

  /** Holds every request this long (real time) before forwarding it. */
  public CountingProxy delay(Duration d) {
    delay.set(d);
    return this;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      counts.computeIfAbsent(exchange.getRequestURI().getPath(), p -> new AtomicLong())
          .incrementAndGet();
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      int status = failWith.get();
      if (status != 0) {
        reply(exchange, status, "text/html", "<html>proxy error</html>".getBytes(StandardCharsets.UTF_8));
        return;
      }
      Thread.sleep(delay.get().toMillis());
      HttpRequest.Builder forward = HttpRequest.newBuilder(
          URI.create(target + exchange.getRequestURI()))
          .timeout(Duration.ofSeconds(30))
          .POST(HttpRequest.BodyPublishers.ofByteArray(body));
      for (String header : new String[] {"Content-Type", "X-Request-Id"}) {
        String value = exchange.getRequestHeaders().getFirst(header);
        if (value != null) {
          forward.header(header, value);
        }
      }
      HttpResponse<byte[]> answer = http.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
      reply(exchange, answer.statusCode(),
          answer.headers().firstValue("Content-Type").orElse("application/json"), answer.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void reply(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** Stops listening: connections to {@link #url()} are refused from now on. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
