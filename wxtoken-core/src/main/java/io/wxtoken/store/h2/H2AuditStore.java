package io.wxtoken.store.h2;

import io.wxtoken.audit.AuditQuery;
import io.wxtoken.audit.AuditRecord;
import io.wxtoken.audit.AuditStore;
import io.wxtoken.token.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * {@link AuditStore} in the embedded store's database: table {@code audit_log}, capped at a number
 * of rows (the oldest are deleted as new ones come, in batches).
 *
 * <p>Thread-safe; shares {@link H2TokenStore}'s connection pool.
 */
final class H2AuditStore implements AuditStore {
  private final JdbcConnectionPool pool;
  private final int cap;
  private long appended;

  H2AuditStore(JdbcConnectionPool pool, int cap) {
    this.pool = pool;
    this.cap = cap;
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS audit_log ("
          + "seq BIGINT AUTO_INCREMENT PRIMARY KEY, at_millis BIGINT NOT NULL,"
          + " event VARCHAR(64) NOT NULL, app VARCHAR(64), actor VARCHAR(128) NOT NULL,"
          + " record VARCHAR(8192) NOT NULL)");
      s.execute("CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log(at_millis)");
    } catch (SQLException e) {
      throw new StoreException("cannot create the audit_log table", e);
    }
  }

  @Override
  public synchronized void append(AuditRecord record) {
    try (Connection c = pool.getConnection()) {
      try (PreparedStatement u = c.prepareStatement(
          "INSERT INTO audit_log (at_millis, event, app, actor, record) VALUES (?, ?, ?, ?, ?)")) {
        u.setLong(1, record.time().toEpochMilli());
        u.setString(2, cut(record.event(), 64));
        u.setString(3, cut(record.app(), 64));
        u.setString(4, cut(record.actor(), 128));
        u.setString(5, record.toJson());
        u.executeUpdate();
      }
      // Trim in batches: every cap/10 appends (at least every 100), down to the cap.
      if (++appended % Math.max(1, Math.min(100, cap / 10)) == 0) {
        try (PreparedStatement d = c.prepareStatement(
            "DELETE FROM audit_log WHERE seq <= (SELECT MAX(seq) FROM audit_log) - ?")) {
          d.setLong(1, cap);
          d.executeUpdate();
        }
      }
    } catch (SQLException e) {
      throw new StoreException("cannot append to the audit log", e);
    }
  }

  @Override
  public List<AuditRecord> query(AuditQuery query) {
    StringBuilder sql = new StringBuilder("SELECT record FROM audit_log WHERE seq > "
        + "(SELECT COALESCE(MAX(seq), 0) FROM audit_log) - ?");
    List<Object> args = new ArrayList<>();
    args.add((long) cap);
    if (query.app() != null) {
      sql.append(" AND app = ?");
      args.add(query.app());
    }
    if (query.actor() != null) {
      sql.append(" AND actor = ?");
      args.add(query.actor());
    }
    if (query.event() != null) {
      sql.append(" AND event = ?");
      args.add(query.event());
    }
    if (query.since() != null) {
      sql.append(" AND at_millis >= ?");
      args.add(query.since().toEpochMilli());
    }
    sql.append(" ORDER BY seq DESC LIMIT ?");
    args.add(query.limit());
    try (Connection c = pool.getConnection();
        PreparedStatement q = c.prepareStatement(sql.toString())) {
      for (int i = 0; i < args.size(); i++) {
        q.setObject(i + 1, args.get(i));
      }
      List<AuditRecord> out = new ArrayList<>();
      try (ResultSet r = q.executeQuery()) {
        while (r.next()) {
          out.add(AuditRecord.fromJson(r.getString(1)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException("cannot query the audit log", e);
    }
  }

  private static String cut(String value, int max) {
    return value == null || value.length() <= max ? value : value.substring(0, max);
  }
}
