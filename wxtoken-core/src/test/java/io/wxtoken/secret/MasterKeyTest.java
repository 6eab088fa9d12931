package io.wxtoken.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Master keys: exactly 256 bits, named by a stable id, kept in an owner-only file, never shown. */
class MasterKeyTest {
  @TempDir
  Path dir;

  private static String base64(int length, int fill) {
    byte[] bytes = new byte[length];
    Arrays.fill(bytes, (byte) fill);
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static void assumePosix() {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
  }

  /** Records what {@link MasterKey} logs while open. */
  private static final class Logs implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger(MasterKey.class);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    Logs() {
      appender.start();
      logger.addAppender(appender);
    }

    List<String> at(Level level) {
      synchronized (appender) {
        return appender.list.stream().filter(e -> e.getLevel() == level)
            .map(ILoggingEvent::getFormattedMessage).toList();
      }
    }

    @Override
    public void close() {
      logger.detachAppender(appender);
    }
  }

  @Test
  void acceptsExactly32BytesOfBase64() {
    MasterKey key = MasterKey.fromBase64(base64(32, 7));

    assertThat(key.bytes()).hasSize(32).containsOnly(7);
    assertThat(MasterKey.fromBase64("  " + base64(32, 7) + "\n")).as("whitespace is trimmed")
        .isEqualTo(key);
  }

  @Test
  void rejectsOtherLengthsWithoutEchoingTheInput() {
    for (int length : new int[] {0, 16, 31, 33, 64}) {
      String input = base64(length, 0x5a);
      assertThatThrownBy(() -> MasterKey.fromBase64(input)).as("%d bytes", length)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("the master key must be 32 bytes after Base64 decoding, not " + length)
          .hasNoCause();
    }
  }

  @Test
  void rejectsBadBase64WithoutEchoingTheInput() {
    String key = base64(32, 0x5a);
    for (String input : List.of("not base64!", key.substring(0, 20) + "*" + key.substring(21),
        key.replace('W', '-'), "===")) {
      assertThatThrownBy(() -> MasterKey.fromBase64(input)).as(input)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("the master key is not valid Base64")
          .hasNoCause();
    }
  }

  @Test
  void idIsTheFirstEightHexCharactersOfTheKeysSha256() throws Exception {
    MasterKey key = MasterKey.fromBase64(base64(32, 7));
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.bytes());

