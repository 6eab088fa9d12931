package io.wxtoken.open;

import java.time.Duration;
import java.util.Objects;

/**
 * An authorizer's access token and the refresh token that mints the next one, from
 * {@code api_query_auth} (the only time the refresh token is handed out) or
 * {@code api_authorizer_token}.
 *
 * @param authorizerAppId the merchant's appid
 * @param accessToken the {@code authorizer_access_token}; left out of {@link #toString()}
 * @param expiresIn its lifetime as stated by WeChat (normally 7200 s)
 * @param refreshToken the {@code authorizer_refresh_token}, to be kept durably; left out of
 *     {@link #toString()}
 */
public record AuthorizerGrant(String authorizerAppId, String accessToken, Duration expiresIn,
    String refreshToken) {
  public AuthorizerGrant {
    Objects.requireNonNull(authorizerAppId, "authorizerAppId");
    Objects.requireNonNull(accessToken, "accessToken");
    Objects.requireNonNull(expiresIn, "expiresIn");
    Objects.requireNonNull(refreshToken, "refreshToken");
  }

  @Override
  public String toString() {
    return "AuthorizerGrant[authorizerAppId=" + authorizerAppId + ", expiresIn=" + expiresIn + "]";
  }
}
