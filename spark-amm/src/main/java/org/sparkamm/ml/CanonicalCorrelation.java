package org.sparkamm.ml;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.lapack.LAPACK;
import org.netlib.util.intW;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.local.Lapack;

/**
 * Canonical correlation analysis of a joint covariance S = [[Sxx, Sxy], [Sxy^T, Syy]] ((p+q) x (p+q),
 * column-major) by Cholesky whitening:
 *
 * <pre>
 *   Sxx + r I = Lx Lx^T,  Syy + r I = Ly Ly^T           (dpotrf)
 *   M = Lx^-1 Sxy Ly^-T = U diag(rho) V^T               (dtrsm twice, then dgesdd)
 *   Wx = Lx^-T U_k,  Wy = Ly^-T V_k                     (dtrsm)
 * </pre>
 *
 * The canonical correlations rho_1 &gt;= ... &gt;= rho_k are the singular values of M; they equal those
 * of Sxx^-1/2 Sxy Syy^-1/2 (Lx^-1 = Q (Sxx + rI)^-1/2 for an orthogonal Q, and singular values
 * ignore orthogonal factors), and Cholesky costs a third of an eigendecomposition. The directions
 * satisfy Wx^T (Sxx + rI) Wx = I, Wy^T (Syy + rI) Wy = I and Wx^T Sxy Wy = diag(rho): the
 * variates u = Wx^T x and v = Wy^T y have unit variance and correlations rho (for r = 0).
 * Correlations are clamped to [0, 1] as LibAMM does: an approximate S can push them past 1.
 *
 * <p>Sensitivity, to first order in the errors E of the blocks (Weyl's inequality on M, with
 * M = (Sxx+rI)^-1/2 Sxy (Syy+rI)^-1/2, ||M||_2 &lt;= 1, and the derivative of A^-1/2, whose divided
 * differences are at most 1 / (2 lambda_min^3/2)): with lambda_x = lambda_min(Sxx + rI) and kappa_x its
 * condition number (likewise for y),
 * |rho~_i - rho_i| &lt;= ||E_xy||_F / sqrt(lambda_x lambda_y) + sqrt(kappa_x) ||E_xx||_F / (2 lambda_x)
 * + sqrt(kappa_y) ||E_yy||_F / (2 lambda_y). Ill-conditioned covariances amplify the product's error,
 * which is why CCA is more sensitive to it than PCA (LibAMM: about 23% correlation error from 10%
 * product error) and why r &gt; 0 helps.
 *
 * <p>Signs are fixed: the entry of largest magnitude of each column of Wx is positive, and the
 * matching column of Wy flips with it. Cost O((p + q)^3) flops, O((p + q)^2) doubles, on the driver.
 */
final class CanonicalCorrelation {
  private static final LAPACK LAPACK_INSTANCE = LAPACK.getInstance();
  private static final BLAS BLAS_INSTANCE = BLAS.getInstance();

  /** rho_1 .. rho_k, descending, in [0, 1]. */
  final double[] correlations;
  /** Wx, p x k column-major. */
  final double[] xDirections;
  /** Wy, q x k column-major. */
  final double[] yDirections;

  private CanonicalCorrelation(double[] correlations, double[] xDirections, double[] yDirections) {
    this.correlations = correlations;
    this.xDirections = xDirections;
    this.yDirections = yDirections;
  }

  static CanonicalCorrelation of(double[] s, int p, int q, double r, int k, String xName, String yName) {
    int d = p + q;
    double[] lx = cholesky(block(s, d, 0, 0, p, p), p, r, xName);
    double[] ly = cholesky(block(s, d, p, p, q, q), q, r, yName);
    double[] m = block(s, d, 0, p, p, q);
    BLAS_INSTANCE.dtrsm("L", "L", "N", "N", p, q, 1.0, lx, p, m, p); // Lx^-1 Sxy
    BLAS_INSTANCE.dtrsm("R", "L", "T", "N", p, q, 1.0, ly, q, m, p); // (Lx^-1 Sxy) Ly^-T
    Lapack.Svd svd = Lapack.svd(m, p, q);
    double[] rho = new double[k];
    double[] wx = java.util.Arrays.copyOf(svd.u, p * k);
    double[] wy = new double[q * k];
    for (int j = 0; j < k; j++) {
      rho[j] = Math.min(1.0, svd.s[j]);
      for (int i = 0; i < q; i++) {
        wy[i + j * q] = svd.vt[j + i * svd.k];
      }
    }
    BLAS_INSTANCE.dtrsm("L", "L", "T", "N", p, k, 1.0, lx, p, wx, p);
    BLAS_INSTANCE.dtrsm("L", "L", "T", "N", q, k, 1.0, ly, q, wy, q);
    for (int j = 0; j < k; j++) {
      double sign = PrincipalComponents.sign(wx, p, j);
      for (int i = 0; i < p; i++) {
        wx[i + j * p] *= sign;
      }
      for (int i = 0; i < q; i++) {
        wy[i + j * q] *= sign;
      }
    }
    return new CanonicalCorrelation(rho, wx, wy);
  }

  /** The rows x cols block of the d x d matrix s at (row0, col0), column-major. */
  private static double[] block(double[] s, int d, int row0, int col0, int rows, int cols) {
    double[] b = new double[rows * cols];
    for (int j = 0; j < cols; j++) {
      System.arraycopy(s, row0 + (col0 + j) * d, b, j * rows, rows);
    }
    return b;
  }

  /**
   * The lower Cholesky factor of a + r I, overwriting a. A one-line error when it is not positive
   * definite to working precision: dpotrf meets a pivot &lt;= 0, or a pivot L_ii^2 at most
   * n 2^-52 max_j (a + rI)_jj, below which whitening amplifies rounding past any use (collinear
   * columns in floating point rarely give an exact zero).
   */
  private static double[] cholesky(double[] a, int n, double r, String column) {
    double largest = 0;
    for (int i = 0; i < n; i++) {
      a[i + i * n] += r;
      largest = Math.max(largest, a[i + i * n]);
    }
    intW info = new intW(0);
    LAPACK_INSTANCE.dpotrf("L", n, a, n, info);
    if (info.val < 0) {
      throw new ArithmeticException("dpotrf: argument " + -info.val + " is invalid");
    }
    int pivot = info.val;
    for (int i = 0; i < n && pivot == 0; i++) {
      if (a[i + i * n] * a[i + i * n] <= n * 0x1p-52 * largest) {
        pivot = i + 1;
      }
    }
    if (pivot > 0) {
      throw new AmmArgumentException(String.format("the covariance of column '%s' plus regularization %s (%dx%d) "
          + "is not positive definite to working precision (pivot %d): its entries are collinear or the "
          + "approximation lost rank; set regularization > 0 or a larger sketchSize", column, r, n, n, pivot));
    }
    for (int j = 1; j < n; j++) {
      for (int i = 0; i < j; i++) {
        a[i + j * n] = 0; // dpotrf leaves the upper triangle as it was
      }
    }
    return a;
  }
}
