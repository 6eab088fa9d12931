package io.wxtoken.ticket;

import java.time.Instant;

/**
 * A JS-SDK ticket and when it stops working.
 *
 * <p>WeChat always reports {@code expires_in=7200}, even for a ticket it issued earlier, so
 * {@code expiresAt} is counted from the first time wxtoken saw this ticket: never later than true.
 *
 * @param value the ticket; a credential, so {@link #toString()} never prints it
 * @param fetchedAt when wxtoken first received it
 * @param expiresAt fetchedAt + the lifetime WeChat stated
 */
public record Ticket(String value, Instant fetchedAt, Instant expiresAt) {
  @Override
  public String toString() {
    return "Ticket[value=<redacted>, fetchedAt=" + fetchedAt + ", expiresAt=" + expiresAt + "]";
  }
}
