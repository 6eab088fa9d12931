package io.wxtoken.wechat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A loopback HTTP server that records each request and answers with a fixed script: for the
 * request shape and for answers the simulator never gives (missing fields, odd statuses, a stalled
 * body). Everything else in the tests talks to the WeChat simulator. The WeCom client's tests
 * use it too, so it is public.
 *
 * <p>Thread-safe: requests are recorded from the server's threads and taken from the test's.
 */
public final class ScriptedWeChat implements AutoCloseable {

  /** One request as it arrived ({@code path} and {@code rawQuery} still percent-encoded). */
  public record Request(String method, String path, String rawQuery, String contentType,
      byte[] body) {
    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** How to answer. */
  @FunctionalInterface
  public interface Script {
    void answer(HttpExchange exchange) throws IOException, InterruptedException;
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "scripted-wechat");
    t.setDaemon(true);
    return t;
  });
  private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
  private final Script script;

  private ScriptedWeChat(Script script) throws IOException {
    this.script = script;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  public static ScriptedWeChat answering(Script script) throws IOException {
    return new ScriptedWeChat(script);
  }

  public static ScriptedWeChat answering(int status, String contentType, String body) throws IOException {
    return new ScriptedWeChat(exchange -> send(exchange, status, contentType, body));
  }

  public static ScriptedWeChat answeringJson(String body) throws IOException {
    return answering(200, "application/json; charset=utf-8", body);
  }

  public static void send(HttpExchange exchange, int status, String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The next recorded request; fails if none arrives within 5 s. */
  public Request request() throws InterruptedException {
    Request r = requests.poll(5, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("no request arrived");
    }
    return r;
  }

  private void handle(HttpExchange exchange) {
    try {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
          exchange.getRequestURI().getRawQuery(),
          exchange.getRequestHeaders().getFirst("Content-Type"), body));
      script.answer(exchange);
    } catch (IOException e) {
      // the client went away first (a timeout test): nothing to answer
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      exchange.close();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
