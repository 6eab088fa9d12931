package io.wxtoken.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * Requests written byte for byte on a plain socket, for what an HTTP client library would refuse
 * to send or would normalize (absolute-form targets, encoded paths, broken headers).
 */
final class RawHttp {
  private RawHttp() {}

  /** What came back: the status (0 if none) and the whole text, head and body. */
  record Answer(int status, String text) {
    String body() {
      int at = text.indexOf("\r\n\r\n");
      return at < 0 ? "" : text.substring(at + 4);
    }

    boolean hasHeader(String name) {
      int end = text.indexOf("\r\n\r\n");
      String head = (end < 0 ? text : text.substring(0, end)).toLowerCase(java.util.Locale.ROOT);
      return head.contains("\r\n" + name.toLowerCase(java.util.Locale.ROOT) + ":");
    }
  }

  /** Sends {@code request} as ISO-8859-1 bytes and reads one answer (or until the server closes). */
  static Answer exchange(int port, String request) {
    return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1));
  }

  static Answer exchange(int port, byte[] request) {
    return exchange(port, request, 10_000);
  }

  /** As {@link #exchange(int, byte[])}, waiting at most {@code readMillis} for each read. */
  static Answer exchange(int port, byte[] request, int readMillis) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(readMillis);
      try {
        socket.getOutputStream().write(request);
        socket.getOutputStream().flush();
      } catch (IOException e) {
        // the server may answer and close before reading it all; read what it said
      }
      return read(socket.getInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads one answer: up to its Content-Length, or to the end of the stream. */
  static Answer read(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    int expected = -1;
    try {
      int n;
      while ((n = in.read(buffer)) > 0) {
        out.write(buffer, 0, n);
        String text = out.toString(StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end >= 0 && expected < 0) {
          String head = text.substring(0, end).toLowerCase(java.util.Locale.ROOT);
          int at = head.indexOf("\r\ncontent-length:");
          if (at >= 0) {
            int eol = head.indexOf("\r\n", at + 2);
            expected = end + 4 + Integer.parseInt(
                head.substring(at + 17, eol < 0 ? head.length() : eol).trim());
          }
        }
        if (expected >= 0 && out.size() >= expected) {
          break;
        }
      }
    } catch (SocketTimeoutException | java.net.SocketException e) {
      // what arrived is the answer
    }
    String text = out.toString(StandardCharsets.UTF_8);
    int status = 0;
    if (text.startsWith("HTTP/1.") && text.length() >= 12) {
      try {
        status = Integer.parseInt(text.substring(9, 12));
      } catch (NumberFormatException e) {
        status = 0;
      }
    }
    return new Answer(status, text);
  }

  /**
   * A loopback listener that must never be connected to: wxtoken forwarding anything to it would
   * be an open proxy.
   */
  static final class Canary implements AutoCloseable {
    private final ServerSocketChannel channel;

    Canary() {
      try {
        channel = ServerSocketChannel.open();
        channel.bind(new InetSocketAddress("127.0.0.1", 0));
        channel.configureBlocking(false);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    int port() {
      return channel.socket().getLocalPort();
    }

    /** Whether anyone has connected (a pending connection is accepted and counted). */
    boolean wasConnected() {
      try {
        return channel.accept() != null;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() {
      try {
        channel.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
