package io.wxtoken.store.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} for tests: on loopback, a free port, no persistence, its own
 * temporary directory. {@link #stop()} and {@link #start()} again on the same port simulate an
 * outage. The binary is {@code $WXTOKEN_REDIS_SERVER}, else {@code redis-server} on the PATH
 * ({@code .ci/run} installs Debian's package).
 */
public final class RedisServerProcess implements AutoCloseable {
  private final int port;
  private final Path dir;
  private Process process;

  private RedisServerProcess(int port, Path dir) {
    this.port = port;
    this.dir = dir;
  }

  /** Starts a server on a free loopback port. */
  public static RedisServerProcess start() {
    try {
      RedisServerProcess redis = new RedisServerProcess(freePort(),
          Files.createTempDirectory("wxtoken-redis-"));
      redis.startAgain();
      return redis;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code redis://127.0.0.1:PORT/0}. */
  public String uri() {
    return "redis://127.0.0.1:" + port + "/0";
  }

  public int port() {
    return port;
  }

  /** Starts the server again on its port (after {@link #stop()}), waiting until it answers. */
  public synchronized void startAgain() {
    if (process != null && process.isAlive()) {
      return;
    }
    String binary = System.getenv().getOrDefault("WXTOKEN_REDIS_SERVER", "redis-server");
    List<String> command = List.of(binary, "--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(),
        "--protected-mode", "yes", "--loglevel", "warning");
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(dir.resolve("redis.log").toFile()).start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + binary + " (" + e.getMessage()
          + "): install Redis (Debian: apt-get install redis-server; .ci/run does) or set"
          + " WXTOKEN_REDIS_SERVER to its path", e);
    }
    awaitPort(true);
  }

  /** Stops the server abruptly (SIGKILL): connections drop, nothing is saved. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    awaitPort(false);
  }

  private void awaitPort(boolean open) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        if (open) {
          return;
        }
      } catch (IOException e) {
        if (!open) {
          return;
        }
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    throw new IllegalStateException("redis-server on port " + port + " did not "
        + (open ? "start" : "stop") + " within 10 s; see " + dir.resolve("redis.log"));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    stop();
  }
}
