package org.sparkamm.local;

import org.sparkamm.error.AmmArgumentException;

/**
 * LibAMM's accuracy metric, the relative Frobenius error {@code ||AB - C||_F / ||AB||_F}, computed
 * in double whatever the input precision. Partial sums ({@link #squaredDifference},
 * {@link #squaredNorm}) let distributed code add block contributions before the one division.
 */
public final class FrobeniusError {
  private FrobeniusError() {}

  /** {@code ||exact - approx||_F / ||exact||_F}; +infinity when exact is zero and approx is not, 0 when both are. */
  public static double relative(double[] exact, double[] approx) {
    AmmArgumentException.require(exact.length == approx.length,
        "relative Frobenius error needs equal sizes, got %d and %d entries", exact.length, approx.length);
    return ratio(squaredDifference(exact, approx), squaredNorm(exact));
  }

  /** sqrt(diff2 / norm2) with the zero cases of {@link #relative}. */
  public static double ratio(double diff2, double norm2) {
    if (norm2 == 0) {
      return diff2 == 0 ? 0.0 : Double.POSITIVE_INFINITY;
    }
    return Math.sqrt(diff2 / norm2);
  }

  public static double squaredDifference(double[] x, double[] y) {
    double s = 0;
    for (int i = 0; i < x.length; i++) {
      double d = x[i] - y[i];
      s += d * d;
    }
    return s;
  }

  public static double squaredNorm(double[] x) {
    double s = 0;
    for (double v : x) {
      s += v * v;
    }
    return s;
  }
}
