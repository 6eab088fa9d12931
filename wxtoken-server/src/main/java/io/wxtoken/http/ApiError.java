package io.wxtoken.http;

/**
 * Every error the API answers with: Authing's {@code statusCode} class and wxtoken's own
 * {@code apiCode}. The README's error table is this enum; keep them in step.
 */
enum ApiError {
  INVALID_PARAMETER(400, 1001),
  MALFORMED_BODY(400, 1002),
  UNSUPPORTED_CONTENT_TYPE(400, 1003),
  NOT_FOUND(404, 1004),
  METHOD_NOT_ALLOWED(405, 1005),
  PAYLOAD_TOO_LARGE(413, 1006),
  UNAUTHORIZED(401, 1007),
  SECRET_MISMATCH(403, 2001),
  SECRET_REJECTED(403, 2002),
  THROTTLED(429, 2003),
  FORCED_REFRESH_LIMIT(429, 2004),
  QUOTA_EXHAUSTED(429, 2005),
  /** A caller key that is unknown, malformed, disabled, revoked or expired. */
  KEY_REJECTED(403, 2006),
  /** A caller key used outside its scope: another app, operation, or address. */
  KEY_NOT_PERMITTED(403, 2007),
  KEY_RATE_LIMITED(429, 2008),
  /** An AppSecret where only caller keys are accepted ({@code --caller-auth key}). */
  SECRET_NOT_ACCEPTED(403, 2009),
  /** A caller key for an app that is not registered here with its secret stored. */
  APP_NOT_REGISTERED(403, 2010),
  UPSTREAM_UNAVAILABLE(601, 3001),
  UPSTREAM_ERROR(602, 3002),
  INTERNAL(500, 5000),
  CLUSTER_UNAVAILABLE(503, 5001);

  final int statusCode;
  final int apiCode;
  /** The {@code outcome} label of this error in {@code wxtoken_requests_total}. */
  final String outcome;

  ApiError(int statusCode, int apiCode) {
    this.statusCode = statusCode;
    this.apiCode = apiCode;
    this.outcome = name().toLowerCase(java.util.Locale.ROOT);
  }
}
