package io.wxtoken.secret;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts short secrets (AppSecrets) with AES-256-GCM, each bound to the app it belongs to.
 *
 * <p><b>Record format</b> (kept as bytes in H2 and Redis; change it only with a new version):
 * the ASCII text
 *
 * <pre>{@code v1.<keyId>.<nonce>.<ciphertext>}</pre>
 *
 * where {@code keyId} is the {@link MasterKey#id()} of the key it was sealed with (8 lowercase hex
 * characters), {@code nonce} is 12 random bytes and {@code ciphertext} is the AES-GCM output: the
 * UTF-8 secret followed by its 128-bit tag. Both are unpadded Base64url (RFC 4648 §5), and only
 * that canonical encoding is accepted. The associated data is the UTF-8 appId, so a record copied
 * to another app does not open. Sealing is randomized: one secret sealed twice gives two records.
 * The record reveals the secret's length, which for AppSecrets is always 32.
 *
 * <p><b>Rotation</b>: records are opened with whichever configured key their id names and sealed
 * with the current one. To rotate, make the new key current and list the old one as previous;
 * a writer that sees {@link #needsResealing} re-seals on its next save, and the old key can be
 * dropped once no record names it.
 *
 * <p>Thread-safe. Each call creates its own {@link Cipher}: a GCM cipher must be re-initialised
 * with a fresh nonce per message anyway, and getting one costs microseconds, next to nothing
 * beside the WeChat call a secret is needed for.
 */
public final class SecretBox {
  private static final String VERSION = "v1";
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final String FORMAT = VERSION + ".<keyId>.<nonce>.<ciphertext>";
  private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{8}");
  private static final Pattern SOME_VERSION = Pattern.compile("v[0-9]{1,4}");
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private final String currentKeyId;
  private final SecretKeySpec currentKey;
  private final Map<String, SecretKeySpec> keysById;
  private final SecureRandom random = new SecureRandom();

  /**
   * @param current the key new records are sealed with
   * @param previous keys that older records may name; may be empty, may repeat {@code current}
   * @throws IllegalArgumentException if two different keys share an id
   */
  public SecretBox(MasterKey current, List<MasterKey> previous) {
    Objects.requireNonNull(current, "current");
    Map<String, SecretKeySpec> keys = new HashMap<>();
    keys.put(current.id(), aesKey(current));
    for (MasterKey key : List.copyOf(previous)) {
      SecretKeySpec spec = aesKey(key);
      SecretKeySpec known = keys.putIfAbsent(key.id(), spec);
      // Ids are 32 bits of a hash: a collision is unlikely but would make records ambiguous.
      if (known != null && !MessageDigest.isEqual(known.getEncoded(), spec.getEncoded())) {
        throw new IllegalArgumentException("two different master keys share the id " + key.id()
            + "; generate another key");
      }
    }
    this.keysById = Map.copyOf(keys);
    this.currentKeyId = current.id();
    this.currentKey = keysById.get(currentKeyId);
    try {
      Cipher.getInstance(TRANSFORMATION); // fail now, not on the first secret, if the JDK cannot
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(TRANSFORMATION + " unavailable", e);
    }
  }

  /** The id of the key new records are sealed with. */
  public String currentKeyId() {
    return currentKeyId;
  }

  /** Encrypts {@code secret} for {@code appId} into a new record in the format above. */
  public byte[] seal(String appId, String secret) {
    Objects.requireNonNull(appId, "appId");
    Objects.requireNonNull(secret, "secret");
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    byte[] plaintext = secret.getBytes(StandardCharsets.UTF_8);
    byte[] ciphertext;
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.ENCRYPT_MODE, currentKey, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(appId.getBytes(StandardCharsets.UTF_8));
      ciphertext = cipher.doFinal(plaintext);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
    String record = VERSION + "." + currentKeyId + "." + ENCODER.encodeToString(nonce) + "."
        + ENCODER.encodeToString(ciphertext);
    return record.getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Decrypts a record sealed for {@code appId}.
   *
   * @throws SecretBoxException if the record has an unknown version or key id, is malformed, or
   *     fails authentication (sealed for another app, altered or truncated)
   */
  public String open(String appId, byte[] sealed) {
    Objects.requireNonNull(appId, "appId");
    Record record = parse(sealed);
    SecretKeySpec key = keysById.get(record.keyId());
    if (key == null) {
      throw new SecretBoxException("sealed with unknown key id " + record.keyId()
          + "; is the master key file the one it was written with?");
    }
    byte[] plaintext;
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, record.nonce()));
      cipher.updateAAD(appId.getBytes(StandardCharsets.UTF_8));
      plaintext = cipher.doFinal(record.ciphertext());
    } catch (AEADBadTagException e) {
      throw new SecretBoxException("sealed secret failed authentication for app " + appId
          + ": it was sealed for another app, or altered");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM decryption failed", e);
    }
    try {
      return new String(plaintext, StandardCharsets.UTF_8);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /**
   * Whether the record was sealed with a key other than the current one, so the next write should
   * re-seal it. Reads only the record's header; does not decrypt.
   *
   * @throws SecretBoxException if the record is malformed or has an unknown version
   */
  public boolean needsResealing(byte[] sealed) {
    return !parse(sealed).keyId().equals(currentKeyId);
  }

  /** Whether records sealed under {@code keyId} can be opened: the key is configured. */
  public boolean hasKey(String keyId) {
    return keysById.containsKey(keyId);
  }

  /**
   * The id of the key a record names. Reads only the record's header; does not decrypt.
   *
   * @throws SecretBoxException if the record is malformed or has an unknown version
   */
  public static String keyIdOf(byte[] sealed) {
    return parse(sealed).keyId();
  }

  /** The fields of a well-formed record. */
  private record Record(String keyId, byte[] nonce, byte[] ciphertext) {}

  // Messages name the field at fault but never quote the record: a mis-stored plaintext secret
  // would otherwise end up in the log.
  private static Record parse(byte[] sealed) {
    Objects.requireNonNull(sealed, "sealed");
    if (sealed.length == 0) {
      throw malformed("it is empty");
    }
    for (byte b : sealed) {
      if (b < 0x21 || b > 0x7e) {
        throw malformed("it is not printable ASCII");
      }
    }
    String text = new String(sealed, StandardCharsets.US_ASCII);
    int dot = text.indexOf('.');
    String version = dot < 0 ? text : text.substring(0, dot);
    if (!version.equals(VERSION)) {
      if (SOME_VERSION.matcher(version).matches()) {
        throw new SecretBoxException("sealed with unsupported format version " + version
            + "; this build reads " + VERSION);
      }
      throw malformed("it does not start with " + VERSION + ".");
    }
    String[] fields = text.split("\\.", -1);
    if (fields.length != 4) {
      throw malformed("it has " + fields.length + " dot-separated fields, not 4");
    }
    if (!KEY_ID.matcher(fields[1]).matches()) {
      throw malformed("the key id is not 8 lowercase hex characters");
    }
    byte[] nonce = decode(fields[2], "nonce");
    if (nonce.length != NONCE_BYTES) {
      throw malformed("the nonce is " + nonce.length + " bytes, not " + NONCE_BYTES);
    }
    byte[] ciphertext = decode(fields[3], "ciphertext");
    if (ciphertext.length < TAG_BITS / 8) {
      throw malformed("the ciphertext is shorter than its " + TAG_BITS / 8 + "-byte tag");
    }
    return new Record(fields[1], nonce, ciphertext);
  }

  private static byte[] decode(String field, String name) {
    byte[] bytes;
    try {
      bytes = DECODER.decode(field);
    } catch (IllegalArgumentException e) {
      throw malformed("the " + name + " is not Base64url");
    }
    // Canonical encoding only: otherwise a changed padding bit in the last character would
    // decode to the same bytes and an altered record would still open.
    if (!ENCODER.encodeToString(bytes).equals(field)) {
      throw malformed("the " + name + " is not canonical unpadded Base64url");
    }
    return bytes;
  }

  private static SecretBoxException malformed(String why) {
    return new SecretBoxException("malformed sealed secret (expected " + FORMAT + "): " + why);
  }

  private static SecretKeySpec aesKey(MasterKey key) {
    byte[] bytes = key.bytes();
    try {
      return new SecretKeySpec(bytes, "AES");
    } finally {
      Arrays.fill(bytes, (byte) 0); // SecretKeySpec keeps its own copy
    }
  }
}
