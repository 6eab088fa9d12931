package io.wxtoken.simulator;

/**
 * A successful ticket answer, {@code {"errcode":0,"errmsg":"ok","ticket":"...","expires_in":N}}.
 *
 * @param ticket the ticket handed out
 * @param expiresIn always the full ticket lifetime in seconds, as WeChat reports it, even when the
 *     ticket handed out is an older one with less time left
 */
record TicketGrant(String ticket, long expiresIn) implements TokenReply {
}
