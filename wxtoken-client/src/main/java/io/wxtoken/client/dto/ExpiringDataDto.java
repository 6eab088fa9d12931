package io.wxtoken.client.dto;

/**
 * The {@code expiresAt} of a token or ticket: epoch seconds, which the server may write as a JSON
 * number or string ({@code --expires-at-format}); both are read. It is kept as a string, the type
 * Authing's Java SDK declares; {@link #expiresAtEpochSecond()} gives the number.
 *
 * <p>A mutable bean: safe to share once it no longer changes.
 */
public abstract class ExpiringDataDto {
  private String expiresAt;

  ExpiringDataDto() {
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
}
