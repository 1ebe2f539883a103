package org.sparkamm.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.sparkamm.algo.Breakdown;

/**
 * The phases of one distributed product, for its {@link Breakdown}: wall-clock laps ({@link
 * Breakdown.Clock}) and the shuffle bytes written since the product started ({@link ShuffleMeter}).
 */
final class ProductClock {
  private final ShuffleMeter meter;
  private final long shuffle0;
  private final Breakdown.Clock clock;

  /** Starts now: the shuffle bytes written so far are the baseline (read first, as reading drains the listener bus). */
  ProductClock(JavaSparkContext jsc) {
    meter = ShuffleMeter.of(jsc.sc());
    shuffle0 = meter.bytesWritten();
    clock = new Breakdown.Clock();
  }

  /** Microseconds since the previous lap (or the start). */
  long lap() {
    return clock.lap();
  }

  /** The phases' times (microseconds) with the shuffle bytes written since the start. */
  Breakdown breakdown(long buildA, long buildB, long fabricate, long post) {
    return new Breakdown(buildA, buildB, fabricate, post, meter.bytesWritten() - shuffle0);
  }
}
