package io.wxtoken.simulator;

import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Mints opaque tokens and remembers every token ever issued, so that a later validity check can
 * tell "expired" (42001) from "replaced" or "never issued" (40001).
 *
 * <p>Thread-safe: backed by a concurrent map and a thread-safe {@link RandomValues}. Tokens
 * are never forgotten while the simulator runs: at WeChat's quotas that is at most a few thousand
 * per app per day, which is fine for a test tool.
 */
final class TokenLedger {

  /** Real tokens are about 136 characters of a URL-safe alphabet. */
  static final int TOKEN_LENGTH = 136;

  private final RandomValues random = new RandomValues();
  private final ConcurrentMap<String, IssuedToken> tokens = new ConcurrentHashMap<>();

  /** Mints and records a new, unique token. */
  IssuedToken mint(String appId, TokenKind kind, Instant expiresAt) {
    while (true) {
      IssuedToken token = new IssuedToken(random.next(TOKEN_LENGTH), appId, kind, expiresAt);
      // A collision is astronomically unlikely, but uniqueness is a promise: retry if it happens.
      if (tokens.putIfAbsent(token.value(), token) == null) {
        return token;
      }
    }
  }

  /** @return the token record, or {@code null} if it was never issued */
  IssuedToken find(String value) {
    return tokens.get(value);
  }
}
