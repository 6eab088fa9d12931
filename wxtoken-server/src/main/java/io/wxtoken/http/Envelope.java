package io.wxtoken.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.buffer.Buffer;
import io.wxtoken.ticket.JsSdkSignature;
import io.wxtoken.ticket.Ticket;
import io.wxtoken.token.AccessToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Renders Authing's response envelope.
 *
 * <p>Success: {@code {"statusCode":200,"message":"操作成功","requestId":"…","data":{"accessToken":
 * "…","expiresAt":…}}}. The {@code data} object depends only on the token, so it is rendered once
 * per token ({@link #data}) and spliced after the per-request head: the hit path then costs a few
 * byte copies. Request ids are restricted to JSON-safe characters by {@link RequestIds}.
 *
 * <p>Errors: {@code {"statusCode":…,"apiCode":…,"message":"…","requestId":"…"}}.
 *
 * <p>Thread-safe (stateless apart from its configuration).
 */
final class Envelope {
  static final String SUCCESS_MESSAGE = "操作成功";

  private static final byte[] SUCCESS_HEAD = ("{\"statusCode\":200,\"message\":\"" + SUCCESS_MESSAGE
      + "\",\"requestId\":\"").getBytes(StandardCharsets.UTF_8);
  private static final byte[] DATA_FIELD = "\",\"data\":".getBytes(StandardCharsets.UTF_8);

  private final JsonFactory json = new JsonFactory();
  private final ExpiresAtFormat expiresAtFormat;

  Envelope(ExpiresAtFormat expiresAtFormat) {
    this.expiresAtFormat = expiresAtFormat;
  }

  /** The {@code data} object for a token, closed with the envelope's final brace. */
  byte[] data(AccessToken token) {
    return write(g -> {
      g.writeStartObject();
      g.writeStringField("accessToken", token.value());
      expiresAt(g, token.expiresAt());
      g.writeEndObject();
    }, "}");
  }

  /** The {@code data} object for a ticket: {@code {"ticket":…,"expiresAt":…}}. */
  byte[] ticketData(Ticket ticket) {
    return write(g -> {
      g.writeStartObject();
      g.writeStringField("ticket", ticket.value());
      expiresAt(g, ticket.expiresAt());
      g.writeEndObject();
    }, "}");
  }

  /** The {@code data} object for a JS-SDK signature, the fields {@code wx.config} takes. */
  byte[] signatureData(JsSdkSignature signature) {
    return write(g -> {
      g.writeStartObject();
      g.writeStringField("appId", signature.appId());
      g.writeNumberField("timestamp", signature.timestamp());
      g.writeStringField("nonceStr", signature.nonceStr());
      g.writeStringField("signature", signature.signature());
      g.writeEndObject();
    }, "}");
  }

  /** Whole seconds, rounded down (never later than the real expiry), as a number or a string. */
  private void expiresAt(JsonGenerator g, java.time.Instant instant) throws IOException {
    long seconds = instant.getEpochSecond();
    if (expiresAtFormat == ExpiresAtFormat.STRING) {
      g.writeStringField("expiresAt", Long.toString(seconds));
    } else {
      g.writeNumberField("expiresAt", seconds);
    }
  }

  /**
   * A success envelope around pre-rendered {@link #data}, written straight into the buffer the
   * response is sent from (sized exactly: no intermediate array, no copy on the way out).
   */
  Buffer success(String requestId, byte[] data) {
    byte[] id = requestId.getBytes(StandardCharsets.US_ASCII);
    return Buffer.buffer(SUCCESS_HEAD.length + id.length + DATA_FIELD.length + data.length)
        .appendBytes(SUCCESS_HEAD)
        .appendBytes(id)
        .appendBytes(DATA_FIELD)
        .appendBytes(data);
  }

  /** An error envelope. */
  byte[] error(ApiError error, String message, String requestId) {
    return write(g -> {
      g.writeStartObject();
      g.writeNumberField("statusCode", error.statusCode);
      g.writeNumberField("apiCode", error.apiCode);
      g.writeStringField("message", message);
      g.writeStringField("requestId", requestId);
      g.writeEndObject();
    }, "");
  }

  private interface Body {
    void writeTo(JsonGenerator g) throws IOException;
  }

  private byte[] write(Body body, String suffix) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = json.createGenerator(out)) {
      body.writeTo(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.writeBytes(suffix.getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }
}
