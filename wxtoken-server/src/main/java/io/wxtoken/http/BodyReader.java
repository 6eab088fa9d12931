package io.wxtoken.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.Consumer;

/**
 * Reads a request body whole, within a limit, for the endpoints that parse one (the Authing API,
 * {@code /cgi-bin/stable_token}). Beyond the limit it answers 413 in Authing's envelope; the
 * pass-through streams its bodies instead ({@link PassThrough}).
 *
 * <p>Stateless; call it on the request's event loop.
 */
final class BodyReader {
  /** Token requests are under 200 bytes; 16 KiB leaves room for any SDK's extra fields. */
  static final int MAX_BODY_BYTES = 16 * 1024;
  /**
   * An oversized body up to this size is read and dropped before the 413 goes out: closing a
   * socket with unread data resets it, and the client may then never see the answer. Beyond it,
   * the connection is cut at once.
   */
  static final int DRAIN_LIMIT_BYTES = 1024 * 1024;

  /** What to do when the consumer of a body throws. */
  interface Failure {
    void accept(HttpServerRequest request, String requestId, RuntimeException e);
  }

  private final Responder responder;
  private final Failure onError;

  BodyReader(Responder responder, Failure onError) {
    this.responder = responder;
    this.onError = onError;
  }

  /** Reads the body within {@link #MAX_BODY_BYTES}, then hands it to {@code then}. */
  void read(HttpServerRequest request, String requestId, Consumer<byte[]> then) {
    String declared = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (declared != null && isOver(declared, MAX_BODY_BYTES)) {
      if (isOver(declared, DRAIN_LIMIT_BYTES)) {
        tooLarge(request, requestId);
      } else {
        request.handler(chunk -> { }); // drop it, then answer on a clean connection
        request.endHandler(v -> tooLarge(request, requestId));
      }
      return;
    }
    Collector body = new Collector(request, requestId, then);
    request.handler(body);
    request.endHandler(v -> body.end());
  }

  private static boolean isOver(String contentLength, int limit) {
    try {
      return Long.parseLong(contentLength.trim()) > limit;
    } catch (NumberFormatException e) {
      return false; // Netty rejects a malformed Content-Length before we see the request
    }
  }

  private void tooLarge(HttpServerRequest request, String requestId) {
    // The rest of the body is not read: close the connection once the answer is out.
    responder.failAndClose(request, 200, ApiError.PAYLOAD_TOO_LARGE,
        "request body is larger than " + MAX_BODY_BYTES + " bytes", requestId);
  }

  /** Accumulates a request body up to the limit, answering 413 once it is exceeded. */
  private final class Collector implements Handler<Buffer> {
    private final HttpServerRequest request;
    private final String requestId;
    private final Consumer<byte[]> then;
    private Buffer body;
    private boolean copied;
    private boolean overflowed;
    private long received;

    Collector(HttpServerRequest request, String requestId, Consumer<byte[]> then) {
      this.request = request;
      this.requestId = requestId;
      this.then = then;
    }

    @Override
    public void handle(Buffer chunk) {
      received += chunk.length();
      if (overflowed) {
        if (received > DRAIN_LIMIT_BYTES) {
          tooLarge(request, requestId); // no end in sight: cut it off
        }
        return;
      }
      if (received > MAX_BODY_BYTES) {
        overflowed = true; // keep reading, dropping it, and answer at its end
        body = null;
        return;
      }
      if (body == null) {
        body = chunk; // a body is almost always one chunk: read it in place
      } else {
        if (!copied) {
          body = body.copy(); // ours to grow, whatever the first chunk's buffer is
          copied = true;
        }
        body.appendBuffer(chunk);
      }
    }

    void end() {
      if (overflowed) {
        tooLarge(request, requestId);
        return;
      }
      try {
        then.accept(body == null ? new byte[0] : body.getBytes());
      } catch (RuntimeException e) {
        onError.accept(request, requestId, e);
      }
    }
  }
}
