package io.wxtoken.simulator;

/**
 * The WeCom errcodes the simulator answers, with WeCom's texts. WeCom appends to each text a hint,
 * the caller's address and a link to its errcode lookup tool; {@link WeComReply#error} does that.
 */
enum WeComError {
  /** Injected "system busy". */
  SYSTEM_BUSY(-1, "system busy"),
  /** Wrong corpsecret for the corp (or a secret of another corp). */
  INVALID_SECRET(40001, "invalid credential"),
  /** Unknown corpid. */
  INVALID_CORPID(40013, "invalid corpid"),
  /** An access token that was never issued or that WeCom invalidated early. */
  INVALID_ACCESS_TOKEN(40014, "invalid access_token"),
  /** A non-numeric or unknown agentid. */
  INVALID_AGENTID(40056, "invalid agentid"),
  /** A parameter with a value the API does not take (e.g. the ticket {@code type}). */
  INVALID_PARAMETER(40058, "invalid Request Parameter"),
  /** No {@code access_token} parameter. */
  ACCESS_TOKEN_MISSING(41001, "access_token missing"),
  /** No {@code corpid} parameter. */
  CORPID_MISSING(41002, "corpid missing"),
  /** No {@code corpsecret} parameter. */
  CORPSECRET_MISSING(41004, "corpsecret missing"),
  /** An access token past its lifetime. */
  ACCESS_TOKEN_EXPIRED(42001, "access_token expired"),
  /** A frequency limit, a ticket cap or the failed-call block. */
  FREQUENCY_LIMIT(45009, "api freq out of limit"),
  /** The caller's address is not among the corp's trusted IPs (企业可信IP). */
  UNTRUSTED_IP(60020, "not allow to access from your ip"),
  /** A token of one app used for another app (or of a secret that is no app's). */
  ANOTHER_AGENT(301002, "not allow operate another agent with this accesstoken.");

  private final int errcode;
  private final String text;

  WeComError(int errcode, String text) {
    this.errcode = errcode;
    this.text = text;
  }

  int errcode() {
    return errcode;
  }

  String text() {
    return text;
  }
}
