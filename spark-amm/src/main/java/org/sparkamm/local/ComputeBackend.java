package org.sparkamm.local;

import java.util.List;
import org.sparkamm.random.DenseColumns;

/**
 * Where the dense local products of one JVM run: the block GEMMs of the exact product, the reduced
 * products {@code (A S^T)(S B)^T} of every sketch, the float32 products of the quantized methods,
 * and the scatter-adds of the sparse sketches (CountSketch, SJLT, sampling) into column-major blocks
 * (row-major and compressed-sparse blocks are scattered by the CPU loops of the sketch package).
 *
 * <p>The core holds one implementation, {@link CpuBackend} (netlib BLAS: native OpenBLAS or pure
 * Java, see {@link Blas}); others, such as the CUDA backend of the optional {@code spark-amm-gpu}
 * module, are found on the classpath with {@link java.util.ServiceLoader} (a {@code
 * META-INF/services/org.sparkamm.local.ComputeBackend} entry). Every implementation computes the
 * same values as the CPU backend up to floating-point summation order: the same formula, the same
 * operands, no approximation of its own. Randomness enters a backend only through {@link
 * #sketchProduct}, as the definition of a dense sketch's columns ({@link DenseColumns}, pure functions
 * of (seed, index)), which a backend may generate where it multiplies them.
 *
 * <p>All matrices are column-major with explicit offsets and leading dimensions, as in BLAS. A
 * backend may decline a call that would not pay (too few flops for its transfer costs) by
 * delegating it to the CPU backend; the result must not depend on that choice beyond rounding.
 */
public interface ComputeBackend {
  /** A short stable name for logs and the JSON line, e.g. {@code cpu} or {@code cuda}. */
  String name();

  /**
   * Null when this backend can run in this JVM, otherwise the one-line reason it cannot (no
   * driver library, no device, a kernel that failed to load). Decided once per JVM and cached:
   * native loaders may fail differently on a second attempt.
   */
  String unavailableReason();

  /**
   * {@code C = alpha * op(A) * op(B) + beta * C}; op(A) is m x k, op(B) is k x n, element (i, j) of
   * a matrix X stored at {@code x[offX + i + j * ldX]}. Cost 2mnk flops. With k = 0 the call scales
   * C by beta; with m = 0 or n = 0 it does nothing.
   */
  void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
      double[] a, int offA, int lda, double[] b, int offB, int ldb, double beta, double[] c, int offC, int ldc);

  /**
   * {@code C += sum_t op(A_t) op(B_t)} over {@code terms} in list order (C m x n at {@code c[offC + i + j
   * * ldc]}): the exact block product's {@code C_IJ = sum_K A_IK B_KJ}. Cost {@code sum_t 2 m n k_t}
   * flops. The default is one {@link #dgemm} per term, in order, each reading and writing C; a device
   * backend may keep C on the device for the whole sum, so that C crosses once each way and every
   * operand once, instead of C twice per term.
   */
  default void dgemmSum(int m, int n, List<GemmTerm> terms, double[] c, int offC, int ldc) {
    for (GemmTerm t : terms) {
      dgemm(t.transA(), t.transB(), m, n, t.k(), 1.0, t.a(), t.offA(), t.lda(), t.b(), t.offB(), t.ldb(), 1.0, c, offC, ldc);
    }
  }

  /**
   * How many inner indices a caller that accumulates an m x n {@code C += op(A) op(B)} call by call (a
   * row-aligned product's batches of rows) should put in each call. The default, 256, keeps a batch
   * of rows in a CPU's cache; a device backend asks for more, so that moving the operands, not C's
   * round trip, dominates each call's transfers.
   */
  default int accumulationBatch(int m, int n) {
    return 256;
  }

  /** {@link #dgemm} in float32, as BLAS {@code sgemm}. */
  void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int offA, int lda, float[] b, int offB, int ldb, float beta, float[] c, int offC, int ldc);

  /**
   * The sparse-sketch accumulation of a column-major block: for every hit t &lt; count,
   * {@code out[:, bucket[t]] += coef[t] * v[:, local[t]]} over the rows [rowFrom, rowTo), where
   * column j of v starts at {@code v[off + j * ld]} and column b of out at {@code out[b * outLd]}.
   * Cost 2 (rowTo - rowFrom) count flops. Hits may share a bucket; their sums add.
   */
  void scatterColumns(double[] v, int off, int ld, int count, int[] local, int[] bucket, double[] coef,
      int rowFrom, int rowTo, double[] out, int outLd);

  /**
   * The product of a column-major block X with the columns [start, start + len) of a dense sketch S
   * (the l x len slice {@code S_s}, l = {@code s.width()}), added into C:
   * <ul>
   *   <li>{@code sketchLeft == false}: {@code C += X S_s^T}, X m x len, C m x l;
   *   <li>{@code sketchLeft == true}: {@code C += S_s X}, X len x m, C l x m.
   * </ul>
   * X at {@code x[offX + i + j * ldX]}, C at {@code c[offC + i + j * ldc]}. Cost 2 m len l flops and
   * l len generated entries. The default generates {@value DenseColumns#PANEL} columns at a time on
   * this JVM's CPU and multiplies each panel by {@link #dgemm}; a backend may instead generate S_s
   * where it multiplies (the GPU module does, on the device, from the same counter function), so that
   * only X and C move.
   */
  default void sketchProduct(DenseColumns s, long start, int len, boolean sketchLeft, int m,
      double[] x, int offX, int ldX, double[] c, int offC, int ldc) {
    int l = s.width();
    double[] tile = new double[Math.min(len, DenseColumns.PANEL) * l]; // one buffer for all panels
    for (int from = 0; from < len; from += DenseColumns.PANEL) {
      int w = Math.min(len, from + DenseColumns.PANEL) - from;
      s.tile(start + from, w, tile);
      if (sketchLeft) {
        dgemm(false, false, l, m, w, 1.0, tile, 0, l, x, offX + from, ldX, 1.0, c, offC, ldc);
      } else {
        dgemm(false, true, m, l, w, 1.0, x, offX + from * ldX, ldX, tile, 0, l, 1.0, c, offC, ldc);
      }
    }
  }
}
