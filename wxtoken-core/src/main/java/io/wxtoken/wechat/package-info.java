/**
 * The client side of WeChat's token and ticket APIs: one HTTP call to
 * {@code /cgi-bin/stable_token}, {@code /cgi-bin/token} or {@code /cgi-bin/ticket/getticket}, its
 * timeouts, and the classification of what came back (a token or ticket, an {@code errcode}
 * WeChat answered with, or no usable answer at all).
 *
 * <p>Nothing here caches, retries or decides when to call: that is the token engine's job
 * ({@code io.wxtoken.token}).
 */
package io.wxtoken.wechat;
