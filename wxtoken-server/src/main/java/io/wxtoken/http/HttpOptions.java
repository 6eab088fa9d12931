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
 * @param adminToken bearer token for the admin endpoints, or null to turn them off
 * @param wechatBaseUrl where other {@code /cgi-bin/} calls are forwarded, or null to refuse them
 * @param connectTimeout bound on connecting to WeChat for a forwarded call
 * @param readTimeout bound on one WeChat exchange of the engine's (the pass-through has its own
 *     deadline in {@code limits})
 * @param limits bounds on connections and on the pass-through
 */
public record HttpOptions(String host, int port, int eventLoops, ExpiresAtFormat expiresAtFormat,
    boolean trustForwardedFor, String adminToken, java.net.URI wechatBaseUrl,
    java.time.Duration connectTimeout, java.time.Duration readTimeout, HttpLimits limits) {

  @Override
  public String toString() {
    return "HttpOptions[host=" + host + ", port=" + port + ", eventLoops=" + eventLoops
        + ", expiresAtFormat=" + expiresAtFormat + ", trustForwardedFor=" + trustForwardedFor
        + ", adminToken=" + (adminToken == null ? "off" : "<redacted>") + ", limits=" + limits + "]";
  }

  public HttpOptions {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(expiresAtFormat, "expiresAtFormat");
    Objects.requireNonNull(limits, "limits");
  }
}
