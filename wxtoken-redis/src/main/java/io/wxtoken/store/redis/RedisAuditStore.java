package io.wxtoken.store.redis;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.wxtoken.audit.AuditQuery;
import io.wxtoken.audit.AuditRecord;
import io.wxtoken.audit.AuditStore;
import io.wxtoken.token.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@link AuditStore} on the Redis a cluster shares: the stream {@code wxtoken:{audit}}, trimmed to
 * about {@code maxLen} entries by every {@code XADD} ({@code MAXLEN ~}), each entry one field
 * {@code r} holding the record's JSON. A query reads newest first ({@code XREVRANGE}, from
 * {@code since} when given) in pages, filtering, until it has {@code limit} records or the stream
 * ends.
 *
 * <p>Thread-safe.
 */
final class RedisAuditStore implements AuditStore {
  static final String STREAM = RedisKeys.PREFIX + "{audit}";
  private static final int PAGE = 500;

  private final RedisClusterCommands<String, String> commands;
  private final long maxLen;

  RedisAuditStore(RedisClusterCommands<String, String> commands, long maxLen) {
    this.commands = commands;
    this.maxLen = maxLen;
  }

  @Override
  public void append(AuditRecord record) {
    try {
      commands.xadd(STREAM, XAddArgs.Builder.maxlen(maxLen).approximateTrimming(),
          Map.of("r", record.toJson()));
    } catch (RedisException e) {
      throw new StoreException("cannot append to the audit stream", e);
    }
  }

  @Override
  public List<AuditRecord> query(AuditQuery query) {
    List<AuditRecord> out = new ArrayList<>();
    Range.Boundary<String> lower = query.since() == null ? Range.Boundary.unbounded()
        : Range.Boundary.including(query.since().toEpochMilli() + "-0");
    Range.Boundary<String> upper = Range.Boundary.unbounded();
    long scanned = 0;
    try {
      while (out.size() < query.limit() && scanned < maxLen * 2) {
        List<StreamMessage<String, String>> page = commands.xrevrange(STREAM,
            Range.from(lower, upper), Limit.from(PAGE));
        if (page.isEmpty()) {
          break;
        }
        for (StreamMessage<String, String> m : page) {
          AuditRecord r = AuditRecord.fromJson(m.getBody().get("r"));
          if (query.matches(r) && out.size() < query.limit()) {
            out.add(r);
          }
        }
        scanned += page.size();
        String last = page.get(page.size() - 1).getId();
        upper = Range.Boundary.excluding(last);
        if (page.size() < PAGE) {
          break;
        }
      }
    } catch (RedisException e) {
      throw new StoreException("cannot read the audit stream", e);
    }
    return out;
  }
}
