package io.wxtoken.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The WeCom endpoints over HTTP, served by a {@link Router} on their exact paths: counting, fault
 * injection (for the token and ticket endpoints), parameters, then {@link WeComRules}. The
 * caller's address is the socket's, as WeCom sees it.
 *
 * <p>Thread-safe: holds only thread-safe collaborators.
 */
final class WeComEndpoints {

  static final String GETTOKEN_PATH = "/cgi-bin/gettoken";
  static final String JSAPI_TICKET_PATH = "/cgi-bin/get_jsapi_ticket";
  static final String AGENT_TICKET_PATH = "/cgi-bin/ticket/get";
  static final String AGENT_GET_PATH = "/cgi-bin/agent/get";

  // The start of a token answer whose connection was cut: not parseable JSON.
  private static final byte[] TRUNCATED_BODY =
      "{\"errcode\":0,\"errmsg\":\"ok\",\"access_token\":\"Tz9mQ1vX".getBytes(StandardCharsets.UTF_8);

  private final WeComRules rules;
  private final Faults faults;
  private final WeComCounters counters;
  private final Exchanges http;
  private final Map<String, Router.Route> routes;

  WeComEndpoints(WeComRules rules, Faults faults, WeComCounters counters, Exchanges http) {
    this.rules = rules;
    this.faults = faults;
    this.counters = counters;
    this.http = http;
    this.routes = Map.of(
        GETTOKEN_PATH, this::gettoken,
        JSAPI_TICKET_PATH, this::jsapiTicket,
        AGENT_TICKET_PATH, this::agentTicket,
        AGENT_GET_PATH, this::agentGet);
  }

  /** Each WeCom path's code, for a {@link Router}. */
  Map<String, Router.Route> routes() {
    return routes;
  }

  private void gettoken(HttpExchange exchange) throws IOException {
    Map<String, String> params = Exchanges.query(exchange);
    String corpId = params.get("corpid");
    count(WeComSimulator.Endpoint.GETTOKEN, rules.find(corpId));
    if (injectFault(exchange)) {
      return;
    }
    send(exchange, rules.gettoken(corpId, params.get("corpsecret"), Exchanges.callerIp(exchange)));
  }

  private void jsapiTicket(HttpExchange exchange) throws IOException {
    String accessToken = Exchanges.query(exchange).get("access_token");
    count(WeComSimulator.Endpoint.JSAPI_TICKET, rules.corpOfToken(accessToken));
    if (injectFault(exchange)) {
      return;
    }
    send(exchange, rules.jsapiTicket(accessToken, Exchanges.callerIp(exchange)));
  }

  private void agentTicket(HttpExchange exchange) throws IOException {
    Map<String, String> params = Exchanges.query(exchange);
    String accessToken = params.get("access_token");
    count(WeComSimulator.Endpoint.AGENT_TICKET, rules.corpOfToken(accessToken));
    if (injectFault(exchange)) {
      return;
    }
    send(exchange, rules.agentTicket(accessToken, params.get("type"), Exchanges.callerIp(exchange)));
  }

  /** Never faulted: like WeChat's getcallbackip, it is the tests' probe. */
  private void agentGet(HttpExchange exchange) throws IOException {
    Map<String, String> params = Exchanges.query(exchange);
    String accessToken = params.get("access_token");
    count(WeComSimulator.Endpoint.AGENT_GET, rules.corpOfToken(accessToken));
    String agentId = params.get("agentid");
    WeComReply refused = rules.checkAgent(accessToken, agentId, Exchanges.callerIp(exchange));
    if (refused != null) {
      send(exchange, refused);
      return;
    }
    ObjectNode body = http.object();
    body.put("errcode", 0);
    body.put("errmsg", "ok");
    body.put("agentid", Long.parseLong(agentId));
    body.put("name", "app " + agentId);
    http.sendJson(exchange, 200, body);
  }

  private void send(HttpExchange exchange, WeComReply reply) throws IOException {
    ObjectNode body = http.object();
    body.put("errcode", reply.errcode());
    body.put("errmsg", reply.errmsg());
    if (reply.isGrant()) {
      body.put(reply.field(), reply.value());
      body.put("expires_in", reply.expiresIn());
    }
    http.sendJson(exchange, 200, body);
  }

  private void count(WeComSimulator.Endpoint endpoint, WeComCorp corp) {
    counters.record(endpoint);
    if (corp != null) {
      corp.recordCall(endpoint);
    }
  }

  /** @return whether a fault answered (or dropped) the call */
  private boolean injectFault(HttpExchange exchange) throws IOException {
    return http.answerFault(exchange, faults.decide(), TRUNCATED_BODY,
        faulted -> send(faulted,
            WeComReply.error(WeComError.SYSTEM_BUSY, "fault", Exchanges.callerIp(faulted))));
  }
}
