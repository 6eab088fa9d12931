package io.wxtoken.token;

import java.time.Instant;

/**
 * What an operator needs to know about one app, for the admin view. A snapshot; never contains
 * the secret or the token.
 *
 * @param appId WeChat AppId
 * @param tokenExpiresAt when the current token expires
 * @param lastRefreshAt when the current token was fetched
 * @param nextRefreshAt when the scheduler will refresh it, or null (verify-only, or stopped)
 * @param generation how many times the app's record has changed (new token, new expiry, new secret)
 * @param secretStored whether the secret is kept (sealed) for proactive refresh
 * @param lastErrcode WeChat's errcode of the last failure, 0 if it had none, null if no failure
 * @param lastError the last failure's message, or null
 * @param lastErrorAt when it happened, or null
 * @param stoppedErrcode errcode that stopped proactive refresh until a caller brings a secret
 *     WeChat accepts (wrong secret, unknown appid, IP not whitelisted, frozen secret), or null
 * @param breaker CLOSED, OPEN or HALF_OPEN
 * @param callsToday WeChat token calls on this WeChat day (Beijing time)
 * @param forcedToday forced refreshes on this WeChat day
 * @param dailyLimit the daily call limit the server keeps to
 */
public record AppStatus(
    String appId,
    Instant tokenExpiresAt,
    Instant lastRefreshAt,
    Instant nextRefreshAt,
    long generation,
    boolean secretStored,
    Integer lastErrcode,
    String lastError,
    Instant lastErrorAt,
    Integer stoppedErrcode,
    String breaker,
    int callsToday,
    int forcedToday,
    int dailyLimit) {}
