package io.wxtoken.simulator;

/**
 * Counts events in the current fixed window (a day or a minute) and forgets them when the window
 * changes. Not thread-safe: guarded by the owning {@link AppAccount}'s lock.
 */
final class WindowCounter {

  private long window = Long.MIN_VALUE;
  private int count;

  /** @return whether one more event fits within {@code limit} in {@code currentWindow} */
  boolean hasRoom(long currentWindow, int limit) {
    return countIn(currentWindow) < limit;
  }

  /** Records one event in {@code currentWindow}. */
  void add(long currentWindow) {
    count = countIn(currentWindow) + 1;
    window = currentWindow;
  }

  private int countIn(long currentWindow) {
    return currentWindow == window ? count : 0;
  }
}
