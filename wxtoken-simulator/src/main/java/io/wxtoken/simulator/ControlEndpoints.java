package io.wxtoken.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code /sim/*} endpoints, so that a simulator in another process (demo, load harness) can be
 * inspected and steered. Not part of WeChat's API. Thread-safe: stateless over thread-safe parts.
 */
final class ControlEndpoints {

  static final String STATS_PATH = "/sim/stats";
  static final String APPS_PATH = "/sim/apps";
  static final String FAULTS_PATH = "/sim/faults";
  static final String RESET_FAULTS_PATH = "/sim/reset-faults";

  private static final List<String> FAULT_FIELDS = List.of(
      "errorRate", "serverErrorRate", "malformedRate", "timeoutRate", "latencyMillis", "hangMillis");
  private static final WeChatError METHOD_NOT_ALLOWED = new WeChatError(-1, "method not allowed");

  private final TokenService service;
  private final Faults faults;
  private final CallCounters counters;
  private final Exchanges http;

  ControlEndpoints(TokenService service, Faults faults, CallCounters counters, Exchanges http) {
    this.service = service;
    this.faults = faults;
    this.counters = counters;
    this.http = http;
  }

  /** {@code GET /sim/stats}: call counts overall and per app, and tokens and tickets minted per app. */
  void stats(HttpExchange exchange) throws IOException {
    if (!requireMethod(exchange, "GET")) {
      return;
    }
    ObjectNode body = http.object();
    body.put("token", counters.get(WeChatSimulator.Endpoint.TOKEN));
    body.put("stable_token", counters.get(WeChatSimulator.Endpoint.STABLE_TOKEN));
    body.put("getcallbackip", counters.get(WeChatSimulator.Endpoint.CALLBACK_IP));
    body.put("getticket", counters.get(WeChatSimulator.Endpoint.TICKET));
    ObjectNode apps = body.putObject("apps");
    Map<String, AppAccount> sorted = new TreeMap<>();
    service.accounts().forEach(a -> sorted.put(a.appId(), a));
    sorted.forEach((id, account) -> {
      ObjectNode app = apps.putObject(id);
      app.put("token", account.calls(WeChatSimulator.Endpoint.TOKEN));
      app.put("stable_token", account.calls(WeChatSimulator.Endpoint.STABLE_TOKEN));
      app.put("getticket", account.calls(WeChatSimulator.Endpoint.TICKET));
      app.put("issued", account.issued());
      app.put("tickets_issued", account.ticketsIssued());
    });
    http.sendJson(exchange, 200, body);
  }

  /** {@code POST /sim/apps} with {@code {"appid":"..","secret":".."}}: register or rotate. */
  void apps(HttpExchange exchange) throws IOException {
    JsonNode json = readObject(exchange);
    if (json == null) {
      return;
    }
    String appId = json.path("appid").asText("");
    String secret = json.path("secret").asText("");
    if (appId.isBlank() || secret.isBlank()) {
      badRequest(exchange, "appid and secret are required");
      return;
    }
    service.register(appId, secret);
    sendOk(exchange);
  }

  /** {@code POST /sim/faults}: set any of the fault fields; {@code GET} shows them. */
  void faults(HttpExchange exchange) throws IOException {
    if ("GET".equals(exchange.getRequestMethod())) {
      sendFaults(exchange);
      return;
    }
    JsonNode json = readObject(exchange);
    if (json == null) {
      return;
    }
    for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FAULT_FIELDS.contains(name) || !json.get(name).isNumber()) {
        badRequest(exchange, "unknown or non-numeric field: " + name);
        return;
      }
    }
    try {
      // Validate on a scratch copy first so that a bad field changes nothing.
      applyFaults(json, new Faults(0));
    } catch (IllegalArgumentException e) {
      badRequest(exchange, e.getMessage());
      return;
    }
    applyFaults(json, faults);
    sendFaults(exchange);
  }

  /** {@code POST /sim/reset-faults}. */
  void resetFaults(HttpExchange exchange) throws IOException {
    if (!requireMethod(exchange, "POST")) {
      return;
    }
    faults.reset();
    sendOk(exchange);
  }

  private static void applyFaults(JsonNode json, Faults target) {
    if (json.has("errorRate")) {
      target.errorRate(json.get("errorRate").asDouble());
    }
    if (json.has("serverErrorRate")) {
      target.serverErrorRate(json.get("serverErrorRate").asDouble());
    }
    if (json.has("malformedRate")) {
      target.malformedRate(json.get("malformedRate").asDouble());
    }
    if (json.has("timeoutRate")) {
      target.timeoutRate(json.get("timeoutRate").asDouble());
    }
    if (json.has("latencyMillis")) {
      target.latency(Duration.ofMillis(json.get("latencyMillis").asLong()));
    }
    if (json.has("hangMillis")) {
      target.hang(Duration.ofMillis(json.get("hangMillis").asLong()));
    }
  }

  private void sendFaults(HttpExchange exchange) throws IOException {
    ObjectNode body = http.object();
    body.put("errorRate", faults.errorRate());
    body.put("serverErrorRate", faults.serverErrorRate());
    body.put("malformedRate", faults.malformedRate());
    body.put("timeoutRate", faults.timeoutRate());
    body.put("latencyMillis", faults.latency().toMillis());
    body.put("hangMillis", faults.hang().toMillis());
    http.sendJson(exchange, 200, body);
  }

  /** Reads a POSTed JSON object, or answers the error itself and returns {@code null}. */
  private JsonNode readObject(HttpExchange exchange) throws IOException {
    if (!requireMethod(exchange, "POST")) {
      return null;
    }
    byte[] body = Exchanges.readBody(exchange);
    JsonNode json = null;
    if (body != null && body.length > 0) {
      try {
        json = http.mapper().readTree(body);
      } catch (IOException e) {
        json = null;
      }
    }
    if (json == null || !json.isObject()) {
      badRequest(exchange, "body must be a JSON object of at most " + Exchanges.MAX_BODY_BYTES + " bytes");
      return null;
    }
    return json;
  }

  private boolean requireMethod(HttpExchange exchange, String method) throws IOException {
    if (method.equals(exchange.getRequestMethod())) {
      return true;
    }
    exchange.getResponseHeaders().set("Allow", method);
    http.sendError(exchange, 405, METHOD_NOT_ALLOWED);
    return false;
  }

  private void badRequest(HttpExchange exchange, String why) throws IOException {
    http.sendError(exchange, 400, new WeChatError(WeChatError.DATA_FORMAT.errcode(),
        WeChatError.DATA_FORMAT.errmsg() + ": " + why));
  }

  private void sendOk(HttpExchange exchange) throws IOException {
    http.sendError(exchange, 200, new WeChatError(0, "ok"));
  }
}
