package org.sparkamm.ml;

import dev.ludovic.netlib.lapack.LAPACK;
import org.netlib.util.intW;

/**
 * The top k eigenpairs of a symmetric d x d matrix S (column-major): S = V diag(lambda) V^T with
 * lambda_1 &gt;= ... &gt;= lambda_d, by LAPACK's divide-and-conquer {@code dsyevd} (backward stable:
 * the computed pairs are exact for S + E with ||E||_2 = O(2^-53 ||S||_2)). Cost O(d^3) flops, 2 d^2 + O(d)
 * doubles. An approximate covariance can be indefinite; eigenvalues keep their sign and order (a
 * singular value decomposition would rank a large negative eigenvalue first).
 *
 * <p>Signs are fixed: each component's entry of largest magnitude (the first such) is positive, so
 * the components are a deterministic function of S.
 */
final class PrincipalComponents {
  private static final LAPACK LAPACK_INSTANCE = LAPACK.getInstance();

  /** d x k, column-major, orthonormal columns. */
  final double[] components;
  /** lambda_1 .. lambda_k. */
  final double[] variances;
  /** lambda_i / trace(S) for i = 1..k: the share of the total variance, as MLlib's PCA reports it. */
  final double[] explainedVariance;

  private PrincipalComponents(double[] components, double[] variances, double[] explainedVariance) {
    this.components = components;
    this.variances = variances;
    this.explainedVariance = explainedVariance;
  }

  static PrincipalComponents of(double[] s, int d, int k) {
    double[] a = s.clone();
    double[] w = new double[d];
    intW info = new intW(0);
    double[] work = new double[1];
    int[] iwork = new int[1];
    LAPACK_INSTANCE.dsyevd("V", "U", d, a, d, w, work, -1, iwork, -1, info);
    work = new double[Math.max(1, (int) work[0])];
    iwork = new int[Math.max(1, iwork[0])];
    LAPACK_INSTANCE.dsyevd("V", "U", d, a, d, w, work, work.length, iwork, iwork.length, info);
    if (info.val != 0) {
      throw new ArithmeticException("dsyevd failed to converge (info = " + info.val + ")");
    }
    double trace = 0;
    for (int i = 0; i < d; i++) {
      trace += s[i + i * d];
    }
    double[] components = new double[d * k];
    double[] variances = new double[k];
    double[] explained = new double[k];
    for (int j = 0; j < k; j++) {
      int src = d - 1 - j; // dsyevd orders eigenvalues ascending
      System.arraycopy(a, src * d, components, j * d, d);
      variances[j] = w[src];
      explained[j] = w[src] / trace;
      double sign = sign(components, d, j);
      for (int i = 0; i < d; i++) {
        components[i + j * d] *= sign;
      }
    }
    return new PrincipalComponents(components, variances, explained);
  }

  /** +1 or -1: the sign that makes the first entry of largest magnitude in column j positive. */
  static double sign(double[] m, int rows, int j) {
    int best = 0;
    for (int i = 1; i < rows; i++) {
      if (Math.abs(m[i + j * rows]) > Math.abs(m[best + j * rows])) {
        best = i;
      }
    }
    return m[best + j * rows] < 0 ? -1.0 : 1.0;
  }
}
