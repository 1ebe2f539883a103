package org.sparkamm.algo;

import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.sketch.InnerMasses;
import org.sparkamm.sketch.InnerSketch;

/**
 * One approximate matrix multiplication method, C ~ AB with A m x n and B n x p, independent of
 * where it runs. A method is either the exact product or a sketch of the inner dimension
 * ({@code C = (A S^T)(S B)}, see {@link InnerSketch}); the local and Spark engines execute both.
 * Implementations state their math in their Javadoc: formula, guarantee, cost.
 */
public abstract class AmmAlgorithm {
  /** LibAMM's tag, e.g. {@code countSketch}. */
  public abstract String tag();

  /** One line for listings. */
  public abstract String description();

  /** True for the exact product: there is no sketch. */
  public boolean isExact() {
    return false;
  }

  /** True when {@link #sketch} reads data-dependent masses (one extra pass over the inputs). */
  public boolean needsMasses() {
    return false;
  }

  /**
   * The sketch for inner dimension n and sketch size k, a pure function of (seed, n, k, masses).
   *
   * @param masses q_i = ||a_i|| ||b_i|| per inner index; only read when {@link #needsMasses()}
   */
  public abstract InnerSketch sketch(long n, int k, long seed, InnerMasses masses);

  /** E||AB - C||_F^2 for sketch size k, given the inputs' norms and ||AB||_F^2 (0 for exact). */
  public abstract double expectedSquaredError(InnerStats stats, double productNorm2, int k);

  /** The sketches of A (m x k) and B^T (p x k) must each fit one Java array. */
  public static void checkSketchFits(int k, long m, long p) {
    long rows = Math.max(Math.max(m, p), 1);
    AmmArgumentException.require(rows * (long) k <= Integer.MAX_VALUE - 8,
        "sketch size %d is too large: a %d x %d sketch does not fit in one array", k, rows, k);
  }

  @Override
  public String toString() {
    return tag();
  }
}
