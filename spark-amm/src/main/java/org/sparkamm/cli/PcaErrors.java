package org.sparkamm.cli;

import org.sparkamm.local.Blas;
import org.sparkamm.local.Lapack;

/**
 * How far approximate principal components V~ (d x k, orthonormal columns) are from exact PCA, for
 * the exact covariance C (d x d, symmetric, eigenvalues lambda_1 &gt;= ... &gt;= lambda_d) and its exact
 * top-k components V (all column-major):
 *
 * <ul>
 *   <li>{@link #libamm}: LibAMM's {@code PCAError} ({@code benchmark/src/BenchmarkPCA.cpp}),
 *       ||C - P~ C P~||_2 / ||C||_2 with P~ = V~ V~^T; LibAMM writes it as
 *       ||(A A^T - A_k A_k^T)/N||_2 / ||A A^T / N||_2 with A_k = P~ A (A = the data, features x
 *       samples). For the exact components it is lambda_{k+1} / lambda_1, not 0 (rank-k truncation;
 *       LibAMM: 13.23 % on SIFT10K at k = 5). Cost: d^2 k for C V~, d^2 k for P~ C P~, O(d^3) for
 *       the eigenvalues.
 *   <li>{@link #subspace}: ||P_k - P~_k||_2 = ||(I - V V^T) V~||_2, the sine of the largest
 *       principal angle between the two subspaces (0: the same subspace, 1: a direction of one is
 *       orthogonal to the other). Cost O(d k^2).
 *   <li>{@link #captured}: trace(V~^T C V~) / (lambda_1 + ... + lambda_k), the share of the variance
 *       the best k directions capture that V~ captures (1 at best; at least 0). Cost O(d^2 k).
 * </ul>
 */
final class PcaErrors {
  private PcaErrors() {}

  /** ||C - V~V~^T C V~V~^T||_2 / ||C||_2 for the first k columns of {@code vt} (d rows). */
  static double libamm(double[] c, int d, double[] vt, int k) {
    double[] cv = new double[d * k];
    Blas.gemm(false, false, d, k, d, 1.0, c, d, vt, d, 0.0, cv, d); // C V~
    double[] small = new double[k * k];
    Blas.gemm(true, false, k, k, d, 1.0, vt, d, cv, d, 0.0, small, k); // V~^T C V~
    double[] vs = new double[d * k];
    Blas.gemm(false, false, d, k, k, 1.0, vt, d, small, k, 0.0, vs, d); // V~ (V~^T C V~)
    double[] diff = c.clone();
    Blas.gemm(false, true, d, d, k, -1.0, vs, d, vt, d, 1.0, diff, d); // C - V~ (V~^T C V~) V~^T
    return symmetricNorm(diff, d) / symmetricNorm(c, d);
  }

  /** ||(I - V V^T) V~||_2 for the first k columns of {@code v} and {@code vt} (d rows each). */
  static double subspace(double[] v, double[] vt, int d, int k) {
    double[] overlap = new double[k * k];
    Blas.gemm(true, false, k, k, d, 1.0, v, d, vt, d, 0.0, overlap, k); // V^T V~
    double[] residual = java.util.Arrays.copyOf(vt, d * k);
    Blas.gemm(false, false, d, k, k, -1.0, v, d, overlap, k, 1.0, residual, d); // V~ - V (V^T V~)
    return Math.min(1.0, Lapack.spectralNorm(residual, d, k));
  }

  /** trace(V~^T C V~) / sum of the k largest of {@code eigenvalues} (ascending, as LAPACK gives them). */
  static double captured(double[] c, int d, double[] vt, int k, double[] eigenvalues) {
    double[] cv = new double[d * k];
    Blas.gemm(false, false, d, k, d, 1.0, c, d, vt, d, 0.0, cv, d);
    double got = 0;
    for (int i = 0; i < d * k; i++) {
      got += vt[i] * cv[i];
    }
    double best = 0;
    for (int j = 0; j < k; j++) {
      best += eigenvalues[eigenvalues.length - 1 - j];
    }
    return got / best;
  }

  private static double symmetricNorm(double[] a, int d) {
    double[] w = Lapack.symmetricEigenvalues(a, d);
    return Math.max(Math.abs(w[0]), Math.abs(w[d - 1]));
  }
}
