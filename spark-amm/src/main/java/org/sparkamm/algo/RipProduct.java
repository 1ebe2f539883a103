package org.sparkamm.algo;

import org.sparkamm.random.DenseColumns;
import org.sparkamm.sketch.DenseSketch;
import org.sparkamm.sketch.InnerMasses;
import org.sparkamm.sketch.InnerSketch;

/**
 * {@code rip}: LibAMM's RIP-based JL sketch (Krahmer and Ward 2011), S = R D with R a dense
 * Rademacher matrix of entries +-1/sqrt(l) and D random column signs (LibAMM, too, uses the dense
 * R rather than the paper's structured construction, and so does this class). Unbiased; as for every
 * Rademacher sketch {@code E||AB - C||_F^2 = (||A||_F^2 ||B||_F^2 + ||AB||_F^2 - 2 sum_i ||a_i||^2
 * ||b_i||^2) / l} (see {@link DenseSketch}). Cost as {@code gaussian}: O(n l (m + p)) in BLAS-3.
 */
public final class RipProduct extends AmmAlgorithm {
  @Override
  public String tag() {
    return "rip";
  }

  @Override
  public String description() {
    return "dense Rademacher +-1/sqrt(l) with random column signs, dense tiles by BLAS-3";
  }

  @Override
  public InnerSketch sketch(long n, int l, long seed, InnerMasses masses) {
    return new DenseSketch(DenseColumns.Entries.RADEMACHER, seed, l, true);
  }

  @Override
  public double expectedSquaredError(InnerNorms norms, double productNorm2, int l, long seed) {
    return SignSketchError.of(norms.stats(), productNorm2, 1.0 / l);
  }
}
