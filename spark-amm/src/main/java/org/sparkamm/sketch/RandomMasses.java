package org.sparkamm.sketch;

import org.sparkamm.random.CounterRng;
import org.sparkamm.random.Streams;

/**
 * Data-independent random sampling masses u_i, uniform on (0, 1] and a pure function of (seed, i),
 * for LibAMM's {@code crsV2} and {@code bcrs}. Chunks are generated on demand, so nothing of size n
 * is stored; a full pass (the chunk totals) costs about 3 ns per inner index on the driver.
 */
public final class RandomMasses implements InnerMasses {
  private final long n;
  private final long key;

  public RandomMasses(long seed, long n) {
    this.n = n;
    this.key = CounterRng.streamKey(seed, Streams.RANDOM_WEIGHTS);
  }

  /** u_i, in (0, 1]. */
  public static double mass(long key, long i) {
    return 1.0 - CounterRng.uniform(key, i);
  }

  /** The stream key of the masses of a seed (for closures that recompute u_i). */
  public static long key(long seed) {
    return CounterRng.streamKey(seed, Streams.RANDOM_WEIGHTS);
  }

  @Override
  public long size() {
    return n;
  }

  @Override
  public double[] chunkTotals() {
    int chunks = InnerMasses.chunkCount(n);
    double[] totals = new double[chunks];
    for (int c = 0; c < chunks; c++) {
      totals[c] = InnerMasses.sum(chunk(c));
    }
    return totals;
  }

  @Override
  public double[][] chunks(int[] chunkIds) {
    double[][] out = new double[chunkIds.length][];
    for (int t = 0; t < chunkIds.length; t++) {
      out[t] = chunk(chunkIds[t]);
    }
    return out;
  }

  private double[] chunk(int c) {
    long from = (long) c * CHUNK;
    double[] q = new double[(int) Math.min(CHUNK, n - from)];
    for (int j = 0; j < q.length; j++) {
      q[j] = mass(key, from + j);
    }
    return q;
  }
}
