/**
 * The Redis store, for running several wxtoken instances as one server: {@code RedisStore} keeps
 * the token records and is the instances' {@code Cluster} (leases, fenced writes, notices).
 */
package io.wxtoken.store.redis;
