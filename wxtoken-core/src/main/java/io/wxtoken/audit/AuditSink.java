package io.wxtoken.audit;

/** Where audit records go. Implementations are thread-safe; {@link #append} may block briefly. */
public interface AuditSink {
  /** A sink that drops everything (audit off). */
  AuditSink NONE = record -> { };

  /** Writes one record. */
  void append(AuditRecord record);
}
