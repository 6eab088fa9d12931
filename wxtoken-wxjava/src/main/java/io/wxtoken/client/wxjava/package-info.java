/**
 * WxJava adapters: {@link io.wxtoken.client.wxjava.WxTokenMpConfigStorage} (official accounts,
 * {@code weixin-java-mp}) and {@link io.wxtoken.client.wxjava.WxTokenMaConfig} (mini programs,
 * {@code weixin-java-miniapp}) take the access token from an {@link
 * io.wxtoken.client.AccessTokenProvider} instead of fetching it, and turn WxJava's reaction to
 * 40001/42001 into wxtoken's guarded refresh. WxJava itself is a provided dependency: bring your
 * own (tested with 4.8.2).
 */
package io.wxtoken.client.wxjava;
