package io.wxtoken.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Objects;

/**
 * One audit event. Holds names, ids, addresses and outcomes only: never a secret, a key or a
 * token (callers pass key ids, never keys).
 *
 * @param time when it happened
 * @param event what happened, e.g. {@code secret.rejected}, {@code token.forced_refresh},
 *     {@code key.revoked}
 * @param app the appId concerned, or null
 * @param actor who: {@code key:<id>:<name>}, {@code address:<ip>} for secret callers, or
 *     {@code admin}
 * @param requestId the request's id, or null for events no request caused
 * @param outcome {@code ok} or why not, e.g. {@code key_revoked}
 * @param errcode WeChat's errcode when WeChat answered with one, else 0
 * @param detail a short remark (the key id acted on, a reason), or null
 */
public record AuditRecord(Instant time, String event, String app, String actor, String requestId,
    String outcome, int errcode, String detail) {
  private static final JsonFactory JSON = new JsonFactory();

  public AuditRecord {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(outcome, "outcome");
    event = cut(event, 64);
    app = cut(app, 64);
    actor = cut(actor, 128);
    requestId = cut(requestId, 64);
    outcome = cut(outcome, 64);
    detail = cut(detail, 512);
  }

  private static String cut(String value, int max) {
    return value == null || value.length() <= max ? value : value.substring(0, max);
  }

  /** This record as one line of JSON (no line break). */
  public String toJson() {
    StringWriter out = new StringWriter(192);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("time", time.toString());
      g.writeStringField("event", event);
      g.writeStringField("app", app);
      g.writeStringField("actor", actor);
      g.writeStringField("requestId", requestId);
      g.writeStringField("outcome", outcome);
      g.writeNumberField("errcode", errcode);
      g.writeStringField("detail", detail);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** Reads what {@link #toJson} wrote. */
  public static AuditRecord fromJson(String json) {
    String time = null;
    String event = null;
    String app = null;
    String actor = null;
    String requestId = null;
    String outcome = null;
    int errcode = 0;
    String detail = null;
    try (JsonParser p = JSON.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("not an audit record");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        String text = p.currentToken() == JsonToken.VALUE_NULL ? null : p.getText();
        switch (name) {
          case "time" -> time = text;
          case "event" -> event = text;
          case "app" -> app = text;
          case "actor" -> actor = text;
          case "requestId" -> requestId = text;
          case "outcome" -> outcome = text;
          case "errcode" -> errcode = p.getIntValue();
          case "detail" -> detail = text;
          default -> p.skipChildren();
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("not an audit record: " + e.getMessage(), e);
    }
    if (time == null) {
      throw new IllegalArgumentException("not an audit record: no time");
    }
    return new AuditRecord(Instant.parse(time), event, app, actor, requestId, outcome, errcode,
        detail);
  }
}
