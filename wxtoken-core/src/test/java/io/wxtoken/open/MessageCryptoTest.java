package io.wxtoken.open;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxtoken.open.CallbackRejectedException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** WeChat's callback crypto: the published vectors, round trips, and every malformed input. */
class MessageCryptoTest {
  // WeChat's official message-crypto sample (WXBizMsgCryptTest.testAesEncrypt), as repeated in
  // WxJava: weixin-java-common/src/test/java/me/chanjar/weixin/common/util/crypto/WxCryptUtilTest.java
  // (fields encodingAesKey, appId, randomStr, replyMsg, afterAesEncrypt).
  private static final String SAMPLE_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
  private static final String SAMPLE_APPID = "wxb11529c136998cb6";
  private static final String SAMPLE_CIPHERTEXT =
      "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==";

  // WeCom's official WXBizMsgCrypt sample (VerifyURL, the same format and signature): token QDG6eK,
  // corpid wx5823bf96d3bd56c7, the echostr below and its msg_signature, decrypting to
  // 1616140317555161061.
  private static final MessageCrypto WECOM_SAMPLE = new MessageCrypto("QDG6eK",
      "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7");
  private static final String WECOM_ECHOSTR = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3"
      + "zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==";

  private final MessageCrypto sample = new MessageCrypto("pamtest", SAMPLE_KEY, SAMPLE_APPID);

  @Test
  void encryptsWeChatsPublishedSampleExactly() {
    String encrypted = sample.encrypt("我是中文abcd123",
        "aaaabbbbccccdddd".getBytes(StandardCharsets.US_ASCII));

    assertThat(encrypted).isEqualTo(SAMPLE_CIPHERTEXT);
    assertThat(sample.decrypt(SAMPLE_CIPHERTEXT)).isEqualTo("我是中文abcd123");
  }

  @Test
  void verifiesAndDecryptsWeComsPublishedSample() {
    WECOM_SAMPLE.verify("5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", "1409659589", "263014780",
        WECOM_ECHOSTR);

    assertThat(WECOM_SAMPLE.signature("1409659589", "263014780", WECOM_ECHOSTR))
        .isEqualTo("5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3");
    assertThat(WECOM_SAMPLE.decrypt(WECOM_ECHOSTR)).isEqualTo("1616140317555161061");
  }

  @Test
  void roundTripsMessagesOfEveryLengthAroundTheBlock() {
    for (int n = 0; n <= 100; n++) {
      String message = "x".repeat(n);
      String encrypted = sample.encrypt(message);

      assertThat(Base64.getDecoder().decode(encrypted).length % 32).isZero();
      assertThat(sample.decrypt(encrypted)).isEqualTo(message);
    }
  }

  @Test
  void padsToThirtyTwoByteBlocksWithAFullBlockWhenAligned() {
    // 16 + 4 + 12 ("x" * 12) + 18 (appid) = 50 → 64; 16 + 4 + 26 + 18 = 64 → a full extra block.
    assertThat(plain(sample.encrypt("x".repeat(12)))).hasSize(64).endsWith(repeat(14, 14));
    assertThat(plain(sample.encrypt("x".repeat(26)))).hasSize(96).endsWith(repeat(32, 32));
  }

  @Test
  void usesFreshRandomBytesForEachMessage() {
    assertThat(sample.encrypt("same")).isNotEqualTo(sample.encrypt("same"));
  }

