package io.wxtoken.http;

import java.util.Objects;

/**
 * How the HTTP API listens and answers.
 *
 * @param host address to listen on
 * @param port port; 0 picks a free one
 * @param eventLoops event loops, one server each
 * @param expiresAtFormat JSON type of {@code data.expiresAt}
 * @param trustForwardedFor whether the client address (for throttling) is the last entry of
 *     {@code X-Forwarded-For}, as set by a reverse proxy in front; never enable it without one, or
 *     any client can pick its own address
 */
public record HttpOptions(String host, int port, int eventLoops, ExpiresAtFormat expiresAtFormat,
    boolean trustForwardedFor) {

  public HttpOptions {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(expiresAtFormat, "expiresAtFormat");
  }
}
