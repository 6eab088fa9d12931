package io.wxtoken.simulator;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * WeChat's side of the callback encryption: what WeChat does to an event before it POSTs it to a
 * platform. AES-256-CBC with the key from the {@code EncodingAESKey} (Base64 + "="), IV = its
 * first 16 bytes, plaintext = 16 random bytes ‖ 4-byte big-endian length ‖ message ‖ appid,
 * PKCS#7-padded to 32-byte blocks; {@code msg_signature} = SHA-1 of the sorted (token, timestamp,
 * nonce, ciphertext).
 *
 * <p>Written independently of wxtoken's own decryption (the simulator must not depend on the code
 * it tests), so the two check each other. Thread-safe.
 */
final class CallbackSealer {

  private final String token;
  private final SecretKeySpec key;
  private final IvParameterSpec iv;
  private final byte[] appId;
  private final SecureRandom random = new SecureRandom();

  CallbackSealer(String token, String encodingAesKey, String appId) {
    if (encodingAesKey.length() != 43) {
      throw new IllegalArgumentException("the EncodingAESKey must be 43 characters");
    }
    byte[] raw = Base64.getDecoder().decode(encodingAesKey + "=");
    this.token = token;
    this.key = new SecretKeySpec(raw, "AES");
    this.iv = new IvParameterSpec(Arrays.copyOf(raw, 16));
    this.appId = appId.getBytes(StandardCharsets.UTF_8);
  }

  /** @return the Base64 ciphertext of {@code message} */
  String encrypt(String message) {
    byte[] body = message.getBytes(StandardCharsets.UTF_8);
    int length = 16 + 4 + body.length + appId.length;
    int pad = 32 - length % 32;
    byte[] prefix = new byte[16];
    random.nextBytes(prefix);
    ByteBuffer plain = ByteBuffer.allocate(length + pad)
        .put(prefix).putInt(body.length).put(body).put(appId);
    while (plain.hasRemaining()) {
      plain.put((byte) pad);
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/CBC/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, iv);
      return Base64.getEncoder().encodeToString(cipher.doFinal(plain.array()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/CBC failed", e);
    }
  }

  /** @return lowercase hex SHA-1 of the given strings and the token, sorted and concatenated */
  String sign(String... parts) {
    String[] all = Arrays.copyOf(parts, parts.length + 1);
    all[parts.length] = token;
    Arrays.sort(all);
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      for (String part : all) {
        sha1.update(part.getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(sha1.digest());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-1 is not available", e);
    }
  }
}
