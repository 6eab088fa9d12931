package io.wxtoken.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.wxtoken.token.AppStatus;
import io.wxtoken.wechat.CallObserver;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The server's Prometheus metrics: answers counted by endpoint and outcome, how token requests
 * were handled (from memory, or by waiting on the engine), every call to WeChat with its outcome
 * and duration ({@link #wechatCalls()}), each app's token, quota and breaker
 * state read at scrape time ({@link AppCollector}), readiness, and the JVM's own metrics.
 *
 * <p>Labels never hold a secret or a token: an app is labelled by its appId, an answer by a word
 * from a fixed set. Counting is a few nanoseconds on the request path (no allocation once an
 * endpoint's outcome has been seen); a scrape does its work on the calling thread, so it belongs
 * off the event loop.
 *
 * <p>Thread-safe.
 */
public final class Metrics {
  /** The {@code endpoint} label of {@code wxtoken_requests_total}. */
  public enum Endpoint {
    /** {@code get-wechat-access-token} and its {@code -info} twin. */
    TOKEN("token"),
    REFRESH("refresh"),
    TICKET("ticket"),
    SIGN("sign"),
    /** WeChat's own endpoints under {@code /cgi-bin/}, answered or passed through. */
    WECHAT_API("wechat-api"),
    /** Anything else that got an error envelope: unknown paths, wrong methods. */
    OTHER("other");

    final String label;

    Endpoint(String label) {
      this.label = label;
    }
  }

  /** The outcome of every successful answer. */
  public static final String OK = "ok";
  /** Distinct outcomes of WeChat calls with a series of their own (ok, unreachable, errcodes). */
  static final int MAX_WECHAT_OUTCOMES = 64;

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
  private final Counter requests;
  private final List<ConcurrentMap<String, CounterDataPoint>> outcomes;
  private final CounterDataPoint tokenOk;
  private final CounterDataPoint servedFromMemory;
  private final CounterDataPoint servedAfterWaiting;
  private final Counter wechatRequests;
  private final Histogram wechatDuration;
  private final CounterDataPoint throttled;
  private final CounterDataPoint connectionsRefused;
  private final Set<String> wechatOutcomes = ConcurrentHashMap.newKeySet();
  private final Clock clock;
  private final KeyMetrics keys;

  /** @param clock the engine's clock, for the seconds left on each token */
  public Metrics(Clock clock) {
    this.clock = clock;
    this.keys = new KeyMetrics(registry);
    requests = Counter.builder()
        .name("wxtoken_requests_total")
        .help("Answers by endpoint and outcome: ok, or the error (invalid_parameter,"
            + " secret_mismatch, upstream_unavailable, ...; for wechat-api: refused, proxied)")
        .labelNames("endpoint", "outcome")
        .register(registry);
    Counter tokens = Counter.builder()
        .name("wxtoken_token_requests_total")
        .help("Token requests by how they were handled: memory (a cached token for a known"
            + " secret, answered at once) or waited (on the engine: a fetch from WeChat, a secret"
            + " check, or a refusal)")
        .labelNames("served")
        .register(registry);
    outcomes = Stream.of(Endpoint.values())
        .<ConcurrentMap<String, CounterDataPoint>>map(e -> new ConcurrentHashMap<>())
        .toList();
    tokenOk = point(Endpoint.TOKEN, OK);
    servedFromMemory = tokens.labelValues("memory");
    servedAfterWaiting = tokens.labelValues("waited");
    wechatRequests = Counter.builder()
        .name("wxtoken_wechat_requests_total")
        .help("Calls to WeChat by endpoint (stable_token, token, getticket) and outcome: ok,"
            + " unreachable (connect error, timeout, 5xx, malformed), or WeChat's errcode")
        .labelNames("endpoint", "outcome")
        .register(registry);
    wechatDuration = Histogram.builder()
        .name("wxtoken_wechat_request_duration_seconds")
        .help("How long calls to WeChat took, whatever their outcome")
        .unit(Unit.SECONDS)
        .classicOnly()
        .classicUpperBounds(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
        .labelNames("endpoint")
        .register(registry);
    Counter refused = Counter.builder()
        .name("wxtoken_http_refused_total")
        .help("Requests and connections refused before being served: throttled (a request from"
            + " an address blocked for failed credential checks), connection_limit (a connection"
            + " over the total or per-address cap)")
        .labelNames("reason")
        .register(registry);
    throttled = refused.labelValues("throttled");
    connectionsRefused = refused.labelValues("connection_limit");
    registerJvmMetrics();
  }

  /** Counts a request refused because its address is blocked by the failure throttle. */
  public void throttled() {
    throttled.inc();
  }

  /** Counts a connection closed at once for being over a connection cap. */
  public void connectionRefused() {
    connectionsRefused.inc();
  }

  /**
   * Starts reporting each app's state, read from {@code apps} at every scrape. Called once, when
   * the engine exists (it needs {@link #wechatCalls()} first).
   *
   * @param apps every known app's status
   * @param ready whether this instance can reach the store it shares (always true alone)
   * @throws IllegalStateException if called twice
   */
  public void watch(Supplier<List<AppStatus>> apps, BooleanSupplier ready) {
    try {
      registry.register(new AppCollector(apps, ready, clock));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("the apps are watched already", e);
    }
  }

  /**
   * Exposes how many cluster notices this instance dropped as unauthenticated or malformed
   * ({@code rejected} is read at scrape time): a value that grows means something other than a
   * wxtoken instance with this master key publishes on the notice channel.
   */
  public void watchRejectedNotices(LongSupplier rejected) {
    CounterWithCallback.builder()
        .name("wxtoken_cluster_rejected_notices")
        .help("Notices on wxtoken:events dropped because their MAC did not verify (forged, or"
            + " from an instance with another master key) or they were malformed")
        .callback(callback -> callback.call(rejected.getAsLong()))
        .register(registry);
  }

  /**
   * What the WeChat client tells of each call: counted, and its duration recorded. Errcodes are
   * WeChat's to choose, so only the first {@value #MAX_WECHAT_OUTCOMES} distinct outcomes get a
   * series of their own; any later one is counted as {@code other}.
   */
  public CallObserver wechatCalls() {
    return (endpoint, outcome, nanos) -> {
      String label = wechatOutcomes.contains(outcome)
          || (wechatOutcomes.size() < MAX_WECHAT_OUTCOMES && wechatOutcomes.add(outcome))
          ? outcome : "other";
      wechatRequests.labelValues(endpoint, label).inc();
      wechatDuration.labelValues(endpoint).observe(nanos / 1e9);
    };
  }

  /**
   * The JVM and process metrics, one by one rather than through {@code JvmMetrics}, which keeps
   * every registry it was given in a static set (and so every server's engine, for the life of
   * the JVM). Left out: the allocation metrics (GC listeners that are never removed) and native
   * memory (needs -XX:NativeMemoryTracking).
   */
  private void registerJvmMetrics() {
    JvmMemoryMetrics.builder().register(registry);
    JvmBufferPoolMetrics.builder().register(registry);
    JvmGarbageCollectorMetrics.builder().register(registry);
    JvmThreadsMetrics.builder().register(registry);
    JvmClassLoadingMetrics.builder().register(registry);
    JvmCompilationMetrics.builder().register(registry);
    JvmRuntimeInfoMetric.builder().register(registry);
    ProcessMetrics.builder().register(registry);
  }

  /** The per-caller-key series. */
  public KeyMetrics keys() {
    return keys;
  }

  /** Counts a token answered from memory: the hot path, two adds. */
  public void tokenFromMemory() {
    servedFromMemory.inc();
    tokenOk.inc();
  }

  /** Counts a token request that has to wait on the engine; its answer is counted when sent. */
  public void tokenWaits() {
    servedAfterWaiting.inc();
  }

  /**
   * Counts one answer.
   *
   * @param outcome {@link #OK} or a lower-case error name from a fixed set (never input)
   */
  public void answered(Endpoint endpoint, String outcome) {
    point(endpoint, outcome).inc();
  }

  private CounterDataPoint point(Endpoint endpoint, String outcome) {
    return outcomes.get(endpoint.ordinal())
        .computeIfAbsent(outcome, o -> requests.labelValues(endpoint.label, o));
  }

  /** The Content-Type of {@link #scrape}'s output. */
  public String contentType() {
    return PrometheusTextFormatWriter.CONTENT_TYPE;
  }

  /** Writes every metric in Prometheus's text format. Reads each app's status: not on an event loop. */
  public void scrape(OutputStream out) throws IOException {
    writer.write(out, registry.scrape());
  }
}
