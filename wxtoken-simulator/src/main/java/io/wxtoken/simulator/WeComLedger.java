package io.wxtoken.simulator;

import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Mints WeCom access tokens and tickets and remembers every one, so that a later call can tell
 * "expired" (42001) from "never issued or invalidated" (40014). Thread-safe: concurrent maps and a
 * thread-safe random source. At WeCom's rules (the same token while valid) that is a dozen tokens
 * per secret per day.
 */
final class WeComLedger {

  /** WeCom tokens are up to 512 bytes; observed ones are about 200 characters. */
  static final int TOKEN_LENGTH = 214;
  static final int TICKET_LENGTH = 86;

  private final RandomValues random = new RandomValues();
  private final ConcurrentMap<String, WeComIssued> tokens = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, WeComIssued> tickets = new ConcurrentHashMap<>();

  WeComIssued mintToken(WeComCorp corp, WeComCredential owner, Instant expiresAt) {
    return mint(tokens, TOKEN_LENGTH, corp, owner, expiresAt);
  }

  WeComIssued mintTicket(WeComCorp corp, WeComCredential owner, Instant expiresAt) {
    return mint(tickets, TICKET_LENGTH, corp, owner, expiresAt);
  }

  /** @return the token, or {@code null} if never issued (or {@code value} is null) */
  WeComIssued token(String value) {
    return value == null ? null : tokens.get(value);
  }

  /** @return the ticket, or {@code null} if never issued (or {@code value} is null) */
  WeComIssued ticket(String value) {
    return value == null ? null : tickets.get(value);
  }

  private WeComIssued mint(ConcurrentMap<String, WeComIssued> into, int length, WeComCorp corp,
      WeComCredential owner, Instant expiresAt) {
    while (true) {
      WeComIssued issued = new WeComIssued(random.next(length), corp, owner, expiresAt);
      // A collision is astronomically unlikely, but uniqueness is a promise.
      if (into.putIfAbsent(issued.value(), issued) == null) {
        return issued;
      }
    }
  }
}
