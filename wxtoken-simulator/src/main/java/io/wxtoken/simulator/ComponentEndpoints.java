package io.wxtoken.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Open Platform's {@code /cgi-bin/component/*} endpoints over HTTP: exact-path routing, the
 * JSON body, the platform named by {@code component_appid}, counting, then
 * {@link ComponentPlatform}. Thread-safe: holds only thread-safe collaborators.
 */
final class ComponentEndpoints implements HttpHandler {

  private static final Logger LOG = LoggerFactory.getLogger(ComponentEndpoints.class);
  static final String PREFIX = "/cgi-bin/component/";
  static final int MAX_PAGE = 500;

  private final Function<String, ComponentPlatform> platforms;
  private final Exchanges http;
  private final Map<String, OpenPlatformSimulator.Endpoint> routes = Map.of(
      PREFIX + "api_start_push_ticket", OpenPlatformSimulator.Endpoint.START_PUSH_TICKET,
      PREFIX + "api_component_token", OpenPlatformSimulator.Endpoint.COMPONENT_TOKEN,
      PREFIX + "api_create_preauthcode", OpenPlatformSimulator.Endpoint.CREATE_PREAUTHCODE,
      PREFIX + "api_query_auth", OpenPlatformSimulator.Endpoint.QUERY_AUTH,
      PREFIX + "api_authorizer_token", OpenPlatformSimulator.Endpoint.AUTHORIZER_TOKEN,
      PREFIX + "api_get_authorizer_list", OpenPlatformSimulator.Endpoint.GET_AUTHORIZER_LIST);
  private final OpenPlatformSimulator.Counters counters;

  ComponentEndpoints(Function<String, ComponentPlatform> platforms, Exchanges http,
      OpenPlatformSimulator.Counters counters) {
    this.platforms = platforms;
    this.http = http;
    this.counters = counters;
  }

  @Override
  public void handle(HttpExchange exchange) {
    try {
      OpenPlatformSimulator.Endpoint endpoint = routes.get(exchange.getRequestURI().getPath());
      if (endpoint == null) {
        http.sendError(exchange, 404, WeChatError.NOT_FOUND);
        return;
      }
      counters.record(endpoint);
      answer(exchange, endpoint);
    } catch (IOException e) {
      LOG.debug("I/O error answering {}", exchange.getRequestURI().getPath(), e);
    } catch (RuntimeException e) {
      LOG.warn("Simulator bug answering {}", exchange.getRequestURI().getPath(), e);
      try {
        http.sendError(exchange, 500, WeChatError.SYSTEM_ERROR);
      } catch (IOException | RuntimeException ignored) {
        // headers may be sent already
      }
    } finally {
      exchange.close();
    }
  }

  private void answer(HttpExchange exchange, OpenPlatformSimulator.Endpoint endpoint)
      throws IOException {
    if (!"POST".equals(exchange.getRequestMethod())) {
      http.sendError(exchange, 200, WeChatError.REQUIRE_POST);
      return;
    }
    JsonNode body = parseObject(Exchanges.readBody(exchange));
    if (body == null) {
      http.sendError(exchange, 200, WeChatError.DATA_FORMAT);
      return;
    }
    ComponentPlatform platform = platforms.apply(text(body, "component_appid"));
    if (platform == null) {
      http.sendError(exchange, 200, OpenErrors.INVALID_COMPONENT);
      return;
    }
    platform.recordCall(endpoint);
    Map<String, String> query = Exchanges.query(exchange);
    // WxJava sends component_access_token; WeChat's newer pages write access_token.
    String componentToken = query.getOrDefault("component_access_token", query.get("access_token"));
    ObjectNode reply;
    try {
      reply = switch (endpoint) {
        case START_PUSH_TICKET -> {
          platform.startPushTicket(text(body, "component_secret"));
          yield http.object().put("errcode", 0).put("errmsg", "ok");
        }
        case COMPONENT_TOKEN -> http.object()
            .put("component_access_token", platform.componentToken(
                text(body, "component_appsecret"), text(body, "component_verify_ticket")))
            .put("expires_in", platform.tokenLifetimeSeconds());
        case CREATE_PREAUTHCODE -> http.object()
            .put("pre_auth_code", platform.createPreAuthCode(componentToken))
            .put("expires_in", ComponentPlatform.PRE_AUTH_CODE_LIFETIME.toSeconds());
        case QUERY_AUTH -> queryAuth(platform.queryAuth(componentToken,
            text(body, "authorization_code")));
        case AUTHORIZER_TOKEN -> {
          ComponentPlatform.Grant grant = platform.authorizerToken(componentToken,
              text(body, "authorizer_appid"), text(body, "authorizer_refresh_token"));
          yield http.object()
              .put("authorizer_access_token", grant.accessToken())
              .put("expires_in", grant.expiresIn())
              .put("authorizer_refresh_token", grant.refreshToken());
        }
        case GET_AUTHORIZER_LIST -> authorizerList(platform, componentToken, body);
      };
    } catch (ComponentPlatform.Refused refused) {
      http.sendError(exchange, 200, refused.error);
      return;
    }
    if (reply == null) {
      http.sendError(exchange, 200, WeChatError.INVALID_ARGS);
      return;
    }
    http.sendJson(exchange, 200, reply);
  }

  private ObjectNode queryAuth(ComponentPlatform.Grant grant) {
    ObjectNode reply = http.object();
    ObjectNode info = reply.putObject("authorization_info");
    info.put("authorizer_appid", grant.authorizerAppId());
    info.put("authorizer_access_token", grant.accessToken());
    info.put("expires_in", grant.expiresIn());
    info.put("authorizer_refresh_token", grant.refreshToken());
    ArrayNode funcs = info.putArray("func_info");
    for (int id : new int[] {1, 15}) {
      funcs.addObject().putObject("funcscope_category").put("id", id);
    }
    return reply;
  }

  /** @return the page, or {@code null} for an offset or count out of range (40097) */
  private ObjectNode authorizerList(ComponentPlatform platform, String componentToken,
      JsonNode body) {
    JsonNode offset = body.get("offset");
    JsonNode count = body.get("count");
    if (offset == null || count == null || !offset.canConvertToInt() || !count.canConvertToInt()
        || offset.asInt() < 0 || count.asInt() < 1 || count.asInt() > MAX_PAGE) {
      return null;
    }
    List<ComponentPlatform.Listed> page =
        platform.authorizerPage(componentToken, offset.asInt(), count.asInt());
    ObjectNode reply = http.object();
    reply.put("total_count", platform.authorizerCount());
    ArrayNode list = reply.putArray("list");
    for (ComponentPlatform.Listed row : page) {
      ObjectNode item = list.addObject().put("authorizer_appid", row.authorizerAppId());
      // An authorization whose code was never exchanged has no refresh token yet.
      item.put("refresh_token", row.refreshToken() == null ? "" : row.refreshToken());
      item.put("auth_time", row.authTime());
    }
    return reply;
  }

  private JsonNode parseObject(byte[] body) {
    if (body == null || body.length == 0) {
      return null;
    }
    try {
      JsonNode node = http.mapper().readTree(body);
      return node != null && node.isObject() ? node : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static String text(JsonNode json, String field) {
    JsonNode value = json.get(field);
    return value == null || !value.isValueNode() || value.isNull() ? null : value.asText();
  }
}
