package io.wxtoken.simulator;

/** WeCom's two JS-SDK tickets. */
enum WeComTicketKind {
  /** The corp's ticket, {@code GET /cgi-bin/get_jsapi_ticket}, for {@code wx.config}. */
  CORP,
  /** The app's ticket, {@code GET /cgi-bin/ticket/get?type=agent_config}, for {@code wx.agentConfig}. */
  AGENT
}
