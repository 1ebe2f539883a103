package org.sparkamm.local;

import dev.ludovic.netlib.blas.BLAS;

/**
 * Dense products on column-major {@code double[]} through the BLAS that Spark itself uses
 * ({@code dev.ludovic.netlib}): native OpenBLAS/MKL when the system provides {@code libblas.so.3},
 * a pure-Java implementation otherwise. Results agree to rounding; only speed differs (about 18x
 * for dgemm on the build machine).
 *
 * <p>netlib 3.0.3 (Spark 4.0.x) checks an operand of dgemm stored with {@code cols} columns as if
 * {@code off + cols * ld} elements were read, one leading dimension more than the last column
 * needs ({@code off + (cols - 1) * ld + rows}); a sub-matrix view whose last column ends near
 * the end of its array (the last rows of a block, read with the block's leading dimension) fails
 * there with IndexOutOfBoundsException although the call is valid. Where a probe at class loading
 * finds that check, such an operand is first copied to a compact array (rows x cols, cost
 * rows * cols against the product's 2mnk flops); later netlib versions read the views in place.
 */
public final class Blas {
  private static final BLAS BLAS_INSTANCE = BLAS.getInstance();
  private static final boolean CHECKS_FULL_LAST_COLUMN = checksFullLastColumn();

  private Blas() {}

  /** The class name of the active implementation, e.g. {@code JNIBLAS} or {@code Java11BLAS}. */
  public static String implementation() {
    return BLAS_INSTANCE.getClass().getSimpleName();
  }

  /** True when this netlib rejects a valid 1 x 1 operand read with lda = 2 from the last element of its array. */
  private static boolean checksFullLastColumn() {
    try {
      BLAS_INSTANCE.dgemm("N", "N", 1, 1, 1, 1.0, new double[2], 1, 2, new double[1], 0, 1, 0.0, new double[1], 0, 1);
      return false;
    } catch (IndexOutOfBoundsException e) {
      return true;
    }
  }

  /**
   * {@code C = alpha * op(A) * op(B) + beta * C}, all column-major; op(A) is m x k, op(B) is k x n.
   * Cost 2mnk flops.
   */
  public static void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
      double[] a, int lda, double[] b, int ldb, double beta, double[] c, int ldc) {
    gemm(transA, transB, m, n, k, alpha, a, 0, lda, b, 0, ldb, beta, c, 0, ldc);
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
    int rowsA = transA ? k : m;
    int colsA = transA ? m : k;
    int rowsB = transB ? n : k;
    int colsB = transB ? k : n;
    if (CHECKS_FULL_LAST_COLUMN && (long) offA + (long) colsA * lda > a.length) {
      a = compact(a, offA, lda, rowsA, colsA);
      offA = 0;
      lda = rowsA;
    }
    if (CHECKS_FULL_LAST_COLUMN && (long) offB + (long) colsB * ldb > b.length) {
      b = compact(b, offB, ldb, rowsB, colsB);
      offB = 0;
      ldb = rowsB;
    }
    BLAS_INSTANCE.dgemm(transA ? "T" : "N", transB ? "T" : "N", m, n, k, alpha,
        a, offA, Math.max(1, lda), b, offB, Math.max(1, ldb), beta, c, offC, Math.max(1, ldc));
  }

  /** The rows x cols matrix at {@code off} with leading dimension {@code ld}, as a new compact array. */
  private static double[] compact(double[] x, int off, int ld, int rows, int cols) {
    double[] y = new double[rows * cols];
    for (int j = 0; j < cols; j++) {
      System.arraycopy(x, off + j * ld, y, j * rows, rows);
    }
    return y;
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
