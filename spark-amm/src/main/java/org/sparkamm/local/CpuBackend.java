package org.sparkamm.local;

import dev.ludovic.netlib.blas.BLAS;

/**
 * The default {@link ComputeBackend}: netlib BLAS ({@link Blas}) for the products and a plain
 * loop, which the JIT vectorizes, for the scatter-adds. Always available.
 */
public final class CpuBackend implements ComputeBackend {
  /** The one instance; the backend holds no state. */
  public static final CpuBackend INSTANCE = new CpuBackend();
  private static final BLAS BLAS_INSTANCE = BLAS.getInstance();

  private CpuBackend() {}

  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public String unavailableReason() {
    return null;
  }

  @Override
  public void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
      double[] a, int offA, int lda, double[] b, int offB, int ldb, double beta, double[] c, int offC, int ldc) {
    Blas.gemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
  }

  @Override
  public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int offA, int lda, float[] b, int offB, int ldb, float beta, float[] c, int offC, int ldc) {
    if (m == 0 || n == 0) {
      return;
    }
    BLAS_INSTANCE.sgemm(transA ? "T" : "N", transB ? "T" : "N", m, n, k, alpha, a, offA, Math.max(1, lda),
        b, offB, Math.max(1, ldb), beta, c, offC, Math.max(1, ldc));
  }

  @Override
  public void scatterColumns(double[] v, int off, int ld, int count, int[] local, int[] bucket, double[] coef,
      int rowFrom, int rowTo, double[] out, int outLd) {
    for (int t = 0; t < count; t++) {
      int src = off + local[t] * ld;
      int dst = bucket[t] * outLd;
      double c = coef[t];
      for (int r = rowFrom; r < rowTo; r++) {
        out[dst + r] += c * v[src + r];
      }
    }
  }
}
