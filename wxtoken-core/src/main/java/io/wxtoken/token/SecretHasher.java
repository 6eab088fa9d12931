package io.wxtoken.token;

import io.wxtoken.secret.MasterKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns an (appId, AppSecret) pair into a {@link Verifier} with HMAC-SHA256 under a server key.
 *
 * <p>The appId is part of the input, so one secret used by two apps yields unrelated verifiers.
 * The key must stay the same across restarts (and across instances sharing a store) or every
 * stored verifier stops matching; it is loaded by the server from its key file.
 *
 * <p>Thread-safe: each thread reuses its own {@link Mac}, because creating one per call costs
 * more than the hash itself.
 */
public final class SecretHasher {
  private static final String ALGORITHM = "HmacSHA256";

  private final SecretKeySpec key;
  private final ThreadLocal<Mac> macs;

  /** @param key at least 32 bytes of secret randomness */
  public SecretHasher(byte[] key) {
    if (key.length < 32) {
      throw new IllegalArgumentException("the hash key must be at least 32 bytes");
    }
    this.key = new SecretKeySpec(key.clone(), ALGORITHM);
    newMac(); // fail now, not on the first request, if the JDK cannot do it
    this.macs = ThreadLocal.withInitial(this::newMac);
  }

  /** A hasher under a key kept in a key file ({@link MasterKey#loadOrCreate(Path, String, String)}). */
  public static SecretHasher of(MasterKey key) {
    return new SecretHasher(key.secretKey(ALGORITHM).getEncoded());
  }

  /** The verifier of {@code secret} for {@code appId}. */
  public Verifier hash(String appId, String secret) {
    Mac mac = macs.get();
    mac.update(appId.getBytes(StandardCharsets.UTF_8));
    mac.update((byte) 0);
    return Verifier.of(mac.doFinal(secret.getBytes(StandardCharsets.UTF_8)));
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac;
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
