package io.wxtoken.cli;

import io.wxtoken.simulator.WeChatSimulator;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code wxtoken simulator}: runs the WeChat API simulator on its own. */
@Command(name = "simulator", mixinStandardHelpOptions = true,
    description = "Run the WeChat API simulator (token, stable_token, ticket/getticket, getcallbackip; /sim/* controls).")
final class SimulatorCommand implements Callable<Integer> {
  static final String DEMO_APP_ID = "wx5f1e2d3c4b5a6978";
  static final String DEMO_SECRET = "0123456789abcdef0123456789abcdef";

  @Spec
  CommandSpec spec;

  @Option(names = "--host", paramLabel = "ADDR", defaultValue = "127.0.0.1",
      description = "Address to listen on (default ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "9090",
      description = "Port to listen on (default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--app", paramLabel = "APPID:SECRET",
      description = "Register an app; repeatable (default: one demo app, " + DEMO_APP_ID + ").")
  List<String> apps = new ArrayList<>();

  @Option(names = "--lifetime", paramLabel = "DURATION", defaultValue = "7200s",
      description = "Token lifetime (default ${DEFAULT-VALUE}).")
  String lifetime;

  @Option(names = "--overlap", paramLabel = "DURATION", defaultValue = "300s",
      description = "How long a replaced token keeps working (default ${DEFAULT-VALUE}).")
  String overlap;

  @Option(names = "--daily-quota", paramLabel = "N", defaultValue = "2000",
      description = "Daily /cgi-bin/token calls per app (default ${DEFAULT-VALUE}).")
  int dailyQuota;

  @Override
  public Integer call() throws InterruptedException {
    WeChatSimulator.Builder builder = WeChatSimulator.builder()
        .host(host)
        .port(Settings.port("--port", port))
        .tokenLifetime(Settings.duration("--lifetime", lifetime))
        .overlap(Settings.duration("--overlap", overlap))
        .dailyTokenQuota(dailyQuota);
    List<String[]> registered = new ArrayList<>();
    for (String app : apps.isEmpty() ? List.of(DEMO_APP_ID + ":" + DEMO_SECRET) : apps) {
      int colon = app.indexOf(':');
      if (colon < 1 || colon == app.length() - 1) {
        throw new ConfigException("--app must look like APPID:SECRET, got '" + app.split(":")[0] + ":…'");
      }
      String[] pair = {app.substring(0, colon), app.substring(colon + 1)};
      builder.app(pair[0], pair[1]);
      registered.add(pair);
    }
    WeChatSimulator simulator = builder.start();
    PrintWriter out = spec.commandLine().getOut();
    out.println("WeChat simulator on " + simulator.baseUrl());
    // These are the simulator's own made-up credentials, printed so they can be used.
    for (String[] app : registered) {
      out.println("  app " + app[0] + " secret " + app[1]);
    }
    out.println("Point wxtoken at it: ./wxtoken serve --wechat-base-url " + simulator.baseUrl());
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      simulator.close();
      stopped.countDown();
    }, "simulator-shutdown"));
    stopped.await();
    return 0;
  }
}
