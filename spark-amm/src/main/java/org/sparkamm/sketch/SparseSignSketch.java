package org.sparkamm.sketch;

import org.sparkamm.random.CounterRng;
import org.sparkamm.random.Streams;

/**
 * A sparse sign sketch (SJLT; Kane and Nelson, "Sparser Johnson-Lindenstrauss transforms", JACM
 * 2014, block construction): the l rows are split into s blocks of sizes l_u = floor((u+1) l / s)
 * - floor(u l / s), and every inner index i has exactly one non-zero in each block, at a uniform
 * row of the block, equal to +-1/sqrt(s), all pure functions of (seed, i, u). s = 1 is CountSketch.
 *
 * <p>Then {@code (S^T S)_ii = 1} exactly, and for i != j {@code (S^T S)_ij = (1/s) sum_u
 * sigma_u(i) sigma_u(j) [h_u(i) = h_u(j)]} has mean 0 and second moment
 * {@code kappa = (1/s^2) sum_u 1/l_u} (= 1/l when s divides l), different pairs being uncorrelated.
 * Expanding {@code C - AB = sum_{i != j} (S^T S)_ij a_i b_j} gives, exactly,
 *
 * <pre>E||AB - C||_F^2 = kappa (||A||_F^2 ||B||_F^2 + ||AB||_F^2 - 2 sum_i ||a_i||^2 ||b_i||^2),</pre>
 *
 * the CountSketch value at the same l: more non-zeros do not change the mean squared error, they
 * concentrate it (lighter tails, the JL property with s ~ eps^-1 log(1/delta)). Cost: s scatter
 * additions per entry of the data.
 */
public final class SparseSignSketch implements InnerSketch {
  private static final long serialVersionUID = 1L;
  private final long key;
  private final int width;
  private final int nonzeros;

  public SparseSignSketch(long seed, int width, int nonzeros) {
    this.key = CounterRng.streamKey(seed, Streams.SPARSE_SIGNS);
    this.width = width;
    this.nonzeros = nonzeros;
  }

  @Override
  public int width() {
    return width;
  }

  @Override
  public boolean perIndex() {
    return true;
  }

  /** kappa = (1/s^2) sum_u 1/l_u, the second moment of an off-diagonal entry of S^T S. */
  public static double kappa(int width, int nonzeros) {
    double sum = 0;
    for (int u = 0; u < nonzeros; u++) {
      sum += 1.0 / (blockStart(u + 1, width, nonzeros) - blockStart(u, width, nonzeros));
    }
    return sum / ((double) nonzeros * nonzeros);
  }

  private static int blockStart(int u, int width, int nonzeros) {
    return (int) ((long) u * width / nonzeros);
  }

  @Override
  public Hits slice(long start, int len, Side side) {
    int count = Math.multiplyExact(len, nonzeros);
    int[] local = new int[count];
    int[] bucket = new int[count];
    double[] coef = new double[count];
    double c = 1.0 / Math.sqrt(nonzeros);
    int t = 0;
    for (int j = 0; j < len; j++) {
      long base = (start + j) * nonzeros;
      for (int u = 0; u < nonzeros; u++, t++) {
        long bits = CounterRng.bits(key, base + u);
        int from = blockStart(u, width, nonzeros);
        int size = blockStart(u + 1, width, nonzeros) - from;
        local[t] = j;
        bucket[t] = from + (int) (((bits >>> 32) * size) >>> 32);
        coef[t] = (bits & 1L) == 0 ? -c : c;
      }
    }
    return new Hits(count, local, bucket, coef);
  }
}
