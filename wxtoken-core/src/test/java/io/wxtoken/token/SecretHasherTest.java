package io.wxtoken.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxtoken.secret.MasterKey;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Verifiers: keyed, per app, stable across instances, safe from many threads. */
class SecretHasherTest {
  private static final byte[] KEY = key(1);
  private static final String APP = "wx00000000000000d1";
  private static final String SECRET = "0123456789abcdef0123456789abcdef";

  private static byte[] key(int fill) {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) fill);
    return key;
  }

  @Test
  void isDeterministicForOneKeyAcrossInstances() {
    Verifier a = new SecretHasher(KEY).hash(APP, SECRET);
    Verifier b = new SecretHasher(KEY.clone()).hash(APP, SECRET);

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a.matches(b)).isTrue();
  }

  @Test
  void isHmacSha256OfAppIdNulSecretSoStoredVerifiersKeepMatching() throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
    byte[] expected = mac.doFinal((APP + "\0" + SECRET).getBytes(StandardCharsets.UTF_8));

    assertThat(new SecretHasher(KEY).hash(APP, SECRET).bytes()).isEqualTo(expected);
  }

  @Test
  void differsPerSecretPerAppIdAndPerKey() {
    SecretHasher hasher = new SecretHasher(KEY);
    Verifier base = hasher.hash(APP, SECRET);

    assertThat(hasher.hash(APP, SECRET + "x").matches(base)).isFalse();
    assertThat(hasher.hash("wx00000000000000d2", SECRET).matches(base)).as("same secret, other app")
        .isFalse();
    assertThat(new SecretHasher(key(2)).hash(APP, SECRET).matches(base)).isFalse();
    assertThat(hasher.hash("wx1", "2abc")).as("the appId/secret boundary counts")
        .isNotEqualTo(hasher.hash("wx12", "abc"));
  }

  @Test
  void rejectsKeysShorterThan32Bytes() {
    assertThatThrownBy(() -> new SecretHasher(new byte[31]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes");
    assertThat(new SecretHasher(new byte[32]).hash(APP, SECRET).bytes()).hasSize(32);
  }

  @Test
  void keepsItsOwnCopyOfTheKey() {
    byte[] key = KEY.clone();
    SecretHasher hasher = new SecretHasher(key);
    Verifier before = hasher.hash(APP, SECRET);

    Arrays.fill(key, (byte) 0);

    assertThat(hasher.hash(APP, SECRET)).isEqualTo(before);
  }

  @Test
  void givesTheSameAnswersFromManyThreads() throws Exception {
    SecretHasher hasher = new SecretHasher(KEY);
    Map<String, Verifier> expected = new HashMap<>();
    for (int i = 0; i < 50; i++) {
      expected.put(i + "", new SecretHasher(KEY).hash("wx" + i, "secret-" + i));
    }
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Integer>> workers = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        int offset = t;
        workers.add(pool.submit(() -> {
          go.await();
          int wrong = 0;
          for (int n = 0; n < 5_000; n++) {
            int i = (n + offset) % 50;
            if (!hasher.hash("wx" + i, "secret-" + i).equals(expected.get(i + ""))) {
              wrong++;
            }
          }
          return wrong;
        }));
      }
      go.countDown();
      for (Future<Integer> worker : workers) {
        assertThat(worker.get(30, TimeUnit.SECONDS)).isZero();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aHasherFromAKeyFileMatchesOneFromItsBytes() {
    String base64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    SecretHasher fromFile = SecretHasher.of(MasterKey.fromBase64(base64));
    SecretHasher fromBytes = new SecretHasher(Base64.getDecoder().decode(base64));

    assertThat(fromFile.hash("wx1", "secret"))
        .isEqualTo(fromBytes.hash("wx1", "secret"));
  }
}
