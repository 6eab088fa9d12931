package io.wxtoken.token;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * When each app's token is next due for a proactive refresh: a priority queue keyed by time, so a
 * tick costs O(k log n) for the k apps due, not a scan of all n.
 *
 * <p>Rescheduling an app leaves its old entry in the heap, marked dead, and skips it when it comes
 * up (lazy deletion keeps every operation logarithmic). Each app is rescheduled about once per
 * token lifetime and its old entry always comes due first, so the heap holds at most about two
 * entries per app.
 *
 * <p>Thread-safe: every method is synchronized; none does more than O(log n) work per entry.
 */
final class RefreshSchedule {
  private static final class Entry implements Comparable<Entry> {
    final String appId;
    final long dueMillis;
    final long sequence;
    boolean live = true;

    Entry(String appId, long dueMillis, long sequence) {
      this.appId = appId;
      this.dueMillis = dueMillis;
      this.sequence = sequence;
    }

    @Override
    public int compareTo(Entry o) {
      int byTime = Long.compare(dueMillis, o.dueMillis);
      return byTime != 0 ? byTime : Long.compare(sequence, o.sequence);
    }
  }

  private final PriorityQueue<Entry> queue = new PriorityQueue<>();
  private final Map<String, Entry> byApp = new HashMap<>();
  private long sequence;

  /** Sets (or moves) the app's next refresh to {@code dueMillis}. */
  synchronized void schedule(String appId, long dueMillis) {
    Entry previous = byApp.get(appId);
    if (previous != null) {
      previous.live = false;
    }
    Entry entry = new Entry(appId, dueMillis, sequence++);
    byApp.put(appId, entry);
    queue.add(entry);
  }

  /** Drops the app from the schedule. */
  synchronized void cancel(String appId) {
    Entry previous = byApp.remove(appId);
    if (previous != null) {
      previous.live = false;
    }
  }

  /** The app's next due time, or -1 if it is not scheduled. */
  synchronized long dueMillis(String appId) {
    Entry entry = byApp.get(appId);
    return entry == null ? -1 : entry.dueMillis;
  }

  /** Removes and returns up to {@code max} apps due at {@code nowMillis}, earliest first. */
  synchronized List<String> pollDue(long nowMillis, int max) {
    List<String> due = new ArrayList<>();
    while (due.size() < max) {
      Entry head = queue.peek();
      if (head == null || head.dueMillis > nowMillis) {
        break;
      }
      queue.poll();
      if (head.live) {
        byApp.remove(head.appId);
        due.add(head.appId);
      }
    }
    return due;
  }

  /** When the earliest live entry is due, or {@link Long#MAX_VALUE} if none is scheduled. */
  synchronized long nextDueMillis() {
    Entry head;
    while ((head = queue.peek()) != null && !head.live) {
      queue.poll();
    }
    return head == null ? Long.MAX_VALUE : head.dueMillis;
  }

  /** Apps scheduled. */
  synchronized int size() {
    return byApp.size();
  }
}
