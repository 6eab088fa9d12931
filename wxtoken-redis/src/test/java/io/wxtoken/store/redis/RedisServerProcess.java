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
import java.util.ArrayList;
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
  private final List<String> extra;
  private Process process;

  private RedisServerProcess(int port, Path dir, List<String> extra) {
    this.port = port;
    this.dir = dir;
    this.extra = extra;
  }

  /** Starts a server on a free loopback port. */
  public static RedisServerProcess start() {
    return start(List.of());
  }

  private static RedisServerProcess start(List<String> extra) {
    try {
      RedisServerProcess redis = new RedisServerProcess(freePort(),
          Files.createTempDirectory("wxtoken-redis-"), extra);
      redis.startAgain();
      return redis;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts a node with cluster mode on; {@code RedisTopologiesTest} joins them into a cluster. */
  public static RedisServerProcess startClusterNode() {
    return start(List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
        "--cluster-node-timeout", "5000"));
  }

  /** Starts a Sentinel watching the master on {@code masterPort} under the name {@code master}. */
  public static RedisServerProcess startSentinel(int masterPort, String master) {
    try {
      Path dir = Files.createTempDirectory("wxtoken-sentinel-");
      int port = freePort();
      Path config = dir.resolve("sentinel.conf");
      Files.writeString(config, "port " + port + "\nbind 127.0.0.1\n"
          + "sentinel monitor " + master + " 127.0.0.1 " + masterPort + " 1\n");
      RedisServerProcess sentinel = new RedisServerProcess(port, dir,
          List.of(config.toString(), "--sentinel"));
      sentinel.startAgain();
      return sentinel;
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
    List<String> command = new ArrayList<>(List.of(binary));
    boolean sentinel = extra.contains("--sentinel");
    if (sentinel) {
      command.addAll(extra); // the config file first, then --sentinel
    }
    command.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--dir", dir.toString(), "--protected-mode", "yes", "--loglevel", "warning"));
    if (!sentinel) {
      command.addAll(List.of("--save", "", "--appendonly", "no"));
      command.addAll(extra);
    }
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
