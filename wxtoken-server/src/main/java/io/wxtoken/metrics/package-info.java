/**
 * The server's metrics for Prometheus, served at {@code GET /admin/metrics} behind the admin
 * token: {@link io.wxtoken.metrics.Metrics} counts answers on the request path and reads each
 * app's state from the engine when scraped.
 */
package io.wxtoken.metrics;