  @Test
  void rejectsAWrongSignatureOfAnyShape() {
    String good = sample.signature("1409304348", "xxxxxx", SAMPLE_CIPHERTEXT);
    sample.verify(good, "1409304348", "xxxxxx", SAMPLE_CIPHERTEXT);

    for (String bad : new String[] {"", good.substring(1), good.toUpperCase(), flip(good),
        good + "0"}) {
      assertRejected(() -> sample.verify(bad, "1409304348", "xxxxxx", SAMPLE_CIPHERTEXT),
          Reason.BAD_SIGNATURE);
    }
    // Every signed input counts: another timestamp, nonce, ciphertext or token.
    assertRejected(() -> sample.verify(good, "1409304349", "xxxxxx", SAMPLE_CIPHERTEXT),
        Reason.BAD_SIGNATURE);
    assertRejected(() -> sample.verify(good, "1409304348", "xxxxxy", SAMPLE_CIPHERTEXT),
        Reason.BAD_SIGNATURE);
    assertRejected(() -> sample.verify(good, "1409304348", "xxxxxx", SAMPLE_CIPHERTEXT + "A"),
        Reason.BAD_SIGNATURE);
    MessageCrypto otherToken = new MessageCrypto("pamtest2", SAMPLE_KEY, SAMPLE_APPID);
    assertRejected(() -> otherToken.verify(good, "1409304348", "xxxxxx", SAMPLE_CIPHERTEXT),
        Reason.BAD_SIGNATURE);
  }

  @Test
  void signsTheSortedStringsNotTheirOrderOfArrival() {
    // SHA-1 of "1" + "2" + "3" + "pamtest": sorting puts the digits before the token.
    assertThat(sample.signature("2", "1", "3")).isEqualTo(sample.signature("3", "2", "1"))
        .isEqualTo(sha1Hex("123pamtest"));
  }

  @Test
  void rejectsBadBase64() {
    assertRejected(() -> sample.decrypt("not base64!"), Reason.BAD_BASE64);
    assertRejected(() -> sample.decrypt(""), Reason.BAD_BASE64);
    // Valid Base64, but not whole 32-byte blocks.
    assertRejected(() -> sample.decrypt(Base64.getEncoder().encodeToString(new byte[16])),
        Reason.BAD_BASE64);
    assertRejected(() -> sample.decrypt(SAMPLE_CIPHERTEXT.substring(0, 40)), Reason.BAD_BASE64);
  }

  @Test
  void rejectsBadPadding() {
    byte[] zeroPad = message("hi".getBytes(StandardCharsets.UTF_8), SAMPLE_APPID, 0);
    assertRejected(() -> sample.decrypt(encryptRaw(SAMPLE_KEY, zeroPad)), Reason.BAD_PADDING);
    byte[] tooLong = message("hi".getBytes(StandardCharsets.UTF_8), SAMPLE_APPID, 33);
    assertRejected(() -> sample.decrypt(encryptRaw(SAMPLE_KEY, tooLong)), Reason.BAD_PADDING);
    byte[] uneven = message("hi".getBytes(StandardCharsets.UTF_8), SAMPLE_APPID, 5);
    uneven[uneven.length - 3] = 4;
    assertRejected(() -> sample.decrypt(encryptRaw(SAMPLE_KEY, uneven)), Reason.BAD_PADDING);
    // Another key decrypts to noise, which fails the padding (or, rarely, a later check).
    MessageCrypto otherKey = new MessageCrypto("pamtest", "B".repeat(43), SAMPLE_APPID);
    assertThatThrownBy(() -> otherKey.decrypt(SAMPLE_CIPHERTEXT))
        .isInstanceOf(CallbackRejectedException.class);
  }

  @Test
  void rejectsALengthThatDoesNotFit() {
    byte[] plain = message("hello".getBytes(StandardCharsets.UTF_8), SAMPLE_APPID, -1);
    ByteBuffer.wrap(plain).putInt(16, 1000);
    assertRejected(() -> sample.decrypt(encryptRaw(SAMPLE_KEY, plain)), Reason.BAD_LENGTH);
    ByteBuffer.wrap(plain).putInt(16, -1);
    assertRejected(() -> sample.decrypt(encryptRaw(SAMPLE_KEY, plain)), Reason.BAD_LENGTH);
    // Truncated: only the random prefix and padding, no length field.
    byte[] truncated = new byte[32];
    Arrays.fill(truncated, 16, 32, (byte) 16);
    assertRejected(() -> sample.decrypt(encryptRaw(SAMPLE_KEY, truncated)), Reason.BAD_LENGTH);
  }

