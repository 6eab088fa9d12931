package io.wxtoken.secret;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A named 256-bit key that {@link SecretBox} encrypts AppSecrets with.
 *
 * <p>The name ({@link #id()}) is the first 8 hex characters of the key's SHA-256: stable, safe to
 * store and log, and enough to pick the right key when several are configured during a rotation.
 * The key bytes never appear in {@link #toString()}, in exception messages or in logs.
 *
 * <p>Immutable and thread-safe.
 */
public final class MasterKey {
  private static final Logger log = LoggerFactory.getLogger(MasterKey.class);
  static final int KEY_BYTES = 32;
  private static final int ID_CHARS = 8;
  private static final String HMAC = "HmacSHA256";

  private final byte[] key;
  private final String id;

  private MasterKey(byte[] key) {
    this.key = key;
    this.id = idOf(key);
  }

  /** The key id: 8 lowercase hex characters, the start of SHA-256 over the key. */
  public String id() {
    return id;
  }

  /** The key for a JCA algorithm (e.g. {@code HmacSHA256}); it holds a copy of the bytes. */
  public SecretKeySpec secretKey(String algorithm) {
    return new SecretKeySpec(bytes(), algorithm);
  }

  byte[] bytes() {
    return key.clone();
  }

  /**
   * A 256-bit key for another purpose, derived from this one with HKDF-SHA256 (RFC 5869: extract
   * with a fixed salt, expand one block with {@code purpose} as the info), so that a key used, say,
   * to authenticate cluster notices reveals nothing about the key that seals secrets. The same
   * master key and purpose always give the same key.
   *
   * @param purpose what the key is for, e.g. {@code "wxtoken:events v1"}
   * @return an {@code HmacSHA256} key
   */
  public SecretKeySpec derive(String purpose) {
    Objects.requireNonNull(purpose, "purpose");
    byte[] prk = null;
    byte[] okm = null;
    try {
      Mac extract = Mac.getInstance(HMAC);
      extract.init(new SecretKeySpec("wxtoken master key derivation".getBytes(
          StandardCharsets.US_ASCII), HMAC));
      prk = extract.doFinal(key);
      Mac expand = Mac.getInstance(HMAC);
      expand.init(new SecretKeySpec(prk, HMAC));
      expand.update(purpose.getBytes(StandardCharsets.UTF_8));
      okm = expand.doFinal(new byte[] {1});
      return new SecretKeySpec(okm, HMAC);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(HMAC + " unavailable", e);
    } finally {
      if (prk != null) {
        Arrays.fill(prk, (byte) 0);
      }
      if (okm != null) {
        Arrays.fill(okm, (byte) 0); // SecretKeySpec keeps its own copy
      }
    }
  }

  /**
   * The key encoded as standard Base64 (surrounding whitespace ignored).
   *
   * @throws IllegalArgumentException if it is not Base64 or not exactly 32 bytes; the message
   *     never quotes the input
   */
  public static MasterKey fromBase64(String base64) {
    Objects.requireNonNull(base64, "base64");
    byte[] key;
    try {
      key = Base64.getDecoder().decode(base64.strip());
    } catch (IllegalArgumentException e) {
      // The JDK's message quotes the offending character, so neither it nor the cause is kept.
      throw new IllegalArgumentException("the master key is not valid Base64");
    }
    if (key.length != KEY_BYTES) {
      int length = key.length;
      Arrays.fill(key, (byte) 0);
      throw new IllegalArgumentException(
          "the master key must be " + KEY_BYTES + " bytes after Base64 decoding, not " + length);
    }
    return new MasterKey(key);
  }

  /**
   * The key in {@code file}, generating one first if the file does not exist.
   *
   * <p>A new key is written to an owner-only ({@code rw-------}) temporary file in the same
   * directory and then linked into place atomically; if another process created the file first,
   * its key is used. Reading warns if group or others may read the file.
   *
   * @throws IllegalStateException naming the file (never its contents) if it cannot be created,
   *     read, or holds no valid key
   */
  public static MasterKey loadOrCreate(Path file) {
    return loadOrCreate(file, "master key",
        "back it up: without it stored AppSecrets cannot be decrypted");
  }

  /**
   * As {@link #loadOrCreate(Path)}, for another key kept the same way: {@code name} is used in
   * messages ("… {name} file …"), {@code advice} follows the log line that announces a new key.
   */
  public static MasterKey loadOrCreate(Path file, String name, String advice) {
    if (!Files.exists(file)) {
      create(file, name, advice);
    }
    // Read back even after creating: if another process won the race, its key is the one on disk.
    return load(file, name);
  }

  /**
   * The key in {@code file}, which must exist: Base64 text, surrounding whitespace ignored. Warns
   * if group or others may read the file.
   *
   * @throws IllegalStateException naming the file (never its contents) if it is missing,
   *     unreadable, or holds no valid key
   */
  public static MasterKey load(Path file) {
    return load(file, "master key");
  }

  private static MasterKey load(Path file, String name) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new IllegalStateException(name + " file " + file + " does not exist", e);
    } catch (CharacterCodingException e) {
      throw new IllegalStateException(name + " file " + file + " is not Base64 text");
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + name + " file " + file + ": " + e, e);
    }
    MasterKey key;
    try {
      key = fromBase64(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(name + " file " + file + ": " + e.getMessage());
    }
    warnIfReadableByOthers(file, name);
    return key;
  }

  private static void create(Path file, String name, String advice) {
    Path dir = file.toAbsolutePath().getParent();
    byte[] key = new byte[KEY_BYTES];
    new SecureRandom().nextBytes(key);
    byte[] text = (Base64.getEncoder().encodeToString(key) + "\n")
        .getBytes(StandardCharsets.US_ASCII);
    Path tmp = null;
    try {
      String prefix = "." + file.getFileName() + ".";
      tmp = isPosix(dir)
          ? Files.createTempFile(dir, prefix, ".tmp", PosixFilePermissions.asFileAttribute(
              Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)))
          : Files.createTempFile(dir, prefix, ".tmp");
      Files.write(tmp, text, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
      if (publish(tmp, file)) {
        log.info("generated a new {} at {} (owner-only); {}", name, file, advice);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot create " + name + " file " + file + ": " + e, e);
    } finally {
      Arrays.fill(key, (byte) 0);
      Arrays.fill(text, (byte) 0);
      if (tmp != null) {
        deleteQuietly(tmp);
      }
    }
  }

  /** Puts {@code tmp} in place as {@code file}; false if {@code file} appeared meanwhile. */
  private static boolean publish(Path tmp, Path file) throws IOException {
    try {
      // A hard link appears atomically and, unlike a rename, never replaces an existing file: when
      // two processes start at once exactly one key is kept, instead of one process encrypting
      // with a key that the other has just overwritten.
      Files.createLink(file, tmp);
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (UnsupportedOperationException | FileSystemException e) {
      // No hard links here: a rename without REPLACE_EXISTING refuses an existing file too.
      try {
        Files.move(tmp, file);
        return true;
      } catch (FileAlreadyExistsException taken) {
        return false;
      }
    }
  }

  private static void warnIfReadableByOthers(Path file, String name) {
    if (!isPosix(file)) {
      return;
    }
    Set<PosixFilePermission> perms;
    try {
      perms = Files.getPosixFilePermissions(file);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the permissions of " + name + " file " + file
          + ": " + e, e);
    }
    if (perms.contains(PosixFilePermission.GROUP_READ)
        || perms.contains(PosixFilePermission.OTHERS_READ)) {
      log.warn("{} file {} is readable by other users; run: chmod 600 {}", name, file, file);
    }
  }

  private static boolean isPosix(Path path) {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  private static void deleteQuietly(Path tmp) {
    try {
      Files.deleteIfExists(tmp);
    } catch (IOException e) {
      log.warn("cannot delete temporary master key file {}: {}", tmp, e.toString());
    }
  }

  private static String idOf(byte[] key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
      return HexFormat.of().formatHex(digest, 0, ID_CHARS / 2);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  /** Equal when the ids are: two different keys with one id are refused by {@link SecretBox}. */
  @Override
  public boolean equals(Object o) {
    return o instanceof MasterKey k && id.equals(k.id);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  /** {@code MasterKey[id=xxxxxxxx]}; never the key. */
  @Override
  public String toString() {
    return "MasterKey[id=" + id + "]";
  }
}
