package io.wxtoken.cli;

import io.wxtoken.server.ServerConfig;
import io.wxtoken.server.WxTokenServer;
import io.wxtoken.simulator.WeChatSimulator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code wxtoken demo}: the server and the simulator together, with a demo app, so the product
 * can be tried without a WeChat account. The store lives in a temporary directory removed on exit
 * (the simulator forgets its tokens on exit too).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run the server against the WeChat simulator with a demo app, and print a curl to try.")
final class DemoCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  ServerOptions options;

  @Override
  public Integer call() throws InterruptedException, IOException {
    WeChatSimulator simulator = WeChatSimulator.builder()
        .app(SimulatorCommand.DEMO_APP_ID, SimulatorCommand.DEMO_SECRET)
        .start();
    Path store = Files.createTempDirectory("wxtoken-demo-");
    WxTokenServer server;
    try {
      ServerConfig config = options.toConfig(simulator.baseUrl(), store);
      server = WxTokenServer.start(config, Clock.systemUTC());
    } catch (RuntimeException e) {
      simulator.close();
      delete(store);
      throw e;
    }
    PrintWriter out = spec.commandLine().getOut();
    String url = "http://" + hostForCurl(options.host) + ":" + server.port();
    out.println();
    out.println("wxtoken demo: server " + url + ", WeChat simulator " + simulator.baseUrl());
    out.println("Demo app " + SimulatorCommand.DEMO_APP_ID + " (made-up secret below). Try:");
    out.println();
    out.println("  curl -s " + url + "/api/v3/get-wechat-access-token \\");
    out.println("    -H 'Content-Type: application/json' \\");
    out.println("    -d '{\"appId\":\"" + SimulatorCommand.DEMO_APP_ID + "\",\"appSecret\":\""
        + SimulatorCommand.DEMO_SECRET + "\"}'");
    out.println();
    out.println("Ctrl-C to stop.");
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      simulator.close();
      delete(store);
      stopped.countDown();
    }, "demo-shutdown"));
    stopped.await();
    return 0;
  }

  private static String hostForCurl(String host) {
    return host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
  }

  private static void delete(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
