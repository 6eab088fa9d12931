package io.wxtoken.simulator;

import static io.wxtoken.simulator.Exchanges.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The four WeChat endpoints over HTTP: counting, fault injection, parsing, then
 * {@link TokenService}. Thread-safe: holds only thread-safe collaborators.
 */
final class ApiEndpoints {

  static final String TOKEN_PATH = "/cgi-bin/token";
  static final String STABLE_TOKEN_PATH = "/cgi-bin/stable_token";
  static final String CALLBACK_IP_PATH = "/cgi-bin/getcallbackip";
  static final String TICKET_PATH = "/cgi-bin/ticket/getticket";

  // Looks like the start of a token answer whose connection was cut: not parseable JSON.
  private static final byte[] TRUNCATED_BODY =
      "{\"access_token\":\"86_Tz9mQ1vX-4sLr".getBytes(StandardCharsets.UTF_8);

  private final TokenService service;
  private final Faults faults;
  private final CallCounters counters;
  private final Exchanges http;

  ApiEndpoints(TokenService service, Faults faults, CallCounters counters, Exchanges http) {
    this.service = service;
    this.faults = faults;
    this.counters = counters;
    this.http = http;
  }

  void token(HttpExchange exchange) throws IOException {
    Map<String, String> params = Exchanges.query(exchange);
    String appId = params.get("appid");
    count(WeChatSimulator.Endpoint.TOKEN, appId);
    if (injectFault(exchange)) {
      return;
    }
    http.sendReply(exchange, service.classicToken(
        appId, params.get("secret"), params.get("grant_type"), Exchanges.callerIp(exchange)));
  }

  void stableToken(HttpExchange exchange) throws IOException {
    byte[] body = Exchanges.readBody(exchange);
    JsonNode json = http.parseObject(body);
    String appId = json == null ? null : text(json, "appid");
    count(WeChatSimulator.Endpoint.STABLE_TOKEN, appId);
    if (injectFault(exchange)) {
      return;
    }
    if (!"POST".equals(exchange.getRequestMethod())) {
      http.sendError(exchange, 200, WeChatError.REQUIRE_POST);
      return;
    }
    if (json == null) {
      http.sendError(exchange, 200, WeChatError.DATA_FORMAT);
      return;
    }
    boolean force = json.path("force_refresh").asBoolean(false);
    http.sendReply(exchange, service.stableToken(
        appId, text(json, "secret"), text(json, "grant_type"), force, Exchanges.callerIp(exchange)));
  }

  void callbackIp(HttpExchange exchange) throws IOException {
    String accessToken = Exchanges.query(exchange).get("access_token");
    count(WeChatSimulator.Endpoint.CALLBACK_IP, service.appOfToken(accessToken));
    WeChatError error = service.checkToken(accessToken);
    if (error != null) {
      http.sendError(exchange, 200, error);
      return;
    }
    ObjectNode ok = http.object();
    ok.putArray("ip_list").add("127.0.0.1");
    http.sendJson(exchange, 200, ok);
  }

  /**
   * {@code GET /cgi-bin/ticket/getticket?access_token=..&type=jsapi|wx_card}: counted for the app
   * the token was issued to (even a stale one), faulted like the token endpoints.
   */
  void ticket(HttpExchange exchange) throws IOException {
    Map<String, String> params = Exchanges.query(exchange);
    String accessToken = params.get("access_token");
    count(WeChatSimulator.Endpoint.TICKET, service.appOfToken(accessToken));
    if (injectFault(exchange)) {
      return;
    }
    http.sendReply(exchange, service.ticket(accessToken, params.get("type")));
  }

  private void count(WeChatSimulator.Endpoint endpoint, String appId) {
    counters.record(endpoint);
    AppAccount account = service.find(appId);
    if (account != null) {
      account.recordCall(endpoint);
    }
  }

  /** @return whether a fault answered (or dropped) the call */
  private boolean injectFault(HttpExchange exchange) throws IOException {
    return http.answerFault(exchange, faults.decide(), TRUNCATED_BODY,
        faulted -> http.sendError(faulted, 200, WeChatError.SYSTEM_ERROR));
  }

  /** @return the body as a JSON object, or {@code null} if absent, too large or not an object */
}
