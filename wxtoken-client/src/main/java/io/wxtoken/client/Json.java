package io.wxtoken.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Request bodies and answers in JSON, with Jackson's streaming API only: the client needs a handful
 * of fields, and reading them by name keeps reflection and jackson-databind out of the runtime.
 *
 * <p>Thread-safe: the factory is configured once and Jackson's factories are safe to share.
 */
final class Json {
  private final JsonFactory factory = new JsonFactory();

  /**
   * A JSON object of string fields, given as name, value, name, value, ...; null values (and
   * pairs whose name is null) are left out: the server then names a missing field.
   */
  byte[] object(String... namesAndValues) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(160);
    try (JsonGenerator g = factory.createGenerator(out)) {
      g.writeStartObject();
      for (int i = 0; i < namesAndValues.length; i += 2) {
        if (namesAndValues[i] != null && namesAndValues[i + 1] != null) {
          g.writeStringField(namesAndValues[i], namesAndValues[i + 1]);
        }
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing to memory does not fail
    }
    return out.toByteArray();
  }

  /**
   * Reads an envelope; unknown fields are skipped, as newer servers may add some.
   *
   * @throws IOException if the body is not a JSON object with a {@code statusCode}
   */
  Envelope envelope(byte[] body) throws IOException {
    int statusCode = 0;
    int apiCode = 0;
    String message = null;
    String requestId = null;
    Map<String, String> data = null;
    try (JsonParser p = factory.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if ("statusCode".equals(name)) {
          statusCode = integer(scalar(p, value));
        } else if ("apiCode".equals(name)) {
          apiCode = integer(scalar(p, value));
        } else if ("message".equals(name)) {
          message = scalar(p, value);
        } else if ("requestId".equals(name)) {
          requestId = scalar(p, value);
        } else if ("data".equals(name) && value == JsonToken.START_OBJECT) {
          data = scalars(p);
        } else {
          p.skipChildren();
        }
      }
    }
    if (statusCode == 0) {
      throw new IOException("no statusCode");
    }
    return new Envelope(statusCode, apiCode, message, requestId, data);
  }

  /** The scalar fields of the object the parser is at the start of, as text. */
  private static Map<String, String> scalars(JsonParser p) throws IOException {
    Map<String, String> fields = new HashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      String value = scalar(p, p.nextToken());
      if (value != null) {
        fields.put(name, value);
      }
    }
    return fields;
  }

  /** A string, number or boolean as text; null for null, objects and arrays (skipped). */
  private static String scalar(JsonParser p, JsonToken value) throws IOException {
    if (value != null && value.isScalarValue() && value != JsonToken.VALUE_NULL) {
      return p.getText();
    }
    p.skipChildren();
    return null;
  }

  private static int integer(String text) {
    if (text == null) {
      return 0;
    }
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
