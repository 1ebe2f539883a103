package org.sparkamm.sketch;

import java.util.Arrays;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.random.CounterRng;
import org.sparkamm.random.Streams;

/**
 * Draws c inner indices i.i.d. with replacement (Drineas, Kannan, Mahoney 2006, "Fast Monte Carlo
 * algorithms for matrices I") and turns the draws into a {@link SampledSketch} with the unbiased
 * weights {@code w_i = o_i / (c p_i)}, o_i being the number of times i was drawn. Then
 *
 * <pre>E[C] = AB,   E||AB - C||_F^2 = (sum_i ||a_i||^2 ||b_i||^2 / p_i - ||AB||_F^2) / c.</pre>
 *
 * <p>Draw t is the inverse CDF of p at the uniform u_t = U(seed, t): a pure function of the seed,
 * the draw number and the masses, so the sample is the same for any partitioning or block size that
 * gives the same masses ({@link InnerMasses}).
 */
public final class ColumnRowSampler {
  private ColumnRowSampler() {}

  /** Uniform sampling, p_i = 1/n (LibAMM's {@code crs}): w_i = o_i n / c. No pass over the data. */
  public static SampledSketch uniform(long n, int c, long seed) {
    long key = CounterRng.streamKey(seed, Streams.SAMPLE_DRAWS);
    long[] draws = new long[c];
    for (int t = 0; t < c; t++) {
      draws[t] = Math.min(n - 1, (long) (CounterRng.uniform(key, t) * n));
    }
    Arrays.sort(draws);
    return fromSortedDraws(draws, c, i -> (double) n);
  }

  /**
   * Sampling with p_i = q_i / sum_j q_j. With q_i = ||a_i|| ||b_i|| (LibAMM's {@code weighted-cr},
   * with the correct 1/(c p_i) scaling that its C++ version lacks) this is the i.i.d. distribution
   * that minimizes the expected squared error, which becomes ((sum_i ||a_i|| ||b_i||)^2 - ||AB||^2)/c.
   * When every mass is zero, AB = 0 and so is every estimate; the uniform sample is returned.
   */
  public static SampledSketch weighted(InnerMasses masses, int c, long seed) {
    long n = masses.size();
    double[] totals = masses.chunkTotals();
    double total = 0;
    int lastPositive = -1;
    for (int ch = 0; ch < totals.length; ch++) {
      total += totals[ch];
      if (totals[ch] > 0) {
        lastPositive = ch;
      }
    }
    if (!Double.isFinite(total)) {
      throw new AmmArgumentException("sampling weights are not finite: the inputs contain NaN or infinite values");
    }
    if (lastPositive < 0) {
      return uniform(n, c, seed);
    }
    long key = CounterRng.streamKey(seed, Streams.SAMPLE_DRAWS);
    double[] u = new double[c];
    for (int t = 0; t < c; t++) {
      u[t] = CounterRng.uniform(key, t) * total;
    }
    Arrays.sort(u);
    // Assign each (sorted) draw to its chunk, keeping the remainder inside the chunk.
    int[] chunkOfDraw = new int[c];
    double[] rest = new double[c];
    int ch = 0;
    double before = 0;
    for (int t = 0; t < c; t++) {
      while (ch < lastPositive && (totals[ch] == 0 || u[t] >= before + totals[ch])) {
        before += totals[ch];
        ch++;
      }
      chunkOfDraw[t] = ch;
      rest[t] = u[t] - before;
    }
    int[] chunkIds = Arrays.stream(chunkOfDraw).distinct().toArray();
    double[][] chunkMasses = masses.chunks(chunkIds);
    long[] draws = new long[c];
    double[] drawMass = new double[c];
    int k = 0;
    for (int t = 0; t < c; t++) {
      while (chunkIds[k] != chunkOfDraw[t]) {
        k++;
      }
      double[] q = chunkMasses[k];
      int local = inverseCdf(q, rest[t]);
      draws[t] = (long) chunkIds[k] * InnerMasses.CHUNK + local;
      drawMass[t] = q[local];
    }
    // Draws are already in increasing index order: u is sorted and the CDF is monotone.
    double totalMass = total;
    return fromSortedDraws(draws, c, i -> totalMass / massOf(draws, drawMass, i));
  }

  /** The first index whose cumulative mass exceeds r and whose own mass is positive; rounding clamps to the last positive. */
  private static int inverseCdf(double[] q, double r) {
    double cum = 0;
    int lastPositive = -1;
    for (int j = 0; j < q.length; j++) {
      if (q[j] > 0) {
        cum += q[j];
        lastPositive = j;
        if (r < cum) {
          return j;
        }
      }
    }
    return lastPositive;
  }

  private static double massOf(long[] draws, double[] drawMass, long index) {
    return drawMass[Arrays.binarySearch(draws, index)];
  }

  /** 1 / p_i for a drawn index. */
  private interface InverseProbability {
    double of(long index);
  }

  private static SampledSketch fromSortedDraws(long[] draws, int c, InverseProbability invP) {
    int distinct = 0;
    for (int t = 0; t < draws.length; t++) {
      if (t == 0 || draws[t] != draws[t - 1]) {
        distinct++;
      }
    }
    long[] indices = new long[distinct];
    double[] weights = new double[distinct];
    int d = -1;
    for (int t = 0; t < draws.length; t++) {
      if (t == 0 || draws[t] != draws[t - 1]) {
        d++;
        indices[d] = draws[t];
      }
      weights[d] += 1.0;
    }
    for (int j = 0; j < distinct; j++) {
      weights[j] = weights[j] * invP.of(indices[j]) / c;
    }
    return new SampledSketch(indices, weights);
  }
}
