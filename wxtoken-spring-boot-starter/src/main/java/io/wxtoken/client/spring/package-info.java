/**
 * Spring Boot auto-configuration for wxtoken-client ({@link
 * io.wxtoken.client.spring.WxTokenAutoConfiguration}): a {@link io.wxtoken.client.WxTokenClient}
 * and {@link io.wxtoken.client.AccessTokenProvider} beans from the {@code wxtoken.*} properties
 * ({@link io.wxtoken.client.spring.WxTokenProperties}). Compiled against Spring Boot 2.7 (Java 8)
 * and read by 2.7, 3.x and 4.x alike (tested on each); Spring Boot itself is the application's.
 */
package io.wxtoken.client.spring;
