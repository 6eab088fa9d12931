package io.wxtoken.client;

import java.util.Collections;
import java.util.Map;

/**
 * A decoded wxtoken answer: the envelope's fields and the scalar fields of its {@code data}
 * object, every value as text (a number and a string holding it read the same, which is how
 * {@code expiresAt} is accepted in both forms). Immutable.
 */
final class Envelope {
  final int statusCode;
  final int apiCode;
  final String message;
  final String requestId;
  private final Map<String, String> data;

  Envelope(int statusCode, int apiCode, String message, String requestId,
      Map<String, String> data) {
    this.statusCode = statusCode;
    this.apiCode = apiCode;
    this.message = message;
    this.requestId = requestId;
    this.data = data == null ? Collections.<String, String>emptyMap() : data;
  }

  /** A field of {@code data} as text, or null when absent or not a scalar. */
  String data(String field) {
    return data.get(field);
  }
}
