package io.wxtoken.cli;

import io.wxtoken.store.redis.RedisAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsers for setting values, each failing with a {@link ConfigException} naming the setting. */
final class Settings {
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

  private Settings() {}

  static String name(String flag) {
    String env = Main.ENVIRONMENT.get(flag);
    return env == null ? flag : flag + "/" + env;
  }

  static int port(String flag, int value) {
    if (value < 0 || value > 65535) {
      throw new ConfigException(name(flag) + " must be between 0 and 65535, got " + value);
    }
    return value;
  }

  /** {@code file:DIR} (the embedded store); anything else is refused with what is supported. */
  static Path store(String flag, String spec) {
    String value = spec.trim();
    if (value.startsWith("file:") && value.length() > "file:".length()) {
      return Path.of(value.substring("file:".length()));
    }
    throw new ConfigException(name(flag) + " must look like file:DIR (e.g. file:./data) or"
        + " redis://host:port/db, got '" + RedisAddress.hide(value) + "'");
  }

  /** A Redis address ({@link RedisAddress} lists the forms); the password never shown. */
  static RedisAddress redis(String flag, String spec) {
    try {
      return RedisAddress.parse(spec);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(name(flag) + ": " + e.getMessage());
    }
  }

  static URI httpUrl(String flag, String value) {
    try {
      URI uri = new URI(value.trim());
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null
          || uri.getRawQuery() != null || uri.getRawFragment() != null) {
        throw new URISyntaxException(value, "not an http(s) URL");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new ConfigException(name(flag) + " must be an http:// or https:// URL such as "
          + "https://api.weixin.qq.com, got '" + value + "'");
    }
  }

  /** {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}; positive. */
  static Duration duration(String flag, String value) {
    Matcher m = DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
    if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
      throw new ConfigException(name(flag) + " must be a positive duration like 500ms, 5s or 2m,"
          + " got '" + value + "'");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }

  static <T> T choice(String flag, String value, java.util.function.Function<String, T> parse) {
    try {
      return parse.apply(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(name(flag) + ": " + e.getMessage());
    }
  }

  private static final Pattern SIZE = Pattern.compile("(\\d{1,12})(k|m)?");

  /** A byte count: {@code 65536}, {@code 64k}, {@code 12m} (KiB, MiB); positive. */
  static long size(String flag, String value) {
    Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
    if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
      throw new ConfigException(name(flag) + " must be a positive size like 65536, 64k or 12m,"
          + " got '" + value + "'");
    }
    long n = Long.parseLong(m.group(1));
    long bytes = m.group(2) == null ? n : m.group(2).equals("k") ? n * 1024 : n * 1024 * 1024;
    if (bytes > Integer.MAX_VALUE) {
      throw new ConfigException(name(flag) + " must be at most 2047m, got '" + value + "'");
    }
    return bytes;
  }

  /** A count within 1..max. */
  static int count(String flag, int value, int max) {
    if (value < 1 || value > max) {
      throw new ConfigException(name(flag) + " must be between 1 and " + max + ", got " + value);
    }
    return value;
  }
}
