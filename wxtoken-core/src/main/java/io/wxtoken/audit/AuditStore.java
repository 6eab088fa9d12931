package io.wxtoken.audit;

import java.util.List;

/**
 * A bounded, queryable audit log: an H2 table capped at a number of rows, or a Redis stream with
 * {@code MAXLEN}. The oldest records go first. Thread-safe and blocking.
 */
public interface AuditStore extends AuditSink {
  /** The newest records matching {@code query}, newest first. */
  List<AuditRecord> query(AuditQuery query);
}
