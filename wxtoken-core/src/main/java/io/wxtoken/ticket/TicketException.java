package io.wxtoken.ticket;

/**
 * No ticket can be handed out. {@link #errcode()} is WeChat's code for the situation (40001 for a
 * token wxtoken did not issue, 42001 for an expired one, or WeChat's own answer), and the message
 * says what happened, never a token or a ticket.
 */
public final class TicketException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int errcode;

  TicketException(int errcode, String message) {
    super(message, null, false, false);
    this.errcode = errcode;
  }

  /** WeChat's errcode for the failure (-1 when WeChat could not be reached). */
  public int errcode() {
    return errcode;
  }
}
