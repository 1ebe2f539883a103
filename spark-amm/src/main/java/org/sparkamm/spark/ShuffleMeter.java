package org.sparkamm.spark;

import java.util.Map;
import java.util.HashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Counts the bytes Spark's shuffle writes, from task metrics, so that a multiply can report how much
 * data it moved. One listener per SparkContext; {@link #bytesWritten()} first drains the listener bus
 * so that the count includes every task that has finished.
 */
public final class ShuffleMeter {
  private static final Map<SparkContext, ShuffleMeter> METERS = new HashMap<>();
  private final SparkContext sc;
  private final AtomicLong bytes = new AtomicLong();

  private ShuffleMeter(SparkContext sc) {
    this.sc = sc;
    sc.addSparkListener(new SparkListener() {
      @Override
      public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
        if (taskEnd.taskMetrics() != null) {
          bytes.addAndGet(taskEnd.taskMetrics().shuffleWriteMetrics().bytesWritten());
        }
      }
    });
  }

  /** The meter of this context (created on first use). */
  public static synchronized ShuffleMeter of(SparkContext sc) {
    // A meter references its context, so the weak keys alone would never be cleared: forget the
    // meters of stopped contexts explicitly.
    METERS.keySet().removeIf(SparkContext::isStopped);
    return METERS.computeIfAbsent(sc, ShuffleMeter::new);
  }

  /** Shuffle bytes written by all tasks finished so far. */
  public long bytesWritten() {
    try {
      sc.listenerBus().waitUntilEmpty(10_000L);
    } catch (java.util.concurrent.TimeoutException | RuntimeException | LinkageError e) {
      // The bus is internal API; if it changes, fall back to a best-effort count.
    }
    return bytes.get();
  }
}
