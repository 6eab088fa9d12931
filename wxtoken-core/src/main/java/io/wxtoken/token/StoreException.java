package io.wxtoken.token;

/** A {@link TokenStore} could not read or write. The message never contains secrets or tokens. */
public final class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
