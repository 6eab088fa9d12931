package io.wxtoken.cli;

import io.wxtoken.server.WxTokenServer;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code wxtoken serve}: runs the token server until the process is stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Run the token server (embedded store under ./data by default).")
final class ServeCommand implements Callable<Integer> {
  @Mixin
  ServerOptions options;

  @Override
  public Integer call() throws InterruptedException {
    WxTokenServer server = WxTokenServer.start(options.toConfig(null, null), Clock.systemUTC());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "wxtoken-shutdown"));
    stopped.await();
    return 0;
  }
}
