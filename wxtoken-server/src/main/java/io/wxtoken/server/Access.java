package io.wxtoken.server;

import io.wxtoken.access.AccessControl;
import io.wxtoken.access.KeyStore;
import io.wxtoken.audit.AuditLog;
import io.wxtoken.audit.AuditSink;
import io.wxtoken.audit.AuditStore;
import io.wxtoken.audit.JsonLinesSink;
import io.wxtoken.store.h2.H2TokenStore;
import io.wxtoken.store.redis.RedisStore;
import io.wxtoken.token.AppRecord;
import io.wxtoken.token.SecretHasher;
import io.wxtoken.token.TokenService;
import io.wxtoken.token.TokenStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the caller keys and the audit log on the server's store: H2 tables next to the tokens, or
 * Redis (a hash of keys, a capped stream of audit records) for a cluster.
 */
final class Access {
  /** Audit records kept queryable: the newest 100,000. */
  static final int AUDIT_RETENTION = 100_000;
  static final String AUDIT_FILE = "audit.jsonl";
  private static final Logger log = LoggerFactory.getLogger(Access.class);

  private Access() {}

  static AuditLog auditLog(ServerConfig config, TokenStore store, Clock clock) {
    List<AuditSink> sinks = new ArrayList<>();
    switch (config.auditLog()) {
      case "file" -> sinks.add(JsonLinesSink.toFile(config.storeDir().resolve(AUDIT_FILE),
          10L * 1024 * 1024, 5));
      case "stdout" -> sinks.add(JsonLinesSink.toStream(System.out));
      default -> { }
    }
    AuditStore queryable = store instanceof H2TokenStore h2 ? h2.auditStore(AUDIT_RETENTION)
        : ((RedisStore) store).auditStore(AUDIT_RETENTION);
    return new AuditLog(clock, sinks, queryable);
  }

  static AccessControl keys(TokenStore store, SecretHasher hasher, Clock clock,
      TokenService tokens, AuditLog audit) {
    KeyStore keys = store instanceof H2TokenStore h2 ? h2.keyStore() : ((RedisStore) store).keyStore();
    return new AccessControl(keys, hasher, clock,
        appId -> tokens.cached(appId).map(AppRecord::hasSealedSecret).orElse(false), audit);
  }

  /** The engine's own events, in the audit log with the actor {@code server}. */
  static void auditEngine(TokenService tokens, AuditLog audit) {
    tokens.listen(new io.wxtoken.token.TokenEvents() {
      @Override
      public void refreshStopped(String appId, int errcode) {
        audit.record("refresh.stopped", appId, "server", null, "stopped", errcode, null);
      }

      @Override
      public void refreshResumed(String appId) {
        audit.record("refresh.resumed", appId, "server", null, "ok", 0, null);
      }

      @Override
      public void quotaRefused(String appId, int errcode) {
        audit.record("quota.refused", appId, "server", null, "quota_exhausted", errcode, null);
      }
    });
  }

  /** The periodic safety net under a shared store's change notices. */
  static void reconcile(AccessControl access) {
    try {
      access.reconcileIfChanged();
    } catch (RuntimeException e) {
      log.warn("caller keys could not be re-read from the store: {}", e.getMessage());
    }
  }
}
