package io.wxtoken.secret;

/**
 * A sealed AppSecret could not be opened: unknown format version, unknown key id, malformed
 * record, or failed authentication (sealed for another app, or altered). The message says which
 * and never contains the secret, the record's text or key material.
 *
 * <p>Safe to share between threads once thrown. It carries no stack trace: the message is the
 * whole story, and a bad record should be cheap to reject.
 */
public final class SecretBoxException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  SecretBoxException(String message) {
    super(message, null, false, false);
  }
}
