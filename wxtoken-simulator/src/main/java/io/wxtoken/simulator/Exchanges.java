package io.wxtoken.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Small HTTP helpers shared by the endpoint handlers: bounded body reads, query parsing and
 * writing JSON or plain answers. Thread-safe: stateless apart from the shared, thread-safe
 * {@link ObjectMapper}.
 */
final class Exchanges {

  /** Larger request bodies are refused (47001), so a client cannot make the simulator buffer without end. */
  static final int MAX_BODY_BYTES = 64 * 1024;

  static final String JSON_TYPE = "application/json; charset=utf-8";

  /** What a proxy in front of WeChat or WeCom answers when the service behind it is down. */
  private static final byte[] UNAVAILABLE_PAGE =
      ("<html><head><title>503 Service Unavailable</title></head>"
          + "<body><h1>503 Service Unavailable</h1></body></html>")
          .getBytes(StandardCharsets.UTF_8);

  private final ObjectMapper mapper;

  Exchanges(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  ObjectMapper mapper() {
    return mapper;
  }

  /** @return the body, or {@code null} if it is longer than {@link #MAX_BODY_BYTES} */
  static byte[] readBody(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
      return body.length > MAX_BODY_BYTES ? null : body;
    }
  }

  /** Decodes the query string; a repeated name keeps its first value, like most servers. */
  static Map<String, String> query(HttpExchange exchange) {
    Map<String, String> params = new HashMap<>();
    String raw = exchange.getRequestURI().getRawQuery();
    if (raw == null || raw.isEmpty()) {
      return params;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      params.putIfAbsent(name, value);
    }
    return params;
  }

  static String callerIp(HttpExchange exchange) {
    InetSocketAddress remote = exchange.getRemoteAddress();
    return remote.getAddress() == null ? remote.getHostString() : remote.getAddress().getHostAddress();
  }

  ObjectNode object() {
    return mapper.createObjectNode();
  }

  void sendReply(HttpExchange exchange, TokenReply reply) throws IOException {
    if (reply instanceof TokenGrant grant) {
      ObjectNode body = object();
      body.put("access_token", grant.accessToken());
      body.put("expires_in", grant.expiresIn());
      sendJson(exchange, 200, body);
    } else if (reply instanceof TicketGrant grant) {
      ObjectNode body = object();
      body.put("errcode", 0);
      body.put("errmsg", "ok");
      body.put("ticket", grant.ticket());
      body.put("expires_in", grant.expiresIn());
      sendJson(exchange, 200, body);
    } else {
      sendError(exchange, 200, (WeChatError) reply);
    }
  }

  void sendError(HttpExchange exchange, int status, WeChatError error) throws IOException {
    ObjectNode body = object();
    body.put("errcode", error.errcode());
    body.put("errmsg", error.errmsg());
    sendJson(exchange, status, body);
  }

  void sendJson(HttpExchange exchange, int status, ObjectNode body) throws IOException {
    byte[] bytes;
    try {
      bytes = mapper.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
    send(exchange, status, JSON_TYPE, bytes);
  }

  static void send(HttpExchange exchange, int status, String contentType, byte[] bytes) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /**
   * Answers a call as {@code decision} says, after its latency: an error, a hang without answer
   * (the connection drops when the caller closes the exchange), a 503 page, a truncated body or
   * the upstream's system error.
   *
   * @param truncatedBody the start of an answer whose connection was cut (not parseable JSON)
   * @param systemError answers the upstream's own system-busy error
   * @return whether a fault answered (or dropped) the call; {@code false} to answer it normally
   */
  boolean answerFault(HttpExchange exchange, FaultDecision decision, byte[] truncatedBody,
      Router.Route systemError) throws IOException {
    if (decision.kind() == FaultDecision.Kind.FAIL_NEXT) {
      sendError(exchange, 200, decision.error());
      return true;
    }
    if (!sleep(decision.latency())) {
      return true; // Shutting down: the exchange is closed by the caller.
    }
    switch (decision.kind()) {
      case TIMEOUT -> {
        // Hang, then let the caller close the exchange without an answer: the connection drops.
        sleep(decision.hang());
        return true;
      }
      case SERVER_ERROR -> {
        send(exchange, 503, "text/html; charset=utf-8", UNAVAILABLE_PAGE);
        return true;
      }
      case MALFORMED -> {
        send(exchange, 200, JSON_TYPE, truncatedBody);
        return true;
      }
      case SYSTEM_ERROR -> {
        systemError.handle(exchange);
        return true;
      }
      default -> {
        return false;
      }
    }
  }

  /** @return {@code false} if interrupted (the simulator is closing) */
  private static boolean sleep(Duration d) {
    if (d.isZero()) {
      return true;
    }
    try {
      TimeUnit.NANOSECONDS.sleep(d.toNanos());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** @return the body as a JSON object, or {@code null} if absent, too large or not an object */
  JsonNode parseObject(byte[] body) {
    if (body == null || body.length == 0) {
      return null;
    }
    try {
      JsonNode node = mapper.readTree(body);
      return node != null && node.isObject() ? node : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** @return the field's value as text, or {@code null} if absent, null or not a value */
  static String text(JsonNode json, String field) {
    JsonNode value = json.get(field);
    return value == null || !value.isValueNode() || value.isNull() ? null : value.asText();
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      // Broken %-escapes: keep the raw text, it simply will not match anything.
      return s;
    }
  }
}
