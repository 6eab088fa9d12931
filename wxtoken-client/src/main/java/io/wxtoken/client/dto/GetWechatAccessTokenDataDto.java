package io.wxtoken.client.dto;

/**
 * The token in a successful answer: Authing's {@code GetWechatAccessTokenDataDto},
 * {@code accessToken} and its real {@link #getExpiresAt() expiresAt}.
 *
 * <p>A mutable bean: safe to share once it no longer changes. {@link #toString()} never prints the
 * token.
 */
public final class GetWechatAccessTokenDataDto extends ExpiringDataDto {
  private String accessToken;

  /** An empty value, for the client (or a JSON binder) to fill in. */
  public GetWechatAccessTokenDataDto() {
  }

  /**
   * @return the WeChat access token
   */
  public String getAccessToken() {
    return accessToken;
  }

  /**
   * @param accessToken the WeChat access token
   */
  public void setAccessToken(String accessToken) {
    this.accessToken = accessToken;
  }

  @Override
  public String toString() {
    return "GetWechatAccessTokenDataDto{accessToken="
        + (accessToken == null ? "null" : "<redacted>") + ", expiresAt=" + getExpiresAt() + "}";
  }
}
