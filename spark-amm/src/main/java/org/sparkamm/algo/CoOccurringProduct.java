package org.sparkamm.algo;

import java.util.Set;
import org.sparkamm.config.AmmConfig;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.sketch.CoOccurringDirections;
import org.sparkamm.sketch.InnerMasses;
import org.sparkamm.sketch.InnerSketch;

/**
 * {@code cooFD} and {@code bcooFD}: co-occurring directions (Mroueh, Marcheret, Goel 2017) and
 * LibAMM's beta-shrink variant ({@value #BETA_KEY}, default 1.0, valid &gt; 0), with l =
 * {@code sketchSize}: deterministic, mergeable sketches BX (m x 2l), BY (p x 2l) with
 * {@code C = BX BY^T} (see {@link CoOccurringDirections} for the shrink and the proof). Guarantee:
 *
 * <pre>||AB - C||_2 &le; (sum_i ||a_i|| ||b_i||) / l &le; ||A||_F ||B||_F / l   (cooFD),
 * ||AB - C||_2 &le; (sum_i ||a_i|| ||b_i||) / sum_{j&lt;l} F_j                  (bcooFD),</pre>
 *
 * F_j = (exp(beta j/(k-1)) - 1)/(exp(beta) - 1) over the k = min(m, p, 2l) singular values of a
 * shrink (for beta = 1 and k = 2l, sum_{j&lt;l} F_j is about 0.17 l: a weaker bound, and more frequent
 * shrinks, since only the smallest direction is sure to vanish). Unlike LibAMM, the pair that
 * triggers a shrink is inserted after it, not dropped. With l &ge; min(m, p) nothing is ever
 * subtracted and the product is exact up to rounding ({@link #spectralErrorBound} is then 0).
 *
 * <p>Distributed ("mergeable sketches"): each task sketches the pairs it holds, and the partial
 * sketches (each at most (m + p) 2 l doubles) are merged on the driver in partition order, so the
 * same inputs and partitioning give the same result; it depends on the partitioning (which pairs
 * each partial sketch saw, in which order) and nothing else, and the bound holds for every merge
 * order. The pairs (a_i, b_i) must meet: on BlockMatrix inputs A's blocks of inner block K and
 * B's blocks of inner block K are grouped by K (a shuffle of both inputs, once), on row-aligned
 * inputs the rows of X and Y are joined by index. Cost O(n (m + p) l) flops in LAPACK and BLAS-3.
 */
public final class CoOccurringProduct extends AmmAlgorithm {
  public static final String BETA_KEY = "algoBeta";
  private final boolean betaShrink;
  private double beta = 1.0;

  /** @param betaShrink false for {@code cooFD}, true for {@code bcooFD} */
  public CoOccurringProduct(boolean betaShrink) {
    this.betaShrink = betaShrink;
  }

  @Override
  public String tag() {
    return betaShrink ? "bcooFD" : "cooFD";
  }

  @Override
  public String description() {
    return betaShrink ? "co-occurring directions with the beta shrink (algoBeta, default 1.0); deterministic, mergeable"
        : "co-occurring directions, shrink by the l-th singular value; deterministic, mergeable";
  }

  @Override
  public Set<String> configKeys() {
    return betaShrink ? Set.of(BETA_KEY) : Set.of();
  }

  @Override
  public void configure(AmmConfig cfg) {
    if (betaShrink) {
      double b = cfg.getDouble(BETA_KEY, 1.0);
      AmmArgumentException.require(b > 0 && Double.isFinite(b), "config key '%s' must be positive, got %s", BETA_KEY, b);
      beta = b;
    }
  }

  @Override
  public CoOccurringDirections mergeableSketch(long m, long p, int l) {
    checkSketchFits(2 * l, m, p);
    return new CoOccurringDirections((int) m, (int) p, l, betaShrink ? beta : Double.NaN);
  }

  /**
   * The guarantee's right-hand side, (sum_i ||a_i|| ||b_i||) / sum_{j&lt;l} F_j, F_j summed over the
   * k = min(m, p, 2l) values of a shrink; 0 when k &le; l (nothing is ever subtracted: exact).
   */
  @Override
  public double spectralErrorBound(InnerNorms norms, long m, long p, int l) {
    int k = (int) Math.min(Math.min(m, p), 2L * l);
    if (k <= l) {
      return 0.0;
    }
    double f = 0;
    for (int j = 0; j < l; j++) {
      f += betaShrink && k > 1 ? Math.expm1(beta * j / (k - 1)) / Math.expm1(beta) : 1.0;
    }
    return norms.stats().sumProduct / f;
  }

  @Override
  public InnerSketch sketch(long n, int l, long seed, InnerMasses masses) {
    throw new IllegalStateException(tag() + " is a mergeable sketch, not a linear sketch of the inner dimension");
  }

  /** NaN: deterministic, with the spectral-norm bound above instead of an expectation. */
  @Override
  public double expectedSquaredError(InnerNorms norms, double productNorm2, int l, long seed) {
    return Double.NaN;
  }
}
