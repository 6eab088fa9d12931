package io.wxtoken.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxtoken.server.ServerHarness;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Connections: a deadline on request headers, and caps in all and per address. */
class ConnectionLimitsTest {
  private static final String HEALTH = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";

  @TempDir
  Path dir;

  private static Socket open(ServerHarness h) throws IOException {
    Socket socket = new Socket("127.0.0.1", h.server().port());
    socket.setSoTimeout(5_000);
    return socket;
  }

  private static void write(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
  }

  /** Whether the server closes the connection within a few seconds (it says nothing first). */
  private static boolean closedByServer(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (java.net.SocketException e) {
      return true; // reset
    }
  }

  private static int healthOn(Socket socket) throws IOException {
    write(socket, HEALTH);
    return RawHttp.read(socket.getInputStream()).status();
  }

  @Test
  void aClientTricklingItsHeadersIsCutOffAtTheHeaderDeadline() throws Exception {
    try (ServerHarness h = ServerHarness.start(dir, b -> { }, c -> c.withHttpLimits(
        HttpLimits.defaults().withHeaderTimeout(Duration.ofSeconds(10))))) {
      try (Socket slow = open(h); Socket idle = open(h)) {
        assertThat(healthOn(idle)).isEqualTo(200); // a kept-alive connection, between requests
        write(slow, "GET /health HTTP/1.1\r\n");
        // One header line per 5 s, each well within any idle timeout. The server reads the
        // first line at some point after it is written: allow for that, not for forever.
        int lines = 0;
        boolean closed = false;
        slow.setSoTimeout(300);
        while (!closed && lines < 8) {
          h.clock.advance(Duration.ofSeconds(5));
          lines++;
          try {
            write(slow, "X-" + lines + ": 1\r\n");
            closed = closedByServer(slow);
          } catch (java.net.SocketException e) {
            closed = true;
          }
        }

        assertThat(closed).isTrue();
        assertThat(lines).isLessThanOrEqualTo(4); // 10 s deadline, plus reading and checking
        assertThat(healthOn(idle)).isEqualTo(200); // no request under way: not the deadline's
      }
    }
  }

  @Test
  void aRequestWithinTheDeadlineIsServed() throws Exception {
    try (ServerHarness h = ServerHarness.start(dir, b -> { }, c -> c.withHttpLimits(
        HttpLimits.defaults().withHeaderTimeout(Duration.ofSeconds(10))))) {
      try (Socket socket = open(h)) {
        write(socket, "GET /health HTTP/1.1\r\n");
        h.clock.advance(Duration.ofSeconds(9));
        write(socket, "Host: x\r\n\r\n");

        assertThat(RawHttp.read(socket.getInputStream()).status()).isEqualTo(200);
      }
    }
  }

  @Test
  void connectionsBeyondThePerAddressCapAreClosedAtOnce() throws Exception {
    try (ServerHarness h = ServerHarness.start(dir, b -> { }, c -> c.withHttpLimits(
        HttpLimits.defaults().withConnections(100, 3)))) {
      List<Socket> sockets = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          Socket socket = open(h);
          sockets.add(socket);
          assertThat(healthOn(socket)).isEqualTo(200);
        }
        Socket fourth = open(h);
        sockets.add(fourth);

        assertThat(closedByServer(fourth)).isTrue();
        assertThat(healthOn(sockets.get(0))).isEqualTo(200);
        sockets.get(1).close();
        // The server notices the close asynchronously, and every probe is a connection of its
        // own whose close it notices asynchronously too: a new connection is served again soon.
        assertThat(servedWithin(h, Duration.ofSeconds(5))).isTrue();
      } finally {
        for (Socket socket : sockets) {
          socket.close();
        }
      }
    }
  }

  @Test
  void connectionsBeyondTheTotalCapAreClosedAtOnce() throws Exception {
    try (ServerHarness h = ServerHarness.start(dir, b -> { }, c -> c.withHttpLimits(
        HttpLimits.defaults().withConnections(2, 100)))) {
      try (Socket one = open(h); Socket two = open(h); Socket three = open(h)) {
        assertThat(healthOn(one)).isEqualTo(200);
        assertThat(healthOn(two)).isEqualTo(200);

        assertThat(closedByServer(three)).isTrue();
      }
    }
  }

  /** Whether a new connection gets a health answer within {@code wait}, probing until it does. */
  private static boolean servedWithin(ServerHarness h, Duration wait) throws Exception {
    long deadline = System.nanoTime() + wait.toNanos();
    while (System.nanoTime() < deadline) {
      try (Socket probe = open(h)) {
        probe.setSoTimeout(200);
        write(probe, HEALTH);
        if (RawHttp.read(probe.getInputStream()).status() == 200) {
          return true;
        }
      } catch (java.net.SocketException e) {
        // refused while the server still counts the closed connection: probe again
      }
    }
    return false;
  }
}
