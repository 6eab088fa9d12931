package io.wxtoken.wechat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * One upstream that answers WeChat-style JSON ({@code errcode}/{@code errmsg}), called over the
 * JDK's {@link HttpClient}: the call-and-classify part shared by {@link WeChatClient},
 * {@code WeComClient} and {@code ComponentClient}, which keep only their requests and the reading
 * of their answers.
 *
 * <p>{@link #send} sends one request (no redirects, no retries) and completes within about the read
 * timeout plus the connect timeout, with the reader's value, or exceptionally with a
 * {@link WeChatErrorException} (a non-zero {@code errcode}; its {@code errmsg} scrubbed of every
 * credential the request carried and bounded) or a {@link WeChatUnreachableException} (connect
 * error, timeout, HTTP status other than 200, a body that is not a JSON object or is larger than
 * the bound, an answer the reader finds unusable). No message echoes the HTTP stack's, which might
 * name the URL. Every outcome is told to the {@link CallObserver}, which cannot change it.
 *
 * <p>Thread-safe; one instance serves every call of its client.
 */
public final class JsonUpstream {
  private static final int MAX_ERRMSG_CHARS = 200;
  /** Tokens, tickets and codes are far shorter; some room, but not without bound. */
  private static final int MAX_VALUE_CHARS = 2048;

  private final String name;
  private final HttpClient http;
  private final Duration readTimeout;
  private final int maxResponseBytes;
  private final boolean strictNumbers;
  private final CallObserver observer;
  private final LongSupplier nanoTime;
  private final ObjectMapper json = new ObjectMapper();

  /**
   * Builds a request; may fail, which {@link #send} reports as unreachable without sending.
   */
  @FunctionalInterface
  public interface RequestFactory {
    /** @return the request to send */
    HttpRequest create() throws IOException;
  }

  /**
   * @param name the upstream as messages name it, {@code WeChat} or {@code WeCom}
   * @param connectTimeout bound on establishing a connection
   * @param readTimeout bound on the whole exchange once connected
   * @param maxResponseBytes the largest answer read; a larger one is unreachable
   * @param strictNumbers whether {@code errcode} and {@code expires_in} must be JSON integers (an
   *     {@code errcode} that is not is unreachable); otherwise they are read leniently, as
   *     Jackson's {@code asInt}/{@code asLong} do
   * @param observer told every call's outcome (metrics)
   * @param nanoTime monotonic nanoseconds for the call durations ({@code System::nanoTime})
   */
  public JsonUpstream(String name, Duration connectTimeout, Duration readTimeout,
      int maxResponseBytes, boolean strictNumbers, CallObserver observer, LongSupplier nanoTime) {
    this.name = Objects.requireNonNull(name, "name");
    this.readTimeout = Objects.requireNonNull(readTimeout, "readTimeout");
    this.maxResponseBytes = maxResponseBytes;
    this.strictNumbers = strictNumbers;
    this.observer = Objects.requireNonNull(observer, "observer");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.http = HttpClient.newBuilder()
        .connectTimeout(Objects.requireNonNull(connectTimeout, "connectTimeout"))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /**
   * Sends one request to {@code endpoint} and reads the answer's JSON object with {@code reader}
   * (which throws {@link WeChatUnreachableException} on an unusable answer).
   *
   * @param endpoint the name the observer is told, e.g. {@code stable_token}
   * @param request builds the request; an {@link IOException} or {@link IllegalArgumentException}
   *     there fails the call as unreachable ("cannot build the ... request")
   * @param credentials secrets, tokens or codes the request carries, to scrub from messages (null
   *     and empty elements are skipped)
   * @param reader the value of an answer whose {@code errcode} is 0 or absent
   */
  public <T> CompletableFuture<T> send(String endpoint, RequestFactory request,
      List<String> credentials, Function<JsonNode, T> reader) {
    long start = nanoTime.getAsLong();
    HttpRequest built;
    try {
      built = request.create();
    } catch (IOException | IllegalArgumentException e) {
      observe(endpoint, CallObserver.UNREACHABLE, start);
      return CompletableFuture.failedFuture(
          new WeChatUnreachableException("cannot build the " + endpoint + " request"));
    }
    CompletableFuture<HttpResponse<byte[]>> exchange;
    try {
      exchange = http.sendAsync(built, this::boundedBody);
    } catch (RuntimeException e) {
      observe(endpoint, CallObserver.UNREACHABLE, start);
      return CompletableFuture.failedFuture(unreachable(e));
    }
    long slack = http.connectTimeout().map(Duration::toMillis).orElse(0L);
    // The request timeout stops at the response headers; this bounds a stalled body too.
    return exchange
        .orTimeout(readTimeout.toMillis() + slack, TimeUnit.MILLISECONDS)
        .handle((response, failure) -> {
          try {
            if (failure != null) {
              throw unreachable(failure);
            }
            T value = reader.apply(answer(response, credentials));
            observe(endpoint, CallObserver.OK, start);
            return value;
          } catch (WeChatErrorException e) {
            observe(endpoint, Integer.toString(e.errcode()), start);
            throw e;
          } catch (RuntimeException e) {
            observe(endpoint, CallObserver.UNREACHABLE, start);
            throw e;
          }
        });
  }

  /**
   * The non-empty string of at most 2048 characters in {@code field} of {@code node}.
   *
   * @throws WeChatUnreachableException if there is none
   */
  public String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual() || value.asText().isEmpty()
        || value.asText().length() > MAX_VALUE_CHARS) {
      throw new WeChatUnreachableException(name + "'s answer has no usable " + field);
    }
    return value.asText();
  }

  /**
   * The positive {@code expires_in} of {@code node}, in seconds.
   *
   * @throws WeChatUnreachableException if there is none
   */
  public Duration expiresIn(JsonNode node) {
    JsonNode expiresIn = node.get("expires_in");
    if (expiresIn == null || (strictNumbers && !expiresIn.isIntegralNumber())
        || !expiresIn.canConvertToLong() || expiresIn.asLong() <= 0) {
      throw new WeChatUnreachableException(name + "'s answer has no usable expires_in");
    }
    return Duration.ofSeconds(expiresIn.asLong());
  }

  private void observe(String endpoint, String outcome, long start) {
    try {
      observer.called(endpoint, outcome, nanoTime.getAsLong() - start);
    } catch (RuntimeException e) {
      // metrics must never change a call's outcome
    }
  }

  private HttpResponse.BodySubscriber<byte[]> boundedBody(HttpResponse.ResponseInfo info) {
    OptionalLong length = info.headers().firstValueAsLong("content-length");
    if (length.isPresent() && length.getAsLong() > maxResponseBytes) {
      return HttpResponse.BodySubscribers.replacing(null);
    }
    return HttpResponse.BodySubscribers.ofByteArray();
  }

  /** The answer as a JSON object whose {@code errcode} is 0 or absent. */
  private JsonNode answer(HttpResponse<byte[]> response, List<String> credentials) {
    if (response.statusCode() != 200) {
      throw new WeChatUnreachableException(name + " answered HTTP " + response.statusCode());
    }
    byte[] body = response.body();
    if (body == null || body.length > maxResponseBytes) {
      throw new WeChatUnreachableException(name + "'s answer is larger than " + maxResponseBytes
          + " bytes");
    }
    JsonNode node;
    try {
      node = json.readTree(body);
    } catch (IOException e) {
      throw new WeChatUnreachableException(name + "'s answer is not JSON");
    }
    if (node == null || !node.isObject()) {
      throw new WeChatUnreachableException(name + "'s answer is not a JSON object");
    }
    JsonNode errcode = node.get("errcode");
    if (errcode == null) {
      return node;
    }
    if (strictNumbers && !(errcode.canConvertToInt() && errcode.isIntegralNumber())) {
      throw new WeChatUnreachableException(name + "'s answer has an unusable errcode");
    }
    int code = strictNumbers ? errcode.intValue() : errcode.asInt(0);
    if (code != 0) {
      String errmsg = redact(node.path("errmsg").asText(""), credentials);
      throw new WeChatErrorException(code,
          errmsg.length() <= MAX_ERRMSG_CHARS ? errmsg : errmsg.substring(0, MAX_ERRMSG_CHARS));
    }
    return node;
  }

  private RuntimeException unreachable(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
    if (cause instanceof WeChatUnreachableException || cause instanceof WeChatErrorException) {
      return (RuntimeException) cause;
    }
    // The HTTP stack's messages never name the URL today; they are still not echoed, because the
    // URL may carry a secret or token. What is said instead is fixed text and class names, so
    // there is nothing to redact (redacting would garble it for a one-letter credential).
    String what;
    if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
      what = "timed out";
    } else if (cause instanceof ConnectException) {
      what = "connection failed";
    } else if (cause instanceof IOException) {
      what = "I/O error (" + cause.getClass().getSimpleName() + ")";
    } else {
      what = "request failed (" + cause.getClass().getSimpleName() + ")";
    }
    return new WeChatUnreachableException(name + " " + what);
  }

  /** Removes each credential from text; an empty one would match between every character. */
  private static String redact(String text, List<String> credentials) {
    String cleaned = text;
    for (String credential : credentials) {
      if (credential != null && !credential.isEmpty()) {
        cleaned = cleaned.replace(credential, "<redacted>");
      }
    }
    return cleaned;
  }
}
