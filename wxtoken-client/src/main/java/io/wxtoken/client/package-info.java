/**
 * Java client for a wxtoken server (Java 8 or newer; the JDK and jackson-core at run time).
 *
 * <ul>
 *   <li>{@link io.wxtoken.client.WxTokenClient}: the HTTP API, Authing-shaped
 *       ({@code getWechatAccessToken(dto)} and the server's other calls), with timeouts, bounded
 *       retries and failover between server URLs.
 *   <li>{@link io.wxtoken.client.AccessTokenProvider}: one app's token in memory, replaced before
 *       it expires, one fetch at a time, and {@code reportInvalid} for tokens WeChat refused.
 *   <li>{@link io.wxtoken.client.WxTokenException} and its subclasses: every failure, with the
 *       server's {@code statusCode}, {@code apiCode} and {@code requestId}.
 * </ul>
 *
 * <p>Everything public here is thread-safe unless its Javadoc says otherwise (the builders). No
 * message, log line or {@code toString()} contains an appSecret or a token.
 */
package io.wxtoken.client;
