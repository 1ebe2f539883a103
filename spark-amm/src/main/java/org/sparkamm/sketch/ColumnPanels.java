package org.sparkamm.sketch;

import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.SparseMatrix;

/** Adds a range of columns of a Spark local matrix, in any storage, into a column-major panel. */
public final class ColumnPanels {
  private ColumnPanels() {}

  /**
   * Adds columns [from, from + len) of {@code x} into {@code out} at
   * {@code out[off + rowOffset + i + j * ld]} (pieces of the same columns add up; callers zero the panel).
   */
  public static void add(Matrix x, int from, int len, double[] out, int off, int ld, int rowOffset) {
    int rows = x.numRows();
    if (x instanceof DenseMatrix) {
      DenseMatrix d = (DenseMatrix) x;
      double[] v = d.values();
      if (!d.isTransposed()) {
        for (int j = 0; j < len; j++) {
          int src = (from + j) * rows;
          int dst = off + rowOffset + j * ld;
          for (int i = 0; i < rows; i++) {
            out[dst + i] += v[src + i];
          }
        }
      } else {
        int cols = x.numCols();
        for (int i = 0; i < rows; i++) {
          for (int j = 0; j < len; j++) {
            out[off + rowOffset + i + j * ld] += v[i * cols + from + j];
          }
        }
      }
      return;
    }
    SparseMatrix s = (SparseMatrix) x;
    int[] ptr = s.colPtrs();
    int[] idx = s.rowIndices();
    double[] v = s.values();
    if (!s.isTransposed()) {
      for (int j = 0; j < len; j++) {
        for (int q = ptr[from + j]; q < ptr[from + j + 1]; q++) {
          out[off + rowOffset + idx[q] + j * ld] += v[q];
        }
      }
    } else {
      for (int i = 0; i < rows; i++) {
        for (int q = ptr[i]; q < ptr[i + 1]; q++) {
          int j = idx[q] - from;
          if (j >= 0 && j < len) {
            out[off + rowOffset + i + j * ld] += v[q];
          }
        }
      }
    }
  }
}
