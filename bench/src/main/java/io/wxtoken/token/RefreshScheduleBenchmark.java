package io.wxtoken.token;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The proactive-refresh schedule's cost with many apps: an idle tick (nothing due) and one app's
 * refresh cycle (popped when due, rescheduled a lifetime later). A tick with k apps due costs about
 * k refresh cycles. Lives in {@code io.wxtoken.token} for access to the package-private schedule.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RefreshScheduleBenchmark {
  private static final long LIFETIME_MILLIS = 7_200_000;

  @Param({"1000", "100000"})
  int apps;

  private RefreshSchedule schedule;
  private String[] ids;
  private long now;

  @Setup(Level.Iteration)
  public void fill() {
    schedule = new RefreshSchedule();
    ids = new String[apps];
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < apps; i++) {
      ids[i] = String.format("wx%016x", i);
      schedule.schedule(ids[i], random.nextLong(LIFETIME_MILLIS));
    }
    now = 0;
  }

  /** A tick when nothing is due: what the refresher pays every second most of the time. */
  @Benchmark
  public int idleTick() {
    return schedule.pollDue(-1, 10_000).size();
  }

  /** One app's turn: the earliest is popped and rescheduled a lifetime later. */
  @Benchmark
  public String refreshCycle() {
    long due = schedule.nextDueMillis();
    String app = schedule.pollDue(due, 1).get(0);
    schedule.schedule(app, due + LIFETIME_MILLIS);
    return app;
  }
}
