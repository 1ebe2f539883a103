package org.sparkamm.quant;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.sparkamm.local.ComputeBackend;
import org.sparkamm.local.IntGemm;

/**
 * One output block of a quantized product: {@code C_ij = s_i t_j sum_k sum_l qa_il qb_lj} over the
 * A tiles of its block row and the B tiles of its block column that meet at the same inner block k.
 *
 * <p>Integer modes: the double sum is exact integer arithmetic ({@link IntGemm}, long accumulators),
 * so the result is the same whatever the order of the tiles or the split of the inner dimension,
 * and the scales are applied once per entry. With |a - s qa| &le; s/2 and |b - t qb| &le; t/2 the
 * deterministic error bound per entry is
 * <pre>  |C_ij - (AB)_ij| &le; (t_j / 2) sum_l |s_i qa_il| + (s_i / 2) sum_l |t_j qb_lj| + n s_i t_j / 4
 *                  &le; n s_i t_j (Q + 1/4)</pre>
 * (from {@code ab - a'b' = a'(b - b') + (a - a')b' + (a - a')(b - b')}), plus one rounding of the
 * final scaling. FP32: float32 copies multiplied by the backend's sgemm, partial blocks summed in double in
 * ascending k; error at most about {@code (n + 2) 2^-24 sum_l |a_il| |b_lj|}.
 */
public final class QuantizedProduct {
  private QuantizedProduct() {}

  /**
   * The output block (rows x cols, column-major) from A's tiles of one block row and B's tiles of one
   * block column, before scaling ({@link #scale}; integer modes): the exact integer sums. A tile with
   * no partner at its inner block contributes nothing. FP32 tiles are multiplied by {@code backend}'s
   * sgemm; integer tiles by {@link IntGemm} on the CPU.
   */
  public static double[] block(List<QuantizedTile> as, List<QuantizedTile> bs, int rows, int cols,
      ComputeBackend backend) {
    Map<Integer, QuantizedTile> bByInner = new HashMap<>();
    for (QuantizedTile b : bs) {
      bByInner.put(b.blockRow, b);
    }
    as.sort(Comparator.comparingInt(t -> t.blockCol));
    double[] c = new double[rows * cols];
    if (as.isEmpty()) {
      return c;
    }
    FpMode mode = as.get(0).mode;
    if (mode == FpMode.FP32) {
      float[] part = new float[rows * cols];
      for (QuantizedTile a : as) {
        QuantizedTile b = bByInner.get(a.blockCol);
        if (b == null) {
          continue;
        }
        check(a, b, rows, cols);
        // Row-major A (rows x n) is column-major A^T, so sgemm forms C^T = B^T A^T column-major: C row-major.
        backend.sgemm(false, false, cols, rows, a.cols, 1.0f, b.floats(), 0, cols, a.floats(), 0, a.cols, 0.0f,
            part, 0, cols);
        for (int i = 0; i < rows; i++) {
          for (int j = 0; j < cols; j++) {
            c[i + j * rows] += part[i * cols + j];
          }
        }
      }
      return c;
    }
    long[] acc = new long[rows * cols];
    for (QuantizedTile a : as) {
      QuantizedTile b = bByInner.get(a.blockCol);
      if (b == null) {
        continue;
      }
      check(a, b, rows, cols);
      IntGemm.multiplyAdd(rows, a.cols, cols, a.ints(), a.cols, b.ints(), cols, acc, cols, mode.levels, mode.levels);
    }
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        c[i + j * rows] = acc[i * cols + j];
      }
    }
    return c;
  }

  /**
   * Scales an integer block in place: {@code c_ij <- (s_i t_j) c_ij}. Done once, after every partial
   * sum: integer sums held in doubles are exact below 2^53 (int8: n &lt; 5.6e11; int16: n &lt; 8.4e6,
   * beyond which partial sums round at 1e-16), so the result does not depend on how the inner
   * dimension was split.
   */
  public static void scale(double[] c, int rows, int cols, double[] rowScales, int rowOffset, double[] colScales,
      int colOffset) {
    for (int j = 0; j < cols; j++) {
      double t = colScales[colOffset + j];
      for (int i = 0; i < rows; i++) {
        c[i + j * rows] *= rowScales[rowOffset + i] * t;
      }
    }
  }

  private static void check(QuantizedTile a, QuantizedTile b, int rows, int cols) {
    if (a.cols != b.rows || a.rows != rows || b.cols != cols || a.mode != b.mode) {
      throw new IllegalStateException("tiles do not fit: A " + a.rows + "x" + a.cols + " " + a.mode + ", B " + b.rows
          + "x" + b.cols + " " + b.mode + ", block " + rows + "x" + cols);
    }
  }
}
