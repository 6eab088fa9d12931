package io.wxtoken.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/** Sealed AppSecrets: private, bound to their app, tamper-evident, rotatable, thread-safe. */
class SecretBoxTest {
  private static final MasterKey A = key(1);
  private static final MasterKey B = key(2);
  private static final String APP = "wx00000000000000d1";
  private static final String OTHER_APP = "wx00000000000000d2";
  private static final String SECRET = "0123456789abcdef0123456789abcdef";

  private final SecretBox box = new SecretBox(A, List.of());

  private static MasterKey key(int fill) {
    byte[] bytes = new byte[32];
    Arrays.fill(bytes, (byte) fill);
    return MasterKey.fromBase64(Base64.getEncoder().encodeToString(bytes));
  }

  private static String text(byte[] sealed) {
    return new String(sealed, StandardCharsets.US_ASCII);
  }

  private static String[] fields(byte[] sealed) {
    return text(sealed).split("\\.", -1);
  }

  private static byte[] record(String... fields) {
    return String.join(".", fields).getBytes(StandardCharsets.US_ASCII);
  }

  private static String b64url(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Asserts that opening fails, and that the message leaks neither the secret nor the key. */
  private AbstractThrowableAssert<?, ? extends Throwable> assertOpenFails(SecretBox box,
      String appId, byte[] sealed) {
    return assertThatThrownBy(() -> box.open(appId, sealed))
        .isInstanceOf(SecretBoxException.class)
        .satisfies(e -> assertThat(e.getMessage())
            .doesNotContain(SECRET)
            .doesNotContain(Base64.getEncoder().encodeToString(A.bytes()))
            .doesNotContain(Base64.getEncoder().encodeToString(B.bytes())));
  }

  @Test
  void opensWhatItSealed() {
    assertThat(box.open(APP, box.seal(APP, SECRET))).isEqualTo(SECRET);
    assertThat(box.open(APP, box.seal(APP, ""))).isEmpty();
    assertThat(box.open("wx应用", box.seal("wx应用", "秘密-ü"))).isEqualTo("秘密-ü");
  }

  @Test
  void recordsContainNeitherTheSecretNorItsBase64() {
    String sealed = text(box.seal(APP, SECRET));
    byte[] plain = SECRET.getBytes(StandardCharsets.UTF_8);

    assertThat(sealed)
        .doesNotContain(SECRET)
        .doesNotContain(Base64.getEncoder().withoutPadding().encodeToString(plain))
        .doesNotContain(b64url(plain))
        .doesNotContain(SECRET.substring(0, 8));
  }

  @Test
  void sealingIsRandomizedSoTheSameSecretNeverSealsTheSameWayTwice() {
    Set<String> records = new HashSet<>();
    Set<String> nonces = new HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      byte[] sealed = box.seal(APP, SECRET);
      records.add(text(sealed));
      nonces.add(fields(sealed)[2]);
    }

    assertThat(records).hasSize(1_000);
    assertThat(nonces).hasSize(1_000);
  }

  @Test
  void writesTheDocumentedV1Format() {
    byte[] sealed = box.seal(APP, SECRET);
    String[] fields = fields(sealed);

    assertThat(text(sealed)).startsWith("v1." + A.id() + ".")
        .matches("v1\\.[0-9a-f]{8}\\.[A-Za-z0-9_-]{16}\\.[A-Za-z0-9_-]+");
    assertThat(fields).hasSize(4);
    assertThat(Base64.getUrlDecoder().decode(fields[2])).as("nonce").hasSize(12);
    assertThat(Base64.getUrlDecoder().decode(fields[3])).as("ciphertext and 16-byte tag")
        .hasSize(SECRET.length() + 16);
  }

  @Test
  void isPlainAesGcmWithTheAppIdAsAssociatedDataSoOtherToolsCanReadIt() throws Exception {
    String[] fields = fields(box.seal(APP, SECRET));

    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(A.bytes(), "AES"),
        new GCMParameterSpec(128, Base64.getUrlDecoder().decode(fields[2])));
    cipher.updateAAD(APP.getBytes(StandardCharsets.UTF_8));
    byte[] plain = cipher.doFinal(Base64.getUrlDecoder().decode(fields[3]));

