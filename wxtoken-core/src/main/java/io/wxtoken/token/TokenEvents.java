package io.wxtoken.token;

/**
 * What the engine tells an operator-facing listener (the audit log): the moments no request
 * causes. Called on the engine's threads; implementations must be quick and never throw.
 */
public interface TokenEvents {
  /** A listener that ignores everything. */
  TokenEvents NONE = new TokenEvents() { };

  /** WeChat's verdict on the app's credential stopped its proactive refresh. */
  default void refreshStopped(String appId, int errcode) {}

  /** The app got a token again after its refresh had been stopped. */
  default void refreshResumed(String appId) {}

  /** A refresh was refused for the app's daily quota (WeChat's 45009, or the engine's own limit). */
  default void quotaRefused(String appId, int errcode) {}
}
