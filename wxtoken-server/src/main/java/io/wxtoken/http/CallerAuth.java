package io.wxtoken.http;

import io.wxtoken.access.AccessControl;
import io.wxtoken.access.CallerAuthMode;
import io.wxtoken.access.Operation;
import io.wxtoken.access.Refusal;
import io.wxtoken.access.Verdict;
import io.wxtoken.audit.AuditLog;
import io.wxtoken.metrics.KeyMetrics;
import io.wxtoken.token.AccessToken;
import io.wxtoken.token.AppRecord;
import io.wxtoken.token.Resilience;
import io.wxtoken.token.TokenException;
import io.wxtoken.token.TokenService;
import io.wxtoken.token.Verifier;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * Who a caller is and what it may do, for the request path: decides whether a credential goes the
 * caller-key way ({@link #takes}), checks keys ({@link #authenticate}), and writes the audit
 * records of what callers do (secret checks and rotations, forced refreshes, refusals). The HTTP
 * handlers call it at a few isolated points; everything about keys lives here.
 *
 * <p>Thread-safe. {@link #takes} and an accepted {@link #authenticate} never block or allocate
 * beyond the address string.
 */
public final class CallerAuth {
  private final CallerAuthMode mode;
  private final boolean keysOnly;
  private final boolean keys;
  private final AccessControl access;
  private final TokenService tokens;
  private final AuditLog audit;
  private final KeyMetrics metrics;

  /**
   * @param access the caller keys, or null when {@code mode} accepts none
   */
  public CallerAuth(CallerAuthMode mode, AccessControl access, TokenService tokens, AuditLog audit,
      KeyMetrics metrics) {
    if (mode.acceptsKeys() && access == null) {
      throw new IllegalArgumentException("caller keys need an AccessControl");
    }
    this.mode = mode;
    this.keysOnly = !mode.acceptsSecrets();
    this.keys = mode.acceptsKeys();
    this.access = access;
    this.tokens = tokens;
    this.audit = audit;
    this.metrics = metrics;
  }

  /** Today's behaviour: AppSecrets only, nothing audited. */
  static CallerAuth secretsOnly(TokenService tokens, KeyMetrics metrics) {
    return new CallerAuth(CallerAuthMode.SECRET, null, tokens, AuditLog.OFF, metrics);
  }

  /** The mode. */
  public CallerAuthMode mode() {
    return mode;
  }

  /** The audit log the handlers record admin actions in. */
  AuditLog audit() {
    return audit;
  }

  /** The caller keys, or null when keys are off. */
  AccessControl access() {
    return access;
  }

  /**
   * Whether {@code credential} (what the caller put where the AppSecret goes) takes the key path:
   * it looks like a key and keys are on, or secrets are off (then {@link #authenticate} refuses
   * a secret). False means today's secret path, unchanged.
   */
  boolean takes(String credential) {
    return keys && (keysOnly || AccessControl.isKey(credential));
  }

  /**
   * The caller key in an {@code Authorization: Bearer} header, if keys are on and it holds one;
   * else null. Looked at only when a body has no appSecret.
   */
  String bearerKey(String authorization) {
    if (!keys || authorization == null || authorization.length() < 8
        || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String key = authorization.substring(7).trim();
    return AccessControl.isKey(key) ? key : null;
  }

  /**
   * Checks a credential that {@link #takes} the key path, counts it per key, and audits a refusal.
   */
  Verdict authenticate(String credential, String appId, Operation operation, String address,
      String requestId) {
    if (!AccessControl.isKey(credential)) {
      Verdict refused = new Verdict(null, Refusal.SECRET_NOT_ACCEPTED, "this server accepts caller"
          + " keys only (wxk_…), not AppSecrets: ask its operator for a key");
      audit.record("secret.refused", appId, "address:" + address, requestId,
          refused.refusal().outcome(), 0, null);
      return refused;
    }
    Verdict verdict = access.check(credential, appId, operation, address);
    if (verdict.accepted()) {
      metrics.accepted(verdict.key().spec().name());
      return verdict;
    }
    metrics.refused(verdict.key() == null ? null : verdict.key().spec().name(),
        verdict.refusal().outcome());
    audit.record("key.refused", appId, verdict.key() == null ? "address:" + address
        : verdict.actor(), requestId, verdict.refusal().outcome(), 0,
        operation.label() + " from " + address);
    return verdict;
  }

  /** Counts a failed credential from {@code address}; audits the failure that blocks it. */
  void failed(FailureThrottle throttle, String address, String appId, String requestId) {
    if (throttle.recordFailure(address)) {
      audit.record("address.throttled", appId, "address:" + address, requestId, "throttled", 0,
          "too many failed credentials; refused for the rest of the minute");
    }
  }

  /** Whether a key caller can be served {@code appId}: registered here with its secret stored. */
  boolean registered(String appId) {
    return tokens.cached(appId).map(AppRecord::hasSealedSecret).orElse(false);
  }

  /**
   * Audits what a secret caller's miss did: the app registered, its secret rotated (a new secret
   * WeChat accepted), or the secret rejected. Hits never get here: nothing was checked.
   */
  CompletableFuture<AccessToken> watchSecret(String appId, String address, String requestId,
      CompletableFuture<AccessToken> result) {
    if (audit == AuditLog.OFF) {
      return result;
    }
    Verifier before = tokens.cached(appId).map(AppRecord::verifier).orElse(null);
    return result.whenComplete((token, failure) -> {
      if (failure == null) {
        Verifier after = tokens.cached(appId).map(AppRecord::verifier).orElse(null);
        if (before == null && after != null) {
          audit.record("app.registered", appId, "address:" + address, requestId, "ok", 0, null);
        } else if (before != null && after != null && !before.equals(after)) {
          audit.record("secret.rotated", appId, "address:" + address, requestId, "ok", 0, null);
        }
        return;
      }
      if (Resilience.unwrap(failure) instanceof TokenException e
          && (e.reason() == TokenException.Reason.SECRET_MISMATCH
              || e.reason() == TokenException.Reason.SECRET_REJECTED)) {
        audit.record("secret.rejected", appId, "address:" + address, requestId,
            e.reason().name().toLowerCase(Locale.ROOT), e.errcode(), null);
      }
    });
  }

  /** Audits a forced refresh: who asked, for which app, and how it went. */
  CompletableFuture<AccessToken> watchForcedRefresh(String appId, String actor, String requestId,
      CompletableFuture<AccessToken> result) {
    if (audit == AuditLog.OFF) {
      return result;
    }
    return result.whenComplete((token, failure) -> {
      if (failure == null) {
        audit.record("token.forced_refresh", appId, actor, requestId, "ok", 0, null);
      } else {
        Throwable cause = Resilience.unwrap(failure);
        audit.record("token.forced_refresh", appId, actor, requestId,
            cause instanceof TokenException e ? e.reason().name().toLowerCase(Locale.ROOT) : "error",
            cause instanceof TokenException e ? e.errcode() : 0, null);
      }
    });
  }
}
