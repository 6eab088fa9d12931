package io.wxtoken.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import io.wxtoken.token.AppStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Gauges read from the engine's {@link AppStatus} snapshots when Prometheus scrapes: one read of
 * every app per scrape, so nothing is kept or updated on the request or refresh path. Per app
 * (label {@code app_id}): seconds left on its token, when it was fetched, WeChat calls and forced
 * refreshes today, whether its breaker is open, whether a final errcode stopped its refresh, and
 * when it last failed. Server-wide: how many apps, the daily call limit, and readiness.
 */
final class AppCollector implements MultiCollector {
  private final Supplier<List<AppStatus>> apps;
  private final BooleanSupplier ready;
  private final Clock clock;

  AppCollector(Supplier<List<AppStatus>> apps, BooleanSupplier ready, Clock clock) {
    this.apps = apps;
    this.ready = ready;
    this.clock = clock;
  }

  @Override
  public MetricSnapshots collect() {
    List<AppStatus> all = apps.get();
    Instant now = clock.instant();
    MetricSnapshots.Builder out = MetricSnapshots.builder()
        .metricSnapshot(single("wxtoken_ready", "1 when this instance can serve and refresh;"
            + " 0 while a cluster instance cannot reach its Redis", ready.getAsBoolean() ? 1 : 0))
        .metricSnapshot(single("wxtoken_apps", "Apps known to this instance", all.size()))
        .metricSnapshot(perApp(all, "wxtoken_token_expires_in_seconds", Unit.SECONDS,
            "Seconds until the app's current token expires (negative: expired)",
            s -> (s.tokenExpiresAt().toEpochMilli() - now.toEpochMilli()) / 1000.0))
        .metricSnapshot(perApp(all, "wxtoken_token_fetched_timestamp_seconds", Unit.SECONDS,
            "When the app's current token was fetched from WeChat",
            s -> s.lastRefreshAt().toEpochMilli() / 1000.0))
        .metricSnapshot(perApp(all, "wxtoken_wechat_calls_today", null,
            "WeChat token calls for the app on this WeChat day (Beijing time); compare with"
                + " wxtoken_wechat_daily_limit", AppStatus::callsToday))
        .metricSnapshot(perApp(all, "wxtoken_wechat_forced_refreshes_today", null,
            "Forced token refreshes for the app on this WeChat day (WeChat allows 20)",
            AppStatus::forcedToday))
        .metricSnapshot(perApp(all, "wxtoken_breaker_open", null,
            "1 while calls to WeChat for the app are paused after failures in a row",
            s -> "CLOSED".equals(s.breaker()) ? 0 : 1))
        .metricSnapshot(perApp(all, "wxtoken_refresh_stopped", null,
            "1 when WeChat's answer (wrong secret, unknown appid, IP not whitelisted, ...) stopped"
                + " the app's proactive refresh until a caller brings a secret WeChat accepts;"
                + " the errcode is in /admin/apps", s -> s.stoppedErrcode() == null ? 0 : 1))
        .metricSnapshot(perApp(all.stream().filter(s -> s.lastErrorAt() != null).toList(),
            "wxtoken_last_error_timestamp_seconds", Unit.SECONDS,
            "When the app's last failure happened (absent if it had none)",
            s -> s.lastErrorAt().toEpochMilli() / 1000.0));
    if (!all.isEmpty()) {
      out.metricSnapshot(single("wxtoken_wechat_daily_limit",
          "The daily WeChat token-call limit the server keeps to, per app", all.get(0).dailyLimit()));
    }
    return out.build();
  }

  private static GaugeSnapshot single(String name, String help, double value) {
    return GaugeSnapshot.builder().name(name).help(help)
        .dataPoint(GaugeDataPointSnapshot.builder().value(value).build())
        .build();
  }

  private static GaugeSnapshot perApp(List<AppStatus> apps, String name, Unit unit, String help,
      ToDoubleFunction<AppStatus> value) {
    GaugeSnapshot.Builder gauge = GaugeSnapshot.builder().name(name).help(help);
    if (unit != null) {
      gauge.unit(unit);
    }
    for (AppStatus app : apps) {
      gauge.dataPoint(GaugeDataPointSnapshot.builder()
          .labels(Labels.of("app_id", app.appId()))
          .value(value.applyAsDouble(app))
          .build());
    }
    return gauge.build();
  }
}
