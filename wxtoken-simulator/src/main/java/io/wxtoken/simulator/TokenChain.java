package io.wxtoken.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The tokens one holder (a platform's component tokens, an authorizer's access tokens) has been
 * given: each new one replaces the last, which stays valid for the overlap or until its own expiry,
 * whichever is first. Not thread-safe: used under the owning platform's lock.
 */
final class TokenChain {

  /** Why a presented token is not valid. */
  enum Verdict { VALID, EXPIRED, INVALID }

  private record Validity(Instant expiresAt, Instant cutOffAt) {
  }

  private final Map<String, Validity> tokens = new HashMap<>();
  private String current;

  /** Adds a new token, replacing the current one after {@code overlap}; drops long-dead ones. */
  void issue(String token, Instant now, Duration lifetime, Duration overlap) {
    // Forget tokens dead for a lifetime: they can no longer be told apart from unknown ones.
    tokens.values().removeIf(v -> v.cutOffAt().isBefore(now.minus(lifetime)));
    Validity previous = current == null ? null : tokens.get(current);
    if (previous != null) {
      Instant cutOff = now.plus(overlap);
      tokens.put(current, new Validity(previous.expiresAt(),
          cutOff.isBefore(previous.cutOffAt()) ? cutOff : previous.cutOffAt()));
    }
    Instant expiresAt = now.plus(lifetime);
    tokens.put(token, new Validity(expiresAt, expiresAt));
    current = token;
  }

  Verdict check(String token, Instant now) {
    Validity v = token == null ? null : tokens.get(token);
    if (v == null) {
      return Verdict.INVALID;
    }
    if (!now.isBefore(v.expiresAt())) {
      return Verdict.EXPIRED;
    }
    return now.isBefore(v.cutOffAt()) ? Verdict.VALID : Verdict.INVALID;
  }

  /** Every token stops working now (de-authorization, re-authorization). */
  void revokeAll() {
    tokens.clear();
    current = null;
  }
}
