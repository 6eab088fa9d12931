package io.wxtoken.client.dto;

/**
 * A JS-SDK signature: exactly what {@code wx.config} takes ({@code appId}, {@code timestamp},
 * {@code nonceStr}, {@code signature}), for the page URL that was sent.
 *
 * <p>A mutable bean: safe to share once it no longer changes.
 */
public final class SignWechatJssdkDataDto {
  private String appId;
  private long timestamp;
  private String nonceStr;
  private String signature;

  /** An empty value, for the client (or a JSON binder) to fill in. */
  public SignWechatJssdkDataDto() {
  }

  /**
   * @return the app the signature is for
   */
  public String getAppId() {
    return appId;
  }

  /**
   * @param appId the app the signature is for
   */
  public void setAppId(String appId) {
    this.appId = appId;
  }

  /**
   * @return the signing time, epoch seconds
   */
  public long getTimestamp() {
    return timestamp;
  }

  /**
   * @param timestamp the signing time, epoch seconds
   */
  public void setTimestamp(long timestamp) {
    this.timestamp = timestamp;
  }

  /**
   * @return the random string that was signed
   */
  public String getNonceStr() {
    return nonceStr;
  }

  /**
   * @param nonceStr the random string that was signed
   */
  public void setNonceStr(String nonceStr) {
    this.nonceStr = nonceStr;
  }

  /**
   * @return the SHA-1 signature, lowercase hex
   */
  public String getSignature() {
    return signature;
  }

  /**
   * @param signature the SHA-1 signature, lowercase hex
   */
  public void setSignature(String signature) {
    this.signature = signature;
  }

  @Override
  public String toString() {
    return "SignWechatJssdkDataDto{appId=" + appId + ", timestamp=" + timestamp + ", nonceStr="
        + nonceStr + ", signature=" + signature + "}";
  }
}
