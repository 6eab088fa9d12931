package io.wxtoken.wecom;

import io.wxtoken.wechat.WeChatErrorException;
import io.wxtoken.wechat.WeChatUnreachableException;
import java.util.Set;
import java.util.concurrent.CompletionException;

/**
 * What a failed WeCom call means for the caller, from the research notes and WeCom's errcode
 * list: whether retrying can help, whether the credential itself was refused, or whether the
 * access token used is no longer valid. This is the table the engine consults for the WeCom kinds;
 * it never retries a verdict in a loop, since failed calls count towards WeCom's hourly block.
 *
 * <p>Immutable and thread-safe.
 */
public enum WeComFailure {
  /**
   * Retrying with backoff can help: no usable answer ({@link WeChatUnreachableException}) or
   * errcode -1 (system busy).
   */
  TRANSIENT,
  /**
   * A verdict on the credential or on this server, which retrying cannot change: 40001 wrong
   * secret (40091 malformed secret), 40013 unknown corpid, 41002/41004 corpid or secret missing,
   * 60020 this server's address is not among the corp's trusted IPs, 301002 a token used for
   * another app (secrets mixed up), 48002 API not allowed for this secret. Stop, remember it, and
   * wait for a caller with a different secret (or an operator).
   */
  VERDICT,
  /**
   * The access token carried by a ticket call is no longer valid: 40014 (invalid: replaced,
   * invalidated early by WeCom, or never issued) or 42001 (expired). Refresh the token through the
   * guarded refresh and try once more, never in a loop.
   */
  STALE_TOKEN,
  /**
   * A frequency limit or cap: 45009 (WeCom then refuses for 60 s or an hour), 45011, 45033
   * (concurrency). Retrying soon only extends the block: wait.
   */
  RATE_LIMITED,
  /** Any other errcode (e.g. 40058 a bad parameter): final for this call, not retried. */
  OTHER;

  private static final Set<Integer> VERDICTS =
      Set.of(40001, 40013, 40091, 41002, 41004, 48002, 60020, 301002);
  private static final Set<Integer> STALE = Set.of(40014, 42001);
  private static final Set<Integer> RATE_LIMITS = Set.of(45009, 45011, 45033);

  /**
   * @param errcode an errcode WeCom answered (not 0)
   * @return what it means
   */
  public static WeComFailure of(int errcode) {
    if (errcode == -1) {
      return TRANSIENT;
    }
    if (VERDICTS.contains(errcode)) {
      return VERDICT;
    }
    if (STALE.contains(errcode)) {
      return STALE_TOKEN;
    }
    return RATE_LIMITS.contains(errcode) ? RATE_LIMITED : OTHER;
  }

  /**
   * @param failure what a {@link WeComClient} future failed with, possibly wrapped in a
   *     {@link CompletionException}
   * @return what it means; {@link #OTHER} for anything the client does not throw
   */
  public static WeComFailure of(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
    if (cause instanceof WeChatUnreachableException) {
      return TRANSIENT;
    }
    return cause instanceof WeChatErrorException e ? of(e.errcode()) : OTHER;
  }

  /** @return whether retrying the same call with backoff can help ({@link #TRANSIENT} only) */
  public boolean isRetryable() {
    return this == TRANSIENT;
  }
}
