package io.wxtoken.client;

/**
 * No wxtoken server answered: every attempt failed to connect, timed out or lost its connection,
 * across the client's retries and server URLs, or the call's time ran out. The cause is the last
 * attempt's {@link java.io.IOException} (or the interruption that stopped the call).
 *
 * <p>Immutable and thread-safe.
 */
public final class WxTokenUnreachableException extends WxTokenException {
  private static final long serialVersionUID = 1L;

  WxTokenUnreachableException(String message, String requestId, Throwable cause) {
    super(message, 0, 0, requestId, true, cause);
  }
}
