/**
 * The audit log: one {@link io.wxtoken.audit.AuditRecord} per event that matters to an operator
 * (secret checks, forced refreshes, key and admin actions, refusals), never carrying a secret, key
 * or token. {@link io.wxtoken.audit.AuditLog} hands each record to its sinks: JSON lines to a file
 * with size-based rotation or to stdout ({@link io.wxtoken.audit.JsonLinesSink}), and a bounded,
 * queryable {@link io.wxtoken.audit.AuditStore}.
 */
package io.wxtoken.audit;
