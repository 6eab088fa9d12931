package io.wxtoken.store.h2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data directory's permissions: created {@code rwx------}, and a warning at start for the
 * directory and each file in it that group or others may use. The directory holds live tokens in
 * clear (the database) and the keys that open the stored secrets; only the server's user needs
 * them. Warnings name the path and its mode, never contents.
 */
final class StorePermissions {
  private static final Logger log = LoggerFactory.getLogger(StorePermissions.class);
  static final Set<PosixFilePermission> OWNER_ONLY_FILE =
      PosixFilePermissions.fromString("rw-------");
  static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY =
      PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
      PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  private StorePermissions() {}

  /** Creates {@code dir} and any missing parents, each new one owner-only. */
  static void createDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Path parent = dir.getParent();
    if (parent != null) {
      createDirectories(parent);
    }
    if (isPosix(parent == null ? dir : parent)) {
      try {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
      } catch (java.nio.file.FileAlreadyExistsException e) {
        // another process made it meanwhile
      }
    } else {
      Files.createDirectories(dir);
    }
  }

  /**
   * Logs a warning for {@code dir} and every regular file directly in it that group or others
   * have any permission on.
   *
   * @return how many warnings were logged
   */
  static int warnIfLoose(Path dir) {
    if (!isPosix(dir)) {
      return 0;
    }
    int warnings = warnIfLoose(dir, "data directory", "700");
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          warnings += warnIfLoose(file, "file", "600");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    return warnings;
  }

  private static int warnIfLoose(Path path, String what, String mode) {
    Set<PosixFilePermission> perms;
    try {
      perms = Files.getPosixFilePermissions(path, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      log.warn("cannot read the permissions of {} {}: {}", what, path, e.toString());
      return 1;
    }
    if (perms.stream().noneMatch(GROUP_OR_OTHERS::contains)) {
      return 0;
    }
    log.warn("{} {} has mode {}: other users may read the tokens and keys kept there; run: chmod {} {}",
        what, path, PosixFilePermissions.toString(perms), mode, path);
    return 1;
  }

  static boolean isPosix(Path path) {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }
}
