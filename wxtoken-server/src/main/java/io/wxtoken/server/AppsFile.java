package io.wxtoken.server;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Apps registered at start ({@code --apps-file}), so their tokens are fetched and kept fresh
 * before the first caller asks:
 *
 * <pre>{@code
 * {"apps": [
 *   {"appId": "wx5f1e2d3c4b5a6978", "secret": "env:WX_MAIN_SECRET"},
 *   {"appId": "wx0a1b2c3d4e5f6071", "secret": "file:/run/secrets/wx_shop", "verifyOnly": true}
 * ]}
 * }</pre>
 *
 * <p>A secret is given by reference only ({@code env:NAME} or {@code file:PATH}), never inline, so
 * the file itself holds nothing secret. Every problem fails the start with a message naming the
 * file and the entry, never a secret.
 */
final class AppsFile {
  private static final Pattern APP_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .build();

  /** One app to register, its secret already resolved. {@link #toString()} hides the secret. */
  record App(String appId, String secret, boolean verifyOnly) {
    @Override
    public String toString() {
      return "App[appId=" + appId + ", secret=<redacted>, verifyOnly=" + verifyOnly + "]";
    }
  }

  private record Entry(String appId, String secret, Boolean verifyOnly) {}

  private record Document(List<Entry> apps) {}

  private AppsFile() {}

  /** Reads and resolves the file; {@code environment} is usually {@code System.getenv()}. */
  static List<App> read(Path file, Map<String, String> environment) {
    Document doc;
    try {
      doc = JSON.readValue(Files.readAllBytes(file), Document.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("--apps-file " + file + " is not valid: " + describe(e));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read --apps-file " + file + ": " + e.getMessage());
    }
    if (doc == null || doc.apps() == null) {
      throw new IllegalStateException("--apps-file " + file + " must hold {\"apps\": [...]}");
    }
    List<App> apps = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < doc.apps().size(); i++) {
      Entry entry = doc.apps().get(i);
      String where = "--apps-file " + file + ", apps[" + i + "]";
      if (entry == null || entry.appId() == null || !APP_ID.matcher(entry.appId()).matches()) {
        throw new IllegalStateException(where + ": appId must be 1-64 letters, digits, '_' or '-'");
      }
      if (!seen.add(entry.appId())) {
        throw new IllegalStateException(where + ": appId " + entry.appId() + " is listed twice");
      }
      String secret = resolve(where + " (" + entry.appId() + ")", entry.secret(), environment);
      apps.add(new App(entry.appId(), secret, Boolean.TRUE.equals(entry.verifyOnly())));
    }
    return apps;
  }

  /**
   * Where and what, without Jackson's own message: that quotes the offending input, which may be a
   * secret pasted without quotes.
   */
  private static String describe(JsonProcessingException e) {
    if (e instanceof UnrecognizedPropertyException u) {
      return "at " + path(u) + ": unknown field \"" + printable(u.getPropertyName()) + "\"";
    }
    if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
      return "at " + path(m) + ": wrong type or value (see the format in the README)";
    }
    JsonLocation where = e.getLocation();
    return where == null ? "malformed JSON"
        : "malformed JSON at line " + where.getLineNr() + ", column " + where.getColumnNr();
  }

  private static String path(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      } else if (ref.getFieldName() != null) {
        path.append(path.length() == 0 ? "" : ".").append(printable(ref.getFieldName()));
      }
    }
    return path.length() == 0 ? "the top level" : path.toString();
  }

  private static String printable(String name) {
    String cut = name.length() > 40 ? name.substring(0, 40) + "…" : name;
    return cut.replaceAll("[^A-Za-z0-9_.-]", "?");
  }

  private static String resolve(String where, String reference, Map<String, String> environment) {
    if (reference == null) {
      throw new IllegalStateException(where + ": secret is required, as env:NAME or file:PATH");
    }
    String value;
    if (reference.startsWith("env:")) {
      value = environment.get(reference.substring(4));
      if (value == null) {
        throw new IllegalStateException(where + ": environment variable "
            + reference.substring(4) + " is not set");
      }
    } else if (reference.startsWith("file:")) {
      try {
        value = Files.readString(Path.of(reference.substring(5)), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new IllegalStateException(where + ": cannot read secret file "
            + reference.substring(5));
      }
    } else {
      throw new IllegalStateException(where + ": secret must be a reference, env:NAME or"
          + " file:PATH (secrets are not written into the apps file)");
    }
    String secret = value.trim();
    if (secret.isEmpty() || secret.length() > 128 || !secret.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new IllegalStateException(where + ": the secret must be 1-128 visible ASCII characters");
    }
    return secret;
  }
}
