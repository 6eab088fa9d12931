package io.wxtoken.store.h2;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxtoken.audit.AuditQuery;
import io.wxtoken.audit.AuditRecord;
import io.wxtoken.audit.AuditStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit table: newest first, exact filters, {@code since}, and a cap the oldest make way for. */
class H2AuditStoreTest {
  private static final Instant T0 = Instant.parse("2026-03-01T02:00:00Z");

  @TempDir
  Path dir;

  private static AuditRecord record(int n) {
    return new AuditRecord(T0.plusSeconds(n), n % 2 == 0 ? "key.refused" : "secret.rejected",
        n % 3 == 0 ? "wx1111111111111111" : "wx2222222222222222", "address:10.0.0." + (n % 5),
        "r" + n, "ok", 0, null);
  }

  @Test
  void filtersNewestFirstAndKeepsOnlyTheNewestUpToTheCap() {
    try (H2TokenStore store = H2TokenStore.open(dir)) {
      AuditStore audit = store.auditStore(50);
      for (int n = 0; n < 200; n++) {
        audit.append(record(n));
      }
      List<AuditRecord> all = audit.query(new AuditQuery(null, null, null, null, 1000));
      assertThat(all).hasSize(50);
      assertThat(all.get(0)).isEqualTo(record(199));
      assertThat(all.get(49)).isEqualTo(record(150));

      List<AuditRecord> some = audit.query(new AuditQuery("wx1111111111111111", "address:10.0.0.0",
          "key.refused", T0.plusSeconds(160), 2));
      assertThat(some).extracting(AuditRecord::requestId).containsExactly("r180");
      assertThat(audit.query(new AuditQuery(null, null, "key.refused", null, 3)))
          .extracting(AuditRecord::requestId).containsExactly("r198", "r196", "r194");
    }
  }
}
