/**
 * The token engine: which token a caller gets, when WeChat is asked for a new one, and who may
 * see it.
 *
 * <p>{@link io.wxtoken.token.TokenService} is the entry point. It keeps every known app's current
 * {@link io.wxtoken.token.AppRecord} in memory, serves hits without I/O, coalesces concurrent
 * misses into one upstream call per app, and persists each new token through the
 * {@link io.wxtoken.token.TokenStore} contract before handing it out. Callers prove they may
 * read an app's token with its AppSecret, checked against a keyed hash
 * ({@link io.wxtoken.token.SecretHasher}); the plaintext secret is never kept.
 */
package io.wxtoken.token;
