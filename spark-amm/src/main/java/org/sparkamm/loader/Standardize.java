package org.sparkamm.loader;

import org.apache.spark.mllib.linalg.DenseMatrix;

/** Column statistics used by LibAMM's file loaders. */
final class Standardize {
  private Standardize() {}

  /**
   * Each column to (x - mean) / (sd + eps), sd the unbiased (n - 1) standard deviation as in
   * torch.std; a constant column becomes 0 when eps = 0. Returns a new column-major matrix.
   */
  static DenseMatrix columns(DenseMatrix m, double eps) {
    int rows = m.numRows();
    int cols = m.numCols();
    double[] out = new double[rows * cols];
    for (int j = 0; j < cols; j++) {
      double mean = 0;
      for (int i = 0; i < rows; i++) {
        mean += m.apply(i, j);
      }
      mean /= Math.max(1, rows);
      double ss = 0;
      for (int i = 0; i < rows; i++) {
        double d = m.apply(i, j) - mean;
        ss += d * d;
      }
      double sd = rows > 1 ? Math.sqrt(ss / (rows - 1)) : 0;
      double div = sd + eps;
      for (int i = 0; i < rows; i++) {
        out[i + j * rows] = div == 0 ? 0 : (m.apply(i, j) - mean) / div;
      }
    }
    return new DenseMatrix(rows, cols, out);
  }

  /** Maps [min, max] to [-1, 1]: 2 (x - min) / (max - min) - 1 (a constant matrix becomes 0). */
  static DenseMatrix toUnitRange(DenseMatrix m) {
    double[] v = m.toArray();
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double x : v) {
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    for (int i = 0; i < v.length; i++) {
      v[i] = max > min ? 2 * (v[i] - min) / (max - min) - 1 : 0;
    }
    return new DenseMatrix(m.numRows(), m.numCols(), v);
  }
}
