package org.sparkamm.quant;

import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.SparseMatrix;

/**
 * Symmetric round-to-nearest quantization: with scale s = max|x| / Q over a row of A (or a column of
 * B, or the whole operand), an entry x becomes the integer {@code q = rint(x / s)} in [-Q, Q], so that
 * {@code |x - s q| <= s / 2}; a vector of zeros has s = 0 and quantizes to zeros. (LibAMM truncates
 * toward zero, which doubles the worst-case error to s and biases every entry toward 0.)
 */
public final class Quantizer {
  private Quantizer() {}

  /** max |x| of each row ({@code byRow}) or each column of a block. */
  public static double[] maxAbs(Matrix block, boolean byRow) {
    double[] out = new double[byRow ? block.numRows() : block.numCols()];
    if (block instanceof SparseMatrix) {
      SparseMatrix s = (SparseMatrix) block;
      int[] ptr = s.colPtrs();
      int[] idx = s.rowIndices();
      double[] v = s.values();
      // Stored by column, or by row when transposed: the outer index is the column unless transposed.
      boolean outerIsRow = s.isTransposed();
      for (int o = 0; o + 1 < ptr.length; o++) {
        for (int t = ptr[o]; t < ptr[o + 1]; t++) {
          int slot = (byRow == outerIsRow) ? o : idx[t];
          out[slot] = Math.max(out[slot], Math.abs(v[t]));
        }
      }
      return out;
    }
    DenseMatrix d = (DenseMatrix) block;
    double[] v = d.values();
    int rows = d.numRows();
    int cols = d.numCols();
    for (int j = 0; j < cols; j++) {
      for (int i = 0; i < rows; i++) {
        double x = Math.abs(v[d.isTransposed() ? j + i * cols : i + j * rows]);
        int slot = byRow ? i : j;
        if (x > out[slot]) {
          out[slot] = x;
        }
      }
    }
    return out;
  }

  /**
   * The scales s = max / Q of vectors whose largest magnitudes are {@code maxima}, in place: each its
   * own ({@link ScaleMode#VECTOR}), or all the largest of them ({@link ScaleMode#TENSOR}); 0 for a zero
   * vector.
   */
  public static double[] scales(double[] maxima, FpMode mode, ScaleMode scaleMode) {
    double all = 0;
    for (double v : maxima) {
      all = Math.max(all, v);
    }
    for (int i = 0; i < maxima.length; i++) {
      maxima[i] = (scaleMode == ScaleMode.TENSOR ? all : maxima[i]) / mode.levels;
    }
    return maxima;
  }

  /**
   * The rectangle [r0, r1) x [c0, c1) of a block quantized into {@code dst}, row-major:
   * {@code dst[(i - r0)(c1 - c0) + j - c0] = rint(x_ij / s)}, s the scale of row i ({@code byRow},
   * {@code scales[i]}) or of column j ({@code scales[j]}).
   */
  public static void toInts(Matrix block, int r0, int r1, int c0, int c1, double[] scales, boolean byRow, int levels,
      int[] dst) {
    DenseMatrix d = block instanceof DenseMatrix ? (DenseMatrix) block : ((SparseMatrix) block).toDense();
    double[] v = d.values();
    int rows = d.numRows();
    int cols = d.numCols();
    int w = c1 - c0;
    double[] inv = new double[scales.length];
    for (int t = 0; t < inv.length; t++) {
      inv[t] = scales[t] == 0 ? 0 : 1.0 / scales[t];
    }
    for (int i = r0; i < r1; i++) {
      int out = (i - r0) * w - c0;
      for (int j = c0; j < c1; j++) {
        double x = v[d.isTransposed() ? j + i * cols : i + j * rows] * inv[byRow ? i : j];
        dst[out + j] = (int) Math.max(-levels, Math.min(levels, Math.rint(x)));
      }
    }
  }
}
