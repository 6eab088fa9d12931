package io.wxtoken.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The body of a token request, {@code {"appId": "...", "appSecret": "..."}}, parsed from JSON or
 * from {@code application/x-www-form-urlencoded} (which one Authing SDK sends) and validated. A
 * "form" body that starts with <code>{</code> is read as JSON, since that is what {@code curl -d}
 * sends without a Content-Type.
 *
 * <p>Bounds: appId 1–64 characters of {@code [A-Za-z0-9_-]} (WeChat AppIds are {@code wx} + 16 hex
 * digits); appSecret 1–128 visible ASCII characters (WeChat's are 32 hex digits). Unknown fields
 * are ignored, as Authing's SDKs may add some. Messages name the field and never echo the secret.
 *
 * <p>Other endpoints take one more field ({@link Kind}): the refresh endpoint {@code staleToken}
 * (the token WeChat refused, 1–2048 visible ASCII characters), the ticket endpoint an optional
 * {@code type} ({@code jsapi}, the default, or {@code wx_card}), the signing endpoint {@code url}
 * (the page, http(s), at most 2048 characters).
 *
 * @param appId WeChat AppId
 * @param appSecret WeChat AppSecret; {@link #toString()} never prints it
 * @param staleToken the token reported stale, or null
 * @param type the ticket type, or null
 * @param url the page to sign, or null
 */
record TokenRequest(String appId, String appSecret, String staleToken, String type, String url) {

  /** Which endpoint's body this is, and so which extra field it takes. */
  enum Kind { TOKEN, REFRESH, TICKET, SIGN }

  static final int MAX_APP_ID = 64;
  static final int MAX_APP_SECRET = 128;
  static final int MAX_TOKEN = 2048;
  static final int MAX_URL = 2048;

  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();
  private static final Object NOT_A_STRING = new Object();

  @Override
  public String toString() {
    return "TokenRequest[appId=" + appId + ", appSecret=<redacted>, staleToken="
        + (staleToken == null ? "none" : "<redacted>") + ", type=" + type + ", url=" + url + "]";
  }

  /**
   * Parses and validates a request body.
   *
   * @param contentType the request's Content-Type header, or null (treated as JSON)
   * @throws ApiException with a 400-class error naming what is wrong
   */
  static TokenRequest parse(String contentType, byte[] body) {
    return parse(contentType, body, Kind.TOKEN);
  }

  /** As {@link #parse(String, byte[])}, with the extra field of {@code kind}'s endpoint. */
  static TokenRequest parse(String contentType, byte[] body, Kind kind) {
    return parse(syntax(contentType, body), body, kind);
  }

  /** How a body is read: decided by its Content-Type, and for a "form", by its first byte. */
  enum Syntax { JSON, FORM }

  /**
   * Which reader {@code body} goes through.
   *
   * @throws ApiException if the body is empty or its Content-Type is neither JSON nor a form
   */
  static Syntax syntax(String contentType, byte[] body) {
    String mediaType = mediaType(contentType);
    if (body.length == 0) {
      throw new ApiException(ApiError.MALFORMED_BODY,
          "request body is empty; expected {\"appId\": \"...\", \"appSecret\": \"...\"}");
    }
    if (mediaType.isEmpty() || mediaType.equals("application/json") || mediaType.endsWith("+json")) {
      return Syntax.JSON;
    }
    if (mediaType.equals("application/x-www-form-urlencoded")) {
      // `curl -d '{...}'` labels JSON as a form; a form body never starts with '{'.
      return startsWithBrace(body) ? Syntax.JSON : Syntax.FORM;
    }
    throw new ApiException(ApiError.UNSUPPORTED_CONTENT_TYPE, "unsupported Content-Type '"
        + printable(mediaType) + "'; use application/json or application/x-www-form-urlencoded");
  }

  /**
   * Parses and validates a body read as {@code syntax}: a pure function of its arguments.
   *
   * @throws ApiException with a 400-class error naming what is wrong
   */
  static TokenRequest parse(Syntax syntax, byte[] body, Kind kind) {
    return parse(syntax, body, kind, null);
  }

  /**
   * As {@link #parse(Syntax, byte[], Kind)}, with {@code secretIfAbsent} (a caller key from
   * {@code Authorization: Bearer}) standing in for an absent {@code appSecret}.
   */
  static TokenRequest parse(Syntax syntax, byte[] body, Kind kind, String secretIfAbsent) {
    return syntax == Syntax.JSON ? fromJson(body, kind, secretIfAbsent)
        : fromForm(body, kind, secretIfAbsent);
  }

  private static boolean startsWithBrace(byte[] body) {
    for (byte b : body) {
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
        return b == '{';
      }
    }
    return false;
  }

  private static String mediaType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semicolon = contentType.indexOf(';');
    String type = semicolon < 0 ? contentType : contentType.substring(0, semicolon);
    return type.trim().toLowerCase(Locale.ROOT);
  }

  /** Streams through the object once (no tree): the hot path's parse. */
  private static TokenRequest fromJson(byte[] body, Kind kind, String secretIfAbsent) {
    Object appId = null;
    Object appSecret = null;
    Object staleToken = null;
    Object type = null;
    Object url = null;
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new ApiException(ApiError.MALFORMED_BODY, "request body must be a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        switch (name) {
          case "appId" -> appId = scalar(p, value);
          case "appSecret" -> appSecret = scalar(p, value);
          case "staleToken" -> staleToken = scalar(p, value);
          case "type" -> type = scalar(p, value);
          case "url" -> url = scalar(p, value);
          default -> p.skipChildren(); // unknown fields are ignored, as Authing's SDKs may add some
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT) {
        throw new ApiException(ApiError.MALFORMED_BODY, "request body is not valid JSON");
      }
      if (p.nextToken() != null) {
        // "{…}{…}" or "{…} junk": another parser could read the rest as the request.
        throw new ApiException(ApiError.MALFORMED_BODY,
            "request body has bytes after its JSON object");
      }
    } catch (JsonProcessingException e) {
      String detail = e.getOriginalMessage();
      throw new ApiException(ApiError.MALFORMED_BODY, "request body is not valid JSON"
          + (detail != null && detail.startsWith("Duplicate field") ? ": " + detail : ""));
    } catch (IOException e) {
      throw new ApiException(ApiError.MALFORMED_BODY, "request body is not valid JSON");
    }
    return validated(string("appId", appId),
        string("appSecret", appSecret == null ? secretIfAbsent : appSecret), kind,
        kind == Kind.REFRESH ? string("staleToken", staleToken) : null,
        kind == Kind.TICKET && type != null ? string("type", type) : null,
        kind == Kind.SIGN ? string("url", url) : null);
  }

  /** A field's string, {@link #NOT_A_STRING} for another type, or null if null. */
  private static Object scalar(JsonParser p, JsonToken value) throws IOException {
    if (value == JsonToken.VALUE_STRING) {
      return p.getText();
    }
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    p.skipChildren();
    return NOT_A_STRING;
  }

  private static String string(String name, Object value) {
    if (value == null) {
      throw new ApiException(ApiError.INVALID_PARAMETER, name + " is required");
    }
    if (value == NOT_A_STRING) {
      throw new ApiException(ApiError.INVALID_PARAMETER, name + " must be a string");
    }
    return (String) value;
  }

  private static TokenRequest fromForm(byte[] body, Kind kind, String secretIfAbsent) {
    Map<String, List<String>> params;
    try {
      params = new QueryStringDecoder(new String(body, StandardCharsets.UTF_8),
          StandardCharsets.UTF_8, false).parameters();
    } catch (IllegalArgumentException e) {
      throw new ApiException(ApiError.MALFORMED_BODY, "request body is not valid form data");
    }
    return validated(formField(params, "appId"), secretIfAbsent != null
        && !params.containsKey("appSecret") ? secretIfAbsent : formField(params, "appSecret"), kind,
        kind == Kind.REFRESH ? formField(params, "staleToken") : null,
        kind == Kind.TICKET && params.containsKey("type") ? formField(params, "type") : null,
        kind == Kind.SIGN ? formField(params, "url") : null);
  }

  private static String formField(Map<String, List<String>> params, String name) {
    List<String> values = params.get(name);
    if (values == null || values.isEmpty()) {
      throw new ApiException(ApiError.INVALID_PARAMETER, name + " is required");
    }
    if (values.size() > 1) {
      throw new ApiException(ApiError.INVALID_PARAMETER, name + " is given more than once");
    }
    return values.get(0);
  }

  static TokenRequest validated(String appId, String appSecret, String staleToken) {
    return validated(appId, appSecret, Kind.TOKEN, staleToken, null, null);
  }

  private static TokenRequest validated(String appId, String appSecret, Kind kind,
      String staleToken, String type, String url) {
    if (appId.isEmpty()) {
      throw new ApiException(ApiError.INVALID_PARAMETER, "appId must not be empty");
    }
    if (appId.length() > MAX_APP_ID) {
      throw new ApiException(ApiError.INVALID_PARAMETER,
          "appId must be at most " + MAX_APP_ID + " characters");
    }
    for (int i = 0; i < appId.length(); i++) {
      char c = appId.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '_' || c == '-')) {
        throw new ApiException(ApiError.INVALID_PARAMETER,
            "appId may contain only letters, digits, '_' and '-'");
      }
    }
    if (appSecret.isEmpty()) {
      throw new ApiException(ApiError.INVALID_PARAMETER, "appSecret must not be empty");
    }
    if (appSecret.length() > MAX_APP_SECRET) {
      throw new ApiException(ApiError.INVALID_PARAMETER,
          "appSecret must be at most " + MAX_APP_SECRET + " characters");
    }
    for (int i = 0; i < appSecret.length(); i++) {
      char c = appSecret.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        throw new ApiException(ApiError.INVALID_PARAMETER,
            "appSecret may contain only visible ASCII characters");
      }
    }
    if (staleToken != null) {
      if (staleToken.isEmpty() || staleToken.length() > MAX_TOKEN) {
        throw new ApiException(ApiError.INVALID_PARAMETER,
            "staleToken must be 1-" + MAX_TOKEN + " characters");
      }
      for (int i = 0; i < staleToken.length(); i++) {
        char c = staleToken.charAt(i);
        if (c < 0x21 || c > 0x7e) {
          throw new ApiException(ApiError.INVALID_PARAMETER,
              "staleToken may contain only visible ASCII characters");
        }
      }
    }
    if (type != null && !type.equals("jsapi") && !type.equals("wx_card")) {
      throw new ApiException(ApiError.INVALID_PARAMETER, "type must be jsapi or wx_card");
    }
    if (url != null) {
      boolean web = url.startsWith("http://") || url.startsWith("https://");
      if (!web || url.length() > MAX_URL || url.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        throw new ApiException(ApiError.INVALID_PARAMETER,
            "url must be the page's http(s) URL, at most " + MAX_URL + " characters");
      }
    }
    return new TokenRequest(appId, appSecret, staleToken, kind == Kind.TICKET && type == null
        ? "jsapi" : type, url);
  }

  private static String printable(String s) {
    String cut = s.length() > 64 ? s.substring(0, 64) + "…" : s;
    return cut.replaceAll("[^\\x20-\\x7e]", "?").replace("'", "?");
  }
}
