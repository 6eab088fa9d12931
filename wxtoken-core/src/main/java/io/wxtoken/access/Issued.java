package io.wxtoken.access;

/**
 * A key just created or rotated: the stored record and the key itself, which is shown to the
 * operator this once and kept nowhere. {@link #toString()} leaves the key out.
 */
public record Issued(CallerKey key, String secretKey) {
  @Override
  public String toString() {
    return "Issued[" + key.id() + ", " + key.spec().name() + "]";
  }
}
