/**
 * The embedded, default {@link io.wxtoken.token.TokenStore}: an H2 database file in a directory
 * ({@code --store file:DIR}), so a single server needs nothing else installed and keeps its tokens
 * across restarts.
 */
package io.wxtoken.store.h2;
