package org.sparkamm.sketch;

import java.util.Arrays;
import org.sparkamm.random.CounterRng;
import org.sparkamm.random.Streams;

/**
 * Bernoulli column-row sampling (Adelman, Levy, Hakimi, Silberstein, NeurIPS 2021, as LibAMM's
 * {@code bcrs}): inner index i is kept independently with probability p_i and weighted 1/p_i, so
 *
 * <pre>E[C] = AB,   E||AB - C||_F^2 = sum_i (1 - p_i) / p_i ||a_i||^2 ||b_i||^2.</pre>
 *
 * The probabilities follow LibAMM's random weights u_i (uniform on (0, 1], see {@link RandomMasses})
 * so that {@code sum_i p_i = min(l, n)}, the expected number of kept pairs: {@code p_i = min(1, tau u_i)}
 * with tau found by water-filling (LibAMM uses {@code l u_i / sum u}, which exceeds 1 for some i and
 * is then biased). Once p_i is capped at 1 its excess mass is redistributed by raising tau; with
 * l &ge; n every p_i is 1 and the product is exact. tau is computed on the driver by a few passes
 * over the n random weights (each pass fixes the indices capped so far; at most a handful are
 * needed), the coins by one more. The kept set is returned as a {@link SampledSketch}.
 */
public final class BernoulliSampler {
  private BernoulliSampler() {}

  /** tau such that sum_i min(1, tau u_i) = min(l, n); +infinity when l &ge; n. */
  public static double tau(long seed, long n, int l) {
    if (l >= n) {
      return Double.POSITIVE_INFINITY;
    }
    long key = RandomMasses.key(seed);
    double tau = 0;
    long capped = -1;
    while (true) {
      // Indices with tau u_i >= 1 are capped; the rest share the remaining expected count.
      double free = 0;
      long cappedNow = 0;
      for (long i = 0; i < n; i++) {
        double u = RandomMasses.mass(key, i);
        if (tau > 0 && tau * u >= 1) {
          cappedNow++;
        } else {
          free += u;
        }
      }
      if (cappedNow == capped) {
        return tau;
      }
      capped = cappedNow;
      tau = (l - capped) / free;
    }
  }

  /** p_i for a given tau. */
  public static double probability(long key, long i, double tau) {
    return Math.min(1.0, tau * RandomMasses.mass(key, i));
  }

  /**
   * The kept indices with weights 1/p_i: probabilities from the weights of {@code weightSeed},
   * coins from {@code coinSeed} ({@code bcrs} uses its seed for both).
   */
  public static SampledSketch sample(long weightSeed, long coinSeed, long n, int l) {
    double tau = tau(weightSeed, n, l);
    long key = RandomMasses.key(weightSeed);
    long coinKey = CounterRng.streamKey(coinSeed, Streams.BERNOULLI_COINS);
    long[] kept = new long[16];
    double[] weights = new double[16];
    int count = 0;
    for (long i = 0; i < n; i++) {
      double p = probability(key, i, tau);
      if (CounterRng.uniform(coinKey, i) < p) {
        if (count == kept.length) {
          kept = Arrays.copyOf(kept, 2 * count);
          weights = Arrays.copyOf(weights, 2 * count);
        }
        kept[count] = i;
        weights[count++] = 1.0 / p;
      }
    }
    return new SampledSketch(Arrays.copyOf(kept, count), Arrays.copyOf(weights, count));
  }
}
