package io.wxtoken.simulator;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * WeCom's token and ticket rules without HTTP: the corps and their secrets, the token and ticket
 * chains, trusted IPs, frequency limits, ticket caps and the failed-call block.
 *
 * <p>Where WeCom does not document the order of its checks the simulator uses this one: address
 * (failed-call block, then frequency), parameters, corp, corp frequency, secret or token, trusted
 * IP, ticket caps. Failed {@code gettoken} calls (any errcode but a frequency refusal) count
 * towards the caller's hourly block.
 *
 * <p>Thread-safe: registries are concurrent maps; a corp's rules run under the corp's monitor and
 * an address's under the address's.
 */
final class WeComRules {

  static final String AGENT_CONFIG = "agent_config";

  private final Clock clock;
  private final WeComSettings settings;
  private final WeComLedger ledger = new WeComLedger();
  private final ConcurrentMap<String, WeComCorp> corps = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, WeComCaller> callers = new ConcurrentHashMap<>();
  private final AtomicLong hints = new AtomicLong();

  WeComRules(Clock clock, WeComSettings settings) {
    this.clock = clock;
    this.settings = settings;
  }

  /** Adds a secret to a corp (creating the corp); {@code agentId} null for a secret that is no app's. */
  void register(String corpId, Integer agentId, String secret) {
    requireText(corpId, "corpId");
    requireText(secret, "secret");
    corps.computeIfAbsent(corpId, WeComCorp::new).add(agentId, secret);
  }

  /** @return the corp, or {@code null} if unknown (or {@code corpId} is null) */
  WeComCorp find(String corpId) {
    return corpId == null ? null : corps.get(corpId);
  }

  WeComCorp require(String corpId) {
    WeComCorp corp = find(corpId);
    if (corp == null) {
      throw new IllegalArgumentException("unknown corp: " + corpId);
    }
    return corp;
  }

  Collection<WeComCorp> corps() {
    return corps.values();
  }

  /** @return the corp a token was issued in (valid or not), or {@code null} if never issued */
  WeComCorp corpOfToken(String accessToken) {
    WeComIssued token = ledger.token(accessToken);
    return token == null ? null : token.corp();
  }

  /** @return whether the token is usable now */
  boolean isValid(String accessToken) {
    WeComIssued token = ledger.token(accessToken);
    return token != null && token.checkAt(clock.instant()) == null;
  }

  /** @return whether the ticket was issued here and is usable now */
  boolean isTicketValid(String ticket) {
    WeComIssued issued = ledger.ticket(ticket);
    return issued != null && issued.checkAt(clock.instant()) == null;
  }

  /** Invalidates a token early, as WeCom may; @return whether it was a token issued here */
  boolean invalidate(String accessToken) {
    WeComIssued token = ledger.token(accessToken);
    if (token == null) {
      return false;
    }
    token.revoke();
    return true;
  }

  /** {@code GET /cgi-bin/gettoken?corpid=&corpsecret=}: the same token while it is valid. */
  WeComReply gettoken(String corpId, String secret, String callerIp) {
    Instant now = clock.instant();
    WeComCaller caller = caller(callerIp);
    if (caller.isBlockedForFailures(now)
        || !caller.admit(WeComSimulator.Endpoint.GETTOKEN, now, settings)) {
      return error(WeComError.FREQUENCY_LIMIT, callerIp, now);
    }
    WeComReply reply = issueToken(corpId, secret, callerIp, now);
    if (!reply.isGrant() && reply.errcode() != WeComError.FREQUENCY_LIMIT.errcode()) {
      caller.recordFailure(now, settings.failedTokenCallsPerHour());
    }
    return reply;
  }

  /** {@code GET /cgi-bin/get_jsapi_ticket?access_token=}: the corp's ticket. */
  WeComReply jsapiTicket(String accessToken, String callerIp) {
    return ticket(WeComSimulator.Endpoint.JSAPI_TICKET, WeComTicketKind.CORP, accessToken, callerIp);
  }

  /** {@code GET /cgi-bin/ticket/get?access_token=&type=agent_config}: the app's ticket. */
  WeComReply agentTicket(String accessToken, String type, String callerIp) {
    if (!isBlank(accessToken) && !AGENT_CONFIG.equals(type)) {
      return error(WeComError.INVALID_PARAMETER, callerIp, clock.instant());
    }
    return ticket(WeComSimulator.Endpoint.AGENT_TICKET, WeComTicketKind.AGENT, accessToken, callerIp);
  }

  /**
   * {@code GET /cgi-bin/agent/get?access_token=&agentid=}: the check behind 301002, a token used
   * for another app than the one whose secret fetched it.
   *
   * @return {@code null} if the token may read the app, else the error
   */
  WeComReply checkAgent(String accessToken, String agentId, String callerIp) {
    Instant now = clock.instant();
    WeComReply refused = admitAddress(WeComSimulator.Endpoint.AGENT_GET, callerIp, now);
    if (refused != null) {
      return refused;
    }
    WeComError invalid = checkToken(accessToken, now);
    if (invalid != null) {
      return error(invalid, callerIp, now);
    }
    WeComIssued token = ledger.token(accessToken);
    WeComCorp corp = token.corp();
    synchronized (corp) {
      if (!corp.gate(WeComSimulator.Endpoint.AGENT_GET).admit(now, settings.corpMinuteLimit(),
          settings.corpHourLimit())) {
        return error(WeComError.FREQUENCY_LIMIT, callerIp, now);
      }
      if (!corp.trusts(callerIp)) {
        return error(WeComError.UNTRUSTED_IP, callerIp, now);
      }
    }
    if (agentId == null || !agentId.matches("[0-9]{1,9}")) {
      return error(WeComError.INVALID_AGENTID, callerIp, now);
    }
    Integer own = token.owner().agentId();
    if (own == null || own != Integer.parseInt(agentId)) {
      return error(WeComError.ANOTHER_AGENT, callerIp, now);
    }
    return null;
  }

