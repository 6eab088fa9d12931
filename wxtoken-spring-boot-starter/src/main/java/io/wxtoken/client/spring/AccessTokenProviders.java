package io.wxtoken.client.spring;

import io.wxtoken.client.AccessTokenProvider;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@link AccessTokenProvider} of every app under {@code wxtoken.apps}, by AppId: the bean to
 * inject when the application serves several apps. Closing it (Spring does, with the context)
 * closes every provider.
 *
 * <p>Immutable after construction and thread-safe.
 */
public final class AccessTokenProviders implements AutoCloseable {
  private final Map<String, AccessTokenProvider> byAppId;

  /**
   * @param providers the providers, each under its own AppId
   * @throws IllegalArgumentException if two providers serve the same AppId
   */
  public AccessTokenProviders(Iterable<AccessTokenProvider> providers) {
    Map<String, AccessTokenProvider> map = new LinkedHashMap<>();
    for (AccessTokenProvider provider : providers) {
      if (map.put(provider.appId(), provider) != null) {
        throw new IllegalArgumentException("wxtoken.apps names appId " + provider.appId()
            + " twice; each app needs one provider, or the single flight is lost");
      }
    }
    this.byAppId = Collections.unmodifiableMap(map);
  }

  /**
   * @param appId a configured AppId
   * @return its provider
   * @throws IllegalArgumentException if the AppId is not under {@code wxtoken.apps}
   */
  public AccessTokenProvider get(String appId) {
    AccessTokenProvider provider = byAppId.get(appId);
    if (provider == null) {
      throw new IllegalArgumentException("no wxtoken.apps entry for appId " + appId
          + "; configured: " + byAppId.keySet());
    }
    return provider;
  }

  /**
   * @return every provider by AppId, in configuration order (unmodifiable)
   */
  public Map<String, AccessTokenProvider> asMap() {
    return byAppId;
  }

  @Override
  public void close() {
    for (AccessTokenProvider provider : byAppId.values()) {
      provider.close();
    }
  }

  @Override
  public String toString() {
    return "AccessTokenProviders" + byAppId.keySet();
  }
}
