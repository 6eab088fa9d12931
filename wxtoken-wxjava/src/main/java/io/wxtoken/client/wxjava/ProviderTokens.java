package io.wxtoken.client.wxjava;

import io.wxtoken.client.AccessTokenProvider;
import io.wxtoken.client.WxTokenException;
import java.util.Objects;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The token side of a WxJava config storage, backed by an {@link AccessTokenProvider}: shared by
 * the official-account and mini-program storages.
 *
 * <p>WxJava handles a 40001/42001 by reading the storage's token and, if it is still the one that
 * failed, calling {@code expireAccessToken()} on the same thread ({@code executeInternal}). That
 * call carries no token, so the token each thread last read is remembered here: the provider is
 * then told exactly which token failed, and a token already replaced (by a refresh that landed in
 * between) is never reported.
 *
 * <p>Thread-safe.
 */
final class ProviderTokens {
  private static final Logger LOG = Logger.getLogger(ProviderTokens.class.getName());

  private final AccessTokenProvider provider;
  private final ThreadLocal<String> lastRead = new ThreadLocal<>();

  ProviderTokens(AccessTokenProvider provider) {
    this.provider = Objects.requireNonNull(provider, "provider");
  }

  String appId() {
    return provider.appId();
  }

  /** The provider's token, remembered as this thread's last read. */
  String get() {
    String token = provider.currentToken();
    lastRead.set(token);
    return token;
  }

  /**
   * Reports the token this thread last read (or, if it read none, the provider's current one) as
   * refused by WeChat. A refresh the server refuses (its forced-refresh limit) is logged, not
   * thrown: WxJava then retries with the held token and reports WeChat's error to its caller.
   */
  void expire() {
    String token = lastRead.get();
    lastRead.remove();
    try {
      provider.reportInvalid(token != null ? token : provider.currentToken());
    } catch (WxTokenException e) {
      LOG.log(Level.WARNING, "wxtoken: could not replace the token of appId {0}: {1}",
          new Object[] {provider.appId(), e.getMessage()});
    }
  }

  /** When the held token expires, epoch milliseconds. */
  long expiresAtMillis() {
    return provider.current().expiresAt().toEpochMilli();
  }
}
