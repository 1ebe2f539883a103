package org.sparkamm.local;

/**
 * The product of two sparse matrices that share their inner index, as a sum of outer products of
 * sparse vectors: with X (m x n) and Y (p x n) both stored by inner index (CSC over the inner
 * columns; Y is the transpose of the right factor, so Y in CSC is that factor in CSR),
 *
 * <pre>C += X Y^T = sum_i x_i y_i^T,</pre>
 *
 * into a dense column-major m x p array. Cost: sum_i nnz(x_i) nnz(y_i) multiply-adds, nothing for an
 * inner index where either vector is empty. For each inner index the columns of C touched are those
 * of y_i's entries, and within a column the rows of x_i's entries in their stored order, so the
 * summation order of every entry of C is i ascending whatever produced the operands.
 */
public final class SparseOuterProducts {
  private SparseOuterProducts() {}

  /**
   * Adds {@code sum_i x_i y_i^T} over the {@code inner} columns of two CSC matrices into {@code c}
   * (leading dimension {@code ldc}).
   */
  public static void add(int inner, int[] xPtr, int[] xRow, double[] xVal, int[] yPtr, int[] yRow, double[] yVal,
      double[] c, int ldc) {
    for (int i = 0; i < inner; i++) {
      int x0 = xPtr[i];
      int x1 = xPtr[i + 1];
      if (x0 == x1) {
        continue;
      }
      for (int t = yPtr[i]; t < yPtr[i + 1]; t++) {
        addScaled(xRow, xVal, x0, x1, yVal[t], c, yRow[t] * ldc);
      }
    }
  }

  /** Adds the outer product x y^T of two sparse vectors (indices and values) into {@code c}. */
  public static void add(int[] xIdx, double[] xVal, int[] yIdx, double[] yVal, double[] c, int ldc) {
    if (xIdx.length == 0) {
      return;
    }
    for (int t = 0; t < yIdx.length; t++) {
      addScaled(xIdx, xVal, 0, xIdx.length, yVal[t], c, yIdx[t] * ldc);
    }
  }

  private static void addScaled(int[] idx, double[] val, int from, int to, double y, double[] c, int column) {
    for (int s = from; s < to; s++) {
      c[column + idx[s]] += val[s] * y;
    }
  }
}
