package io.wxtoken.open;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of {@code api_get_authorizer_list}: the platform's authorizers with their refresh
 * tokens, for recovering refresh tokens lost locally.
 *
 * @param totalCount how many authorizers the platform has in all
 * @param authorizers this page's authorizers (at most 500)
 */
public record AuthorizerPage(int totalCount, List<Listing> authorizers) {
  public AuthorizerPage {
    authorizers = List.copyOf(authorizers);
  }

  /**
   * One authorizer on the list.
   *
   * @param authorizerAppId the merchant's appid
   * @param refreshToken its refresh token, absent when WeChat lists none (an authorization whose
   *     code was never exchanged); left out of {@link #toString()}
   * @param authTime when it authorized
   */
  public record Listing(String authorizerAppId, Optional<String> refreshToken, Instant authTime) {
    public Listing {
      Objects.requireNonNull(authorizerAppId, "authorizerAppId");
      Objects.requireNonNull(refreshToken, "refreshToken");
      Objects.requireNonNull(authTime, "authTime");
    }

    @Override
    public String toString() {
      return "Listing[authorizerAppId=" + authorizerAppId + ", hasRefreshToken="
          + refreshToken.isPresent() + ", authTime=" + authTime + "]";
    }
  }
}
