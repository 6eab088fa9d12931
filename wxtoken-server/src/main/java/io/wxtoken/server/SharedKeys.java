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
 * verifiers. A stored key that is gone, or that this instance's master keys cannot open, is
 * replaced only when asked to ({@code --reset-secret-hash-key}), never silently.
 */
final class SharedKeys {
  static final String SECRET_HASH_KEY = "secret-hash-key";
  /** The associated data the key is sealed with: no appId can collide with it. */
  private static final String LABEL = "wxtoken:secret-hash-key";

  private SharedKeys() {}

  /**
   * The cluster's secret-hash key: the stored one, or a new one if this is the first instance of
   * an empty store. Resealed under the current master key when it was sealed under a previous one.
   *
   * @param storedRecords how many app records the store holds (whose verifiers need the key)
   * @param reset whether a lost or unopenable key may be replaced by a new one
   * @throws IllegalStateException if the key is lost (or cannot be opened) and {@code reset} is
   *     false
   */
  static StoredKeys.HashKey secretHashKey(RedisStore store, SecretBox box, int storedRecords,
      boolean reset) {
    String candidate = seal(box, newKey());
    String stored = store.readSharedSetting(SECRET_HASH_KEY);
    boolean replaced = false;
    if (stored == null) {
      if (storedRecords > 0 && !reset) {
        throw StoredKeys.lostHashKey("Redis at " + store.address() + " holds " + storedRecords
            + " app records, but the secret-hash key their verifiers were made with is gone"
            + " from its meta hash; no new key was generated");
      }
      replaced = storedRecords > 0;
      stored = store.sharedSetting(SECRET_HASH_KEY, candidate); // the first instance's wins
    }
    byte[] sealed = stored.getBytes(StandardCharsets.US_ASCII);
    String key;
    try {
      key = box.open(LABEL, sealed);
    } catch (SecretBoxException e) {
      if (!reset) {
        throw new IllegalStateException("the secret-hash key in " + store.address()
            + " is sealed under master key id " + sealedKeyId(sealed) + ", which is not"
            + " configured here (the master key has id " + box.currentKeyId() + "): start every"
            + " instance with the same --master-key-file/WXTOKEN_MASTER_KEY (an older one with"
            + " --previous-master-key-file). If that key is lost, stop every instance and start"
            + " one with " + StoredKeys.RESET_FLAG + " (and " + StoredKeys.DISCARD_FLAG
            + " for the app secrets sealed under it)");
      }
      store.replaceSharedSetting(SECRET_HASH_KEY, stored, candidate);
      return new StoredKeys.HashKey(secretHashKey(store, box, 0, false).key(), true);
    }
    if (box.needsResealing(sealed)) {
      store.replaceSharedSetting(SECRET_HASH_KEY, stored, seal(box, key));
    }
    return new StoredKeys.HashKey(MasterKey.fromBase64(key), replaced);
  }

  private static String newKey() {
    byte[] fresh = new byte[32];
    new SecureRandom().nextBytes(fresh);
    return Base64.getEncoder().encodeToString(fresh);
  }

  private static String seal(SecretBox box, String key) {
    return new String(box.seal(LABEL, key), StandardCharsets.US_ASCII);
  }

  private static String sealedKeyId(byte[] sealed) {
    try {
      return SecretBox.keyIdOf(sealed);
    } catch (SecretBoxException e) {
      return "(unreadable)";
    }
  }
}
