package io.wxtoken.simulator;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * One simulated third-party platform: its credentials, the tickets WeChat pushed to it, its
 * component tokens, pre-auth and authorization codes, and its authorizers with their refresh and
 * access tokens. Thread-safe: every method that touches state is {@code synchronized}; the
 * callback is pushed by the caller outside the lock, from the event a method returns.
 */
final class ComponentPlatform {

  /** The outcome of an endpoint: WeChat's answer fields, or its error. */
  static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient WeChatError error;

    Refused(WeChatError error) {
      super(error.errmsg(), null, false, false);
      this.error = error;
    }
  }

  /** An authorizer's grant: its refresh token (if its code was exchanged) and access tokens. */
  private static final class Authorizer {
    final String appId;
    Instant authTime;
    String refreshToken;
    final TokenChain tokens = new TokenChain();

    Authorizer(String appId) {
      this.appId = appId;
    }
  }

  private record Code(String authorizerAppId, Instant expiresAt) {
  }

  /** A merchant's (re-)authorization: the code it yields and the event that announces it. */
  record AuthorizationEvent(String code, String eventXml) {
    @Override
    public String toString() {
      return "AuthorizationEvent";
    }
  }

  /** An authorization's refresh and access token, as {@code api_query_auth} hands them out. */
  record Grant(String authorizerAppId, String accessToken, String refreshToken, long expiresIn) {
    @Override
    public String toString() {
      return "Grant[" + authorizerAppId + "]";
    }
  }

  static final Duration TICKET_LIFETIME = Duration.ofHours(12);
  static final Duration PUSH_INTERVAL = Duration.ofMinutes(10);
  static final Duration PRE_AUTH_CODE_LIFETIME = Duration.ofSeconds(600);
  static final Duration AUTH_CODE_LIFETIME = Duration.ofHours(1);

  private final String componentAppId;
  private final String secret;
  private final CallbackSealer sealer;
  private final Clock clock;
  private final Duration tokenLifetime;
  private final Duration overlap;
  private final RandomValues random = new RandomValues();
  private final Map<OpenPlatformSimulator.Endpoint, LongAdder> calls =
      new EnumMap<>(OpenPlatformSimulator.Endpoint.class);

  private URI callbackUrl;
  private boolean pushing = true;
  private boolean pushRequested;
  private Instant lastPush;
  private boolean ipBlocked;
  private final Map<String, Instant> tickets = new HashMap<>();
  private String latestTicket;
  private final TokenChain componentTokens = new TokenChain();
  private final Map<String, Instant> preAuthCodes = new HashMap<>();
  private final Map<String, Code> authCodes = new HashMap<>();
  private final Map<String, Authorizer> authorizers = new LinkedHashMap<>();
  private long ticketsIssued;
  private long componentTokensIssued;
  private long authorizerTokensIssued;

  ComponentPlatform(String componentAppId, String secret, String messageToken,
      String encodingAesKey, Clock clock, Duration tokenLifetime, Duration overlap) {
    this.componentAppId = componentAppId;
    this.secret = secret;
    this.sealer = new CallbackSealer(messageToken, encodingAesKey, componentAppId);
    this.clock = clock;
    this.tokenLifetime = tokenLifetime;
    this.overlap = overlap;
    for (OpenPlatformSimulator.Endpoint e : OpenPlatformSimulator.Endpoint.values()) {
      calls.put(e, new LongAdder());
    }
  }

  String componentAppId() {
    return componentAppId;
  }

  CallbackSealer sealer() {
    return sealer;
  }

  void recordCall(OpenPlatformSimulator.Endpoint endpoint) {
    calls.get(endpoint).increment();
  }

  long calls(OpenPlatformSimulator.Endpoint endpoint) {
    return calls.get(endpoint).sum();
  }

  synchronized void callbackUrl(URI url) {
    this.callbackUrl = url;
  }

  synchronized URI callbackUrl() {
    return callbackUrl;
  }

  synchronized void pushing(boolean on) {
    this.pushing = on;
  }

  synchronized void blockIp(boolean blocked) {
    this.ipBlocked = blocked;
  }

  // ---- tickets ----

  /**
   * @param force push even if not due (a test's explicit push)
   * @return the new ticket's event XML if a push is due now (pushing on, a callback URL set, ten
   *     minutes since the last push or a push requested), else {@code null}; the ticket is valid
   *     from now whether or not its delivery succeeds
   */
  synchronized String ticketPushIfDue(boolean force) {
    Instant now = clock.instant();
    boolean due = pushRequested || lastPush == null || !now.isBefore(lastPush.plus(PUSH_INTERVAL));
    if (callbackUrl == null || !(force || pushing && due)) {
      return null;
    }
    pushRequested = false;
    lastPush = now;
    tickets.values().removeIf(expiry -> !now.isBefore(expiry));
    String ticket = "ticket@@@" + random.next(86);
    tickets.put(ticket, now.plus(TICKET_LIFETIME));
    latestTicket = ticket;
    ticketsIssued++;
    return event(now, "component_verify_ticket",
        "<ComponentVerifyTicket><![CDATA[" + ticket + "]]></ComponentVerifyTicket>");
  }

  synchronized String latestTicket() {
    return latestTicket;
  }

  synchronized long ticketsIssued() {
    return ticketsIssued;
  }

  synchronized long componentTokensIssued() {
    return componentTokensIssued;
  }

  synchronized long authorizerTokensIssued() {
    return authorizerTokensIssued;
  }

  /** {@code api_start_push_ticket}: pushing resumes, and a push is due at once. */
  synchronized void startPushTicket(String givenSecret) {
    checkIp();
    checkSecret(givenSecret);
    pushing = true;
    pushRequested = true;
  }

  // ---- component token ----

  /** {@code api_component_token}: a new token for a valid ticket. */
  synchronized String componentToken(String givenSecret, String ticket) {
    checkIp();
    checkSecret(givenSecret);
    Instant now = clock.instant();
    Instant expiry = ticket == null ? null : tickets.get(ticket);
    if (expiry == null) {
      throw new Refused(OpenErrors.TICKET_INVALID);
    }
    if (!now.isBefore(expiry)) {
      throw new Refused(OpenErrors.TICKET_EXPIRED);
    }
    String token = random.next(96);
    componentTokens.issue(token, now, tokenLifetime, overlap);
    componentTokensIssued++;
    return token;
  }

  long tokenLifetimeSeconds() {
    return tokenLifetime.toSeconds();
  }

  // ---- authorization ----

  /** {@code api_create_preauthcode}. */
  synchronized String createPreAuthCode(String componentToken) {
    checkIp();
    checkComponentToken(componentToken);
    Instant now = clock.instant();
    preAuthCodes.values().removeIf(expiry -> !now.isBefore(expiry));
    String code = "preauthcode@@@" + random.next(64);
    preAuthCodes.put(code, now.plus(PRE_AUTH_CODE_LIFETIME));
    return code;
  }

  /**
   * A merchant authorizes (again): a new authorization code, the previous grant's refresh and
   * access tokens revoked on re-authorization, and the event to push.
   *
   * @param preAuthCode the pre-auth code the merchant came with, or {@code null} for none
   * @return the authorization code and the event XML
   * @throws IllegalArgumentException if the pre-auth code is unknown or expired
   */
  synchronized AuthorizationEvent authorize(String authorizerAppId, String preAuthCode) {
    Instant now = clock.instant();
    if (preAuthCode != null) {
      Instant expiry = preAuthCodes.remove(preAuthCode);
      if (expiry == null || !now.isBefore(expiry)) {
        throw new IllegalArgumentException("unknown or expired pre-auth code");
      }
    }
    Authorizer existing = authorizers.get(authorizerAppId);
    boolean update = existing != null;
    Authorizer authorizer = update ? existing : new Authorizer(authorizerAppId);
    if (update) {
      // Re-authorization replaces the grant: the old refresh and access tokens stop working.
      authorizer.refreshToken = null;
      authorizer.tokens.revokeAll();
    }
    authorizer.authTime = now;
    authorizers.put(authorizerAppId, authorizer);
    String code = "queryauthcode@@@" + random.next(64);
    Instant codeExpiry = now.plus(AUTH_CODE_LIFETIME);
    authCodes.put(code, new Code(authorizerAppId, codeExpiry));
    String event = event(now, update ? "updateauthorized" : "authorized",
        "<AuthorizerAppid><![CDATA[" + authorizerAppId + "]]></AuthorizerAppid>"
            + "<AuthorizationCode><![CDATA[" + code + "]]></AuthorizationCode>"
            + "<AuthorizationCodeExpiredTime>" + codeExpiry.getEpochSecond()
            + "</AuthorizationCodeExpiredTime>"
            + "<PreAuthCode><![CDATA[" + (preAuthCode == null ? "" : preAuthCode)
            + "]]></PreAuthCode>");
    return new AuthorizationEvent(code, event);
  }

  /**
   * A merchant withdraws the authorization: its tokens stop working at once.
   *
   * @return the event XML
   * @throws IllegalArgumentException if the authorizer is not authorized
   */
  synchronized String deauthorize(String authorizerAppId) {
    Authorizer authorizer = authorizers.remove(authorizerAppId);
    if (authorizer == null) {
      throw new IllegalArgumentException("not authorized: " + authorizerAppId);
    }
    authorizer.tokens.revokeAll();
    authCodes.values().removeIf(c -> c.authorizerAppId().equals(authorizerAppId));
    return event(clock.instant(), "unauthorized",
        "<AuthorizerAppid><![CDATA[" + authorizerAppId + "]]></AuthorizerAppid>");
  }

  /** {@code api_query_auth}: a code, once, for the authorizer's first token and its refresh token. */
  synchronized Grant queryAuth(String componentToken, String authorizationCode) {
    checkIp();
    checkComponentToken(componentToken);
    Code code = authorizationCode == null ? null : authCodes.remove(authorizationCode);
    if (code == null) {
      throw new Refused(OpenErrors.CODE_INVALID);
    }
    Instant now = clock.instant();
    if (!now.isBefore(code.expiresAt())) {
      throw new Refused(OpenErrors.CODE_EXPIRED);
    }
    Authorizer authorizer = authorizers.get(code.authorizerAppId());
    if (authorizer == null) {
      throw new Refused(OpenErrors.CODE_INVALID);
    }
    authorizer.refreshToken = "refreshtoken@@@" + random.next(64);
    String token = mintAuthorizerToken(authorizer, now);
    return new Grant(authorizer.appId, token, authorizer.refreshToken, tokenLifetime.toSeconds());
  }

  /** {@code api_authorizer_token}: a new access token for the authorizer's refresh token. */
  synchronized Grant authorizerToken(String componentToken, String authorizerAppId,
      String refreshToken) {
    checkIp();
    checkComponentToken(componentToken);
    Authorizer authorizer = authorizerAppId == null ? null : authorizers.get(authorizerAppId);
    if (authorizer == null) {
      throw new Refused(OpenErrors.NOT_AUTHORIZED);
    }
    if (authorizer.refreshToken == null || !authorizer.refreshToken.equals(refreshToken)) {
      throw new Refused(OpenErrors.REFRESH_TOKEN_INVALID);
    }
    String token = mintAuthorizerToken(authorizer, clock.instant());
    return new Grant(authorizer.appId, token, authorizer.refreshToken, tokenLifetime.toSeconds());
  }

  private String mintAuthorizerToken(Authorizer authorizer, Instant now) {
    String token = random.next(96);
    authorizer.tokens.issue(token, now, tokenLifetime, overlap);
    authorizerTokensIssued++;
    return token;
  }

  /** An authorizer as {@code api_get_authorizer_list} shows it; no refresh token if none yet. */
  record Listed(String authorizerAppId, String refreshToken, long authTime) {
    @Override
    public String toString() {
      return "Listed[" + authorizerAppId + "]";
    }
  }

  /** One page of {@code api_get_authorizer_list}, oldest authorization first. */
  synchronized List<Listed> authorizerPage(String componentToken, int offset, int count) {
    checkIp();
    checkComponentToken(componentToken);
    List<Authorizer> all = new ArrayList<>(authorizers.values());
    all.sort(Comparator.comparing((Authorizer a) -> a.authTime).thenComparing(a -> a.appId));
    List<Listed> page = new ArrayList<>();
    for (int i = offset; i < Math.min(all.size(), offset + count); i++) {
      Authorizer a = all.get(i);
      page.add(new Listed(a.appId, a.refreshToken, a.authTime.getEpochSecond()));
    }
    return page;
  }

  synchronized int authorizerCount() {
    return authorizers.size();
  }

  synchronized String refreshToken(String authorizerAppId) {
    Authorizer a = authorizers.get(authorizerAppId);
    return a == null ? null : a.refreshToken;
  }

  synchronized boolean isAuthorizerTokenValid(String token) {
    Instant now = clock.instant();
    return authorizers.values().stream()
        .anyMatch(a -> a.tokens.check(token, now) == TokenChain.Verdict.VALID);
  }

  synchronized boolean isComponentTokenValid(String token) {
    return componentTokens.check(token, clock.instant()) == TokenChain.Verdict.VALID;
  }

  // ---- checks ----

  private void checkIp() {
    if (ipBlocked) {
      throw new Refused(OpenErrors.CLIENT_IP_NOT_REGISTERED);
    }
  }

  private void checkSecret(String given) {
    if (given == null || given.isEmpty()) {
      throw new Refused(WeChatError.APPSECRET_MISSING);
    }
    if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
        secret.getBytes(StandardCharsets.UTF_8))) {
      throw new Refused(WeChatError.INVALID_APPSECRET);
    }
  }

  private void checkComponentToken(String token) {
    if (token == null || token.isEmpty()) {
      throw new Refused(WeChatError.ACCESS_TOKEN_MISSING);
    }
    switch (componentTokens.check(token, clock.instant())) {
      case VALID -> { }
      case EXPIRED -> throw new Refused(WeChatError.ACCESS_TOKEN_EXPIRED);
      default -> throw new Refused(WeChatError.INVALID_CREDENTIAL);
    }
  }

  private String event(Instant now, String infoType, String fields) {
    return "<xml><AppId><![CDATA[" + componentAppId + "]]></AppId><CreateTime>"
        + now.getEpochSecond() + "</CreateTime><InfoType><![CDATA[" + infoType
        + "]]></InfoType>" + fields + "</xml>";
  }
}
