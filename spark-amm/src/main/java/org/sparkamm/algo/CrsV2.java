package org.sparkamm.algo;

import org.sparkamm.sketch.ColumnRowSampler;
import org.sparkamm.sketch.InnerMasses;
import org.sparkamm.sketch.InnerSketch;
import org.sparkamm.sketch.RandomMasses;

/**
 * {@code crsV2}: LibAMM's column-row sampling with random probabilities p_i = u_i / sum_j u_j (u_i
 * uniform on (0, 1], a pure function of (seed, i); data-independent), c = l draws with replacement,
 * weights 1/(c p_i). Unbiased; for the probabilities of a given seed
 *
 * <pre>E||AB - C||_F^2 = (sum_i ||a_i||^2 ||b_i||^2 / p_i - ||AB||_F^2) / c.</pre>
 *
 * (Averaged over seeds this is infinite, since E[1/u] diverges: uniform random weights can be tiny.)
 * Implemented as sampling at the cost of {@code crs} plus one pass over n random numbers on the
 * driver; LibAMM builds dense n x n matrices and costs more than the exact product.
 */
public final class CrsV2 extends AmmAlgorithm {
  @Override
  public String tag() {
    return "crsV2";
  }

  @Override
  public String description() {
    return "column-row sampling with random probabilities u_i / sum u, scaled 1/(c p_i)";
  }

  @Override
  public InnerSketch sketch(long n, int l, long seed, InnerMasses masses) {
    return sample(n, l, seed, seed);
  }

  /** The sample with the probabilities of {@code weightSeed} and the draws of {@code drawSeed}. */
  public static InnerSketch sample(long n, int l, long weightSeed, long drawSeed) {
    return ColumnRowSampler.weighted(new RandomMasses(weightSeed, n), l, drawSeed);
  }

  @Override
  public double expectedSquaredError(InnerNorms norms, double productNorm2, int l, long seed) {
    long n = norms.stats().n;
    double total = InnerMasses.sum(new RandomMasses(seed, n).chunkTotals());
    long key = RandomMasses.key(seed);
    double sum = norms.sum((i, a2, b2) -> a2 * b2 * total / RandomMasses.mass(key, i));
    return (sum - productNorm2) / l;
  }
}
