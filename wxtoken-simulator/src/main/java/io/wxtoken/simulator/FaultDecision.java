package io.wxtoken.simulator;

import java.time.Duration;

/**
 * What {@link Faults} decided for one token call.
 *
 * @param kind which fault, if any, answers the call
 * @param latency real-time delay before answering (not applied to {@link Kind#FAIL_NEXT})
 * @param hang how long a {@link Kind#TIMEOUT} call hangs before its connection is closed
 * @param error the error to answer for {@link Kind#FAIL_NEXT}, else {@code null}
 */
record FaultDecision(Kind kind, Duration latency, Duration hang, WeChatError error) {

  /** The possible outcomes, in evaluation order. */
  enum Kind { FAIL_NEXT, TIMEOUT, SERVER_ERROR, MALFORMED, SYSTEM_ERROR, NONE }

  static FaultDecision failWith(WeChatError error) {
    return new FaultDecision(Kind.FAIL_NEXT, Duration.ZERO, Duration.ZERO, error);
  }
}
