package io.wxtoken.open;

import java.util.Objects;

/**
 * A callback from WeChat that is not accepted: its signature, timestamp, encryption or content is
 * wrong. The message names only the {@link Reason}, never any part of the callback (which may
 * carry a ticket or an authorization code), so it is safe to log.
 */
public final class CallbackRejectedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why a callback was rejected. */
  public enum Reason {
    /** A required query parameter or XML element is missing or empty. */
    MISSING_FIELD,
    /** The body, a parameter, the ciphertext or the message is larger than allowed. */
    OVERSIZED,
    /** The body is not the XML WeChat sends, or it declares a DTD or entities. */
    MALFORMED_XML,
    /** {@code msg_signature} does not match: not from WeChat, or another platform's token. */
    BAD_SIGNATURE,
    /** The timestamp is not a number, or is outside the accepted window around now. */
    STALE_TIMESTAMP,
    /** The same (timestamp, nonce, signature) was accepted before within the window. */
    REPLAYED,
    /** The ciphertext is not canonical Base64 of whole AES blocks. */
    BAD_BASE64,
    /** The decrypted padding is not PKCS#7 to 32-byte blocks: wrong key or corrupted. */
    BAD_PADDING,
    /** The declared message length does not fit the decrypted bytes. */
    BAD_LENGTH,
    /** The message was encrypted for another appid than this platform's component appid. */
    WRONG_APPID,
    /** The envelope's {@code AppId} differs from the platform the callback was addressed to. */
    WRONG_PLATFORM
  }

  private final Reason reason;

  /** @param reason why the callback was rejected */
  public CallbackRejectedException(Reason reason) {
    super("callback rejected: " + Objects.requireNonNull(reason, "reason"), null, false, false);
    this.reason = reason;
  }

  /** @return why the callback was rejected */
  public Reason reason() {
    return reason;
  }
}