    assertThat(new String(plain, StandardCharsets.UTF_8)).isEqualTo(SECRET);
  }

  @Test
  void aRecordMovedToAnotherAppDoesNotOpen() {
    byte[] sealed = box.seal(APP, SECRET);

    assertOpenFails(box, OTHER_APP, sealed)
        .hasMessageContaining("failed authentication for app " + OTHER_APP)
        .hasMessageContaining("sealed for another app, or altered");
    assertThat(box.open(APP, sealed)).isEqualTo(SECRET);
  }

  @Test
  void flippingAnyByteOfTheCiphertextOrTagIsDetected() {
    String[] fields = fields(box.seal(APP, SECRET));
    byte[] ciphertext = Base64.getUrlDecoder().decode(fields[3]);

    for (int i = 0; i < ciphertext.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] altered = ciphertext.clone();
        altered[i] ^= (byte) (1 << bit);
        assertOpenFails(box, APP, record(fields[0], fields[1], fields[2], b64url(altered)))
            .as("byte %d bit %d", i, bit)
            .hasMessageContaining("failed authentication");
      }
    }
  }

  @Test
  void changingAnySingleByteOfTheRecordTextIsDetected() {
    byte[] sealed = box.seal(APP, SECRET);

    for (int i = 0; i < sealed.length; i++) {
      for (int mask : new int[] {0x01, 0x02, 0x20, 0x80}) {
        byte[] altered = sealed.clone();
        altered[i] ^= (byte) mask;
        assertOpenFails(box, APP, altered).as("byte %d ^ 0x%02x", i, mask);
      }
    }
  }

  @Test
  void nonCanonicalBase64IsRejectedEvenWhenItDecodesToTheSameBytes() {
    // 33 + 16 bytes encode to 66 characters, the last carrying 2 bits and 4 unused ones.
    String[] fields = fields(box.seal(APP, SECRET + "x"));
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    String ct = fields[3];
    char last = ct.charAt(ct.length() - 1);
    String unusedBitSet = ct.substring(0, ct.length() - 1)
        + alphabet.charAt(alphabet.indexOf(last) ^ 1);
    assertThat(Base64.getUrlDecoder().decode(unusedBitSet))
        .as("the JDK decoder alone would not notice")
        .isEqualTo(Base64.getUrlDecoder().decode(ct));

    assertOpenFails(box, APP, record(fields[0], fields[1], fields[2], unusedBitSet))
        .hasMessageContaining("ciphertext is not canonical unpadded Base64url");
    assertOpenFails(box, APP, record(fields[0], fields[1], fields[2], ct + "=="))
        .hasMessageContaining("ciphertext is not canonical unpadded Base64url");
  }

  @Test
  void everyTruncationIsRejected() {
    byte[] sealed = box.seal(APP, SECRET);

    for (int length = 0; length < sealed.length; length++) {
      assertOpenFails(box, APP, Arrays.copyOf(sealed, length)).as("first %d bytes", length);
    }
    assertOpenFails(box, APP, new byte[0]).hasMessageContaining("malformed sealed secret")
        .hasMessageContaining("it is empty");
    assertOpenFails(box, APP, Arrays.copyOf(sealed, 12)).hasMessageContaining("not 4");
  }

  @Test
  void garbageIsRejectedAsMalformedWithoutQuotingIt() {
    String[] fields = fields(box.seal(APP, SECRET));
    byte[] shortNonce = record("v1", A.id(), "AAAA", fields[3]);
    byte[] noTag = record("v1", A.id(), fields[2], "AAAA");
    List<byte[]> garbage = List.of(
        SECRET.getBytes(StandardCharsets.US_ASCII), // a secret stored unsealed by mistake
        "hello world".getBytes(StandardCharsets.US_ASCII),
        new byte[] {0, 1, 2, (byte) 0xff},
        record("v1", "ABCDEF12", fields[2], fields[3]),
        shortNonce,
        noTag,
        record("v1", A.id(), fields[2], "*" + fields[3]),
        record("v1", A.id(), fields[2], fields[3], "extra"));

    for (byte[] input : garbage) {
      assertOpenFails(box, APP, input).hasMessageStartingWith("malformed sealed secret")
          .hasMessageContaining("expected v1.<keyId>.<nonce>.<ciphertext>")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(text(input)));
    }
    assertOpenFails(box, APP, shortNonce).hasMessageContaining("nonce is 3 bytes, not 12");
    assertOpenFails(box, APP, noTag).hasMessageContaining("shorter than its 16-byte tag");
  }

  @Test
  void unknownVersionsAreNamed() {
    String[] fields = fields(box.seal(APP, SECRET));

    assertOpenFails(box, APP, record("v2", fields[1], fields[2], fields[3]))
        .hasMessage("sealed with unsupported format version v2; this build reads v1");
    assertOpenFails(box, APP, "v7.whatever".getBytes(StandardCharsets.US_ASCII))
        .hasMessageContaining("unsupported format version v7");
  }

  @Test
  void rotationOpensOldRecordsAndAsksForThemToBeResealed() {
    byte[] sealedWithA = box.seal(APP, SECRET);
    SecretBox rotated = new SecretBox(B, List.of(A));

    assertThat(rotated.currentKeyId()).isEqualTo(B.id());
    assertThat(rotated.open(APP, sealedWithA)).isEqualTo(SECRET);
    assertThat(rotated.needsResealing(sealedWithA)).isTrue();

    byte[] resealed = rotated.seal(APP, rotated.open(APP, sealedWithA));

    assertThat(text(resealed)).startsWith("v1." + B.id() + ".");
    assertThat(rotated.needsResealing(resealed)).isFalse();
    assertThat(new SecretBox(B, List.of()).open(APP, resealed)).isEqualTo(SECRET);
  }

  @Test
  void withoutTheOldKeyOldRecordsFailNamingTheMissingKeyId() {
    byte[] sealedWithA = box.seal(APP, SECRET);

    assertOpenFails(new SecretBox(B, List.of()), APP, sealedWithA).hasMessage("sealed with "
        + "unknown key id " + A.id() + "; is the master key file the one it was written with?");
  }

  @Test
  void needsResealingReadsOnlyTheHeader() {
    byte[] sealedWithA = box.seal(APP, SECRET);

    assertThat(box.needsResealing(sealedWithA)).isFalse();
    assertThat(new SecretBox(B, List.of()).needsResealing(sealedWithA))
        .as("a record under a key this box does not know still needs resealing").isTrue();
    assertThatThrownBy(() -> box.needsResealing("garbage".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(SecretBoxException.class).hasMessageStartingWith("malformed");
  }

  @Test
  void listingTheCurrentKeyAmongThePreviousOnesIsHarmless() {
    SecretBox both = new SecretBox(A, List.of(A, B));

    assertThat(both.currentKeyId()).isEqualTo(A.id());
    assertThat(both.open(APP, box.seal(APP, SECRET))).isEqualTo(SECRET);
    assertThat(both.needsResealing(both.seal(APP, SECRET))).isFalse();
  }

  @Test
  void failuresCarryNoStackTrace() {
    assertThatThrownBy(() -> box.open(APP, new byte[0]))
        .satisfies(e -> assertThat(e.getStackTrace()).isEmpty());
  }

  @Test
  void eightThreadsSealAndOpenAThousandSecretsEach() throws Exception {
    int threads = 8;
    int rounds = 1_000;
    Set<String> nonces = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Integer>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        workers.add(pool.submit(() -> {
          go.await();
          int ok = 0;
          for (int n = 0; n < rounds; n++) {
            String appId = "wx" + thread + "-" + n;
            String secret = SECRET + thread + "-" + n;
            byte[] sealed = box.seal(appId, secret);
            nonces.add(fields(sealed)[2]);
            if (box.open(appId, sealed).equals(secret)) {
              ok++;
            }
          }
          return ok;
        }));
      }
      go.countDown();
      for (Future<Integer> worker : workers) {
        assertThat(worker.get(60, TimeUnit.SECONDS)).isEqualTo(rounds);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(nonces).as("a fresh nonce for every record").hasSize(threads * rounds);
  }
}
