/**
 * The HTTP API on Vert.x: Authing's {@code /api/v3/get-wechat-access-token} (and {@code -info})
 * contract, request parsing and bounds, the response envelope, and per-address throttling.
 *
 * <p>Every answer on an API path is HTTP 200 with Authing's envelope
 * ({@code statusCode}, {@code message}, {@code apiCode}, {@code requestId}, {@code data}), because
 * Authing's SDKs throw on any other HTTP status; {@link io.wxtoken.http.ApiError} lists the codes.
 */
package io.wxtoken.http;
