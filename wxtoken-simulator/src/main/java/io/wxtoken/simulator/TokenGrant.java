package io.wxtoken.simulator;

/**
 * A successful token answer, {@code {"access_token":"...","expires_in":N}}.
 *
 * @param accessToken the token handed out
 * @param expiresIn whole seconds the token has left, as WeChat reports it
 */
record TokenGrant(String accessToken, long expiresIn) implements TokenReply {
}
