package io.wxtoken.audit;

import java.time.Instant;

/**
 * A filter over the audit log: each non-null field must match exactly; records at or after
 * {@code since}; the newest {@code limit} of them, newest first.
 */
public record AuditQuery(String app, String actor, String event, Instant since, int limit) {
  /** The most records one query returns. */
  public static final int MAX_LIMIT = 1000;

  public AuditQuery {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1-" + MAX_LIMIT);
    }
  }

  /** Whether {@code r} passes this filter (ignoring the limit). */
  public boolean matches(AuditRecord r) {
    return (app == null || app.equals(r.app())) && (actor == null || actor.equals(r.actor()))
        && (event == null || event.equals(r.event()))
        && (since == null || !r.time().isBefore(since));
  }
}
