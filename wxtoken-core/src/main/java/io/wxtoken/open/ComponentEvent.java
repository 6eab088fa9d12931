package io.wxtoken.open;

import java.time.Instant;
import java.util.Objects;

/**
 * One decrypted event pushed to a platform's authorization-event URL (授权事件接收URL), by its
 * {@code InfoType}. Every event names the platform ({@code AppId}, the component appid) and when
 * WeChat created it ({@code CreateTime}).
 *
 * <p>Tickets and authorization codes are credentials: the records' {@code toString()} leaves them
 * out.
 */
public sealed interface ComponentEvent {
  /** @return the component appid the event is for */
  String componentAppId();

  /** @return when WeChat created the event */
  Instant createTime();

  /**
   * {@code component_verify_ticket}: the ticket that mints component tokens, pushed every ten
   * minutes and valid for twelve hours.
   *
   * @param ticket {@code ComponentVerifyTicket}
   */
  record VerifyTicket(String componentAppId, Instant createTime, String ticket)
      implements ComponentEvent {
    public VerifyTicket {
      Objects.requireNonNull(componentAppId, "componentAppId");
      Objects.requireNonNull(createTime, "createTime");
      Objects.requireNonNull(ticket, "ticket");
    }

    @Override
    public String toString() {
      return "VerifyTicket[componentAppId=" + componentAppId + ", createTime=" + createTime + "]";
    }
  }

  /**
   * {@code authorized} (a merchant authorized the platform) or {@code updateauthorized} (it changed
   * the permissions it granted; the refresh token changes too): the code must be exchanged through
   * {@code api_query_auth} at once.
   *
   * @param authorizerAppId {@code AuthorizerAppid}, the merchant's appid
   * @param authorizationCode {@code AuthorizationCode}
   * @param codeExpiresAt {@code AuthorizationCodeExpiredTime}
   * @param preAuthCode {@code PreAuthCode}, the pre-auth code the merchant authorized with, or
   *     empty if WeChat sent none
   * @param update whether this was {@code updateauthorized}
   */
  record Authorized(String componentAppId, Instant createTime, String authorizerAppId,
      String authorizationCode, Instant codeExpiresAt, String preAuthCode, boolean update)
      implements ComponentEvent {
    public Authorized {
      Objects.requireNonNull(componentAppId, "componentAppId");
      Objects.requireNonNull(createTime, "createTime");
      Objects.requireNonNull(authorizerAppId, "authorizerAppId");
      Objects.requireNonNull(authorizationCode, "authorizationCode");
      Objects.requireNonNull(codeExpiresAt, "codeExpiresAt");
      Objects.requireNonNull(preAuthCode, "preAuthCode");
    }

    @Override
    public String toString() {
      return "Authorized[componentAppId=" + componentAppId + ", createTime=" + createTime
          + ", authorizerAppId=" + authorizerAppId + ", codeExpiresAt=" + codeExpiresAt
          + ", update=" + update + "]";
    }
  }

  /**
   * {@code unauthorized}: the merchant withdrew the authorization; its tokens are dead.
   *
   * @param authorizerAppId {@code AuthorizerAppid}
   */
  record Unauthorized(String componentAppId, Instant createTime, String authorizerAppId)
      implements ComponentEvent {
    public Unauthorized {
      Objects.requireNonNull(componentAppId, "componentAppId");
      Objects.requireNonNull(createTime, "createTime");
      Objects.requireNonNull(authorizerAppId, "authorizerAppId");
    }
  }

  /**
   * Any other {@code InfoType} (WeChat pushes more kinds to the same URL, e.g. fast registration
   * results): verified and decrypted, to be acknowledged and ignored.
   *
   * @param infoType the {@code InfoType} as sent
   */
  record Other(String componentAppId, Instant createTime, String infoType)
      implements ComponentEvent {
    public Other {
      Objects.requireNonNull(componentAppId, "componentAppId");
      Objects.requireNonNull(createTime, "createTime");
      Objects.requireNonNull(infoType, "infoType");
    }
  }
}