  private WeComReply issueToken(String corpId, String secret, String callerIp, Instant now) {
    if (isBlank(corpId)) {
      return error(WeComError.CORPID_MISSING, callerIp, now);
    }
    if (isBlank(secret)) {
      return error(WeComError.CORPSECRET_MISSING, callerIp, now);
    }
    WeComCorp corp = corps.get(corpId);
    if (corp == null) {
      return error(WeComError.INVALID_CORPID, callerIp, now);
    }
    synchronized (corp) {
      if (!corp.gate(WeComSimulator.Endpoint.GETTOKEN).admit(now, settings.corpMinuteLimit(),
          settings.corpHourLimit())) {
        return error(WeComError.FREQUENCY_LIMIT, callerIp, now);
      }
      WeComCredential credential = corp.credential(secret);
      if (credential == null) {
        return error(WeComError.INVALID_SECRET, callerIp, now);
      }
      if (!corp.trusts(callerIp)) {
        return error(WeComError.UNTRUSTED_IP, callerIp, now);
      }
      WeComIssued token = credential.token();
      if (token == null || !token.isReusableAt(now)) {
        token = ledger.mintToken(corp, credential, now.plus(settings.tokenLifetime()));
        credential.token(token);
        corp.recordToken();
      }
      return WeComReply.grant("access_token", token.value(), token.remainingSeconds(now));
    }
  }

  private WeComReply ticket(WeComSimulator.Endpoint endpoint, WeComTicketKind kind,
      String accessToken, String callerIp) {
    Instant now = clock.instant();
    WeComReply refused = admitAddress(endpoint, callerIp, now);
    if (refused != null) {
      return refused;
    }
    WeComError invalid = checkToken(accessToken, now);
    if (invalid != null) {
      return error(invalid, callerIp, now);
    }
    WeComIssued token = ledger.token(accessToken);
    WeComCorp corp = token.corp();
    WeComCredential credential = token.owner();
    synchronized (corp) {
      if (!corp.gate(endpoint).admit(now, settings.corpMinuteLimit(), settings.corpHourLimit())) {
        return error(WeComError.FREQUENCY_LIMIT, callerIp, now);
      }
      if (!corp.trusts(callerIp)) {
        return error(WeComError.UNTRUSTED_IP, callerIp, now);
      }
      if (kind == WeComTicketKind.AGENT && credential.agentId() == null) {
        // The simulator's reading: an agent_config ticket needs an app's token.
        return error(WeComError.ANOTHER_AGENT, callerIp, now);
      }
      long hour = Math.floorDiv(now.getEpochSecond(), 3600);
      WindowCounter perCorp = corp.ticketsPerHour(kind);
      WindowCounter perApp = credential.ticketsPerHour(kind);
      if (!perCorp.hasRoom(hour, settings.corpTicketsPerHour())
          || !perApp.hasRoom(hour, settings.appTicketsPerHour())) {
        return error(WeComError.FREQUENCY_LIMIT, callerIp, now);
      }
      perCorp.add(hour);
      perApp.add(hour);
      WeComIssued ticket = kind == WeComTicketKind.CORP ? corp.jsapiTicket() : credential.agentTicket();
      if (ticket == null || !ticket.isReusableAt(now)) {
        ticket = ledger.mintTicket(corp, kind == WeComTicketKind.CORP ? null : credential,
            now.plus(settings.ticketLifetime()));
        if (kind == WeComTicketKind.CORP) {
          corp.jsapiTicket(ticket);
        } else {
          credential.agentTicket(ticket);
        }
        corp.recordTicket();
      }
      return WeComReply.grant("ticket", ticket.value(), ticket.remainingSeconds(now));
    }
  }

  private WeComReply admitAddress(WeComSimulator.Endpoint endpoint, String callerIp, Instant now) {
    return caller(callerIp).admit(endpoint, now, settings)
        ? null
        : error(WeComError.FREQUENCY_LIMIT, callerIp, now);
  }

  private WeComError checkToken(String accessToken, Instant now) {
    if (isBlank(accessToken)) {
      return WeComError.ACCESS_TOKEN_MISSING;
    }
    WeComIssued token = ledger.token(accessToken);
    return token == null ? WeComError.INVALID_ACCESS_TOKEN : token.checkAt(now);
  }

  private WeComCaller caller(String callerIp) {
    return callers.computeIfAbsent(callerIp, ip -> new WeComCaller());
  }

  private WeComReply error(WeComError error, String callerIp, Instant now) {
    return WeComReply.error(error, now.getEpochSecond() + "_" + hints.incrementAndGet(), callerIp);
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
