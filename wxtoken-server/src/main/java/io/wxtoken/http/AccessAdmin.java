package io.wxtoken.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.vertx.core.buffer.Buffer;
import io.wxtoken.access.AccessControl;
import io.wxtoken.access.CallerKey;
import io.wxtoken.access.CidrRange;
import io.wxtoken.access.Issued;
import io.wxtoken.access.KeyCodec;
import io.wxtoken.access.KeySpec;
import io.wxtoken.access.Operation;
import io.wxtoken.audit.AuditQuery;
import io.wxtoken.audit.AuditRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The admin API of caller keys and the audit log, as a plain function of (method, sub-path, query,
 * body) to (status, JSON) so any router can call it (on a worker thread: it reads and writes the
 * store):
 *
 * <ul>
 *   <li>{@code GET /admin/keys}: every key (never the key itself); {@code GET /admin/keys/{id}}
 *   <li>{@code POST /admin/keys} with {@code {"name","apps":[…],"operations":[…],"cidrs":[…],
 *       "expiresAt","ratePerSecond","burst"}}: 201 and the new key in {@code data.key}, shown once
 *   <li>{@code POST /admin/keys/{id}/rotate}: a second key with the same scope (201, shown once);
 *       {@code …/disable}, {@code …/enable}, {@code …/revoke}
 *   <li>{@code GET /admin/audit?app=&actor=&event=&since=&limit=}: the newest records first
 * </ul>
 *
 * <p>Every change is audited with the actor {@code admin}. Thread-safe.
 */
final class AccessAdmin {
  static final String KEYS = "/admin/keys";
  static final String AUDIT = "/admin/audit";
  /** Admin bodies are small JSON objects. */
  static final int MAX_BODY_BYTES = 16 * 1024;
  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  /** An answer: HTTP status and the body to send. */
  record Reply(int status, Buffer body) {}

  private final CallerAuth auth;
  private final Envelope envelope = new Envelope(io.wxtoken.http.ExpiresAtFormat.NUMBER);

  AccessAdmin(CallerAuth auth) {
    this.auth = auth;
  }

  /** Whether this handler answers {@code path}. */
  static boolean serves(String path) {
    return path.equals(KEYS) || path.startsWith(KEYS + "/") || path.equals(AUDIT);
  }

  /** Answers one admin request; blocking. */
  Reply handle(String method, String path, Map<String, String> query, byte[] body, String requestId) {
    try {
      if (path.equals(AUDIT)) {
        return method.equals("GET") ? audit(query, requestId) : notAllowed("GET", requestId);
      }
      AccessControl access = auth.access();
      if (access == null) {
        return error(404, ApiError.NOT_FOUND, "caller keys are off on this server", requestId);
      }
      String rest = path.length() > KEYS.length() ? path.substring(KEYS.length() + 1) : "";
      if (rest.isEmpty()) {
        return switch (method) {
          case "GET" -> ok(200, requestId, g -> {
            g.writeStartArray();
            for (CallerKey key : access.list()) {
              KeyCodec.write(g, key, false);
            }
            g.writeEndArray();
          });
          case "POST" -> issued(access.create(spec(body), "admin", requestId), requestId);
          default -> notAllowed("GET, POST", requestId);
        };
      }
      int slash = rest.indexOf('/');
      String id = slash < 0 ? rest : rest.substring(0, slash);
      String action = slash < 0 ? null : rest.substring(slash + 1);
      if (action == null) {
        if (!method.equals("GET")) {
          return notAllowed("GET", requestId);
        }
        CallerKey key = access.find(id).orElseThrow(() -> new NoSuchElementException(
            "no caller key " + printable(id)));
        return ok(200, requestId, g -> KeyCodec.write(g, key, false));
      }
      if (!method.equals("POST")) {
        return notAllowed("POST", requestId);
      }
      return switch (action) {
        case "rotate" -> issued(access.rotate(id, "admin", requestId), requestId);
        case "disable" -> one(access.disable(id, "admin", requestId), requestId);
        case "enable" -> one(access.enable(id, "admin", requestId), requestId);
        case "revoke" -> one(access.revoke(id, "admin", requestId), requestId);
        default -> error(404, ApiError.NOT_FOUND, "no such key action: " + printable(action)
            + " (rotate, disable, enable, revoke)", requestId);
      };
    } catch (NoSuchElementException e) {
      return error(404, ApiError.NOT_FOUND, e.getMessage(), requestId);
    } catch (IllegalStateException e) {
      return error(409, ApiError.INVALID_PARAMETER, e.getMessage(), requestId);
    } catch (IllegalArgumentException e) {
      return error(400, ApiError.INVALID_PARAMETER, e.getMessage(), requestId);
    }
  }

