package io.wxtoken.server;

import io.wxtoken.secret.MasterKey;
import io.wxtoken.secret.SecretBox;
import io.wxtoken.secret.SecretBoxException;
import io.wxtoken.store.h2.H2TokenStore;
import io.wxtoken.token.AppRecord;
import io.wxtoken.token.SecretHasher;
import io.wxtoken.token.StoreException;
import io.wxtoken.token.TokenStore;
import io.wxtoken.token.Verifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up check that the configured keys open what the store holds. A lost master key or
 * secret-hash key is never replaced silently by a new one (which would leave the admin view
 * saying secrets are stored while every refresh fails hours later): the start is refused, naming
 * the key id and the way out, an explicit flag that discards what the lost key protected.
 * Generating keys for an empty store stays automatic.
 *
 * <p>Runs once, before the engine starts; not thread-safe (it needs not be).
 */
final class StoredKeys {
  private static final Logger log = LoggerFactory.getLogger(StoredKeys.class);
  /** The {@link H2TokenStore#setting} naming the secret-hash key the verifiers were made with. */
  static final String HASH_KEY_ID = "secret_hash_key_id";
  static final String DISCARD_FLAG = "--discard-sealed-secrets";
  static final String RESET_FLAG = "--reset-secret-hash-key";
  private static final String WAYS_TO_CONFIGURE = "--master-key-file or WXTOKEN_MASTER_KEY"
      + " (an older key with --previous-master-key-file)";

  /** The secret-hash key, and whether it replaces a lost one (so the verifiers need rebuilding). */
  record HashKey(MasterKey key, boolean replacedLostKey) {}

  private StoredKeys() {}

  /**
   * The embedded store's own master key file: loaded, or created for a store that holds no sealed
   * secret (or whose sealed secrets are being discarded).
   */
  static MasterKey embeddedMasterKey(Path file, List<AppRecord> records, boolean discard) {
    if (!Files.exists(file)) {
      Set<String> ids = sealedKeyIds(records);
      if (!ids.isEmpty() && !discard) {
        throw new IllegalStateException("the store holds the sealed secrets of "
            + sealedCount(records) + " apps under master key id " + String.join(", ", ids)
            + ", but its master key file " + file + " is gone; no new key was generated. Restore"
            + " the file, or pass that key with " + WAYS_TO_CONFIGURE + "; or, if it is lost,"
            + " start once with " + DISCARD_FLAG + " to erase those secrets (each app is then"
            + " verify-only until a caller brings its secret again)");
      }
    }
    return MasterKey.loadOrCreate(file);
  }

  /**
   * Refuses records sealed under a key the box does not have, or with {@code discard} erases
   * their sealed secrets (logged per app).
   *
   * @return the records as they are now
   */
  static List<AppRecord> checkSealedSecrets(TokenStore store, SecretBox box,
      List<AppRecord> records, boolean discard) {
    Set<String> unknown = new TreeSet<>();
    for (AppRecord record : records) {
      String id = keyId(record);
      if (id != null && !box.hasKey(id)) {
        unknown.add(id);
      }
    }
    if (unknown.isEmpty()) {
      return records;
    }
    if (!discard) {
      throw new IllegalStateException("stored app secrets are sealed under master key id "
          + String.join(", ", unknown) + ", which is not configured (the master key has id "
          + box.currentKeyId() + "); no secret was changed. Configure that key with "
          + WAYS_TO_CONFIGURE + "; or, if it is lost, start once with " + DISCARD_FLAG
          + " to erase those secrets (each app is then verify-only until a caller brings its"
          + " secret again)");
    }
    List<AppRecord> now = new ArrayList<>(records.size());
    int discarded = 0;
    for (AppRecord record : records) {
      String id = keyId(record);
      if (id == null || box.hasKey(id)) {
        now.add(record);
        continue;
      }
      AppRecord erased = new AppRecord(record.appId(), record.verifier(), null, record.token(),
          record.generation() + 1);
      if (store.save(erased)) {
        now.add(erased);
        discarded++;
        log.warn("{}: discarded the sealed secret of app {} (master key id {} is not configured);"
            + " the app is verify-only until a caller brings its secret again", DISCARD_FLAG,
            record.appId(), id);
      } else {
        // another instance wrote a newer record meanwhile: its own check covers it
        store.load(record.appId()).ifPresent(now::add);
      }
    }
    log.warn("{}: discarded the sealed secrets of {} apps sealed under master key id {}",
        DISCARD_FLAG, discarded, String.join(", ", unknown));
    return now;
  }

