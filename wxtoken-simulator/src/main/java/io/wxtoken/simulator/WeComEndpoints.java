package io.wxtoken.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WeCom endpoints over HTTP, and the root handler that dispatches on the exact path: counting,
 * fault injection (for the token and ticket endpoints), parameters, then {@link WeComRules}. The
 * caller's address is the socket's, as WeCom sees it. Always closes the exchange.
 *
 * <p>Thread-safe: holds only thread-safe collaborators.
 */
final class WeComEndpoints implements HttpHandler {

  static final String GETTOKEN_PATH = "/cgi-bin/gettoken";
  static final String JSAPI_TICKET_PATH = "/cgi-bin/get_jsapi_ticket";
  static final String AGENT_TICKET_PATH = "/cgi-bin/ticket/get";
  static final String AGENT_GET_PATH = "/cgi-bin/agent/get";

  private static final Logger LOG = LoggerFactory.getLogger(WeComEndpoints.class);
  private static final byte[] UNAVAILABLE_PAGE = ("<html><head><title>503 Service Unavailable</title>"
      + "</head><body><h1>503 Service Unavailable</h1></body></html>").getBytes(StandardCharsets.UTF_8);
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

  @Override
  public void handle(HttpExchange exchange) {
    String path = exchange.getRequestURI().getPath();
    try {
      Router.Route route = routes.get(path);
      if (route == null) {
        http.sendError(exchange, 404, WeChatError.NOT_FOUND);
        return;
      }
      route.handle(exchange);
    } catch (IOException e) {
      LOG.debug("I/O error answering {}", path, e);
    } catch (RuntimeException e) {
      LOG.warn("WeCom simulator bug answering {}", path, e);
      trySystemError(exchange);
    } finally {
      exchange.close();
    }
  }

  private void trySystemError(HttpExchange exchange) {
    try {
      http.sendError(exchange, 500, WeChatError.SYSTEM_ERROR);
    } catch (IOException | RuntimeException ignored) {
      // Headers may already be sent; the exchange is closed by the caller either way.
    }
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
    FaultDecision decision = faults.decide();
    if (decision.kind() == FaultDecision.Kind.FAIL_NEXT) {
      http.sendError(exchange, 200, decision.error());
      return true;
    }
    if (!sleep(decision.latency())) {
      return true;
    }
    switch (decision.kind()) {
      case TIMEOUT -> {
        sleep(decision.hang());
        return true;
      }
      case SERVER_ERROR -> {
        Exchanges.send(exchange, 503, "text/html; charset=utf-8", UNAVAILABLE_PAGE);
        return true;
      }
      case MALFORMED -> {
        Exchanges.send(exchange, 200, Exchanges.JSON_TYPE, TRUNCATED_BODY);
        return true;
      }
      case SYSTEM_ERROR -> {
        send(exchange, WeComReply.error(WeComError.SYSTEM_BUSY, "fault", Exchanges.callerIp(exchange)));
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
}
