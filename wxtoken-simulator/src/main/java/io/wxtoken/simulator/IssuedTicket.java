package io.wxtoken.simulator;

import java.time.Instant;

/**
 * One API ticket the simulator has handed out. Unlike a classic token, a ticket is never cut
 * short: when a newer one replaces it, it still lives to its own expiry.
 *
 * @param value the ticket; never printed by {@link #toString()}
 * @param appId the app it was issued to
 * @param type its type
 * @param expiresAt when it stops being valid
 */
record IssuedTicket(String value, String appId, TicketType type, Instant expiresAt) {

  /** @return whether the ticket is still valid at {@code now} */
  boolean isValidAt(Instant now) {
    return now.isBefore(expiresAt);
  }

  @Override
  public String toString() {
    return "IssuedTicket[" + type.wireName() + " for " + appId + ", expires " + expiresAt + "]";
  }
}
