/**
 * Test support shared through wxtoken-client's test jar: {@link
 * io.wxtoken.client.testing.LiveServer} (real wxtoken servers and the WeChat simulator on
 * loopback) and {@link io.wxtoken.client.testing.CountingProxy} (counts what reaches the network).
 */
package io.wxtoken.client.testing;
