package io.wxtoken.store.h2;

import io.wxtoken.token.AccessToken;
import io.wxtoken.token.AppRecord;
import io.wxtoken.token.QuotaUsage;
import io.wxtoken.token.StoreException;
import io.wxtoken.token.TokenStore;
import io.wxtoken.token.Verifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * {@link TokenStore} on an H2 database file, {@code DIR/wxtoken.mv.db}.
 *
 * <p>Permissions: {@code DIR} is created {@code rwx------} and every file H2 makes there
 * {@code rw-------} ({@link OwnerOnlyFilePath}); opening warns about anything looser found there.
 *
 * <p>Durability: the database runs with {@code WRITE_DELAY=0}, so a commit reaches the file
 * (the operating system) before {@link #save} returns and survives the process being killed. H2's
 * file lock keeps a second server from opening the same directory.
 *
 * <p>Fencing: {@link #save} updates a row only where the stored generation is lower, in one
 * statement, so the check and the write cannot be split.
 *
 * <p>Thread-safe; connections come from H2's own small pool.
 */
public final class H2TokenStore implements TokenStore {
  static final String FILE_NAME = "wxtoken";
  private static final int SCHEMA_VERSION = 1;

  private final JdbcConnectionPool pool;
  private final Path directory;

  private H2TokenStore(JdbcConnectionPool pool, Path directory) {
    this.pool = pool;
    this.directory = directory;
  }

  /**
   * Opens (creating if needed) the store in {@code directory}.
   *
   * @throws StoreException if the directory cannot be used, the file is locked by another process,
   *     or it was written by an incompatible version
   */
  public static H2TokenStore open(Path directory) {
    Path dir = directory.toAbsolutePath().normalize();
    try {
      StorePermissions.createDirectories(dir);
    } catch (java.io.IOException e) {
      throw new StoreException("cannot create store directory " + dir + ": " + e.getMessage(), e);
    }
    OwnerOnlyFilePath.register();
    // Files through the owner-only file system (0600 from creation, whatever the umask); no trace
    // file, whose error lines may quote statements: failures reach the caller as exceptions.
    String url = "jdbc:h2:" + OwnerOnlyFilePath.SCHEME + ":" + dir.resolve(FILE_NAME)
        + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE;TRACE_LEVEL_FILE=0";
    JdbcConnectionPool pool = JdbcConnectionPool.create(url, "wxtoken", "");
    pool.setMaxConnections(4);
    H2TokenStore store = new H2TokenStore(pool, dir);
    try {
      store.migrate();
    } catch (SQLException e) {
      pool.dispose();
      String hint = e.getErrorCode() == org.h2.api.ErrorCode.DATABASE_ALREADY_OPEN_1
          ? " (is another wxtoken server using " + dir + "?)"
          : "";
      throw new StoreException("cannot open store in " + dir + hint + ": " + e.getMessage(), e);
    }
    StorePermissions.warnIfLoose(dir);
    return store;
  }

  /** The caller keys kept in this store's database (table {@code caller_key}). */
  public io.wxtoken.access.KeyStore keyStore() {
    return new H2KeyStore(pool);
  }

  /** An audit log kept in this store's database (table {@code audit_log}), at most {@code cap} records. */
  public io.wxtoken.audit.AuditStore auditStore(int cap) {
    if (cap < 1) {
      throw new IllegalArgumentException("cap must be positive");
    }
    return new H2AuditStore(pool, cap);
  }

  /** The directory holding the database file. */
  public Path directory() {
    return directory;
  }

  /**
   * A setting of this store ({@code wxtoken_meta}), such as the id of the key its verifiers were
   * made with: a value safe to keep next to the data, never a secret.
   */
  public Optional<String> setting(String name) {
    try (Connection c = pool.getConnection();
        PreparedStatement q = c.prepareStatement("SELECT val FROM wxtoken_meta WHERE name = ?")) {
      q.setString(1, name);
      try (ResultSet r = q.executeQuery()) {
        return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new StoreException("cannot read the setting " + name + " from the store", e);
    }
  }

  /** Writes a {@link #setting}, replacing its value. */
  public void putSetting(String name, String value) {
    try (Connection c = pool.getConnection();
        PreparedStatement m = c.prepareStatement(
            "MERGE INTO wxtoken_meta (name, val) KEY(name) VALUES (?, ?)")) {
      m.setString(1, name);
      m.setString(2, value);
      m.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot write the setting " + name + " to the store", e);
    }
  }

  private void migrate() throws SQLException {
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS wxtoken_meta ("
          + "name VARCHAR(64) PRIMARY KEY, val VARCHAR(256) NOT NULL)");
      s.execute("MERGE INTO wxtoken_meta KEY(name) VALUES ('schema_version', '"
          + SCHEMA_VERSION + "')");
      s.execute("CREATE TABLE IF NOT EXISTS app_token ("
          + "app_id VARCHAR(64) PRIMARY KEY, "
          + "verifier VARBINARY(64) NOT NULL, "
          + "access_token VARCHAR(2048) NOT NULL, "
          + "fetched_at BIGINT NOT NULL, "
          + "expires_at BIGINT NOT NULL, "
          + "generation BIGINT NOT NULL, "
          + "updated_at BIGINT NOT NULL)");
      // Added for proactive refresh; NULL for verify-only apps.
      s.execute("ALTER TABLE app_token ADD COLUMN IF NOT EXISTS sealed_secret VARCHAR(512)");
      s.execute("CREATE TABLE IF NOT EXISTS app_quota ("
          + "app_id VARCHAR(64) PRIMARY KEY, "
          + "wechat_day DATE NOT NULL, "
          + "calls INT NOT NULL, "
          + "forced INT NOT NULL, "
          + "last_forced_at BIGINT NOT NULL)");
    }
  }

  @Override
  public Optional<AppRecord> load(String appId) {
    try (Connection c = pool.getConnection();
        PreparedStatement q = c.prepareStatement(SELECT_RECORD + " WHERE app_id = ?")) {
      q.setString(1, appId);
      try (ResultSet r = q.executeQuery()) {
        return r.next() ? Optional.of(record(r)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new StoreException("cannot read app " + appId + " from the store", e);
    }
  }

  @Override
  public List<AppRecord> loadAll() {
    try (Connection c = pool.getConnection();
        PreparedStatement q = c.prepareStatement(SELECT_RECORD);
        ResultSet r = q.executeQuery()) {
      List<AppRecord> all = new ArrayList<>();
      while (r.next()) {
        all.add(record(r));
      }
      return all;
    } catch (SQLException e) {
      throw new StoreException("cannot read the apps from the store", e);
    }
  }

  private static final String SELECT_RECORD = "SELECT app_id, verifier, sealed_secret,"
      + " access_token, fetched_at, expires_at, generation FROM app_token";

  private static AppRecord record(ResultSet r) throws SQLException {
    AccessToken token = new AccessToken(r.getString(4),
        Instant.ofEpochMilli(r.getLong(5)), Instant.ofEpochMilli(r.getLong(6)));
    return new AppRecord(r.getString(1), Verifier.of(r.getBytes(2)), r.getString(3), token,
        r.getLong(7));
  }

  @Override
  public Optional<QuotaUsage> loadQuota(String appId) {
    try (Connection c = pool.getConnection();
        PreparedStatement q = c.prepareStatement("SELECT wechat_day, calls, forced, last_forced_at"
            + " FROM app_quota WHERE app_id = ?")) {
      q.setString(1, appId);
      try (ResultSet r = q.executeQuery()) {
        if (!r.next()) {
          return Optional.empty();
        }
        return Optional.of(new QuotaUsage(r.getObject(1, LocalDate.class), r.getInt(2),
            r.getInt(3), Instant.ofEpochMilli(r.getLong(4))));
      }
    } catch (SQLException e) {
      throw new StoreException("cannot read the quota of app " + appId, e);
    }
  }

  @Override
  public void saveQuota(String appId, QuotaUsage usage) {
    try (Connection c = pool.getConnection();
        PreparedStatement m = c.prepareStatement("MERGE INTO app_quota"
            + " (app_id, wechat_day, calls, forced, last_forced_at) KEY(app_id) VALUES (?, ?, ?, ?, ?)")) {
      m.setString(1, appId);
      m.setObject(2, usage.day());
      m.setInt(3, usage.calls());
      m.setInt(4, usage.forced());
      m.setLong(5, usage.lastForcedAt().toEpochMilli());
      m.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot write the quota of app " + appId, e);
    }
  }

  @Override
  public boolean delete(String appId) {
    try (Connection c = pool.getConnection();
        PreparedStatement token = c.prepareStatement("DELETE FROM app_token WHERE app_id = ?");
        PreparedStatement quota = c.prepareStatement("DELETE FROM app_quota WHERE app_id = ?")) {
      token.setString(1, appId);
      quota.setString(1, appId);
      int deleted = token.executeUpdate();
      quota.executeUpdate();
      return deleted > 0;
    } catch (SQLException e) {
      throw new StoreException("cannot delete app " + appId, e);
    }
  }

  @Override
  public int purgeQuotaBefore(LocalDate day) {
    try (Connection c = pool.getConnection();
        PreparedStatement d = c.prepareStatement("DELETE FROM app_quota WHERE wechat_day < ?")) {
      d.setObject(1, day);
      return d.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot purge old quota counts", e);
    }
  }

  @Override
  public boolean save(AppRecord record) {
    try (Connection c = pool.getConnection()) {
      try (PreparedStatement update = c.prepareStatement("UPDATE app_token SET verifier = ?,"
          + " access_token = ?, fetched_at = ?, expires_at = ?, generation = ?, updated_at = ?,"
          + " sealed_secret = ? WHERE app_id = ? AND generation < ?")) {
        bind(update, record);
        update.setString(8, record.appId());
        update.setLong(9, record.generation());
        if (update.executeUpdate() == 1) {
          return true;
        }
      }
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO app_token (verifier,"
          + " access_token, fetched_at, expires_at, generation, updated_at, sealed_secret, app_id)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
        bind(insert, record);
        insert.setString(8, record.appId());
        insert.executeUpdate();
        return true;
      } catch (SQLException e) {
        if (e.getErrorCode() == org.h2.api.ErrorCode.DUPLICATE_KEY_1) {
          return false; // the row exists with an equal or newer generation
        }
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("cannot write app " + record.appId() + " to the store", e);
    }
  }

  private static void bind(PreparedStatement s, AppRecord record) throws SQLException {
    s.setBytes(1, record.verifier().bytes());
    s.setString(2, record.token().value());
    s.setLong(3, record.token().fetchedAt().toEpochMilli());
    s.setLong(4, record.token().expiresAt().toEpochMilli());
    s.setLong(5, record.generation());
    s.setLong(6, System.currentTimeMillis());
    s.setString(7, record.sealedSecret());
  }

  @Override
  public void close() {
    pool.dispose();
  }
}
