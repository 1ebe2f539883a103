package org.sparkamm.algo;

import org.sparkamm.sketch.ColumnRowSampler;
import org.sparkamm.sketch.InnerMasses;
import org.sparkamm.sketch.InnerSketch;

/**
 * {@code crs}: LibAMM's column-row sampling. Draws c = k inner indices i.i.d. uniformly with
 * replacement and returns C = sum_t (n/c) a_{i_t} b_{i_t}. Unbiased;
 * {@code E||AB - C||_F^2 = (n sum_i ||a_i||^2 ||b_i||^2 - ||AB||_F^2) / c}. Not exact even for
 * c &ge; n (draws repeat). No pass over the data is needed to draw; on Spark each block copies its
 * sampled columns (rows) scaled, and only the m x |U| and p x |U| samples are shuffled.
 * Cost O(c(m + p)) to gather, O(mcp) to multiply.
 */
public final class UniformSampling extends AmmAlgorithm {
  @Override
  public String tag() {
    return "crs";
  }

  @Override
  public String description() {
    return "column-row sampling, uniform with replacement, scaled n/c";
  }

  @Override
  public InnerSketch sketch(long n, int k, long seed, InnerMasses masses) {
    return ColumnRowSampler.uniform(n, k, seed);
  }

  @Override
  public double expectedSquaredError(InnerNorms norms, double productNorm2, int k, long seed) {
    InnerStats s = norms.stats();
    return (s.n * s.sumProduct2 - productNorm2) / k;
  }
}
