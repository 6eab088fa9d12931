package io.wxtoken.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
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
import java.util.HashMap;
import java.util.Map;

/**
 * Small HTTP helpers shared by the endpoint handlers: bounded body reads, query parsing and
 * writing JSON or plain answers. Thread-safe: stateless apart from the shared, thread-safe
 * {@link ObjectMapper}.
 */
final class Exchanges {

  /** Larger request bodies are refused (47001), so a client cannot make the simulator buffer without end. */
  static final int MAX_BODY_BYTES = 64 * 1024;

  static final String JSON_TYPE = "application/json; charset=utf-8";

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

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      // Broken %-escapes: keep the raw text, it simply will not match anything.
      return s;
    }
  }
}
