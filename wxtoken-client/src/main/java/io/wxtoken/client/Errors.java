package io.wxtoken.client;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns an error envelope into the matching {@link WxTokenException}. Stateless. */
final class Errors {
  /** The server writes WeChat's code as "errcode 40164" in its 602 and 403/2002 messages. */
  private static final Pattern ERRCODE = Pattern.compile("errcode (-?\\d{1,9})");
  /** Shorter secrets would match too much of an ordinary message to be worth scrubbing. */
  private static final int MIN_SCRUBBED_LENGTH = 6;

  private Errors() {
  }

  /**
   * The exception for an envelope whose {@code statusCode} is not 200.
   *
   * @param requestId the id the call was sent with, used when the envelope carries none
   * @param secret the caller's appSecret, removed from the message should it ever appear there
   */
  static WxTokenException of(Envelope e, String requestId, String secret) {
    String message = scrub(e.message, secret);
    String id = e.requestId != null ? e.requestId : requestId;
    switch (e.statusCode) {
      case 400:
      case 401:
      case 404:
      case 405:
      case 413:
        return new InvalidRequestException(message, e.statusCode, e.apiCode, id);
      case 403:
        return new SecretRejectedException(message, e.statusCode, e.apiCode, id);
      case 429:
        return new ThrottledException(message, e.statusCode, e.apiCode, id);
      case 601:
        return new WeChatUnavailableException(message, e.statusCode, e.apiCode, id);
      case 602:
        return new WeChatErrorException(message, e.statusCode, e.apiCode, id, errcode(message));
      default:
        // 500 is the server's own failure: another attempt, or another server, may succeed.
        boolean retryable = e.statusCode >= 500 && e.statusCode < 600;
        return new WxTokenServerException(message, e.statusCode, e.apiCode, id, retryable);
    }
  }

  static int errcode(String message) {
    if (message == null) {
      return 0;
    }
    Matcher m = ERRCODE.matcher(message);
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  /** The message with every occurrence of the secret replaced; the server never sends one. */
  static String scrub(String message, String secret) {
    if (message == null || secret == null || secret.length() < MIN_SCRUBBED_LENGTH) {
      return message;
    }
    return message.replace(secret, "<redacted>");
  }
}
