package io.wxtoken.http;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * Normalizes a request path before it is routed or forwarded: percent-decoded once, dot segments
 * ({@code .}, {@code ..}) resolved, and refused (null) when it could mean something else to another
 * server: an encoded {@code /} or {@code \}, a bad escape, a control or non-ASCII character, an
 * empty segment ({@code //}, a trailing {@code /}), a segment ending in {@code .}, a {@code ..}
 * above the root, or a character outside {@code [A-Za-z0-9._~-]}.
 *
 * <p>Paths under {@code /cgi-bin/} are lower-cased: WeChat's API paths are all lower case, and
 * routing them case-insensitively keeps {@code /cgi-bin/TOKEN} from slipping past the facade.
 *
 * <p>The result contains only {@code /} and unreserved characters: it is its own encoding, safe to
 * put in an outbound URL as is. Stateless.
 */
final class RequestTarget {
  /** Longest path accepted; WeChat's are under 60 characters. */
  static final int MAX_PATH = 1024;
  /** Longest query accepted; a WeChat query is an access_token and a few short parameters. */
  static final int MAX_QUERY = 4096;

  private RequestTarget() {}

  /** The normalized path, or null if {@code raw} is refused. */
  static String normalize(String raw) {
    if (raw == null || raw.isEmpty() || raw.charAt(0) != '/' || raw.length() > MAX_PATH) {
      return null;
    }
    Deque<String> segments = new ArrayDeque<>();
    int start = 1;
    while (start <= raw.length()) {
      int end = raw.indexOf('/', start);
      if (end < 0) {
        end = raw.length();
      }
      String segment = decode(raw, start, end);
      if (segment == null) {
        return null;
      }
      if (segment.equals("..")) {
        if (segments.pollLast() == null) {
          return null;
        }
      } else if (!segment.equals(".")) {
        if (segment.isEmpty() || segment.endsWith(".")) {
          return raw.length() == 1 ? "/" : null;
        }
        segments.addLast(segment);
      }
      start = end + 1;
    }
    if (segments.isEmpty()) {
      return "/";
    }
    String path = "/" + String.join("/", segments);
    return path.regionMatches(true, 0, "/cgi-bin/", 0, 9)
        ? path.toLowerCase(Locale.ROOT) : path;
  }

  /** One segment, percent-decoded, or null if it holds anything refused. */
  private static String decode(String raw, int start, int end) {
    StringBuilder out = new StringBuilder(end - start);
    for (int i = start; i < end; i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= end) {
          return null;
        }
        int high = Character.digit(raw.charAt(i + 1), 16);
        int low = Character.digit(raw.charAt(i + 2), 16);
        if (high < 0 || low < 0) {
          return null;
        }
        c = (char) (high * 16 + low);
        i += 2;
      }
      if (!isUnreserved(c)) {
        return null; // '/', '\', controls, non-ASCII, and every other delimiter
      }
      out.append(c);
    }
    return out.toString();
  }

  private static boolean isUnreserved(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '-' || c == '.' || c == '_' || c == '~';
  }

  /**
   * Whether a query string is well-formed enough to decode and forward: printable ASCII without
   * spaces or {@code #}, every {@code %} followed by two hex digits, bounded. Null (no query) is.
   */
  static boolean isValidQuery(String query) {
    if (query == null) {
      return true;
    }
    if (query.length() > MAX_QUERY) {
      return false;
    }
    for (int i = 0; i < query.length(); i++) {
      char c = query.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == '#' || c == '"' || c == '<' || c == '>' || c == '\\') {
        return false;
      }
      if (c == '%' && (i + 2 >= query.length() || Character.digit(query.charAt(i + 1), 16) < 0
          || Character.digit(query.charAt(i + 2), 16) < 0)) {
        return false;
      }
    }
    return true;
  }
}
