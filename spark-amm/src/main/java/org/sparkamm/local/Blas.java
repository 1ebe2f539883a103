package org.sparkamm.local;

import dev.ludovic.netlib.blas.BLAS;

/**
 * Dense products on column-major {@code double[]} through the BLAS that Spark itself uses
 * ({@code dev.ludovic.netlib}): native OpenBLAS/MKL when the system provides {@code libblas.so.3},
 * a pure-Java implementation otherwise. Results agree to rounding; only speed differs (about 18x
 * for dgemm on the build machine).
 */
public final class Blas {
  private static final BLAS BLAS_INSTANCE = BLAS.getInstance();

  private Blas() {}

  /** The class name of the active implementation, e.g. {@code JNIBLAS} or {@code Java11BLAS}. */
  public static String implementation() {
    return BLAS_INSTANCE.getClass().getSimpleName();
  }

  /**
   * {@code C = alpha * op(A) * op(B) + beta * C}, all column-major; op(A) is m x k, op(B) is k x n.
   * Cost 2mnk flops.
   */
  public static void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
      double[] a, int lda, double[] b, int ldb, double beta, double[] c, int ldc) {
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0) {
      for (int j = 0; j < n; j++) {
        for (int i = 0; i < m; i++) {
          c[i + j * ldc] *= beta;
        }
      }
      return;
    }
    BLAS_INSTANCE.dgemm(transA ? "T" : "N", transB ? "T" : "N", m, n, k, alpha,
        a, Math.max(1, lda), b, Math.max(1, ldb), beta, c, Math.max(1, ldc));
  }

  /** {@link #gemm} on sub-arrays starting at the given offsets. */
  public static void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
      double[] a, int offA, int lda, double[] b, int offB, int ldb, double beta, double[] c, int offC, int ldc) {
    if (m == 0 || n == 0 || k == 0) {
      if (k == 0 && beta != 1.0) {
        for (int j = 0; j < n; j++) {
          for (int i = 0; i < m; i++) {
            c[offC + i + j * ldc] *= beta;
          }
        }
      }
      return;
    }
    BLAS_INSTANCE.dgemm(transA ? "T" : "N", transB ? "T" : "N", m, n, k, alpha,
        a, offA, Math.max(1, lda), b, offB, Math.max(1, ldb), beta, c, offC, Math.max(1, ldc));
  }

  /** A (m x k) times B (k x n), both column-major: a new m x n column-major array. */
  public static double[] multiply(double[] a, int m, int k, double[] b, int n) {
    double[] c = new double[Math.multiplyExact(m, n)];
    gemm(false, false, m, n, k, 1.0, a, m, b, k, 0.0, c, m);
    return c;
  }

  /** A (m x l) times the transpose of B (n x l), both column-major: a new m x n array. */
  public static double[] multiplyTransposeB(double[] a, int m, int l, double[] b, int n) {
    double[] c = new double[Math.multiplyExact(m, n)];
    gemm(false, true, m, n, l, 1.0, a, m, b, n, 0.0, c, m);
    return c;
  }

  /** The transpose of A (k x m) times B (k x n), both column-major: a new m x n array. */
  public static double[] multiplyTransposeA(double[] a, int k, int m, double[] b, int n) {
    double[] c = new double[Math.multiplyExact(m, n)];
    gemm(true, false, m, n, k, 1.0, a, k, b, k, 0.0, c, m);
    return c;
  }
}
