package io.wxtoken.simulator;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running HTTP server of one simulator: bound to a loopback address only, one handler for
 * every path, served on daemon threads that {@link #close()} ends at once (including requests
 * hanging in a fault). Shared by {@link WeChatSimulator}, {@link WeComSimulator} and
 * {@link OpenPlatformSimulator}.
 *
 * <p>Thread-safe.
 */
final class LoopbackServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LoopbackServer.class);

  private final String name;
  private final HttpServer server;
  private final ExecutorService executor;
  private final URI baseUrl;

  private LoopbackServer(String name, HttpServer server, ExecutorService executor) {
    this.name = name;
    this.server = server;
    this.executor = executor;
    InetSocketAddress bound = server.getAddress();
    InetAddress address = bound.getAddress();
    String host = address instanceof Inet6Address
        ? "[" + stripScope(address.getHostAddress()) + "]"
        : address.getHostAddress();
    this.baseUrl = URI.create("http://" + host + ":" + bound.getPort());
  }

  /**
   * Checks a host a builder was given.
   *
   * @return {@code host}
   * @throws IllegalArgumentException if it is not a loopback address: a simulator hands out
   *     tokens for known secrets and must never be reachable from elsewhere
   */
  static String requireLoopback(String host) {
    Objects.requireNonNull(host, "host");
    try {
      if (!InetAddress.getByName(host).isLoopbackAddress()) {
        throw new IllegalArgumentException("the simulator binds to loopback only, not " + host);
      }
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("unknown host " + host, e);
    }
    return host;
  }

  /**
   * Checks a port a builder was given.
   *
   * @return {@code port}, 0 meaning an ephemeral one
   * @throws IllegalArgumentException if it is out of range
   */
  static int requirePort(int port) {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    return port;
  }

  /**
   * Binds and starts a server.
   *
   * @param name the simulator as log lines and errors name it, e.g. {@code WeChat simulator}
   * @param threadPrefix the name of its threads, numbered from 1, e.g. {@code wechat-sim-}
   * @param host a loopback address or name (checked by {@link #requireLoopback} beforehand)
   * @param port the port, 0 for an ephemeral one
   * @param backlog the listen backlog
   * @param handler serves every path
   * @throws UncheckedIOException if the address cannot be bound
   */
  static LoopbackServer start(String name, String threadPrefix, String host, int port,
      int backlog, HttpHandler handler) {
    // Without TCP_NODELAY small answers wait on Nagle + delayed ACK (~40 ms each).
    // The JDK reads this once, when the first server starts; respect an explicit setting.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), port), backlog);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind " + name + " to " + host + ":" + port, e);
    }
    AtomicInteger next = new AtomicInteger(1);
    ExecutorService executor = Executors.newCachedThreadPool(task -> {
      Thread thread = new Thread(task, threadPrefix + next.getAndIncrement());
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    server.createContext("/", handler);
    server.start();
    return new LoopbackServer(name, server, executor);
  }

  /** @return the base URL, e.g. {@code http://127.0.0.1:40123}, without a trailing slash */
  URI baseUrl() {
    return baseUrl;
  }

  /** @return the bound port */
  int port() {
    return server.getAddress().getPort();
  }

  /** Stops the server at once and ends its threads. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.warn("{} threads did not stop within 5 s", name);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String stripScope(String ipv6) {
    int percent = ipv6.indexOf('%');
    return percent < 0 ? ipv6 : ipv6.substring(0, percent);
  }
}
