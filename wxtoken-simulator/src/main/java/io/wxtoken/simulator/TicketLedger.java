package io.wxtoken.simulator;

import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Mints opaque API tickets and remembers every ticket ever issued, so that tests can ask whether a
 * ticket is still valid.
 *
 * <p>Thread-safe: backed by a concurrent map and a thread-safe {@link RandomValues}. Tickets are
 * never forgotten while the simulator runs; with a ticket reused until its last overlap that is a
 * dozen or so per app and type per day.
 */
final class TicketLedger {

  /** Real jsapi tickets are about 86 characters of a URL-safe alphabet. */
  static final int TICKET_LENGTH = 86;

  private final RandomValues random = new RandomValues();
  private final ConcurrentMap<String, IssuedTicket> tickets = new ConcurrentHashMap<>();

  /** Mints and records a new, unique ticket. */
  IssuedTicket mint(String appId, TicketType type, Instant expiresAt) {
    while (true) {
      IssuedTicket ticket = new IssuedTicket(random.next(TICKET_LENGTH), appId, type, expiresAt);
      // As for tokens: a collision is astronomically unlikely, but uniqueness is a promise.
      if (tickets.putIfAbsent(ticket.value(), ticket) == null) {
        return ticket;
      }
    }
  }

  /** @return the ticket record, or {@code null} if it was never issued (or is null) */
  IssuedTicket find(String value) {
    return value == null ? null : tickets.get(value);
  }
}
