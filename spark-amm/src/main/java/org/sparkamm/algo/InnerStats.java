package org.sparkamm.algo;

import java.io.Serializable;

/**
 * The norms that the error formulas of the unbiased algorithms need, per inner index i:
 * a_i = A[:, i], b_i = B[i, :]. Sums over i are kept in double.
 */
public final class InnerStats implements Serializable {
  private static final long serialVersionUID = 1L;
  /** n, the inner dimension. */
  public final long n;
  /** ||A||_F^2 = sum_i ||a_i||^2. */
  public final double normA2;
  /** ||B||_F^2 = sum_i ||b_i||^2. */
  public final double normB2;
  /** sum_i ||a_i||^2 ||b_i||^2. */
  public final double sumProduct2;
  /** sum_i ||a_i|| ||b_i||. */
  public final double sumProduct;

  public InnerStats(long n, double normA2, double normB2, double sumProduct2, double sumProduct) {
    this.n = n;
    this.normA2 = normA2;
    this.normB2 = normB2;
    this.sumProduct2 = sumProduct2;
    this.sumProduct = sumProduct;
  }

  /** From the squared column norms of A and squared row norms of B. */
  public static InnerStats of(double[] colNormA2, double[] rowNormB2) {
    double a = 0;
    double b = 0;
    double p2 = 0;
    double p = 0;
    for (int i = 0; i < colNormA2.length; i++) {
      a += colNormA2[i];
      b += rowNormB2[i];
      p2 += colNormA2[i] * rowNormB2[i];
      p += Math.sqrt(colNormA2[i] * rowNormB2[i]);
    }
    return new InnerStats(colNormA2.length, a, b, p2, p);
  }

  /** Adds the statistics of a disjoint inner range. */
  public InnerStats plus(InnerStats o) {
    return new InnerStats(n + o.n, normA2 + o.normA2, normB2 + o.normB2, sumProduct2 + o.sumProduct2,
        sumProduct + o.sumProduct);
  }
}
