package org.sparkamm.algo;

import org.sparkamm.sketch.BernoulliSampler;
import org.sparkamm.sketch.InnerMasses;
import org.sparkamm.sketch.InnerSketch;
import org.sparkamm.sketch.RandomMasses;

/**
 * {@code bcrs}: LibAMM's Bernoulli column-row sampling (PyAMM's docstring calls it "Block CRS"; it
 * is Bernoulli): each inner index kept independently with p_i = min(1, tau u_i), u_i LibAMM's random
 * weights, tau chosen so that l pairs are kept on average (see {@link BernoulliSampler}), weighted
 * 1/p_i. Unbiased, also where LibAMM's p_i would exceed 1;
 *
 * <pre>E||AB - C||_F^2 = sum_i (1 - p_i) / p_i ||a_i||^2 ||b_i||^2;</pre>
 *
 * exact for l &ge; n. The number of kept pairs is random (mean l), so the sketch width is too.
 * Cost: a few passes over n random numbers on the driver, then {@code crs}'s gather and product.
 */
public final class BernoulliSampling extends AmmAlgorithm {
  @Override
  public String tag() {
    return "bcrs";
  }

  @Override
  public String description() {
    return "Bernoulli column-row sampling, l pairs expected, p_i capped at 1, scaled 1/p_i";
  }

  @Override
  public InnerSketch sketch(long n, int l, long seed, InnerMasses masses) {
    return BernoulliSampler.sample(seed, seed, n, l);
  }

  @Override
  public double expectedSquaredError(InnerNorms norms, double productNorm2, int l, long seed) {
    double tau = BernoulliSampler.tau(seed, norms.stats().n, l);
    long key = RandomMasses.key(seed);
    return norms.sum((i, a2, b2) -> {
      double p = BernoulliSampler.probability(key, i, tau);
      return (1 - p) / p * a2 * b2;
    });
  }
}
