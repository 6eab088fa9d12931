package io.wxtoken.simulator;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * WeChat's token and ticket rules without HTTP: parameter checks, the app registry, token and
 * ticket validity. Per-app rules live in {@link AppAccount}.
 *
 * <p>Thread-safe: the registry is a concurrent map and each account guards itself.
 */
final class TokenService {

  static final String CLIENT_CREDENTIAL = "client_credential";

  private final Clock clock;
  private final SimulatorSettings settings;
  private final TokenLedger ledger = new TokenLedger();
  private final TicketLedger ticketLedger = new TicketLedger();
  private final ConcurrentMap<String, AppAccount> apps = new ConcurrentHashMap<>();

  TokenService(Clock clock, SimulatorSettings settings) {
    this.clock = clock;
    this.settings = settings;
  }

  /** Adds an app, or changes the secret of a known one (rotation keeps its tokens). */
  void register(String appId, String secret) {
    requireText(appId, "appId");
    requireText(secret, "secret");
    apps.compute(appId, (id, existing) -> {
      if (existing == null) {
        return new AppAccount(id, secret, settings, ledger, ticketLedger);
      }
      existing.changeSecret(secret);
      return existing;
    });
  }

  /** @return the account, or {@code null} if the app is not registered (or appId is null) */
  AppAccount find(String appId) {
    return appId == null ? null : apps.get(appId);
  }

  /** @return the account; throws if the app is not registered */
  AppAccount require(String appId) {
    AppAccount account = find(appId);
    if (account == null) {
      throw new IllegalArgumentException("unknown app: " + appId);
    }
    return account;
  }

  Collection<AppAccount> accounts() {
    return apps.values();
  }

  int appCount() {
    return apps.size();
  }

  TokenReply classicToken(String appId, String secret, String grantType, String callerIp) {
    WeChatError invalid = checkParameters(appId, secret, grantType);
    if (invalid != null) {
      return invalid;
    }
    AppAccount account = apps.get(appId);
    return account == null
        ? WeChatError.INVALID_APPID
        : account.classicToken(secret, callerIp, clock.instant());
  }

  TokenReply stableToken(String appId, String secret, String grantType, boolean force, String callerIp) {
    WeChatError invalid = checkParameters(appId, secret, grantType);
    if (invalid != null) {
      return invalid;
    }
    AppAccount account = apps.get(appId);
    return account == null
        ? WeChatError.INVALID_APPID
        : account.stableToken(secret, force, callerIp, clock.instant());
  }

  /**
   * The validity check behind {@code getcallbackip}.
   *
   * @return {@code null} if the token is valid now, else the error WeChat would answer
   */
  WeChatError checkToken(String accessToken) {
    return checkToken(accessToken, clock.instant());
  }

  /** @return the issued token record, or {@code null} */
  IssuedToken findToken(String accessToken) {
    return accessToken == null ? null : ledger.find(accessToken);
  }

  /** @return the app a token was issued to (valid or not), or {@code null} if never issued */
  String appOfToken(String accessToken) {
    IssuedToken token = findToken(accessToken);
    return token == null ? null : token.appId();
  }

  /**
   * {@code GET /cgi-bin/ticket/getticket}: the access token is checked exactly as by
   * {@code getcallbackip} (41001, 42001, 40001), then the type (40097); the ticket belongs to the
   * app the token was issued to.
   */
  TokenReply ticket(String accessToken, String type) {
    Instant now = clock.instant();
    WeChatError invalid = checkToken(accessToken, now);
    if (invalid != null) {
      return invalid;
    }
    TicketType ticketType = TicketType.parse(type);
    if (ticketType == null) {
      return WeChatError.INVALID_ARGS;
    }
    return require(ledger.find(accessToken).appId()).ticket(ticketType, now);
  }

  /** @return whether the ticket was issued here and has not reached its own expiry */
  boolean isTicketValid(String ticket) {
    IssuedTicket issued = ticketLedger.find(ticket);
    return issued != null && issued.isValidAt(clock.instant());
  }

  private WeChatError checkToken(String accessToken, Instant now) {
    if (isBlank(accessToken)) {
      return WeChatError.ACCESS_TOKEN_MISSING;
    }
    IssuedToken token = ledger.find(accessToken);
    return token == null ? WeChatError.INVALID_CREDENTIAL : token.checkAt(now);
  }

  /** The checks before the appid is looked up, in WeChat's order. */
  private static WeChatError checkParameters(String appId, String secret, String grantType) {
    if (isBlank(appId)) {
      return WeChatError.APPID_MISSING;
    }
    if (isBlank(secret)) {
      return WeChatError.APPSECRET_MISSING;
    }
    if (!CLIENT_CREDENTIAL.equals(grantType)) {
      return WeChatError.INVALID_GRANT_TYPE;
    }
    return null;
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  private static void requireText(String value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
  }
}
