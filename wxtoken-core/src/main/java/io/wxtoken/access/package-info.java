/**
 * Caller keys: credentials an operator issues to each calling service, so services get tokens
 * without holding the AppSecret. {@link io.wxtoken.access.AccessControl} issues, rotates, disables
 * and revokes them and checks a presented key against its scope (apps, operations, CIDR ranges,
 * expiry, rate); {@link io.wxtoken.access.KeyStore} is where they are kept (as keyed hashes only).
 */
package io.wxtoken.access;
