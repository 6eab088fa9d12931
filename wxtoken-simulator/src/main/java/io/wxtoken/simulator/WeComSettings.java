package io.wxtoken.simulator;

import java.time.Duration;
import java.util.Objects;

/**
 * The protocol parameters of one {@link WeComSimulator}, fixed at start. Defaults are WeCom's
 * published numbers (research notes, "WeCom (企业微信) corp access_token").
 *
 * @param tokenLifetime lifetime of a new access token (WeCom: 7200 s)
 * @param ticketLifetime lifetime of a new jsapi or agent_config ticket (WeCom: 7200 s)
 * @param corpMinuteLimit calls per corp per API per clock minute (WeCom: 10,000); past it the
 *     corp is refused that API for 60 s
 * @param corpHourLimit calls per corp per API per clock hour (WeCom: 150,000); past it the corp
 *     is refused that API for an hour
 * @param ipMinuteLimit calls per caller address per API per clock minute (WeCom: 20,000)
 * @param ipHourLimit calls per caller address per API per clock hour (WeCom: 600,000)
 * @param failedTokenCallsPerHour failed {@code gettoken} calls from one address in a clock hour
 *     after which that address is refused {@code gettoken} for an hour (WeCom: about 2,000)
 * @param corpTicketsPerHour tickets of one kind a corp may fetch per clock hour (WeCom: 400)
 * @param appTicketsPerHour tickets of one kind one app (secret) may fetch per clock hour
 *     (WeCom: 100)
 */
record WeComSettings(
    Duration tokenLifetime,
    Duration ticketLifetime,
    int corpMinuteLimit,
    int corpHourLimit,
    int ipMinuteLimit,
    int ipHourLimit,
    int failedTokenCallsPerHour,
    int corpTicketsPerHour,
    int appTicketsPerHour) {

  WeComSettings {
    Objects.requireNonNull(tokenLifetime, "tokenLifetime");
    Objects.requireNonNull(ticketLifetime, "ticketLifetime");
    if (tokenLifetime.compareTo(Duration.ofSeconds(1)) < 0
        || ticketLifetime.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("token and ticket lifetimes must be at least 1 s");
    }
    int[] limits = {corpMinuteLimit, corpHourLimit, ipMinuteLimit, ipHourLimit,
        failedTokenCallsPerHour, corpTicketsPerHour, appTicketsPerHour};
    for (int limit : limits) {
      if (limit < 0) {
        throw new IllegalArgumentException("limits must not be negative: " + limit);
      }
    }
  }
}