  private Reply audit(Map<String, String> query, String requestId) {
    for (String name : query.keySet()) {
      if (!Set.of("app", "actor", "event", "since", "limit").contains(name)) {
        throw new IllegalArgumentException("unknown parameter " + printable(name)
            + " (app, actor, event, since, limit)");
      }
    }
    Instant since;
    try {
      since = query.get("since") == null ? null : Instant.parse(query.get("since"));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("since must be an ISO-8601 instant, e.g. 2026-03-01T00:00:00Z");
    }
    int limit = 100;
    if (query.get("limit") != null) {
      try {
        limit = Integer.parseInt(query.get("limit"));
      } catch (NumberFormatException e) {
        limit = -1;
      }
    }
    if (limit < 1 || limit > AuditQuery.MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1-" + AuditQuery.MAX_LIMIT);
    }
    if (!auth.audit().queryable()) {
      return error(404, ApiError.NOT_FOUND, "the audit log is not kept queryable here", requestId);
    }
    List<AuditRecord> records = auth.audit().query(new AuditQuery(bounded(query, "app"),
        bounded(query, "actor"), bounded(query, "event"), since, limit));
    return ok(200, requestId, g -> {
      g.writeStartArray();
      for (AuditRecord r : records) {
        g.writeRawValue(r.toJson());
      }
      g.writeEndArray();
    });
  }

  private static String bounded(Map<String, String> query, String name) {
    String v = query.get(name);
    if (v != null && (v.isEmpty() || v.length() > 128)) {
      throw new IllegalArgumentException(name + " must be 1-128 characters");
    }
    return v;
  }

  /** Parses and validates a key's scope from a creation body. */
  static KeySpec spec(byte[] body) {
    String name = null;
    Set<String> apps = new LinkedHashSet<>();
    Set<Operation> ops = EnumSet.noneOf(Operation.class);
    List<CidrRange> cidrs = new ArrayList<>();
    Instant expiresAt = null;
    int rate = 0;
    int burst = 0;
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("the body must be a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "name" -> name = string(p, value, field);
          case "apps" -> strings(p, value, field).forEach(apps::add);
          case "operations" -> strings(p, value, field).forEach(o -> ops.add(Operation.parse(o)));
          case "cidrs" -> strings(p, value, field).forEach(c -> cidrs.add(CidrRange.parse(c)));
          case "expiresAt" -> {
            String text = value == JsonToken.VALUE_NULL ? null : string(p, value, field);
            try {
              expiresAt = text == null ? null : Instant.parse(text);
            } catch (DateTimeParseException e) {
              throw new IllegalArgumentException("expiresAt must be an ISO-8601 instant");
            }
          }
          case "ratePerSecond" -> rate = integer(p, value, field);
          case "burst" -> burst = integer(p, value, field);
          default -> throw new IllegalArgumentException("unknown field " + printable(field)
              + " (name, apps, operations, cidrs, expiresAt, ratePerSecond, burst)");
        }
      }
      if (p.nextToken() != null) {
        throw new IllegalArgumentException("the body must be one JSON object");
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("the body is not valid JSON");
    }
    if (ops.isEmpty()) {
      ops.add(Operation.TOKEN);
    }
    return new KeySpec(name, apps, ops, cidrs, expiresAt, rate, burst);
  }

  private static String string(JsonParser p, JsonToken value, String field) throws IOException {
    if (value != JsonToken.VALUE_STRING) {
      throw new IllegalArgumentException(field + " must be a string");
    }
    return p.getText();
  }

  private static int integer(JsonParser p, JsonToken value, String field) throws IOException {
    if (value != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
      throw new IllegalArgumentException(field + " must be an integer");
    }
    return p.getIntValue();
  }

  private static List<String> strings(JsonParser p, JsonToken value, String field) throws IOException {
    if (value != JsonToken.START_ARRAY) {
      throw new IllegalArgumentException(field + " must be an array of strings");
    }
    List<String> out = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() != JsonToken.VALUE_STRING || out.size() >= 200) {
        throw new IllegalArgumentException(field + " must be an array of at most 200 strings");
      }
      out.add(p.getText());
    }
    return out;
  }

  private Reply issued(Issued issued, String requestId) {
    return ok(201, requestId, g -> {
      g.writeStartObject();
      g.writeStringField("key", issued.secretKey());
      g.writeFieldName("record");
      KeyCodec.write(g, issued.key(), false);
      g.writeEndObject();
    });
  }

  private Reply one(CallerKey key, String requestId) {
    return ok(200, requestId, g -> KeyCodec.write(g, key, false));
  }

  private interface Body {
    void writeTo(JsonGenerator g) throws IOException;
  }

  /** The success envelope, its {@code statusCode} the HTTP status (200, or 201 Created). */
  private static Reply ok(int status, String requestId, Body data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("statusCode", status);
      g.writeStringField("message", Envelope.SUCCESS_MESSAGE);
      g.writeStringField("requestId", requestId);
      g.writeFieldName("data");
      data.writeTo(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Reply(status, Buffer.buffer(out.toByteArray()));
  }

  private Reply notAllowed(String allowed, String requestId) {
    return error(405, ApiError.METHOD_NOT_ALLOWED, "use " + allowed, requestId);
  }

  private Reply error(int status, ApiError error, String message, String requestId) {
    return new Reply(status, Buffer.buffer(envelope.error(error, message, requestId)));
  }

  private static String printable(String value) {
    String cut = value.length() > 64 ? value.substring(0, 64) + "…" : value;
    return cut.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
