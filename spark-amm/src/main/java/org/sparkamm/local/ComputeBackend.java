package org.sparkamm.local;

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
 * operands, no approximation of its own. Randomness never enters a backend: the sketch slices it is
 * given were drawn by the caller as pure functions of (seed, index).
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
}
