package io.wxtoken.access;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.wxtoken.token.Verifier;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@link CallerKey} as JSON: for a shared store (with its verifier, {@code v: 1}) and for the
 * admin API and CLI (without it). Never the key itself, which is not stored anywhere.
 *
 * <p>Stateless and thread-safe.
 */
public final class KeyCodec {
  private static final JsonFactory JSON = new JsonFactory();

  private KeyCodec() {}

  /** The key's public fields, and its verifier when {@code withVerifier} (storage only). */
  public static String toJson(CallerKey key, boolean withVerifier) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      write(g, key, withVerifier);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** Writes the key as one JSON object to {@code g}. */
  public static void write(JsonGenerator g, CallerKey key, boolean withVerifier) throws IOException {
    KeySpec s = key.spec();
    g.writeStartObject();
    if (withVerifier) {
      g.writeNumberField("v", 1);
    }
    g.writeStringField("id", key.id());
    g.writeStringField("name", s.name());
    g.writeStringField("state", key.state().name().toLowerCase(java.util.Locale.ROOT));
    g.writeArrayFieldStart("apps");
    for (String app : s.apps().stream().sorted().toList()) {
      g.writeString(app);
    }
    g.writeEndArray();
    g.writeArrayFieldStart("operations");
    for (Operation op : EnumSet.copyOf(s.operations())) {
      g.writeString(op.label());
    }
    g.writeEndArray();
    g.writeArrayFieldStart("cidrs");
    for (CidrRange range : s.cidrs()) {
      g.writeString(range.text());
    }
    g.writeEndArray();
    g.writeStringField("expiresAt", s.expiresAt() == null ? null : s.expiresAt().toString());
    g.writeNumberField("ratePerSecond", s.ratePerSecond());
    g.writeNumberField("burst", s.burst());
    g.writeStringField("createdAt", key.createdAt().toString());
    g.writeStringField("rotatedFrom", key.rotatedFrom());
    if (withVerifier) {
      g.writeStringField("verifier", Base64.getEncoder().encodeToString(key.verifier().bytes()));
    }
    g.writeEndObject();
  }

  /** Reads what {@link #toJson}{@code (key, true)} wrote. */
  public static CallerKey fromJson(String json) {
    String id = null;
    String name = null;
    String state = null;
    Set<String> apps = new LinkedHashSet<>();
    Set<Operation> ops = EnumSet.noneOf(Operation.class);
    List<CidrRange> cidrs = new ArrayList<>();
    String expiresAt = null;
    int rate = 0;
    int burst = 0;
    String createdAt = null;
    String rotatedFrom = null;
    String verifier = null;
    try (JsonParser p = JSON.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("not a stored caller key");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        String text = value == JsonToken.VALUE_NULL ? null : p.getText();
        switch (field) {
          case "v" -> {
            if (p.getIntValue() != 1) {
              throw new IllegalArgumentException("stored caller key of unknown version");
            }
          }
          case "id" -> id = text;
          case "name" -> name = text;
          case "state" -> state = text;
          case "apps" -> strings(p).forEach(apps::add);
          case "operations" -> strings(p).forEach(o -> ops.add(Operation.parse(o)));
          case "cidrs" -> strings(p).forEach(c -> cidrs.add(CidrRange.parse(c)));
          case "expiresAt" -> expiresAt = text;
          case "ratePerSecond" -> rate = p.getIntValue();
          case "burst" -> burst = p.getIntValue();
          case "createdAt" -> createdAt = text;
          case "rotatedFrom" -> rotatedFrom = text;
          case "verifier" -> verifier = text;
          default -> p.skipChildren();
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("not a stored caller key: " + e.getMessage(), e);
    }
    if (verifier == null || state == null || createdAt == null) {
      throw new IllegalArgumentException("stored caller key without verifier, state or createdAt");
    }
    KeySpec spec = new KeySpec(name, apps, ops, cidrs,
        expiresAt == null ? null : Instant.parse(expiresAt), rate, burst);
    return new CallerKey(id, spec, KeyState.valueOf(state.toUpperCase(java.util.Locale.ROOT)),
        Instant.parse(createdAt), Verifier.of(Base64.getDecoder().decode(verifier)), rotatedFrom);
  }

  private static List<String> strings(JsonParser p) throws IOException {
    List<String> out = new ArrayList<>();
    if (p.currentToken() != JsonToken.START_ARRAY) {
      p.skipChildren();
      return out;
    }
    while (p.nextToken() == JsonToken.VALUE_STRING) {
      out.add(p.getText());
    }
    return out;
  }
}
