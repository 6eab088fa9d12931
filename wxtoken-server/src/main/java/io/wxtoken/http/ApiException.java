package io.wxtoken.http;

/** A request the API refuses, with the error to answer. Expected, so no stack trace. */
final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final ApiError error;

  ApiException(ApiError error, String message) {
    super(message, null, false, false);
    this.error = error;
  }
}
