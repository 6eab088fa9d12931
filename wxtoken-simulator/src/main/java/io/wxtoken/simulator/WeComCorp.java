package io.wxtoken.simulator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * Everything WeCom keeps about one corp: its secrets, its trusted IPs, its frequency gates per
 * API, its jsapi ticket and ticket caps, and the simulator's counters for it.
 *
 * <p>Thread-safe: the rules run under this object's monitor (see {@link WeComRules}); counters
 * are {@link LongAdder}s and the trusted IPs a volatile immutable set, readable without it.
 */
final class WeComCorp {

  private final String corpId;
  private volatile Set<String> trustedIps;

  // Guarded by this.
  private final List<WeComCredential> credentials = new ArrayList<>();
  private final Map<WeComSimulator.Endpoint, FrequencyGate> gates =
      new EnumMap<>(WeComSimulator.Endpoint.class);
  private final Map<WeComTicketKind, WindowCounter> ticketsPerHour = new EnumMap<>(WeComTicketKind.class);
  private WeComIssued jsapiTicket;

  private final Map<WeComSimulator.Endpoint, LongAdder> calls =
      new EnumMap<>(WeComSimulator.Endpoint.class);
  private final LongAdder tokensIssued = new LongAdder();
  private final LongAdder ticketsIssued = new LongAdder();

  WeComCorp(String corpId) {
    this.corpId = corpId;
    for (WeComSimulator.Endpoint e : WeComSimulator.Endpoint.values()) {
      gates.put(e, new FrequencyGate());
      calls.put(e, new LongAdder());
    }
    for (WeComTicketKind kind : WeComTicketKind.values()) {
      ticketsPerHour.put(kind, new WindowCounter());
    }
  }

  String corpId() {
    return corpId;
  }

  /** Adds a secret; a secret already known is left as it is. */
  synchronized void add(Integer agentId, String secret) {
    if (credential(secret) == null) {
      credentials.add(new WeComCredential(agentId, secret));
    }
  }

  /** @return the credential whose secret is {@code presented}, or {@code null}; constant time per secret */
  synchronized WeComCredential credential(String presented) {
    byte[] bytes = presented.getBytes(StandardCharsets.UTF_8);
    WeComCredential found = null;
    for (WeComCredential c : credentials) {
      if (c.matches(bytes)) {
        found = c;
      }
    }
    return found;
  }

  /** @param ips the trusted addresses, or {@code null} to trust every address */
  void trustedIps(Set<String> ips) {
    trustedIps = ips == null ? null : Set.copyOf(ips);
  }

  boolean trusts(String callerIp) {
    Set<String> ips = trustedIps;
    return ips == null || ips.contains(callerIp);
  }

  FrequencyGate gate(WeComSimulator.Endpoint endpoint) {
    return gates.get(endpoint);
  }

  WindowCounter ticketsPerHour(WeComTicketKind kind) {
    return ticketsPerHour.get(kind);
  }

  WeComIssued jsapiTicket() {
    return jsapiTicket;
  }

  void jsapiTicket(WeComIssued value) {
    jsapiTicket = value;
  }

  void recordCall(WeComSimulator.Endpoint endpoint) {
    calls.get(endpoint).increment();
  }

  long calls(WeComSimulator.Endpoint endpoint) {
    return calls.get(endpoint).sum();
  }

  void recordToken() {
    tokensIssued.increment();
  }

  long tokensIssued() {
    return tokensIssued.sum();
  }

  void recordTicket() {
    ticketsIssued.increment();
  }

  long ticketsIssued() {
    return ticketsIssued.sum();
  }

  void resetCounters() {
    calls.values().forEach(LongAdder::reset);
    tokensIssued.reset();
    ticketsIssued.reset();
  }
}
