package io.wxtoken.wechat;

import java.time.Duration;

/**
 * A token exactly as WeChat issued it: the opaque value and the lifetime WeChat stated
 * ({@code expires_in}), counted from when WeChat answered.
 *
 * @param accessToken the token; a credential, so {@link #toString()} never prints it
 * @param expiresIn the lifetime WeChat stated; always positive
 */
public record WeChatToken(String accessToken, Duration expiresIn) {

  @Override
  public String toString() {
    return "WeChatToken[accessToken=<redacted>, expiresIn=" + expiresIn + "]";
  }
}
