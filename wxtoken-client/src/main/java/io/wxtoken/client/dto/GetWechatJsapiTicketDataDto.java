package io.wxtoken.client.dto;

/**
 * A JS-SDK ticket ({@code jsapi_ticket} or the {@code wx_card} ticket) and its
 * {@link #getExpiresAt() expiresAt}.
 *
 * <p>A mutable bean: safe to share once it no longer changes. {@link #toString()} never prints the
 * ticket.
 */
public final class GetWechatJsapiTicketDataDto extends ExpiringDataDto {
  private String ticket;

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

  @Override
  public String toString() {
    return "GetWechatJsapiTicketDataDto{ticket=" + (ticket == null ? "null" : "<redacted>")
        + ", expiresAt=" + getExpiresAt() + "}";
  }
}
