package io.wxtoken.simulator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Everything WeChat keeps about one app: its secret and switches, its two token chains, its
 * ticket chains (one per ticket type), its quota windows and the simulator's counters for it.
 *
 * <p>Thread-safe: the token rules run under this object's monitor, so concurrent calls for one app
 * see a consistent chain (a test tool favours simple and correct over fast). Counters are
 * {@link LongAdder}s and the switches are volatile, so they can be read without the lock.
 */
final class AppAccount {

  private final String appId;
  private final SimulatorSettings settings;
  private final TokenLedger ledger;
  private final TicketLedger ticketLedger;

  private volatile byte[] secret;
  private volatile boolean frozen;
  private volatile boolean ipBlocked;

  // Guarded by this.
  private IssuedToken classicCurrent;
  private IssuedToken stableCurrent;
  private final Map<TicketType, IssuedTicket> ticketCurrent = new EnumMap<>(TicketType.class);
  private Instant lastForcedMint;
  private final WindowCounter classicDaily = new WindowCounter();
  private final WindowCounter stableDaily = new WindowCounter();
  private final WindowCounter stableMinute = new WindowCounter();
  private final WindowCounter forcedDaily = new WindowCounter();

  private final Map<WeChatSimulator.Endpoint, LongAdder> calls = new EnumMap<>(WeChatSimulator.Endpoint.class);
  private final LongAdder issued = new LongAdder();
  private final LongAdder ticketsIssued = new LongAdder();

  AppAccount(String appId, String secret, SimulatorSettings settings, TokenLedger ledger,
      TicketLedger ticketLedger) {
    this.appId = appId;
    this.settings = settings;
    this.ledger = ledger;
    this.ticketLedger = ticketLedger;
    changeSecret(secret);
    for (WeChatSimulator.Endpoint e : WeChatSimulator.Endpoint.values()) {
      calls.put(e, new LongAdder());
    }
  }

  String appId() {
    return appId;
  }

  void changeSecret(String newSecret) {
    secret = newSecret.getBytes(StandardCharsets.UTF_8);
  }

  void freeze(boolean value) {
    frozen = value;
  }

  void blockIp(boolean value) {
    ipBlocked = value;
  }

  void recordCall(WeChatSimulator.Endpoint endpoint) {
    calls.get(endpoint).increment();
  }

  long calls(WeChatSimulator.Endpoint endpoint) {
    return calls.get(endpoint).sum();
  }

  long issued() {
    return issued.sum();
  }

  long ticketsIssued() {
    return ticketsIssued.sum();
  }

  void resetCounters() {
    calls.values().forEach(LongAdder::reset);
    issued.reset();
    ticketsIssued.reset();
  }

  /**
   * {@code GET /cgi-bin/token}: every successful call mints a new token; the one it replaces
   * lives on for at most the overlap ("重复获取将导致上次获取的access_token失效").
   */
  synchronized TokenReply classicToken(String presentedSecret, String callerIp, Instant now) {
    WeChatError refused = checkCaller(presentedSecret, callerIp, WeChatError.INVALID_CREDENTIAL);
    if (refused != null) {
      return refused;
    }
    long day = WeChatCalendar.day(now);
    if (!classicDaily.hasRoom(day, settings.dailyTokenQuota())) {
      return WeChatError.DAILY_QUOTA;
    }
    classicDaily.add(day);
    classicCurrent = replace(classicCurrent, TokenKind.CLASSIC, now);
    return new TokenGrant(classicCurrent.value(), settings.tokenLifetime().getSeconds());
  }

  /**
   * {@code POST /cgi-bin/stable_token}: a chain of its own. Normal mode hands out the current
   * token and renews it only in the last {@code overlap} before expiry; forced mode mints at most
   * {@code forceRefreshDailyLimit} times a day, and not again within the minimum interval
   * ("否则不会刷新": then it behaves like normal mode).
   */
  synchronized TokenReply stableToken(String presentedSecret, boolean forceRefresh, String callerIp, Instant now) {
    WeChatError refused = checkCaller(presentedSecret, callerIp, WeChatError.INVALID_APPSECRET);
    if (refused != null) {
      return refused;
    }
    long day = WeChatCalendar.day(now);
    long minute = WeChatCalendar.minute(now);
    if (!stableDaily.hasRoom(day, settings.stableDailyQuota())) {
      return WeChatError.DAILY_QUOTA;
    }
    if (!stableMinute.hasRoom(minute, settings.stableMinuteQuota())) {
      return WeChatError.MINUTE_QUOTA;
    }
    stableDaily.add(day);
    stableMinute.add(minute);

    if (forceRefresh && !forcedRecently(now)) {
      if (!forcedDaily.hasRoom(day, settings.forceRefreshDailyLimit())) {
        return WeChatError.DAILY_QUOTA;
      }
      forcedDaily.add(day);
      lastForcedMint = now;
      stableCurrent = replace(stableCurrent, TokenKind.STABLE, now);
      return new TokenGrant(stableCurrent.value(), settings.tokenLifetime().getSeconds());
    }
    if (stableCurrent == null || !now.isBefore(stableCurrent.expiresAt().minus(settings.overlap()))) {
      // Renewal in normal mode: the previous token simply runs to its own expiry.
      stableCurrent = mint(TokenKind.STABLE, now);
    }
    return new TokenGrant(stableCurrent.value(), stableCurrent.remainingSeconds(now));
  }

  /**
   * {@code GET /cgi-bin/ticket/getticket}, once the access token has been checked: hands out the
   * current ticket of {@code type} while it has more than the overlap left, else mints a new one;
   * the previous ticket simply runs to its own expiry. {@code expires_in} is always the full
   * lifetime, as WeChat reports it, whatever the ticket really has left.
   */
  synchronized TicketGrant ticket(TicketType type, Instant now) {
    IssuedTicket current = ticketCurrent.get(type);
    if (current == null || !now.isBefore(current.expiresAt().minus(settings.overlap()))) {
      ticketsIssued.increment();
      current = ticketLedger.mint(appId, type, now.plus(settings.ticketLifetime()));
      ticketCurrent.put(type, current);
    }
    return new TicketGrant(current.value(), settings.ticketLifetime().getSeconds());
  }

  /** The checks after the appid is known, in WeChat's order: IP, freeze, secret. */
  private WeChatError checkCaller(String presentedSecret, String callerIp, WeChatError wrongSecret) {
    if (ipBlocked) {
      return WeChatError.ipNotWhitelisted(callerIp);
    }
    if (frozen) {
      return WeChatError.SECRET_FROZEN;
    }
    // Constant-time compare: the simulator should not model a timing oracle either.
    if (!MessageDigest.isEqual(secret, presentedSecret.getBytes(StandardCharsets.UTF_8))) {
      return wrongSecret;
    }
    return null;
  }

  private boolean forcedRecently(Instant now) {
    Duration minInterval = settings.forceRefreshMinInterval();
    return lastForcedMint != null && now.isBefore(lastForcedMint.plus(minInterval));
  }

  /** Mints a successor; the predecessor stays valid until min(its expiry, now + overlap). */
  private IssuedToken replace(IssuedToken previous, TokenKind kind, Instant now) {
    IssuedToken next = mint(kind, now);
    if (previous != null) {
      previous.cutOff(now.plus(settings.overlap()));
    }
    return next;
  }

  private IssuedToken mint(TokenKind kind, Instant now) {
    issued.increment();
    return ledger.mint(appId, kind, now.plus(settings.tokenLifetime()));
  }
}
