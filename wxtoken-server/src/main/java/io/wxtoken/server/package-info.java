/**
 * Assembles a running wxtoken server from its {@link io.wxtoken.server.ServerConfig}: the store,
 * the secret-hash key, the WeChat client, the token engine and the HTTP API, and tears them down
 * in the reverse order. This is the one place that knows how the pieces fit.
 */
package io.wxtoken.server;
