package io.wxtoken.access;

import java.util.Locale;

/** Why a presented key was refused. */
public enum Refusal {
  /** Not a key's shape, an unknown id, or the wrong secret part: the same answer for all three. */
  UNKNOWN_KEY,
  DISABLED,
  REVOKED,
  EXPIRED,
  APP_OUT_OF_SCOPE,
  OPERATION_OUT_OF_SCOPE,
  ADDRESS_OUT_OF_SCOPE,
  /** Over the key's rate; not the caller's fault in the sense of a bad credential. */
  RATE_LIMITED,
  /** An AppSecret where only caller keys are accepted ({@code --caller-auth key}). */
  SECRET_NOT_ACCEPTED;

  /** The label in metrics and the audit log's {@code outcome}, e.g. {@code key_revoked}. */
  public String outcome() {
    return this == SECRET_NOT_ACCEPTED ? "secret_not_accepted"
        : "key_" + name().toLowerCase(Locale.ROOT);
  }

  /** Whether this refusal says the key may never work here, as opposed to "not now" (rate). */
  public boolean countsAsFailure() {
    return this != RATE_LIMITED;
  }
}
