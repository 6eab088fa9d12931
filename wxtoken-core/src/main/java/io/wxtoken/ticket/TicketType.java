package io.wxtoken.ticket;

import java.util.Locale;

/** The tickets WeChat's {@code /cgi-bin/ticket/getticket} issues. */
public enum TicketType {
  /** {@code type=jsapi}: signs JS-SDK configs. */
  JSAPI("jsapi"),
  /** {@code type=wx_card}: signs card (卡券) calls. */
  WX_CARD("wx_card");

  private final String wire;

  TicketType(String wire) {
    this.wire = wire;
  }

  /** The {@code type} parameter WeChat expects. */
  public String wire() {
    return wire;
  }

  /** Parses {@code jsapi} or {@code wx_card}. */
  public static TicketType parse(String value) {
    for (TicketType type : values()) {
      if (type.wire.equals(value == null ? null : value.toLowerCase(Locale.ROOT))) {
        return type;
      }
    }
    throw new IllegalArgumentException("type must be jsapi or wx_card");
  }
}
