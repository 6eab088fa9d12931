package io.wxtoken.open;

import io.wxtoken.open.CallbackRejectedException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * WeChat's message encryption for callbacks (消息加解密), as used by the Open Platform's
 * authorization-event URL: one platform's message token, {@code EncodingAESKey} and appid.
 *
 * <ul>
 *   <li>{@code msg_signature} = lowercase hex SHA-1 of the four strings (token, timestamp, nonce,
 *       ciphertext) sorted and concatenated; compared in constant time.</li>
 *   <li>The AES-256 key is the 43-character {@code EncodingAESKey} with {@code "="} appended,
 *       Base64-decoded; the CBC IV is its first 16 bytes.</li>
 *   <li>Plaintext = 16 random bytes ‖ 4-byte big-endian message length ‖ message (UTF-8) ‖ appid,
 *       padded PKCS#7-style to a multiple of <b>32</b> bytes (hence {@code NoPadding} and our own
 *       padding: the JDK's PKCS5 pads to the 16-byte AES block), then Base64.</li>
 * </ul>
 *
 * <p>Decryption checks, in this order, the size, the Base64, the padding, the length field and the
 * appid, and fails with a {@link CallbackRejectedException} naming which. Callers must verify the
 * signature <em>before</em> decrypting, so that only WeChat (who knows the token) can observe which
 * check failed.
 *
 * <p>Thread-safe: immutable apart from a {@link SecureRandom}, itself thread-safe; each call makes
 * its own {@link Cipher}. {@link #toString()} shows the appid only.
 */
public final class MessageCrypto {
  /** Largest ciphertext (Base64 characters) accepted; WeChat's event messages are about 1 KiB. */
  public static final int MAX_CIPHERTEXT_CHARS = 64 * 1024;

  static final int BLOCK = 32;
  private static final int RANDOM_BYTES = 16;
  private static final int KEY_CHARS = 43;
  private static final int MAX_FIELD_CHARS = 128;

  private final byte[] token;
  private final SecretKeySpec key;
  private final IvParameterSpec iv;
  private final String appId;
  private final byte[] appIdBytes;
  private final SecureRandom random = new SecureRandom();

  /**
   * @param token the message token (消息校验 Token) configured for the callback
   * @param encodingAesKey the 43-character {@code EncodingAESKey} ([A-Za-z0-9+/])
   * @param appId the appid messages are encrypted for: the component appid on the Open Platform
   * @throws IllegalArgumentException if the key is not 43 Base64 characters or an argument is empty;
   *     the message does not contain the key or the token
   */
  public MessageCrypto(String token, String encodingAesKey, String appId) {
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(encodingAesKey, "encodingAesKey");
    Objects.requireNonNull(appId, "appId");
    if (token.isEmpty() || token.length() > MAX_FIELD_CHARS) {
      throw new IllegalArgumentException("the message token must be 1 to 128 characters");
    }
    if (appId.isEmpty() || appId.length() > MAX_FIELD_CHARS) {
      throw new IllegalArgumentException("the appid must be 1 to 128 characters");
    }
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.key = new SecretKeySpec(aesKey(encodingAesKey), "AES");
    this.iv = new IvParameterSpec(Arrays.copyOf(key.getEncoded(), 16));
    this.appId = appId;
    this.appIdBytes = appId.getBytes(StandardCharsets.UTF_8);
  }

  /** The 32-byte AES key behind a 43-character {@code EncodingAESKey}. */
  private static byte[] aesKey(String encodingAesKey) {
    if (encodingAesKey.length() != KEY_CHARS) {
      throw new IllegalArgumentException("the EncodingAESKey must be 43 characters");
    }
    for (int i = 0; i < KEY_CHARS; i++) {
      char c = encodingAesKey.charAt(i);
      boolean base64 = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
          || c == '+' || c == '/';
      if (!base64) {
        throw new IllegalArgumentException("the EncodingAESKey must be Base64 characters only");
      }
    }
    // 43 characters + "=" are 32 bytes; the last character carries 4 unused bits, which WeChat's
    // own samples ignore, so a key that is not canonical there is accepted as they accept it.
    return Base64.getDecoder().decode(encodingAesKey + "=");
  }

  /** @return the appid messages are encrypted for */
  public String appId() {
    return appId;
  }

  /**
   * @return WeChat's {@code msg_signature} of a message: lowercase hex SHA-1 over the token,
   *     timestamp, nonce and ciphertext, sorted as strings and concatenated
   */
  public String signature(String timestamp, String nonce, String ciphertext) {
    return HexFormat.of().formatHex(signatureBytes(timestamp, nonce, ciphertext));
  }

  private byte[] signatureBytes(String timestamp, String nonce, String ciphertext) {
    String[] parts = {
        new String(token, StandardCharsets.UTF_8),
        Objects.requireNonNull(timestamp, "timestamp"),
        Objects.requireNonNull(nonce, "nonce"),
        Objects.requireNonNull(ciphertext, "ciphertext")};
    Arrays.sort(parts);
    MessageDigest sha1 = sha1();
    for (String part : parts) {
      sha1.update(part.getBytes(StandardCharsets.UTF_8));
    }
    return sha1.digest();
  }

  /**
   * Checks a {@code msg_signature} in constant time (for a signature of the right length).
   *
   * @throws CallbackRejectedException {@link Reason#BAD_SIGNATURE} if it does not match
   */
  public void verify(String msgSignature, String timestamp, String nonce, String ciphertext) {
    byte[] expected = HexFormat.of().formatHex(signatureBytes(timestamp, nonce, ciphertext))
        .getBytes(StandardCharsets.US_ASCII);
    // Upper-case hex is not what WeChat sends; compare the bytes as given.
    byte[] given = Objects.requireNonNull(msgSignature, "msgSignature")
        .getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, given)) {
      throw new CallbackRejectedException(Reason.BAD_SIGNATURE);
    }
  }

  /**
   * Encrypts a message for this appid with 16 fresh random bytes in front.
   *
   * @return the Base64 ciphertext, as it goes into {@code <Encrypt>}
   */
  public String encrypt(String message) {
    byte[] prefix = new byte[RANDOM_BYTES];
    random.nextBytes(prefix);
    return encrypt(message, prefix);
  }

  /** Encrypts with the given 16 leading bytes: for WeChat's published test vectors. */
  String encrypt(String message, byte[] prefix) {
    if (prefix.length != RANDOM_BYTES) {
      throw new IllegalArgumentException("the prefix must be 16 bytes");
    }
    byte[] body = message.getBytes(StandardCharsets.UTF_8);
    int length = RANDOM_BYTES + 4 + body.length + appIdBytes.length;
    int pad = BLOCK - length % BLOCK; // 1..32: a full block of padding when already aligned
    ByteBuffer plain = ByteBuffer.allocate(length + pad)
        .put(prefix).putInt(body.length).put(body).put(appIdBytes);
    while (plain.hasRemaining()) {
      plain.put((byte) pad);
    }
    return Base64.getEncoder().encodeToString(cipher(Cipher.ENCRYPT_MODE).doFinalOrThrow(plain.array()));
  }

  /**
   * Decrypts a ciphertext of this appid. The signature must have been verified first.
   *
   * @return the message (UTF-8 decoded)
   * @throws CallbackRejectedException naming the first check that failed: {@link Reason#OVERSIZED},
   *     {@link Reason#BAD_BASE64}, {@link Reason#BAD_PADDING}, {@link Reason#BAD_LENGTH},
   *     {@link Reason#WRONG_APPID}, or {@link Reason#MALFORMED_XML} for a message that is not UTF-8
   */
  public String decrypt(String ciphertext) {
    Objects.requireNonNull(ciphertext, "ciphertext");
    if (ciphertext.length() > MAX_CIPHERTEXT_CHARS) {
      throw new CallbackRejectedException(Reason.OVERSIZED);
    }
    byte[] encrypted;
    try {
      encrypted = Base64.getDecoder().decode(ciphertext);
    } catch (IllegalArgumentException e) {
      throw new CallbackRejectedException(Reason.BAD_BASE64);
    }
    if (encrypted.length == 0 || encrypted.length % BLOCK != 0) {
      throw new CallbackRejectedException(Reason.BAD_BASE64);
    }
    byte[] plain = cipher(Cipher.DECRYPT_MODE).doFinalOrThrow(encrypted);
    int pad = plain[plain.length - 1] & 0xFF;
    if (pad < 1 || pad > BLOCK) {
      throw new CallbackRejectedException(Reason.BAD_PADDING);
    }
    int bad = 0;
    for (int i = plain.length - pad; i < plain.length; i++) {
      bad |= (plain[i] & 0xFF) ^ pad;
    }
    if (bad != 0) {
      throw new CallbackRejectedException(Reason.BAD_PADDING);
    }
    int end = plain.length - pad;
    if (end < RANDOM_BYTES + 4) {
      throw new CallbackRejectedException(Reason.BAD_LENGTH);
    }
    int length = ByteBuffer.wrap(plain, RANDOM_BYTES, 4).getInt();
    int messageEnd = RANDOM_BYTES + 4 + length;
    if (length < 0 || messageEnd > end) {
      throw new CallbackRejectedException(Reason.BAD_LENGTH);
    }
    if (!MessageDigest.isEqual(Arrays.copyOfRange(plain, messageEnd, end), appIdBytes)) {
      throw new CallbackRejectedException(Reason.WRONG_APPID);
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(plain, RANDOM_BYTES + 4, length))
          .toString();
    } catch (CharacterCodingException e) {
      throw new CallbackRejectedException(Reason.MALFORMED_XML);
    }
  }

  private Aes cipher(int mode) {
    try {
      Cipher cipher = Cipher.getInstance("AES/CBC/NoPadding");
      cipher.init(mode, key, iv);
      return new Aes(cipher);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/CBC is not available in this JDK", e);
    }
  }

  /** A cipher whose inputs are always whole blocks, so {@code doFinal} cannot fail. */
  private record Aes(Cipher cipher) {
    byte[] doFinalOrThrow(byte[] input) {
      try {
        return cipher.doFinal(input);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES/CBC failed on whole blocks", e);
      }
    }
  }

  private static MessageDigest sha1() {
    try {
      return MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is not available in this JDK", e);
    }
  }

  @Override
  public String toString() {
    return "MessageCrypto[appId=" + appId + "]";
  }
}
