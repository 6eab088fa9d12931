package io.wxtoken.server;

import static io.wxtoken.server.ServerHarness.APP_ID;
import static io.wxtoken.server.ServerHarness.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data directory holds live tokens in clear and the keys that open the stored secrets: it is
 * created owner-only, every file in it is created owner-only whatever the umask, and a start
 * warns about anything looser found there (naming the path and its mode, never contents).
 */
class DataDirectoryPermissionsTest {
  private static final String STORE_LOGGER = "io.wxtoken.store.h2";

  @TempDir
  Path parent;

  @BeforeEach
  void posixOnly() {
    assumeTrue(parent.getFileSystem().supportedFileAttributeViews().contains("posix"));
  }

  private static String mode(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  private static Map<String, String> fileModes(Path dir) throws Exception {
    Map<String, String> modes = new TreeMap<>();
    try (var files = Files.list(dir)) {
      for (Path file : files.toList()) {
        modes.put(file.getFileName().toString(), mode(file));
      }
    }
    return modes;
  }

  @Test
  void aNewDataDirectoryAndEveryFileTheServerWritesThereAreOwnerOnly() throws Exception {
    Path dir = parent.resolve("data").resolve("wxtoken");
    // group and others could read what a umask-created directory holds
    Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxr-xr-x"));

    try (LogCapture logs = new LogCapture(STORE_LOGGER);
        ServerHarness h = ServerHarness.start(dir)) {
      assertThat(h.token(APP_ID, SECRET).statusCode()).isEqualTo(200);
      h.restart();
      assertThat(h.token(APP_ID, SECRET).statusCode()).isEqualTo(200);

      assertThat(mode(dir)).isEqualTo("rwx------");
      assertThat(mode(dir.getParent())).isEqualTo("rwx------");
      Map<String, String> modes = fileModes(dir);
      assertThat(modes).containsKeys("wxtoken.mv.db", "master.key", "secret-hash.key");
      assertThat(modes).allSatisfy((name, mode) -> assertThat(mode).as(name).isEqualTo("rw-------"));
      assertThat(logs.at(Level.WARN)).isEmpty();
    }
    assertThat(fileModes(dir)).allSatisfy((name, mode) ->
        assertThat(mode).as(name).isEqualTo("rw-------"));
  }

  @Test
  void startWarnsAboutALooseDirectoryAndEachLooseFileByPathAndMode() throws Exception {
    Path dir = parent.resolve("data");
    try (ServerHarness h = ServerHarness.start(dir)) {
      h.token(APP_ID, SECRET);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.setPosixFilePermissions(dir.resolve("wxtoken.mv.db"),
          PosixFilePermissions.fromString("rw-r--r--"));
      Files.setPosixFilePermissions(dir.resolve("secret-hash.key"),
          PosixFilePermissions.fromString("rw-rw----"));
      String key = Files.readString(dir.resolve("master.key")).strip();

      try (LogCapture logs = new LogCapture(STORE_LOGGER)) {
        h.restart();

        List<String> warnings = logs.at(Level.WARN);
        assertThat(warnings).hasSize(3);
        assertThat(warnings).anySatisfy(w -> assertThat(w)
            .contains("data directory " + dir, "rwxr-xr-x", "chmod 700"));
        assertThat(warnings).anySatisfy(w -> assertThat(w)
            .contains(dir.resolve("wxtoken.mv.db").toString(), "rw-r--r--", "chmod 600"));
        assertThat(warnings).anySatisfy(w -> assertThat(w)
            .contains(dir.resolve("secret-hash.key").toString(), "rw-rw----"));
        assertThat(warnings).noneMatch(w -> w.contains(key) || w.contains(SECRET));
      }
      // a warning, not a refusal: the server serves
      assertThat(h.token(APP_ID, SECRET).statusCode()).isEqualTo(200);
      // and the looser modes are the operator's to fix, not silently changed
      assertThat(mode(dir.resolve("wxtoken.mv.db"))).isEqualTo("rw-r--r--");
    }
  }
}
