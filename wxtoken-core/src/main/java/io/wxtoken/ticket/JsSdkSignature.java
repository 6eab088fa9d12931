package io.wxtoken.ticket;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The JS-SDK {@code wx.config} signature: SHA-1 over
 * {@code jsapi_ticket=…&noncestr=…&timestamp=…&url=…} (keys in ASCII order, values raw), with the
 * URL's fragment removed, as WeChat's "JS-SDK 使用权限签名算法" specifies.
 *
 * @param appId the app the page belongs to
 * @param timestamp epoch seconds
 * @param nonceStr random string
 * @param signature 40 lowercase hex digits
 */
public record JsSdkSignature(String appId, long timestamp, String nonceStr, String signature) {
  private static final char[] NONCE_ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  /** Signs {@code url} with the given ticket, timestamp and nonce. */
  public static JsSdkSignature sign(String appId, String jsapiTicket, String url, long timestamp,
      String nonceStr) {
    int hash = url.indexOf('#');
    String page = hash < 0 ? url : url.substring(0, hash);
    String string1 = "jsapi_ticket=" + jsapiTicket + "&noncestr=" + nonceStr + "&timestamp="
        + timestamp + "&url=" + page;
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest(string1.getBytes(StandardCharsets.UTF_8));
      return new JsSdkSignature(appId, timestamp, nonceStr, HexFormat.of().formatHex(digest));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 unavailable", e);
    }
  }

  /** A 16-character random nonce. */
  public static String nonce(SecureRandom random) {
    char[] nonce = new char[16];
    for (int i = 0; i < nonce.length; i++) {
      nonce[i] = NONCE_ALPHABET[random.nextInt(NONCE_ALPHABET.length)];
    }
    return new String(nonce);
  }
}
