package io.wxtoken.simulator;

/**
 * One WeCom answer: always {@code errcode} and {@code errmsg}, and on success the credential under
 * its field name ({@code access_token} or {@code ticket}) with {@code expires_in}.
 *
 * @param errcode 0 on success
 * @param errmsg {@code ok}, or WeCom's error text with hint and caller address
 * @param field the credential's JSON field on success, else {@code null}
 * @param value the credential on success, else {@code null}; never printed by {@link #toString()}
 * @param expiresIn seconds the credential has left on success, else 0
 */
record WeComReply(int errcode, String errmsg, String field, String value, long expiresIn) {

  static WeComReply grant(String field, String value, long expiresIn) {
    return new WeComReply(0, "ok", field, value, expiresIn);
  }

  /** WeCom's error shape: {@code "<text>, hint: [<id>], from ip: <ip>, more info at <lookup>"}. */
  static WeComReply error(WeComError error, String hint, String callerIp) {
    String errmsg = error.text() + ", hint: [" + hint + "], from ip: " + callerIp
        + ", more info at https://open.work.weixin.qq.com/devtool/query?e=" + error.errcode();
    return new WeComReply(error.errcode(), errmsg, null, null, 0);
  }

  boolean isGrant() {
    return errcode == 0;
  }

  @Override
  public String toString() {
    return isGrant()
        ? "WeComReply[" + field + "=<redacted>, expiresIn=" + expiresIn + "]"
        : "WeComReply[errcode=" + errcode + "]";
  }
}
