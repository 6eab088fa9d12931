package io.wxtoken.http;

import java.time.Duration;

/**
 * The HTTP layer's bounds on connections and on the WeChat pass-through.
 *
 * @param headerTimeout a request's line and headers must arrive within this much time of its
 *     first byte (slowloris); the connection is closed otherwise
 * @param maxConnections open connections at once, all clients together; beyond it new ones are
 *     closed at once
 * @param maxConnectionsPerAddress open connections at once from one address (IPv6: one /64); not
 *     applied when the address is a trusted reverse proxy's ({@code trustForwardedFor})
 * @param passThrough whether other {@code /cgi-bin/} calls are forwarded to WeChat at all
 * @param passThroughAnyToken forward calls whatever their {@code access_token}; by default only
 *     calls carrying a token wxtoken issued and that is still valid are forwarded
 * @param passThroughExchanges forwarded calls in progress at once; beyond it, a 429
 * @param passThroughBytes request body bytes of forwarded calls in progress at once (by their
 *     {@code Content-Length}); beyond it, a 429
 * @param passThroughBodyBytes largest request body forwarded, except to the media-upload paths
 * @param passThroughUploadBytes largest request body forwarded to WeChat's media-upload paths
 * @param passThroughDeadline bound on a whole forwarded exchange, from the request to the last
 *     byte of the answer
 */
public record HttpLimits(Duration headerTimeout, int maxConnections, int maxConnectionsPerAddress,
    boolean passThrough, boolean passThroughAnyToken, int passThroughExchanges,
    long passThroughBytes, long passThroughBodyBytes, long passThroughUploadBytes,
    Duration passThroughDeadline) {

  /** Sane defaults for a server with a 256 MiB heap. */
  public static HttpLimits defaults() {
    return new HttpLimits(Duration.ofSeconds(10), 10_000, 2048, true, false, 64,
        64L * 1024 * 1024, 1024 * 1024, 12L * 1024 * 1024, Duration.ofSeconds(60));
  }

  public HttpLimits {
    if (headerTimeout.isNegative() || headerTimeout.isZero()) {
      throw new IllegalArgumentException("headerTimeout must be positive");
    }
    if (passThroughDeadline.isNegative() || passThroughDeadline.isZero()) {
      throw new IllegalArgumentException("passThroughDeadline must be positive");
    }
    if (maxConnections < 1 || maxConnectionsPerAddress < 1 || passThroughExchanges < 1
        || passThroughBytes < 1 || passThroughBodyBytes < 0 || passThroughUploadBytes < 0) {
      throw new IllegalArgumentException("connection and pass-through limits must be positive");
    }
  }

  public HttpLimits withHeaderTimeout(Duration value) {
    return new HttpLimits(value, maxConnections, maxConnectionsPerAddress, passThrough,
        passThroughAnyToken, passThroughExchanges, passThroughBytes, passThroughBodyBytes,
        passThroughUploadBytes, passThroughDeadline);
  }

  public HttpLimits withConnections(int total, int perAddress) {
    return new HttpLimits(headerTimeout, total, perAddress, passThrough, passThroughAnyToken,
        passThroughExchanges, passThroughBytes, passThroughBodyBytes, passThroughUploadBytes,
        passThroughDeadline);
  }

  public HttpLimits withPassThrough(boolean on, boolean anyToken) {
    return new HttpLimits(headerTimeout, maxConnections, maxConnectionsPerAddress, on, anyToken,
        passThroughExchanges, passThroughBytes, passThroughBodyBytes, passThroughUploadBytes,
        passThroughDeadline);
  }

  public HttpLimits withPassThroughBounds(int exchanges, long bytes, long bodyBytes,
      long uploadBytes, Duration deadline) {
    return new HttpLimits(headerTimeout, maxConnections, maxConnectionsPerAddress, passThrough,
        passThroughAnyToken, exchanges, bytes, bodyBytes, uploadBytes, deadline);
  }
}
