package io.wxtoken.store.redis;

import io.wxtoken.secret.MasterKey;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticates the notices instances publish on {@code wxtoken:events}: an HMAC-SHA256 over the
 * whole notice, under a key derived from the master key ({@link MasterKey#derive}), so a client
 * that may {@code PUBLISH} but has no master key cannot make any instance adopt a record.
 *
 * <p>Signed notice: {@code <43 characters of unpadded Base64url MAC>:<notice>}. Notices are
 * signed with the current master key's derived key and accepted under any configured key's
 * (current or previous), so a rolling master-key rotation keeps the notices flowing from the
 * instances not yet restarted. A replayed notice is harmless: records are fenced by generation,
 * and a release only makes waiting flights look at the store again.
 *
 * <p>Thread-safe: each call uses its own {@link Mac}.
 */
public final class NoticeSigner {
  static final String PURPOSE = "wxtoken:events v1";
  private static final String HMAC = "HmacSHA256";
  private static final int MAC_CHARS = 43; // 32 bytes, unpadded Base64url
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private final SecretKeySpec signing;
  private final List<SecretKeySpec> accepted;

  private NoticeSigner(SecretKeySpec signing, List<SecretKeySpec> accepted) {
    this.signing = signing;
    this.accepted = List.copyOf(accepted);
    mac(signing); // fail now, not on the first notice, if the JDK cannot
  }

  /** Signs with {@code current}'s derived key; accepts it and {@code previous}'s. */
  public static NoticeSigner of(MasterKey current, List<MasterKey> previous) {
    Objects.requireNonNull(current, "current");
    SecretKeySpec signing = current.derive(PURPOSE);
    List<SecretKeySpec> accepted = new ArrayList<>();
    accepted.add(signing);
    for (MasterKey key : previous) {
      accepted.add(key.derive(PURPOSE));
    }
    return new NoticeSigner(signing, accepted);
  }

  /** The notice with its MAC in front. */
  String sign(String notice) {
    return ENCODER.encodeToString(mac(signing).doFinal(notice.getBytes(StandardCharsets.UTF_8)))
        + ":" + notice;
  }

  /** The notice inside {@code signed}, or null if it is malformed or its MAC does not verify. */
  String verify(String signed) {
    if (signed.length() <= MAC_CHARS || signed.charAt(MAC_CHARS) != ':') {
      return null;
    }
    byte[] claimed;
    try {
      claimed = DECODER.decode(signed.substring(0, MAC_CHARS));
    } catch (IllegalArgumentException e) {
      return null;
    }
    String notice = signed.substring(MAC_CHARS + 1);
    byte[] bytes = notice.getBytes(StandardCharsets.UTF_8);
    for (SecretKeySpec key : accepted) {
      if (MessageDigest.isEqual(claimed, mac(key).doFinal(bytes))) {
        return notice;
      }
    }
    return null;
  }

  private static Mac mac(SecretKeySpec key) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(HMAC + " unavailable", e);
    }
  }
}
