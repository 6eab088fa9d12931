package io.wxtoken.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's secret-hash key: 32 random bytes, Base64 in a file readable by its owner only.
 * Created on first start; without the same key, stored verifiers no longer match (each app then
 * re-verifies its secret with WeChat once).
 */
final class KeyFile {
  private static final Logger log = LoggerFactory.getLogger(KeyFile.class);
  private static final int KEY_BYTES = 32;

  private KeyFile() {}

  /** Reads the key at {@code path}, creating it (owner-only) if absent. */
  static byte[] loadOrCreate(Path path) {
    try {
      if (!Files.exists(path)) {
        create(path);
      }
      byte[] key = Base64.getDecoder().decode(Files.readString(path, StandardCharsets.US_ASCII).trim());
      if (key.length < KEY_BYTES) {
        throw new IllegalStateException("key file " + path + " holds " + key.length
            + " bytes; need " + KEY_BYTES);
      }
      warnIfReadableByOthers(path);
      return key;
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalStateException("cannot use key file " + path + ": " + e.getMessage(), e);
    }
  }

  private static void create(Path path) throws IOException {
    byte[] key = new byte[KEY_BYTES];
    new SecureRandom().nextBytes(key);
    byte[] encoded = (Base64.getEncoder().encodeToString(key) + "\n").getBytes(StandardCharsets.US_ASCII);
    Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    if (isPosix(path)) {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(
          Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
    } else {
      Files.createFile(tmp);
    }
    Files.write(tmp, encoded, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
    try {
      Files.move(tmp, path, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException e) {
      Files.deleteIfExists(tmp); // another process created it first; use theirs
      return;
    }
    log.info("generated a new secret-hash key at {} (owner-only); keep it with the store", path);
  }

  private static void warnIfReadableByOthers(Path path) throws IOException {
    if (!isPosix(path)) {
      return;
    }
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path);
    if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
      log.warn("key file {} is readable by other users; run: chmod 600 {}", path, path);
    }
  }

  private static boolean isPosix(Path path) {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }
}
