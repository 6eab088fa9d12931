/**
 * An embeddable, faithful simulator of WeChat's access-token API (and the API tickets obtained
 * with a token), for tests, demos and load runs.
 *
 * <p>{@link io.wxtoken.simulator.WeChatSimulator} serves, over real HTTP on a loopback address:
 * <ul>
 *   <li>{@code GET /cgi-bin/token}: the classic endpoint; every call mints a new token and the
 *       previous one survives only for the overlap (5 min by default);</li>
 *   <li>{@code POST /cgi-bin/stable_token}: the stable endpoint, a separate token chain with
 *       normal and {@code force_refresh} modes and their limits;</li>
 *   <li>{@code GET /cgi-bin/getcallbackip}: used as the "is this token valid?" probe
 *       (42001 expired, 40001 replaced or unknown);</li>
 *   <li>{@code GET /cgi-bin/ticket/getticket}: jsapi and wx_card tickets per app, obtained with a
 *       valid token (same token checks as {@code getcallbackip}); a ticket is reused until the
 *       last overlap of its lifetime, and {@code expires_in} is always the full lifetime;</li>
 *   <li>{@code /sim/*}: control endpoints for out-of-process users.</li>
 * </ul>
 *
 * <p>All protocol time (expiry, overlap, quota days in Beijing time, the 30 s force-refresh spacing)
 * comes from an injected {@link java.time.Clock}, typically a {@link io.wxtoken.simulator.ManualClock};
 * only injected latency and hang faults sleep in real time. {@link io.wxtoken.simulator.Faults} adds
 * reproducible (seeded) failures to the two token endpoints and the ticket endpoint.
 *
 * <p>{@link io.wxtoken.simulator.WeComSimulator} serves WeCom (企业微信) on a listener of its own,
 * since WeCom shares WeChat's {@code /cgi-bin/} paths: {@code gettoken} per (corp, secret), the
 * corp's {@code get_jsapi_ticket} and the app's {@code ticket/get?type=agent_config}, with WeCom's
 * trusted IPs, frequency limits, failed-call block and hourly ticket caps.
 */
package io.wxtoken.simulator;
