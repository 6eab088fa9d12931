package io.wxtoken.http;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Request ids: the caller's {@code X-Request-Id} when it is a sane token, otherwise a new UUID.
 *
 * <p>A caller's id is echoed into JSON and logs, so only {@code [A-Za-z0-9._:-]}, at most 128
 * characters, is accepted. New ids are random (version 4) UUIDs from {@link ThreadLocalRandom}:
 * unique enough to trace a request, and cheaper than {@link UUID#randomUUID()}'s SecureRandom.
 */
final class RequestIds {
  static final int MAX_LENGTH = 128;

  private RequestIds() {}

  static String fromHeader(String header) {
    return isAcceptable(header) ? header : newId();
  }

  static boolean isAcceptable(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == ':' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  static String newId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
    long low = (random.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48); // IETF variant
    return new UUID(high, low).toString();
  }
}
