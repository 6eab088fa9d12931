package io.wxtoken.client.dto;

/**
 * The token in a successful answer: Authing's {@code GetWechatAccessTokenDataDto}.
 * {@code expiresAt} is the token's real expiry in epoch seconds; the server may write it as a JSON
 * number or string ({@code --expires-at-format}), and both are read. It is kept as a string, the
 * type Authing's Java SDK declares; {@link #expiresAtEpochSecond()} gives the number.
 *
 * <p>A mutable bean: safe to share once it no longer changes. {@link #toString()} never prints the
 * token.
 */
public final class GetWechatAccessTokenDataDto {
  private String accessToken;
  private String expiresAt;

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
    return "GetWechatAccessTokenDataDto{accessToken="
        + (accessToken == null ? "null" : "<redacted>") + ", expiresAt=" + expiresAt + "}";
  }
}
