package io.wxtoken.wecom;

import java.util.Locale;

/** WeCom's two JS-SDK tickets, each from an endpoint of its own. */
public enum WeComTicketType {
  /**
   * The corp's {@code jsapi_ticket}, {@code GET /cgi-bin/get_jsapi_ticket}: signs {@code wx.config}.
   * One per corp, whichever of its apps' tokens fetched it.
   */
  CORP("corp", "/cgi-bin/get_jsapi_ticket", "wecom_get_jsapi_ticket"),
  /**
   * The app's ticket, {@code GET /cgi-bin/ticket/get?type=agent_config}: signs
   * {@code wx.agentConfig}. One per app (secret).
   */
  AGENT("agent", "/cgi-bin/ticket/get?type=agent_config", "wecom_agent_config_ticket");

  private final String wire;
  private final String pathAndQuery;
  private final String endpoint;

  WeComTicketType(String wire, String pathAndQuery, String endpoint) {
    this.wire = wire;
    this.pathAndQuery = pathAndQuery;
    this.endpoint = endpoint;
  }

  /** The name in wxtoken's API ({@code type: corp|agent}). */
  public String wire() {
    return wire;
  }

  /** WeCom's path, with the fixed part of its query. */
  String pathAndQuery() {
    return pathAndQuery;
  }

  /** The endpoint as told to a {@link io.wxtoken.wechat.CallObserver}. */
  String endpoint() {
    return endpoint;
  }

  /**
   * Parses {@code corp} or {@code agent}, case-insensitively.
   *
   * @throws IllegalArgumentException for anything else (the message does not echo it)
   */
  public static WeComTicketType parse(String value) {
    String lower = value == null ? null : value.toLowerCase(Locale.ROOT);
    for (WeComTicketType type : values()) {
      if (type.wire.equals(lower)) {
        return type;
      }
    }
    throw new IllegalArgumentException("type must be corp or agent");
  }
}
