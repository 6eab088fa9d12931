package io.wxtoken.open;

import io.wxtoken.wechat.WeChatErrorException;
import io.wxtoken.wechat.WeChatUnreachableException;
import java.util.concurrent.CompletionException;

/**
 * What a failed Open Platform call means and what to do about it: whether retrying can help,
 * and otherwise who has to act. The errcodes are those of WeChat's {@code api_component_token},
 * {@code api_create_preauthcode}, {@code api_query_auth} and {@code api_authorizer_token} pages.
 */
public enum ComponentVerdict {
  /** No usable answer, or errcode -1 (system busy): retry with backoff. */
  TRANSIENT(true, "WeChat did not answer usably; retry with backoff"),
  /**
   * 40001, 40014, 42001: the component (or authorizer) token presented is invalid, replaced
   * elsewhere, or expired. Mint a new one, once (a guarded refresh), and try again.
   */
  TOKEN_REJECTED(false, "the token presented is invalid, replaced or expired; mint a new one once"),
  /**
   * 61023: the authorizer's refresh token is no longer valid (lost, or replaced by a
   * re-authorization). Only the merchant authorizing again fixes it; never retry in a loop.
   */
  NEEDS_REAUTHORIZATION(false,
      "the refresh token is invalid; the merchant must authorize the platform again"),
  /** 61003: the authorizer has not authorized this platform (or withdrew): stop serving it. */
  NOT_AUTHORIZED(false, "the authorizer has not authorized this platform"),
  /** 61004: this server's egress IP is not on the platform's whitelist. */
  IP_NOT_WHITELISTED(false,
      "add this server's egress IP to the platform's IP whitelist on the Open Platform"),
  /**
   * 61005: the ticket is older than its 12 h. Keep using the newest one held; ask for pushes with
   * {@code api_start_push_ticket} and check that the callback URL answers {@code success}.
   */
  TICKET_EXPIRED(false, "the component_verify_ticket expired; call api_start_push_ticket and"
      + " check that the callback URL receives pushes and answers success"),
  /** 61006: the ticket is not one WeChat pushed to this platform: wait for the next push. */
  TICKET_INVALID(false, "the component_verify_ticket is not this platform's; wait for a push"
      + " or call api_start_push_ticket"),
  /** 61009, 61010: the authorization code was used or expired: use the next authorization's. */
  CODE_REJECTED(false, "the authorization code is used or expired"),
  /** 40013, 40125, 41004, 61011: wrong component appid or secret: the operator must fix it. */
  BAD_CREDENTIAL(false, "the component appid or secret is wrong"),
  /** 45009: the daily quota is used up: wait for the next day, or clear the component quota. */
  QUOTA_EXCEEDED(false, "the daily quota is used up; wait, or clearComponentQuotaByAppSecret"),
  /** Any other errcode: final, no retry. */
  OTHER(false, "WeChat refused the call");

  private final boolean retryable;
  private final String advice;

  ComponentVerdict(boolean retryable, String advice) {
    this.retryable = retryable;
    this.advice = advice;
  }

  /** @return whether retrying the same call (with backoff) can help */
  public boolean retryable() {
    return retryable;
  }

  /** @return what to do, in a sentence for an operator */
  public String advice() {
    return advice;
  }

  /** @return the verdict on a WeChat errcode */
  public static ComponentVerdict of(int errcode) {
    return switch (errcode) {
      case -1 -> TRANSIENT;
      case 40001, 40014, 42001 -> TOKEN_REJECTED;
      case 61023 -> NEEDS_REAUTHORIZATION;
      case 61003 -> NOT_AUTHORIZED;
      case 61004 -> IP_NOT_WHITELISTED;
      case 61005 -> TICKET_EXPIRED;
      case 61006 -> TICKET_INVALID;
      case 61009, 61010 -> CODE_REJECTED;
      case 40013, 40125, 41004, 61011 -> BAD_CREDENTIAL;
      case 45009 -> QUOTA_EXCEEDED;
      default -> OTHER;
    };
  }

  /**
   * @param failure how a {@link ComponentClient} call failed (possibly wrapped in a
   *     {@link CompletionException})
   * @return its verdict; anything that is neither a WeChat errcode nor unreachability is
   *     {@link #OTHER}
   */
  public static ComponentVerdict of(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    if (cause instanceof WeChatUnreachableException) {
      return TRANSIENT;
    }
    if (cause instanceof WeChatErrorException e) {
      return of(e.errcode());
    }
    return OTHER;
  }
}
