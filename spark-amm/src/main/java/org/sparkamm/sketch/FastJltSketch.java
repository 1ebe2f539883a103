package org.sparkamm.sketch;

import org.sparkamm.random.CounterRng;
import org.sparkamm.random.ElementStream;
import org.sparkamm.random.Streams;
import org.sparkamm.random.Ziggurat;

/**
 * The fast Johnson-Lindenstrauss transform of Ailon and Chazelle (STOC 2006), S = P H D, over a
 * grid of chunks (see {@link HadamardSketch}): after signs and the fast Walsh-Hadamard transform of
 * each chunk, P_c (l x D) keeps each entry independently with probability q and gives it a
 * N(0, 1/(q l D)) value, so {@code E[P_c^T P_c] = I / D} and the estimate is unbiased.
 *
 * <p>q is LibAMM's density, capped: {@code q = min(1, ceil(log2 n)^2 / D_pad)} with D_pad the
 * inner dimension padded to a power of two (LibAMM leaves q uncapped and rescales by 1/q when it
 * exceeds 1, and multiplies by a dense Hadamard matrix: 4 GiB for MNIST). Over all chunks each
 * sketch row then sees about log2(n)^2 transformed coordinates, and each coordinate has q l
 * non-zeros on average. The non-zeros of a coordinate are found by geometric skips, so generating
 * P_c costs O(D + q l D), not O(l D). No simple closed-form error; checked against a Gaussian
 * sketch of the same l in the tests. Cost: D log2 D additions per chunk and outer row, plus q l
 * per transformed coordinate.
 */
public final class FastJltSketch extends HadamardSketch {
  private static final long serialVersionUID = 1L;
  private final long projectionKey;
  private final double density;

  public FastJltSketch(long seed, int width, int chunk, double density) {
    super(CounterRng.streamKey(seed, Streams.COLUMN_SIGNS), chunk, width);
    this.projectionKey = CounterRng.streamKey(seed, Streams.HADAMARD_PROJECTION);
    this.density = density;
  }

  /** LibAMM's density, capped at 1: min(1, ceil(log2 n)^2 / 2^ceil(log2 n)). */
  public static double density(long n) {
    int bits = 64 - Long.numberOfLeadingZeros(Math.max(1, n - 1)); // ceil(log2 n)
    double padded = Math.pow(2, bits);
    return Math.min(1.0, (double) bits * bits / padded);
  }

  public double density() {
    return density;
  }

  @Override
  public Hits projection(long c) {
    int l = width();
    int d = chunk();
    double scale = 1.0 / Math.sqrt(density * l * d);
    double logMiss = Math.log1p(-density); // -infinity when q = 1: every gap is 0
    int capacity = (int) Math.min((long) l * d, (long) (density * l * d * 1.2) + 64);
    int[] local = new int[capacity];
    int[] bucket = new int[capacity];
    double[] coef = new double[capacity];
    int count = 0;
    ElementStream s = new ElementStream();
    for (int r = 0; r < d; r++) {
      s.reset(projectionKey, c * d + r);
      long t = -1;
      while (true) {
        t += 1 + (density >= 1 ? 0 : (long) Math.floor(Math.log(s.nextPositiveDouble()) / logMiss));
        if (t >= l) {
          break;
        }
        if (count == local.length) {
          int grown = (int) Math.min((long) l * d, 2L * count);
          local = java.util.Arrays.copyOf(local, grown);
          bucket = java.util.Arrays.copyOf(bucket, grown);
          coef = java.util.Arrays.copyOf(coef, grown);
        }
        local[count] = r;
        bucket[count] = (int) t;
        coef[count] = scale * Ziggurat.next(s);
        count++;
      }
    }
    return new Hits(count, local, bucket, coef);
  }
}