  /**
   * The embedded store's secret-hash key: loaded, created for an empty store, and checked against
   * the key id the store recorded for its verifiers.
   */
  static HashKey embeddedHashKey(H2TokenStore store, Path file, List<AppRecord> records,
      boolean reset) {
    Optional<String> recorded = store.setting(HASH_KEY_ID);
    boolean needed = !records.isEmpty() || recorded.isPresent();
    boolean lost = needed && !Files.exists(file);
    if (lost && !reset) {
      throw lostHashKey("the store holds the verifiers of " + records.size() + " apps"
          + recorded.map(id -> " (secret-hash key id " + id + ")").orElse("")
          + ", but its secret-hash key file " + file + " is gone; no new key was generated");
    }
    MasterKey key = MasterKey.loadOrCreate(file, "secret-hash key",
        "keep it with the store: without it stored verifiers match no secret");
    if (recorded.isPresent() && !recorded.get().equals(key.id())) {
      if (!reset) {
        throw lostHashKey("the store's verifiers were made with secret-hash key id "
            + recorded.get() + ", but " + file + " holds key id " + key.id());
      }
      lost = true;
    }
    store.putSetting(HASH_KEY_ID, key.id());
    return new HashKey(key, lost);
  }

  static IllegalStateException lostHashKey(String what) {
    return new IllegalStateException(what + ". Restore that key; or, if it is lost, start once"
        + " with " + RESET_FLAG + " to make a new one (verifiers are rebuilt from the sealed"
        + " secrets; for apps without one, the next caller's secret is checked with WeChat once)");
  }

  /**
   * After a lost secret-hash key was replaced: rebuilds each verifier from the app's sealed secret;
   * apps without one keep a verifier that matches nothing until a caller's secret is checked.
   */
  static void rebuildVerifiers(TokenStore store, SecretBox box, SecretHasher hasher,
      List<AppRecord> records) {
    int rebuilt = 0;
    for (AppRecord record : records) {
      if (!record.hasSealedSecret()) {
        log.warn("{}: app {} has no sealed secret to rebuild its verifier from; its next caller's"
            + " secret is checked with WeChat", RESET_FLAG, record.appId());
        continue;
      }
      String secret;
      try {
        secret = box.open(record.appId(), record.sealedSecret().getBytes(
            java.nio.charset.StandardCharsets.US_ASCII));
      } catch (SecretBoxException e) {
        log.warn("{}: app {}: {}", RESET_FLAG, record.appId(), e.getMessage());
        continue;
      }
      Verifier verifier = hasher.hash(record.appId(), secret);
      try {
        if (store.save(new AppRecord(record.appId(), verifier, record.sealedSecret(),
            record.token(), record.generation() + 1))) {
          rebuilt++;
        }
      } catch (StoreException e) {
        log.warn("{}: cannot rebuild the verifier of app {}: {}", RESET_FLAG, record.appId(),
            e.getMessage());
      }
    }
    log.warn("{}: a new secret-hash key replaces the lost one; {} of {} verifiers rebuilt from"
        + " sealed secrets", RESET_FLAG, rebuilt, records.size());
  }

  private static Set<String> sealedKeyIds(List<AppRecord> records) {
    Set<String> ids = new TreeSet<>();
    for (AppRecord record : records) {
      String id = keyId(record);
      if (id != null) {
        ids.add(id);
      }
    }
    return ids;
  }

  private static long sealedCount(List<AppRecord> records) {
    return records.stream().filter(AppRecord::hasSealedSecret).count();
  }

  /** The key id a record's sealed secret names; null without one; "unreadable" if malformed. */
  private static String keyId(AppRecord record) {
    if (!record.hasSealedSecret()) {
      return null;
    }
    try {
      return SecretBox.keyIdOf(record.sealedSecret().getBytes(
          java.nio.charset.StandardCharsets.US_ASCII));
    } catch (SecretBoxException e) {
      return "(unreadable record)";
    }
  }
}
