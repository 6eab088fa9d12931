package io.wxtoken.simulator;

/** The kinds of API ticket {@code /cgi-bin/ticket/getticket} issues, each a chain of its own per app. */
enum TicketType {
  /** {@code type=jsapi}: signs JS-SDK configurations. */
  JSAPI("jsapi"),
  /** {@code type=wx_card}: signs WeChat card (卡券) calls. */
  WX_CARD("wx_card");

  private final String wireName;

  TicketType(String wireName) {
    this.wireName = wireName;
  }

  /** @return the {@code type} parameter value, e.g. {@code jsapi} */
  String wireName() {
    return wireName;
  }

  /** @return the type named exactly {@code value} (case-sensitive), or {@code null} */
  static TicketType parse(String value) {
    for (TicketType type : values()) {
      if (type.wireName.equals(value)) {
        return type;
      }
    }
    return null;
  }
}
