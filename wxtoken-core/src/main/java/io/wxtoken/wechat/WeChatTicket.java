package io.wxtoken.wechat;

import java.time.Duration;

/**
 * An API ticket ({@code jsapi_ticket} or the {@code wx_card} ticket) exactly as WeChat issued it.
 *
 * <p>{@code expiresIn} is the lifetime WeChat stated, and WeChat states the full lifetime (7200 s)
 * on every answer, also when it hands out again a ticket it issued earlier. The true remaining
 * life is therefore unknown to the caller: treat {@code expiresIn} as an upper bound, not as the
 * ticket's expiry.
 *
 * @param ticket the ticket; a credential, so {@link #toString()} never prints it
 * @param expiresIn the lifetime WeChat stated; always positive
 */
public record WeChatTicket(String ticket, Duration expiresIn) {

  @Override
  public String toString() {
    return "WeChatTicket[ticket=<redacted>, expiresIn=" + expiresIn + "]";
  }
}
