package io.wxtoken.token;

import java.util.Objects;

/**
 * Everything the server keeps about one app: who may read its token (the secret's verifier), the
 * AppSecret sealed for proactive refresh (absent for verify-only apps), the token itself, and a
 * generation that grows with every change.
 *
 * <p>Generations order writes: a store keeps a record only if its generation is higher than the
 * stored one, so a late writer can never replace a newer token with an older one.
 *
 * @param appId WeChat AppId
 * @param verifier keyed hash of the AppSecret WeChat last accepted
 * @param sealedSecret that AppSecret encrypted by {@code io.wxtoken.secret.SecretBox}, or null
 *     when the app is verify-only (then only callers' requests can refresh its token)
 * @param token the current access token
 * @param generation 1 for the first token, +1 for each later change
 */
public record AppRecord(
    String appId, Verifier verifier, String sealedSecret, AccessToken token, long generation) {

  public AppRecord {
    Objects.requireNonNull(appId, "appId");
    Objects.requireNonNull(verifier, "verifier");
    Objects.requireNonNull(token, "token");
    if (generation < 1) {
      throw new IllegalArgumentException("generation must be >= 1");
    }
  }

  /** Whether the secret is kept, so the server can refresh the token on its own. */
  public boolean hasSealedSecret() {
    return sealedSecret != null;
  }

  @Override
  public String toString() {
    return "AppRecord[appId=" + appId + ", verifier=" + verifier + ", sealedSecret="
        + (sealedSecret == null ? "none" : "<sealed>") + ", token=" + token
        + ", generation=" + generation + "]";
  }
}