  @Test
  void rejectsAMessageForAnotherAppid() {
    MessageCrypto other = new MessageCrypto("pamtest", SAMPLE_KEY, "wx0000000000000000");
    assertRejected(() -> other.decrypt(SAMPLE_CIPHERTEXT), Reason.WRONG_APPID);
    // A prefix of the right appid is not the appid.
    MessageCrypto prefix = new MessageCrypto("pamtest", SAMPLE_KEY, SAMPLE_APPID + "x");
    assertRejected(() -> sample.decrypt(prefix.encrypt("m")), Reason.WRONG_APPID);
  }

  @Test
  void rejectsAMessageThatIsNotUtf8() {
    byte[] plain = message(new byte[] {(byte) 0xC3, (byte) 0x28}, SAMPLE_APPID, -1);
    assertRejected(() -> sample.decrypt(encryptRaw(SAMPLE_KEY, plain)), Reason.MALFORMED_XML);
  }

  @Test
  void rejectsOversizedCiphertextBeforeDecoding() {
    String huge = "A".repeat(MessageCrypto.MAX_CIPHERTEXT_CHARS + 4);
    assertRejected(() -> sample.decrypt(huge), Reason.OVERSIZED);
  }

  @Test
  void refusesMalformedKeysWithoutEchoingThem() {
    for (String key : new String[] {"", SAMPLE_KEY.substring(1), SAMPLE_KEY + "A",
        SAMPLE_KEY.substring(0, 42) + "=", SAMPLE_KEY.substring(0, 42) + "-"}) {
      assertThatThrownBy(() -> new MessageCrypto("pamtest", key, SAMPLE_APPID))
          .isInstanceOf(IllegalArgumentException.class)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("abcdefghijklmnopqrstuvwxyz"));
    }
    assertThatThrownBy(() -> new MessageCrypto("", SAMPLE_KEY, SAMPLE_APPID))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new MessageCrypto("pamtest", SAMPLE_KEY, ""))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void showsNoSecretInToString() {
    assertThat(sample.toString()).contains(SAMPLE_APPID).doesNotContain("pamtest")
        .doesNotContain(SAMPLE_KEY);
  }

  /** 16 zero bytes ‖ length ‖ body ‖ appid ‖ {@code pad} bytes of value {@code pad} (−1: proper). */
  private static byte[] message(byte[] body, String appId, int pad) {
    byte[] id = appId.getBytes(StandardCharsets.UTF_8);
    int length = 16 + 4 + body.length + id.length;
    int padding = pad < 0 ? 32 - length % 32 : pad;
    int total = length + padding;
    total += (32 - total % 32) % 32; // keep whole blocks; the tail then holds junk bytes
    ByteBuffer buffer = ByteBuffer.allocate(total).position(16);
    buffer.putInt(body.length).put(body).put(id);
    byte fill = (byte) padding;
    while (buffer.hasRemaining()) {
      buffer.put(fill);
    }
    return buffer.array();
  }

  private static String encryptRaw(String encodingAesKey, byte[] plain) {
    try {
      byte[] key = Base64.getDecoder().decode(encodingAesKey + "=");
      Cipher cipher = Cipher.getInstance("AES/CBC/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"),
          new IvParameterSpec(Arrays.copyOf(key, 16)));
      return Base64.getEncoder().encodeToString(cipher.doFinal(plain));
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] plain(String encrypted) {
    try {
      byte[] key = Base64.getDecoder().decode(SAMPLE_KEY + "=");
      Cipher cipher = Cipher.getInstance("AES/CBC/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"),
          new IvParameterSpec(Arrays.copyOf(key, 16)));
      return cipher.doFinal(Base64.getDecoder().decode(encrypted));
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] repeat(int value, int count) {
    byte[] bytes = new byte[count];
    Arrays.fill(bytes, (byte) value);
    return bytes;
  }

  private static String flip(String hex) {
    char last = hex.charAt(hex.length() - 1);
    return hex.substring(0, hex.length() - 1) + (last == '0' ? '1' : '0');
  }

  private static String sha1Hex(String text) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static void assertRejected(Runnable call, Reason reason) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(CallbackRejectedException.class,
            e -> assertThat(e.reason()).isEqualTo(reason));
  }
}
