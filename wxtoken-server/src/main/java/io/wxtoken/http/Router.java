package io.wxtoken.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one table from a request's path to its handler: exact paths (with the one method they
 * accept, or any), then path prefixes, longest first. Adding an endpoint is one line.
 *
 * <p>Routing is on the path the client sent when it names a route exactly (the hot path: one
 * string comparison, or one hash lookup); otherwise on its percent-decoded, dot-normalized form
 * ({@link RequestTarget}), so {@code /cgi-bin/%74oken} and {@code /cgi-bin/x/../token} reach the
 * handler of {@code /cgi-bin/token} and never a prefix's. A target that is not origin-form or
 * cannot be normalized is refused before any handler sees it.
 *
 * <p>Built once, then read-only: safe to share between event loops.
 */
final class Router {
  /** Answers one routed request; {@code path} is the normalized path it was routed on. */
  interface Route {
    void handle(HttpServerRequest request, String requestId, String path);
  }

  /** Answers a request no route took, or whose target is unacceptable. */
  interface Refusal {
    void refuse(HttpServerRequest request, String requestId, String reason);
  }

  private record Exact(HttpMethod method, Route route) {}

  private record Prefix(String prefix, Route route) {}

  private final Map<String, Exact> exact = new HashMap<>();
  private final List<Prefix> prefixes = new ArrayList<>();
  private final Responder responder;
  private String firstPath;
  private Exact first;

  Router(Responder responder) {
    this.responder = responder;
  }

  /** Routes {@code POST path}; other methods get 405. The first route added is the hot one. */
  Router post(String path, Route route) {
    return add(path, HttpMethod.POST, route);
  }

  /** Routes {@code GET path}; other methods get 405. */
  Router get(String path, Route route) {
    return add(path, HttpMethod.GET, route);
  }

  /** Routes every method on {@code path}: the handler checks it (WeChat has codes of its own). */
  Router any(String path, Route route) {
    return add(path, null, route);
  }

  /** Routes every path under {@code prefix} (ending in {@code /}) that no exact route takes. */
  Router under(String prefix, Route route) {
    if (!prefix.endsWith("/")) {
      throw new IllegalArgumentException("a prefix ends with /: " + prefix);
    }
    prefixes.add(new Prefix(prefix, route));
    prefixes.sort((a, b) -> b.prefix().length() - a.prefix().length());
    return this;
  }

  private Router add(String path, HttpMethod method, Route route) {
    Exact entry = new Exact(method, route);
    if (exact.putIfAbsent(path, entry) != null) {
      throw new IllegalArgumentException("two routes for " + path);
    }
    if (first == null) {
      firstPath = path;
      first = entry;
    }
    return this;
  }

  /**
   * Routes the request, or answers it with {@code notFound} (no route) or {@code badTarget}
   * (not origin-form, or not normalizable).
   */
  void route(HttpServerRequest request, String requestId, Refusal notFound, Refusal badTarget) {
    String raw = request.path();
    String uri = request.uri();
    // Origin-form only: Vert.x would take a path out of "http://host/…" or "@host:port/x://y/…".
    if (uri.isEmpty() || uri.charAt(0) != '/') {
      badTarget.refuse(request, requestId, "the request target must be a path (origin-form)");
      return;
    }
    Exact hit = raw.equals(firstPath) ? first : exact.get(raw);
    String path = raw;
    if (hit == null) {
      path = RequestTarget.normalize(raw);
      if (path == null) {
        badTarget.refuse(request, requestId, "the request path is malformed (encoded '/' or"
            + " '\\', a control character, a bad escape or a '..' above the root)");
        return;
      }
      hit = exact.get(path);
    }
    if (hit != first && !RequestTarget.isValidQuery(request.query())) {
      badTarget.refuse(request, requestId, "the query string is malformed (a bad escape, a space,"
          + " a control character) or too long");
      return;
    }
    if (hit != null) {
      if (hit.method() != null && hit.method() != request.method()) {
        request.response().putHeader(HttpHeaders.ALLOW, hit.method().name());
        responder.fail(request, 405, ApiError.METHOD_NOT_ALLOWED, request.method() + " is not"
            + " supported on " + path + "; use " + hit.method().name(), requestId);
        return;
      }
      hit.route().handle(request, requestId, path);
      return;
    }
    for (Prefix p : prefixes) {
      if (path.startsWith(p.prefix())) {
        p.route().handle(request, requestId, path);
        return;
      }
    }
    notFound.refuse(request, requestId, path);
  }
}
