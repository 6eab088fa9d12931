package io.wxtoken.simulator;

import static io.wxtoken.simulator.Exchanges.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The Open Platform's {@code /cgi-bin/component/*} endpoints over HTTP, served by a
 * {@link Router} on their exact paths: the JSON body, the platform named by
 * {@code component_appid}, counting, then {@link ComponentPlatform}. Thread-safe: holds only
 * thread-safe collaborators.
 */
final class ComponentEndpoints {

  static final String PREFIX = "/cgi-bin/component/";
  static final int MAX_PAGE = 500;

  private final Function<String, ComponentPlatform> platforms;
  private final Exchanges http;
  private final Map<String, OpenPlatformSimulator.Endpoint> endpoints = Map.of(
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

  /** Each {@code /cgi-bin/component/*} path's code, for a {@link Router}: counted, answered. */
  Map<String, Router.Route> routes() {
    Map<String, Router.Route> answers = new HashMap<>();
    endpoints.forEach((path, endpoint) -> answers.put(path, exchange -> {
      counters.record(endpoint);
      answer(exchange, endpoint);
    }));
    return answers;
  }

  private void answer(HttpExchange exchange, OpenPlatformSimulator.Endpoint endpoint)
      throws IOException {
    if (!"POST".equals(exchange.getRequestMethod())) {
      http.sendError(exchange, 200, WeChatError.REQUIRE_POST);
      return;
    }
    JsonNode body = http.parseObject(Exchanges.readBody(exchange));
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
}
