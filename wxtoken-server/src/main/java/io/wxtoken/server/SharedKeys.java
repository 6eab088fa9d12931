package io.wxtoken.server;

import io.wxtoken.secret.MasterKey;
import io.wxtoken.secret.SecretBox;
import io.wxtoken.secret.SecretBoxException;
import io.wxtoken.store.redis.RedisStore;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The keys the instances of a cluster must share, kept in their shared store. The secret-hash key
 * (which turns AppSecrets into verifiers) is stored sealed under the master key, so Redis never
 * holds it in plaintext and every instance started with the same master key computes the same
 * verifiers.
 */
final class SharedKeys {
  static final String SECRET_HASH_KEY = "secret-hash-key";
  /** The associated data the key is sealed with: no appId can collide with it. */
  private static final String LABEL = "wxtoken:secret-hash-key";

  private SharedKeys() {}

  /**
   * The cluster's secret-hash key: the stored one, or a new one if this is the first instance.
   * Resealed under the current master key when it was sealed under a previous one.
   *
   * @throws IllegalStateException if this instance's master keys cannot open the stored one
   */
  static MasterKey secretHashKey(RedisStore store, SecretBox box) {
    byte[] fresh = new byte[32];
    new SecureRandom().nextBytes(fresh);
    String candidate = new String(box.seal(LABEL, Base64.getEncoder().encodeToString(fresh)),
        StandardCharsets.US_ASCII);
    String stored = store.sharedSetting(SECRET_HASH_KEY, candidate);
    byte[] sealed = stored.getBytes(StandardCharsets.US_ASCII);
    String key;
    try {
      key = box.open(LABEL, sealed);
    } catch (SecretBoxException e) {
      throw new IllegalStateException("the secret-hash key in " + store.address()
          + " cannot be opened with this instance's master key (key id " + box.currentKeyId()
          + "): start every instance with the same --master-key-file/WXTOKEN_MASTER_KEY ("
          + e.getMessage() + ")");
    }
    if (box.needsResealing(sealed)) {
      store.replaceSharedSetting(SECRET_HASH_KEY, stored,
          new String(box.seal(LABEL, key), StandardCharsets.US_ASCII));
    }
    return MasterKey.fromBase64(key);
  }
}
