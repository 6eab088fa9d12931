package io.wxtoken.client.dto;

/**
 * A JS-SDK ticket ({@code jsapi_ticket} or the {@code wx_card} ticket) and its expiry in epoch
 * seconds (number or string on the wire, kept as a string like the token's).
 *
 * <p>A mutable bean: safe to share once it no longer changes. {@link #toString()} never prints the
 * ticket.
 */
public final class GetWechatJsapiTicketDataDto {
  private String ticket;
  private String expiresAt;

  /** An empty value, for the client (or a JSON binder) to fill in. */
  public GetWechatJsapiTicketDataDto() {
  }

  /**
   * @return the ticket
   */
  public String getTicket() {
    return ticket;
  }

  /**
   * @param ticket the ticket
   */
  public void setTicket(String ticket) {
    this.ticket = ticket;
  }

  /**
   * @return the expiry, epoch seconds, as a decimal string
   */
  public String getExpiresAt() {
    return expiresAt;
  }

  /**
   * @param expiresAt the expiry, epoch seconds, as a decimal string
   */
  public void setExpiresAt(String expiresAt) {
    this.expiresAt = expiresAt;
  }

  /**
   * @return the expiry in epoch seconds
   * @throws NumberFormatException if {@code expiresAt} is not set to a whole number
   */
  public long expiresAtEpochSecond() {
    return Long.parseLong(expiresAt);
  }

  @Override
  public String toString() {
    return "GetWechatJsapiTicketDataDto{ticket=" + (ticket == null ? "null" : "<redacted>")
        + ", expiresAt=" + expiresAt + "}";
  }
}
