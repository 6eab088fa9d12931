package io.wxtoken.simulator;

import java.time.Duration;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Live fault-injection settings for the two token endpoints ({@code /cgi-bin/token} and
 * {@code /cgi-bin/stable_token}) and the ticket endpoint ({@code /cgi-bin/ticket/getticket});
 * {@code getcallbackip} and {@code /sim/*} are never faulted. "Token call" below means a call to
 * any of those three.
 *
 * <p>For each token call the simulator evaluates, in this order: {@link #failNext}, then
 * {@link #latency} (a real-time sleep), then one seeded random draw that picks at most one of
 * timeout, HTTP 503, malformed body or {@code -1 system error}. The rates are cumulative slices of
 * that single draw, so each one is the exact fraction of calls that get that fault (if they sum
 * past 1, the earlier ones in that order win). A faulted call never reaches the token logic: it
 * mints nothing (no token, no ticket) and uses no quota, like a failure in front of WeChat.
 *
 * <p>Thread-safe: settings are volatile or atomic and may be changed while requests are in
 * flight; the random source is guarded by a lock so that a sequential run with the same seed sees
 * the same faults. All setters return {@code this}. Defaults are "no faults" and a 30 s hang.
 */
public final class Faults {

  static final Duration DEFAULT_HANG = Duration.ofSeconds(30);

  private final Random random;
  private volatile double errorRate;
  private volatile double serverErrorRate;
  private volatile double malformedRate;
  private volatile double timeoutRate;
  private volatile Duration latency = Duration.ZERO;
  private volatile Duration hang = DEFAULT_HANG;
  private final AtomicReference<PendingFailure> pending = new AtomicReference<>();

  Faults(long seed) {
    this.random = new Random(seed);
  }

  /**
   * Sets the fraction of token calls answered {@code {"errcode":-1,"errmsg":"system error"}}.
   *
   * @param rate a fraction in [0, 1]
   * @return this
   */
  public Faults errorRate(double rate) {
    errorRate = checkRate(rate);
    return this;
  }

  /**
   * Sets the fraction of token calls answered with HTTP 503 and a small HTML body.
   *
   * @param rate a fraction in [0, 1]
   * @return this
   */
  public Faults serverErrorRate(double rate) {
    serverErrorRate = checkRate(rate);
    return this;
  }

  /**
   * Sets the fraction of token calls answered HTTP 200 with a truncated, non-JSON body.
   *
   * @param rate a fraction in [0, 1]
   * @return this
   */
  public Faults malformedRate(double rate) {
    malformedRate = checkRate(rate);
    return this;
  }

  /**
   * Sets the fraction of token calls that hang for {@link #hang(Duration)} (real time) and then
   * close the connection without an answer.
   *
   * @param rate a fraction in [0, 1]
   * @return this
   */
  public Faults timeoutRate(double rate) {
    timeoutRate = checkRate(rate);
    return this;
  }

  /**
   * Sets how long a timed-out call hangs before its connection is closed (default 30 s).
   *
   * @param d a non-negative duration
   * @return this
   */
  public Faults hang(Duration d) {
    hang = checkDuration(d, "hang");
    return this;
  }

  /**
   * Sets a real-time delay added before answering every token call (default none).
   *
   * @param d a non-negative duration
   * @return this
   */
  public Faults latency(Duration d) {
    latency = checkDuration(d, "latency");
    return this;
  }

  /**
   * Makes the next {@code count} token calls answer {@code {"errcode":errcode,"errmsg":errmsg}},
   * replacing any earlier {@code failNext} that has not run out.
   *
   * @param count how many calls to fail (0 cancels)
   * @param errcode the WeChat error code to answer
   * @param errmsg the error message to answer
   * @return this
   */
  public Faults failNext(int count, int errcode, String errmsg) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0: " + count);
    }
    Objects.requireNonNull(errmsg, "errmsg");
    pending.set(count == 0 ? null : new PendingFailure(count, new WeChatError(errcode, errmsg)));
    return this;
  }

  /**
   * Removes every fault: rates 0, no latency, hang back to 30 s, no pending {@code failNext}.
   * The random stream is not re-seeded.
   *
   * @return this
   */
  public Faults reset() {
    errorRate = 0;
    serverErrorRate = 0;
    malformedRate = 0;
    timeoutRate = 0;
    latency = Duration.ZERO;
    hang = DEFAULT_HANG;
    pending.set(null);
    return this;
  }

  /** @return the current {@code -1 system error} rate */
  public double errorRate() {
    return errorRate;
  }

  /** @return the current HTTP 503 rate */
  public double serverErrorRate() {
    return serverErrorRate;
  }

  /** @return the current malformed-body rate */
  public double malformedRate() {
    return malformedRate;
  }

  /** @return the current timeout (hang) rate */
  public double timeoutRate() {
    return timeoutRate;
  }

  /** @return the current injected latency */
  public Duration latency() {
    return latency;
  }

  /** @return the current hang duration of a timed-out call */
  public Duration hang() {
    return hang;
  }

  @Override
  public String toString() {
    return "Faults[errorRate=" + errorRate + ", serverErrorRate=" + serverErrorRate
        + ", malformedRate=" + malformedRate + ", timeoutRate=" + timeoutRate
        + ", latency=" + latency + ", hang=" + hang + "]";
  }

  /** Decides what happens to one token call; consumes a {@code failNext} slot or one draw. */
  FaultDecision decide() {
    WeChatError forced = takePending();
    if (forced != null) {
      return FaultDecision.failWith(forced);
    }
    double draw;
    synchronized (random) {
      draw = random.nextDouble();
    }
    // Cumulative slices of one draw: each rate is exactly its fraction of calls.
    double timeoutEdge = timeoutRate;
    double serverErrorEdge = timeoutEdge + serverErrorRate;
    double malformedEdge = serverErrorEdge + malformedRate;
    double errorEdge = malformedEdge + errorRate;
    FaultDecision.Kind kind;
    if (draw < timeoutEdge) {
      kind = FaultDecision.Kind.TIMEOUT;
    } else if (draw < serverErrorEdge) {
      kind = FaultDecision.Kind.SERVER_ERROR;
    } else if (draw < malformedEdge) {
      kind = FaultDecision.Kind.MALFORMED;
    } else if (draw < errorEdge) {
      kind = FaultDecision.Kind.SYSTEM_ERROR;
    } else {
      kind = FaultDecision.Kind.NONE;
    }
    return new FaultDecision(kind, latency, hang, null);
  }

  private WeChatError takePending() {
    while (true) {
      PendingFailure current = pending.get();
      if (current == null) {
        return null;
      }
      PendingFailure next = current.remaining() == 1 ? null : current.minusOne();
      if (pending.compareAndSet(current, next)) {
        return current.error();
      }
    }
  }

  private static double checkRate(double rate) {
    if (!(rate >= 0.0 && rate <= 1.0)) {
      throw new IllegalArgumentException("rate must be within [0, 1]: " + rate);
    }
    return rate;
  }

  private static Duration checkDuration(Duration d, String what) {
    Objects.requireNonNull(d, what);
    if (d.isNegative()) {
      throw new IllegalArgumentException(what + " must not be negative: " + d);
    }
    return d;
  }

  /** A {@code failNext} instruction with the calls it still applies to. */
  private record PendingFailure(int remaining, WeChatError error) {
    PendingFailure minusOne() {
      return new PendingFailure(remaining - 1, error);
    }
  }
}
