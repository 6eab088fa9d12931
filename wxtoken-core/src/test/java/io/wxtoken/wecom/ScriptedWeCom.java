package io.wxtoken.wecom;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
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
 * A loopback HTTP server that records each request's method, path and query and answers with a
 * fixed script: for the request's shape and for answers the WeCom simulator never gives. Everything
 * else in the tests talks to {@code WeComSimulator}.
 */
final class ScriptedWeCom implements AutoCloseable {

  /** One request as it arrived (raw path and query, still percent-encoded). */
  record Request(String method, String rawPath, String rawQuery) {
  }

  /** How to answer. */
  @FunctionalInterface
  interface Script {
    void answer(HttpExchange exchange) throws IOException;
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "scripted-wecom");
    t.setDaemon(true);
    return t;
  });
  private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
  private final Script script;

  private ScriptedWeCom(Script script) throws IOException {
    this.script = script;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  static ScriptedWeCom answering(Script script) throws IOException {
    return new ScriptedWeCom(script);
  }

  static ScriptedWeCom answering(int status, String contentType, String body) throws IOException {
    return new ScriptedWeCom(exchange -> send(exchange, status, contentType, body));
  }

  static ScriptedWeCom answeringJson(String body) throws IOException {
    return answering(200, "application/json; charset=UTF-8", body);
  }

  static void send(HttpExchange exchange, int status, String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The next recorded request; fails if none arrives within 5 s. */
  Request request() throws InterruptedException {
    Request r = requests.poll(5, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("no request arrived");
    }
    return r;
  }

  private void handle(HttpExchange exchange) {
    try {
      requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
          exchange.getRequestURI().getRawQuery()));
      script.answer(exchange);
    } catch (IOException e) {
      // the client went away first (a timeout test): nothing to answer
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
