package io.wxtoken.bench;

import io.wxtoken.token.SecretHasher;
import io.wxtoken.token.Verifier;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link SecretHasher#hash}: HMAC-SHA256 of (appId, AppSecret) under a 32-byte key, run on every
 * token request, hit or miss. Inputs have WeChat's real shapes (wx + 16 hex, 32 hex).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@State(Scope.Benchmark)
public class SecretHasherBenchmark {
  String appId = "wx5f1e2d3c4b5a6978";
  String secret = "0123456789abcdef0123456789abcdef";
  SecretHasher hasher;

  @Setup
  public void setUp() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    hasher = new SecretHasher(key);
  }

  @Benchmark
  public Verifier hash() {
    return hasher.hash(appId, secret);
  }
}
