package org.sparkamm.algo;

import org.sparkamm.sketch.ColumnRowSampler;
import org.sparkamm.sketch.InnerMasses;
import org.sparkamm.sketch.InnerSketch;

/**
 * {@code weighted-cr}: column-row sampling with p_i proportional to ||a_i|| ||b_i||, the optimal
 * i.i.d. distribution (Drineas, Kannan, Mahoney 2006), scaled by 1/(c p_i) so that the estimate is
 * unbiased (LibAMM's C++ version scales by n/c as if p were uniform, which is biased). Then
 * {@code E||AB - C||_F^2 = ((sum_i ||a_i|| ||b_i||)^2 - ||AB||_F^2) / c}. Needs one extra pass to
 * compute the norms: on Spark partial norms per block are summed by inner index (n doubles shuffled),
 * and only one total per chunk of 4096 indices plus the chunks where draws land reach the driver.
 */
public final class WeightedSampling extends AmmAlgorithm {
  @Override
  public String tag() {
    return "weighted-cr";
  }

  @Override
  public String description() {
    return "column-row sampling with p_i ~ ||a_i|| ||b_i||, scaled 1/(c p_i)";
  }

  @Override
  public boolean needsMasses() {
    return true;
  }

  @Override
  public InnerSketch sketch(long n, int k, long seed, InnerMasses masses) {
    return ColumnRowSampler.weighted(masses, k, seed);
  }

  @Override
  public double expectedSquaredError(InnerNorms norms, double productNorm2, int k, long seed) {
    InnerStats s = norms.stats();
    return (s.sumProduct * s.sumProduct - productNorm2) / k;
  }
}
