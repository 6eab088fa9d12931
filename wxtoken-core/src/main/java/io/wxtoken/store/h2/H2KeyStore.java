package io.wxtoken.store.h2;

import io.wxtoken.access.CallerKey;
import io.wxtoken.access.KeyCodec;
import io.wxtoken.access.KeyStore;
import io.wxtoken.token.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * {@link KeyStore} in the embedded store's database: table {@code caller_key}, one row per key,
 * its record as versioned JSON ({@link KeyCodec}: scope, state, verifier; never the key).
 *
 * <p>Thread-safe; shares {@link H2TokenStore}'s connection pool.
 */
final class H2KeyStore implements KeyStore {
  private final JdbcConnectionPool pool;

  H2KeyStore(JdbcConnectionPool pool) {
    this.pool = pool;
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS caller_key ("
          + "id VARCHAR(16) PRIMARY KEY, record VARCHAR(16384) NOT NULL, updated_at BIGINT NOT NULL)");
    } catch (SQLException e) {
      throw new StoreException("cannot create the caller_key table", e);
    }
  }

  @Override
  public void save(CallerKey key) {
    try (Connection c = pool.getConnection(); PreparedStatement u = c.prepareStatement(
        "MERGE INTO caller_key (id, record, updated_at) KEY(id) VALUES (?, ?, ?)")) {
      u.setString(1, key.id());
      u.setString(2, KeyCodec.toJson(key, true));
      u.setLong(3, System.currentTimeMillis());
      u.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot save caller key " + key.id(), e);
    }
  }

  @Override
  public Optional<CallerKey> load(String id) {
    try (Connection c = pool.getConnection();
        PreparedStatement q = c.prepareStatement("SELECT record FROM caller_key WHERE id = ?")) {
      q.setString(1, id);
      try (ResultSet r = q.executeQuery()) {
        return r.next() ? Optional.of(KeyCodec.fromJson(r.getString(1))) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new StoreException("cannot read caller key " + id, e);
    }
  }

  @Override
  public List<CallerKey> loadAll() {
    try (Connection c = pool.getConnection();
        PreparedStatement q = c.prepareStatement("SELECT record FROM caller_key");
        ResultSet r = q.executeQuery()) {
      List<CallerKey> all = new ArrayList<>();
      while (r.next()) {
        all.add(KeyCodec.fromJson(r.getString(1)));
      }
      return all;
    } catch (SQLException e) {
      throw new StoreException("cannot read the caller keys", e);
    }
  }
}
