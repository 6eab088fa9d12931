package io.wxtoken.simulator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.EnumMap;
import java.util.Map;

/**
 * One secret of a corp: an app's secret (with its agentid) or a secret that is no app's (通讯录同步,
 * 客户联系). Each secret has its own token ("每个应用有独立的secret, 获取到的access_token只能本应用使用")
 * and, for an app, its own agent_config ticket.
 *
 * <p>Not thread-safe: guarded by the owning {@link WeComCorp}'s lock (the secret and agentid are
 * final).
 */
final class WeComCredential {

  private final Integer agentId;
  private final byte[] secret;
  private WeComIssued token;
  private WeComIssued agentTicket;
  private final Map<WeComTicketKind, WindowCounter> ticketsPerHour = new EnumMap<>(WeComTicketKind.class);

  WeComCredential(Integer agentId, String secret) {
    this.agentId = agentId;
    this.secret = secret.getBytes(StandardCharsets.UTF_8);
    for (WeComTicketKind kind : WeComTicketKind.values()) {
      ticketsPerHour.put(kind, new WindowCounter());
    }
  }

  /** @return the app's agentid, or {@code null} for a secret that is no app's */
  Integer agentId() {
    return agentId;
  }

  /** Constant-time: the simulator should not model a timing oracle either. */
  boolean matches(byte[] presented) {
    return MessageDigest.isEqual(secret, presented);
  }

  WeComIssued token() {
    return token;
  }

  void token(WeComIssued value) {
    token = value;
  }

  WeComIssued agentTicket() {
    return agentTicket;
  }

  void agentTicket(WeComIssued value) {
    agentTicket = value;
  }

  WindowCounter ticketsPerHour(WeComTicketKind kind) {
    return ticketsPerHour.get(kind);
  }
}
