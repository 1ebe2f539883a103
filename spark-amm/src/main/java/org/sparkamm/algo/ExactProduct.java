package org.sparkamm.algo;

import org.sparkamm.sketch.InnerMasses;
import org.sparkamm.sketch.InnerSketch;

/**
 * {@code mm}: the exact product C = AB, the baseline of every comparison. Locally one BLAS dgemm
 * (2mnp flops); on Spark, MLlib's {@code BlockMatrix.multiply} (two shuffles: every block of A and B
 * travels to the output partitions that need it, then partial products are summed by output block)
 * and, for the row-aligned X^T Y, a join of the two row sets by index followed by per-partition GEMMs
 * and a tree aggregation. The sketch size is not used (LibAMM only asserts it is non-zero).
 */
public final class ExactProduct extends AmmAlgorithm {
  @Override
  public String tag() {
    return "mm";
  }

  @Override
  public String description() {
    return "exact product (BLAS dgemm locally, BlockMatrix.multiply on Spark)";
  }

  @Override
  public boolean isExact() {
    return true;
  }

  @Override
  public InnerSketch sketch(long n, int k, long seed, InnerMasses masses) {
    throw new IllegalStateException("mm is exact and has no sketch");
  }

  @Override
  public double expectedSquaredError(InnerNorms norms, double productNorm2, int k, long seed) {
    return 0.0;
  }
}
