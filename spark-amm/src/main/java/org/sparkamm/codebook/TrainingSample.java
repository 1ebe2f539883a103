package org.sparkamm.codebook;

import java.io.Serializable;
import org.sparkamm.random.CounterRng;

/**
 * Which rows of a training matrix (or columns, for B) a codebook is trained on: index i is drawn
 * when {@code CounterRng.uniform(key, i) < f}, with f = min(1, target / total), so the sample holds
 * about {@code target} indices, each independently, and is a pure function of (seed, stream, index):
 * the same for any partitioning, locally and on Spark, and on every retry of a task.
 */
public final class TrainingSample implements Serializable {
  private static final long serialVersionUID = 1L;
  private final long key;
  private final double fraction;

  private TrainingSample(long key, double fraction) {
    this.key = key;
    this.fraction = fraction;
  }

  /** About {@code target} of {@code total} indices, drawn with the stream {@code stream} of {@code seed}. */
  public static TrainingSample of(long seed, long stream, long total, long target) {
    return new TrainingSample(CounterRng.streamKey(seed, stream), total <= target ? 1.0 : target / (double) total);
  }

  public boolean contains(long index) {
    return fraction >= 1.0 || CounterRng.uniform(key, index) < fraction;
  }

  /** The expected number of drawn indices out of {@code total}. */
  public double expected(long total) {
    return fraction * total;
  }
}
