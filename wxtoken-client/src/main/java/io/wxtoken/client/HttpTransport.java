package io.wxtoken.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * POSTs a request to the wxtoken servers, with bounded retries and failover.
 *
 * <p>An attempt that fails to connect, times out or loses its connection, or gets an HTTP 5xx or a
 * retryable envelope (statusCode 500), is retried, at most {@code maxRetries} times and never past
 * the call's deadline. Each retry goes to the next server URL: the first pass over the URLs
 * follows at once (another server is probably fine), later ones wait with {@link Backoff}. The URL
 * that last answered is tried first by the next call, so a server that is down costs one failed
 * connect, not one per call. Every endpoint is safe to send twice (token and ticket reads are
 * idempotent, the refresh is compare-and-refresh), so a retry after a lost answer does no harm.
 *
 * <p>This is a hand-written retry loop because the client's runtime is the JDK and Jackson only;
 * it is small and each of its rules has a test.
 *
 * <p>Connections are the JDK's {@link HttpURLConnection} (kept alive by the JDK between calls).
 * Redirects are not followed, so the body with the secret goes only to a configured URL.
 *
 * <p>Thread-safe: immutable but for the index of the URL to try first.
 */
final class HttpTransport {
  /** A wxtoken answer is a few hundred bytes; anything much larger is not from wxtoken. */
  static final int MAX_ANSWER_BYTES = 64 * 1024;
  static final String USER_AGENT = "wxtoken-client/0.1";

  private static final Logger LOG = Logger.getLogger(HttpTransport.class.getName());

  /** Reads an HTTP answer into a result, or throws the {@link WxTokenException} it amounts to. */
  interface Reader<T> {
    T read(int httpStatus, byte[] body, String url);
  }

  private final List<String> baseUrls;
  private final int connectTimeoutMillis;
  private final int readTimeoutMillis;
  private final long callTimeoutNanos;
  private final int maxRetries;
  private final Backoff backoff;
  private final AtomicInteger preferred = new AtomicInteger();

  HttpTransport(List<String> baseUrls, int connectTimeoutMillis, int readTimeoutMillis,
      long callTimeoutMillis, int maxRetries, Backoff backoff) {
    this.baseUrls = baseUrls;
    this.connectTimeoutMillis = connectTimeoutMillis;
    this.readTimeoutMillis = readTimeoutMillis;
    this.callTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(callTimeoutMillis);
    this.maxRetries = maxRetries;
    this.backoff = backoff;
  }

  /**
   * Sends {@code body} to {@code path} on the servers until one answers in a way that is not worth
   * retrying, and returns what {@code reader} makes of it.
   *
   * @throws WxTokenException what the reader threw for the last answer, or
   *     {@link WxTokenUnreachableException} if the last attempt got no answer
   */
  <T> T post(String path, byte[] body, String requestId, Reader<T> reader) {
    return post(path, body, requestId, null, reader);
  }

  /**
   * As {@link #post(String, byte[], String, Reader)}, with {@code Authorization: Bearer <key>}
   * when {@code callerKey} is not null (never logged, never in a message).
   */
  <T> T post(String path, byte[] body, String requestId, String callerKey, Reader<T> reader) {
    long deadline = System.nanoTime() + callTimeoutNanos;
    int servers = baseUrls.size();
    int first = preferred.get();
    WxTokenException lastAnswer = null;
    IOException lastFailure = null;
    int attempt = 0;
    for (; attempt <= maxRetries; attempt++) {
      if (attempt >= servers && !pause(backoff.delayMillis(attempt - servers + 1), deadline)) {
        break; // the wait would run past the call's deadline
      }
      long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (remainingMillis <= 0) {
        break;
      }
      int index = (first + attempt) % servers;
      String url = baseUrls.get(index) + path;
      try {
        byte[] answer;
        int status;
        HttpURLConnection c = open(url, remainingMillis, requestId, body.length);
        if (callerKey != null) {
          c.setRequestProperty("Authorization", "Bearer " + callerKey);
        }
        try {
          status = send(c, body);
          answer = receive(c, status);
        } catch (IOException e) {
          c.disconnect(); // do not hand a broken connection back to the keep-alive pool
          throw e;
        }
        T result = reader.read(status, answer, url);
        prefer(index);
        return result;
      } catch (IOException e) {
        lastFailure = e;
        lastAnswer = null;
        LOG.log(Level.FINE, "wxtoken request {0} to {1} failed: {2}",
            new Object[] {requestId, url, e.toString()});
      } catch (WxTokenException e) {
        if (!e.retryable) {
          prefer(index); // the server answered: it is up
          throw e;
        }
        lastAnswer = e;
        lastFailure = null;
        LOG.log(Level.FINE, "wxtoken request {0} to {1} answered {2}",
            new Object[] {requestId, url, e.getMessage()});
      }
    }
    if (lastAnswer != null) {
      throw lastAnswer;
    }
    if (Thread.currentThread().isInterrupted()) {
      throw new WxTokenUnreachableException("interrupted while retrying", requestId, null);
    }
    String why = lastFailure == null ? "the call's time ran out" : lastFailure.toString();
    throw new WxTokenUnreachableException("no wxtoken server answered after " + attempt
        + " attempt(s) to " + baseUrls + ": " + why, requestId, lastFailure);
  }

  private HttpURLConnection open(String url, long remainingMillis, String requestId,
      int contentLength) throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
    c.setRequestMethod("POST");
    c.setDoOutput(true);
    c.setUseCaches(false);
    c.setInstanceFollowRedirects(false);
    c.setConnectTimeout((int) Math.min(connectTimeoutMillis, remainingMillis));
    c.setReadTimeout((int) Math.min(readTimeoutMillis, remainingMillis));
    c.setFixedLengthStreamingMode(contentLength);
    c.setRequestProperty("Content-Type", "application/json; charset=utf-8");
    c.setRequestProperty("Accept", "application/json");
    c.setRequestProperty("User-Agent", USER_AGENT);
    c.setRequestProperty("X-Request-Id", requestId);
    return c;
  }

  private static int send(HttpURLConnection c, byte[] body) throws IOException {
    try (OutputStream out = c.getOutputStream()) {
      out.write(body);
    }
    return c.getResponseCode();
  }

  /** Reads the whole answer, which lets the JDK reuse the connection. */
  private static byte[] receive(HttpURLConnection c, int status) throws IOException {
    InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
    if (in == null) {
      return new byte[0];
    }
    try (InputStream stream = in) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(512);
      byte[] buffer = new byte[4096];
      for (int n; (n = stream.read(buffer)) != -1; ) {
        if (out.size() + n > MAX_ANSWER_BYTES) {
          throw new IOException("answer larger than " + MAX_ANSWER_BYTES + " bytes");
        }
        out.write(buffer, 0, n);
      }
      return out.toByteArray();
    }
  }

  private void prefer(int index) {
    if (preferred.get() != index) {
      preferred.set(index);
    }
  }

  /** Sleeps unless that would pass the deadline; false if it would, or if interrupted. */
  private static boolean pause(long millis, long deadline) {
    if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis) >= deadline) {
      return false;
    }
    try {
      Thread.sleep(millis);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the caller sees it, and the call ends now
      return false;
    }
  }

  List<String> baseUrls() {
    return baseUrls;
  }
}
