package io.wxtoken.simulator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single root handler of a simulator: dispatches on the exact path (the JDK server's contexts
 * match prefixes, which would let {@code /cgi-bin/tokenX} through), answers 404 for anything else,
 * 500 for a simulator bug, and always closes the exchange. Shared by the WeChat, WeCom and Open
 * Platform simulators. Thread-safe: immutable after construction.
 */
final class Router implements HttpHandler {

  private static final Logger LOG = LoggerFactory.getLogger(Router.class);

  /** One endpoint's code; may throw {@link IOException} like the JDK's handlers. */
  @FunctionalInterface
  interface Route {
    void handle(HttpExchange exchange) throws IOException;
  }

  private final Map<String, Route> routes;
  private final Exchanges http;

  /**
   * @param routes each exact path's code
   * @param http the answers' writer
   */
  Router(Map<String, Route> routes, Exchanges http) {
    this.routes = Map.copyOf(routes);
    this.http = http;
  }

  /** The WeChat simulator's router: its API and control endpoints. */
  static Router wechat(ApiEndpoints api, ControlEndpoints control, Exchanges http) {
    return new Router(Map.of(
        ApiEndpoints.TOKEN_PATH, api::token,
        ApiEndpoints.STABLE_TOKEN_PATH, api::stableToken,
        ApiEndpoints.CALLBACK_IP_PATH, api::callbackIp,
        ApiEndpoints.TICKET_PATH, api::ticket,
        ControlEndpoints.STATS_PATH, control::stats,
        ControlEndpoints.APPS_PATH, control::apps,
        ControlEndpoints.FAULTS_PATH, control::faults,
        ControlEndpoints.RESET_FAULTS_PATH, control::resetFaults), http);
  }

  @Override
  public void handle(HttpExchange exchange) {
    try {
      Route route = routes.get(exchange.getRequestURI().getPath());
      if (route == null) {
        http.sendError(exchange, 404, WeChatError.NOT_FOUND);
        return;
      }
      route.handle(exchange);
    } catch (IOException e) {
      // The client went away (e.g. it timed out first): nothing left to answer.
      LOG.debug("I/O error answering {}", exchange.getRequestURI().getPath(), e);
    } catch (RuntimeException e) {
      LOG.warn("Simulator bug answering {}", exchange.getRequestURI().getPath(), e);
      trySystemError(exchange);
    } finally {
      // Without an answer (a timeout fault) this drops the connection, as intended.
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
}