    assertThat(key.id()).matches("[0-9a-f]{8}")
        .isEqualTo(HexFormat.of().formatHex(digest).substring(0, 8))
        .isEqualTo(MasterKey.fromBase64(base64(32, 7)).id());
    assertThat(MasterKey.fromBase64(base64(32, 8)).id()).isNotEqualTo(key.id());
  }

  @Test
  void equalsByIdAndNeverPrintsTheKey() {
    String encoded = base64(32, 7);
    MasterKey key = MasterKey.fromBase64(encoded);

    assertThat(key).isEqualTo(MasterKey.fromBase64(encoded))
        .hasSameHashCodeAs(MasterKey.fromBase64(encoded))
        .isNotEqualTo(MasterKey.fromBase64(base64(32, 8)));
    assertThat(key.toString()).isEqualTo("MasterKey[id=" + key.id() + "]")
        .doesNotContain(encoded).doesNotContain(encoded.substring(0, 8));
  }

  @Test
  void handsOutCopiesOfItsBytes() {
    MasterKey key = MasterKey.fromBase64(base64(32, 7));
    key.bytes()[0] = 0;

    assertThat(key.bytes()).containsOnly(7);
  }

  @Test
  void loadOrCreateWritesANewOwnerOnlyKeyFileAndLogsWhereButNotWhat() throws Exception {
    assumePosix();
    Path file = dir.resolve("master.key");

    MasterKey key;
    try (Logs logs = new Logs()) {
      key = MasterKey.loadOrCreate(file);
      String text = Files.readString(file, StandardCharsets.US_ASCII);

      assertThat(Files.getPosixFilePermissions(file))
          .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
              PosixFilePermission.OWNER_WRITE);
      assertThat(text).endsWith("\n");
      assertThat(MasterKey.fromBase64(text)).isEqualTo(key);
      assertThat(logs.at(Level.INFO)).containsExactly("generated a new master key at " + file
          + " (owner-only); back it up: without it stored AppSecrets cannot be decrypted");
      assertThat(logs.at(Level.WARN)).isEmpty();
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).as("no temporary file left behind").containsExactly(file);
    }
  }

  @Test
  void loadOrCreateReturnsTheSameKeyEveryTime() {
    Path file = dir.resolve("master.key");
    MasterKey first = MasterKey.loadOrCreate(file);

    assertThat(MasterKey.loadOrCreate(file).id()).isEqualTo(first.id());
    assertThat(MasterKey.load(file).id()).isEqualTo(first.id());
  }

  @Test
  void loadOrCreateKeepsAnExistingKeyFile() throws Exception {
    Path file = dir.resolve("master.key");
    Files.writeString(file, "\n" + base64(32, 9) + "  \n", StandardCharsets.US_ASCII);

    assertThat(MasterKey.loadOrCreate(file)).isEqualTo(MasterKey.fromBase64(base64(32, 9)));
    assertThat(Files.readString(file, StandardCharsets.US_ASCII)).contains(base64(32, 9));
  }

  @Test
  void processesStartingTogetherAllEndUpWithTheOneKeyOnDisk() throws Exception {
    Path file = dir.resolve("master.key");
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<MasterKey>> keys = new ArrayList<>();
    try (Logs logs = new Logs()) {
      CountDownLatch go = new CountDownLatch(1);
      for (int t = 0; t < threads; t++) {
        keys.add(pool.submit(() -> {
          go.await();
          return MasterKey.loadOrCreate(file);
        }));
      }
      go.countDown();
      List<MasterKey> loaded = new ArrayList<>();
      for (Future<MasterKey> key : keys) {
        loaded.add(key.get(30, TimeUnit.SECONDS));
      }

      assertThat(loaded).containsOnly(MasterKey.load(file));
      assertThat(logs.at(Level.INFO)).as("exactly one key was generated and kept").hasSize(1);
    } finally {
      pool.shutdownNow();
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void warnsWhenOthersCanReadTheKeyFile() throws Exception {
    assumePosix();
    Path file = dir.resolve("master.key");
    Files.writeString(file, base64(32, 9) + "\n", StandardCharsets.US_ASCII);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    try (Logs logs = new Logs()) {
      MasterKey.load(file);

      assertThat(logs.at(Level.WARN)).containsExactly("master key file " + file
          + " is readable by other users; run: chmod 600 " + file);
    }
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    try (Logs logs = new Logs()) {
      MasterKey.load(file);

      assertThat(logs.at(Level.WARN)).isEmpty();
    }
  }

  @Test
  void loadFailsNamingAMissingFileAndDoesNotCreateIt() {
    Path file = dir.resolve("missing.key");

    assertThatThrownBy(() -> MasterKey.load(file)).isInstanceOf(IllegalStateException.class)
        .hasMessage("master key file " + file + " does not exist");
    assertThat(file).doesNotExist();
  }

  @Test
  void loadFailsNamingTheFileButNotItsContents() throws Exception {
    Path file = dir.resolve("master.key");
    String shortKey = base64(16, 0x5a);
    Files.writeString(file, shortKey, StandardCharsets.US_ASCII);

    assertThatThrownBy(() -> MasterKey.load(file)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(file.toString()).hasMessageContaining("32 bytes")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(shortKey));

    String notBase64 = "this is not a key at all";
    Files.writeString(file, notBase64, StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> MasterKey.loadOrCreate(file))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("master key file " + file + ": the master key is not valid Base64");

    Files.write(file, new byte[] {(byte) 0xc3, (byte) 0xa9});
    assertThatThrownBy(() -> MasterKey.load(file)).isInstanceOf(IllegalStateException.class)
        .hasMessage("master key file " + file + " is not Base64 text");
  }

  @Test
  void loadOrCreateFailsNamingTheFileWhenItsDirectoryIsMissing() {
    Path file = dir.resolve("no/such/dir/master.key");

    assertThatThrownBy(() -> MasterKey.loadOrCreate(file))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("cannot create master key file " + file);
  }

  @Test
  void derivedKeysAreHkdfSha256OfTheKeyAndThePurpose() {
    MasterKey key = MasterKey.fromBase64(base64(32, 7));

    // RFC 5869 with salt "wxtoken master key derivation", computed independently (Python hmac)
    assertThat(HexFormat.of().formatHex(key.derive("wxtoken:events v1").getEncoded()))
        .isEqualTo("0aea1421353b7899951e85553c4b1b0778eb72f3a3f99ede85230abf12962b91");
    assertThat(HexFormat.of().formatHex(MasterKey.fromBase64(base64(32, 8))
        .derive("wxtoken:events v1").getEncoded()))
        .isEqualTo("40539da36113b6667aab7e0887353f257513e57c90d1aae8836190eff66003b2");
    assertThat(key.derive("another purpose").getEncoded())
        .isNotEqualTo(key.derive("wxtoken:events v1").getEncoded())
        .isNotEqualTo(key.secretKey("AES").getEncoded());
    assertThat(key.derive("wxtoken:events v1").getAlgorithm()).isEqualTo("HmacSHA256");
  }
}
