package io.wxtoken.token;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.wxtoken.token.TokenException.Reason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts each app's calls to WeChat per WeChat day (Beijing time, when WeChat resets its quotas),
 * persists the counts through the {@link TokenStore}, and decides which calls may still be made.
 *
 * <ul>
 *   <li>A refresh of a token in use is essential: allowed until the daily limit.
 *   <li>Checking a not-yet-verified secret is not: refused from {@code reserveFraction} of the
 *       limit on, so guessing cannot eat the calls the app's own refreshes need.
 *   <li>A forced refresh needs its own budget: at most {@code forcedPerDay} a day, and
 *       {@code forcedInterval} apart (WeChat's rule for {@code force_refresh}).
 * </ul>
 *
 * <p>Counts of apps that have no record (nobody ever got a token for them: guesses) are kept in
 * memory only, and memory holds at most {@code maxApps} counts, least recently used out: a spray
 * of appIds leaves nothing behind. An app's count is written once it has a record
 * ({@link #persist}).
 *
 * <p>Logs a warning when an app crosses 80 % of its limit. Thread-safe; updates of one app are
 * atomic in memory, and {@link #record} writes through to the store (blocking: call it off the
 * event loops).
 */
final class QuotaLedger {
  static final ZoneId WECHAT_ZONE = ZoneId.of("Asia/Shanghai");
  private static final Logger log = LoggerFactory.getLogger(QuotaLedger.class);

  /** Why a call is made, which decides whether it may spend quota. */
  enum Purpose { REFRESH, SECRET_CHECK, FORCED }

  private final TokenStore store;
  private final Clock clock;
  private final int dailyLimit;
  private final double reserveFraction;
  private final int forcedPerDay;
  private final Duration forcedInterval;
  private final Predicate<String> hasRecord;
  private final Cache<String, QuotaUsage> usage;

  QuotaLedger(TokenStore store, Clock clock, int dailyLimit, double reserveFraction,
      int forcedPerDay, Duration forcedInterval, int maxApps, Predicate<String> hasRecord) {
    this.store = store;
    this.hasRecord = hasRecord;
    this.usage = Caffeine.newBuilder().maximumSize(maxApps).build();
    this.clock = clock;
    this.dailyLimit = dailyLimit;
    this.reserveFraction = reserveFraction;
    this.forcedPerDay = forcedPerDay;
    this.forcedInterval = forcedInterval;
  }

  static LocalDate wechatDay(Instant instant) {
    return LocalDate.ofInstant(instant, WECHAT_ZONE);
  }

  int dailyLimit() {
    return dailyLimit;
  }

  /**
   * Today's usage. The first call for an app reads the store (blocking); the engine makes it when
   * it takes the app into memory, off the event loops, so later calls cost no I/O.
   */
  QuotaUsage today(String appId) {
    LocalDate day = wechatDay(clock.instant());
    QuotaUsage known = usage.get(appId, id -> loaded(id, day));
    return known.day().equals(day) ? known : QuotaUsage.none(day);
  }

  private QuotaUsage loaded(String appId, LocalDate day) {
    try {
      return store.loadQuota(appId).orElse(QuotaUsage.none(day));
    } catch (StoreException e) {
      log.error("could not read the quota of app {}; counting from zero", appId, e);
      return QuotaUsage.none(day);
    }
  }

  /**
   * Takes the stored count if it is ahead of memory: in a cluster the instance that held the
   * app's lease last may have called WeChat. Blocking; called under the app's lease.
   */
  void reload(String appId) {
    LocalDate day = wechatDay(clock.instant());
    QuotaUsage stored = loaded(appId, day);
    usage.asMap().merge(appId, stored, (mine, theirs) -> !theirs.day().equals(day) ? mine
        : !mine.day().equals(day) || theirs.calls() > mine.calls()
            || theirs.lastForcedAt().isAfter(mine.lastForcedAt()) ? theirs : mine);
  }

  /** Throws a {@link TokenException} if a call for this purpose may not be made now. */
  void admit(String appId, Purpose purpose) {
    QuotaUsage today = today(appId);
    Instant now = clock.instant();
    if (today.calls() >= dailyLimit) {
      throw limit(Reason.QUOTA_EXHAUSTED, "the daily quota of WeChat token calls for appId "
          + appId + " is used up (" + today.calls() + "/" + dailyLimit + "); it resets at "
          + "midnight Beijing time", now);
    }
    if (purpose == Purpose.SECRET_CHECK && today.calls() >= dailyLimit * reserveFraction) {
      throw limit(Reason.QUOTA_EXHAUSTED, "appId " + appId + " has used " + today.calls() + "/"
          + dailyLimit + " WeChat token calls today; the rest are kept for its own refreshes, so"
          + " an unverified appSecret is not checked until midnight Beijing time", now);
    }
    if (purpose == Purpose.FORCED) {
      if (today.forced() >= forcedPerDay) {
        throw limit(Reason.FORCED_REFRESH_LIMIT, "appId " + appId + " had its " + forcedPerDay
            + " forced refreshes today (WeChat's limit); the current token stays in use until"
            + " midnight Beijing time", now);
      }
    }
  }

  /** Whether a forced refresh happened less than the interval ago. */
  boolean forcedRecently(String appId) {
    return clock.instant().isBefore(today(appId).lastForcedAt().plus(forcedInterval));
  }

  /** Counts one call (and persists the count). */
  void record(String appId, boolean forced) {
    Instant now = clock.instant();
    LocalDate day = wechatDay(now);
    QuotaUsage updated = usage.asMap().compute(appId, (id, old) -> {
      QuotaUsage base = old == null ? loaded(id, day) : old;
      if (!base.day().equals(day)) {
        base = QuotaUsage.none(day);
      }
      return new QuotaUsage(day, base.calls() + 1, base.forced() + (forced ? 1 : 0),
          forced ? now : base.lastForcedAt());
    });
    if (updated.calls() == (int) Math.ceil(dailyLimit * 0.8)) {
      log.warn("app {} has used {} of its {} daily WeChat token calls (80 %)", appId,
          updated.calls(), dailyLimit);
    }
    if (hasRecord.test(appId)) {
      save(appId, updated);
    }
  }

  /** Writes the app's count now: it just got its first record. Blocking. */
  void persist(String appId) {
    QuotaUsage known = usage.getIfPresent(appId);
    if (known != null && known.day().equals(wechatDay(clock.instant()))) {
      save(appId, known);
    }
  }

  /** Deletes stored counts of days before today (WeChat's). Blocking. */
  int purgeOldDays() {
    return store.purgeQuotaBefore(wechatDay(clock.instant()));
  }

  private void save(String appId, QuotaUsage updated) {
    try {
      store.saveQuota(appId, updated);
    } catch (StoreException e) {
      log.error("could not persist the quota of app {}", appId, e);
    }
  }

  private static TokenException limit(Reason reason, String message, Instant now) {
    Instant midnight = wechatDay(now).plusDays(1).atStartOfDay(WECHAT_ZONE).toInstant();
    return new TokenException(reason, message, 0, Duration.between(now, midnight));
  }
}
