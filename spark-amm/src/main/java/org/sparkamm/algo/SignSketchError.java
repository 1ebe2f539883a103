package org.sparkamm.algo;

/**
 * The expected squared error shared by every sketch whose S^T S has an exact unit diagonal and
 * uncorrelated, zero-mean off-diagonal entries of second moment kappa (CountSketch, Rademacher,
 * sparse sign sketches): {@code C - AB = sum_{i != j} (S^T S)_ij a_i b_j}, and only the pairs
 * (i, j) and (j, i) correlate, so
 *
 * <pre>E||AB - C||_F^2 = kappa (||A||_F^2 ||B||_F^2 + ||AB||_F^2 - 2 sum_i ||a_i||^2 ||b_i||^2).</pre>
 *
 * kappa = 1/l for CountSketch and Rademacher sketches with l rows.
 */
final class SignSketchError {
  private SignSketchError() {}

  static double of(InnerStats s, double productNorm2, double kappa) {
    return kappa * (s.normA2 * s.normB2 + productNorm2 - 2 * s.sumProduct2);
  }
}
