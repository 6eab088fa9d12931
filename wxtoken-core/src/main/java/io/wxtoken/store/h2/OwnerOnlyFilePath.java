package io.wxtoken.store.h2;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;

/**
 * H2's file system with owner-only permissions: every file H2 creates through it (the database,
 * temporary and compaction files) is created {@code rw-------} and every directory
 * {@code rwx------}, whatever the process umask, because the permissions are given at creation
 * ({@code open(2)} with mode 0600) instead of being fixed afterwards. The database holds live
 * access tokens in clear.
 *
 * <p>Used through its scheme, {@code jdbc:h2:wxtoken-owner-only:/dir/name}; {@link #register()}
 * makes H2 know it. On a file system without POSIX permissions it creates files as H2 would.
 *
 * <p>Public only because H2 instantiates it reflectively. Thread-safe (immutable per path).
 */
public final class OwnerOnlyFilePath extends FilePathWrapper {
  static final String SCHEME = "wxtoken-owner-only";
  private static final OwnerOnlyFilePath PROTOTYPE = new OwnerOnlyFilePath();

  /** For H2, which creates one instance per path. */
  public OwnerOnlyFilePath() {}

  /** Makes the scheme known to H2 (idempotent: H2 keeps one provider per scheme). */
  static void register() {
    FilePath.register(PROTOTYPE);
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public FileChannel open(String mode) throws IOException {
    if (mode.contains("w")) {
      createOwnerOnly();
    }
    return super.open(mode);
  }

  @Override
  public OutputStream newOutputStream(boolean append) throws IOException {
    createOwnerOnly();
    return super.newOutputStream(append);
  }

  @Override
  public boolean createFile() {
    if (!StorePermissions.isPosix(path().getParent())) {
      return super.createFile();
    }
    try {
      return createOwnerOnly();
    } catch (IOException e) {
      return false; // H2's contract: false when the file could not be created
    }
  }

  @Override
  public void createDirectory() {
    Path dir = path();
    if (Files.isDirectory(dir)) {
      return;
    }
    try {
      if (StorePermissions.isPosix(dir.getParent())) {
        Files.createDirectory(dir,
            PosixFilePermissions.asFileAttribute(StorePermissions.OWNER_ONLY_DIRECTORY));
      } else {
        Files.createDirectory(dir);
      }
    } catch (FileAlreadyExistsException e) {
      // created meanwhile: fine
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create directory " + dir, e);
    }
  }

  @Override
  public FilePath createTempFile(String suffix, boolean inTempDir) throws IOException {
    FilePath temp = super.createTempFile(suffix, inTempDir);
    // H2 made it with the umask's mode; it is still empty, so tightening it now loses nothing.
    Path file = Path.of(temp.unwrap().toString());
    if (StorePermissions.isPosix(file)) {
      Files.setPosixFilePermissions(file, StorePermissions.OWNER_ONLY_FILE);
    }
    return temp;
  }

  /** Creates the file 0600 if it does not exist; whether it did. */
  private boolean createOwnerOnly() throws IOException {
    Path file = path();
    if (Files.exists(file) || !StorePermissions.isPosix(file.getParent())) {
      return false;
    }
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(StorePermissions.OWNER_ONLY_FILE));
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    }
  }

  private Path path() {
    return Path.of(getBase().toString()).toAbsolutePath();
  }
}
