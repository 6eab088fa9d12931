package io.wxtoken.access;

/**
 * The outcome of checking a presented key: the key, and null or why it was refused with a message
 * for the caller (never the key, never the app's secret).
 */
public record Verdict(CallerKey key, Refusal refusal, String message) {
  /** Whether the key may do what it asked. */
  public boolean accepted() {
    return refusal == null;
  }

  /** The audit actor: the key's id and name, or {@code key:unknown}. */
  public String actor() {
    return key == null ? "key:unknown" : key.actor();
  }
}
