package io.wxtoken.server;

import io.wxtoken.access.AccessControl;
import io.wxtoken.audit.AuditLog;
import io.wxtoken.audit.JsonLinesSink;
import io.wxtoken.secret.MasterKey;
import io.wxtoken.store.h2.H2TokenStore;
import io.wxtoken.token.AppRecord;
import io.wxtoken.token.SecretHasher;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * The caller keys of a stopped server's data directory, for {@code wxtoken keys … --data DIR}:
 * the same store, hash key and audit log the server uses. H2's file lock refuses while a server
 * has the directory open (then use the admin API).
 *
 * <p>Not thread-safe; one command's lifetime.
 */
public final class OfflineKeys implements AutoCloseable {
  private final H2TokenStore store;
  private final AuditLog audit;
  private final AccessControl access;

  private OfflineKeys(H2TokenStore store, AuditLog audit, AccessControl access) {
    this.store = store;
    this.audit = audit;
    this.access = access;
  }

  /** Opens {@code dir}'s store; fails if a server holds it. */
  public static OfflineKeys open(Path dir, Clock clock) {
    H2TokenStore store = H2TokenStore.open(dir);
    try {
      SecretHasher hasher = SecretHasher.of(MasterKey.loadOrCreate(
          store.directory().resolve(WxTokenServer.KEY_FILE), "secret-hash key",
          "keep it with the store"));
      AuditLog audit = new AuditLog(clock, List.of(JsonLinesSink.toFile(
          store.directory().resolve(Access.AUDIT_FILE), 10L * 1024 * 1024, 5)),
          store.auditStore(Access.AUDIT_RETENTION));
      AccessControl access = new AccessControl(store.keyStore(), hasher, clock,
          appId -> store.load(appId).map(AppRecord::hasSealedSecret).orElse(false), audit);
      return new OfflineKeys(store, audit, access);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /** The keys. */
  public AccessControl access() {
    return access;
  }

  @Override
  public void close() {
    audit.close();
    store.close();
  }
}
