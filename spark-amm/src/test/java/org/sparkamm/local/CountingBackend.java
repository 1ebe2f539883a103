package org.sparkamm.local;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in device backend for tests (registered in the test resources' service file; named
 * {@code counting}, never {@code cuda}): it computes through {@link CpuBackend} and counts its calls,
 * so tests see which products a multiply routed through the chosen backend. Counters are static:
 * ServiceLoader makes the instance, and in local mode Spark's tasks run in this JVM. Discovery asks
 * {@link #unavailableReason} once per {@link Backends} instance; {@link #unavailable} set before a
 * fresh instance discovers makes it report that reason. Only a choice other than {@code CPU}
 * selects it.
 */
public final class CountingBackend implements ComputeBackend {
  public static final AtomicLong DGEMM = new AtomicLong();
  public static final AtomicLong SGEMM = new AtomicLong();
  public static final AtomicLong SCATTER = new AtomicLong();
  /** Non-null: the reason this backend reports itself unavailable. */
  public static volatile String unavailable;

  /** Calls of every kind so far. */
  public static long total() {
    return DGEMM.get() + SGEMM.get() + SCATTER.get();
  }

  @Override
  public String name() {
    return "counting";
  }

  @Override
  public String unavailableReason() {
    return unavailable;
  }

  @Override
  public void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
      double[] a, int offA, int lda, double[] b, int offB, int ldb, double beta, double[] c, int offC, int ldc) {
    DGEMM.incrementAndGet();
    CpuBackend.INSTANCE.dgemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
  }

  @Override
  public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int offA, int lda, float[] b, int offB, int ldb, float beta, float[] c, int offC, int ldc) {
    SGEMM.incrementAndGet();
    CpuBackend.INSTANCE.sgemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
  }

  @Override
  public void scatterColumns(double[] v, int off, int ld, int count, int[] local, int[] bucket, double[] coef,
      int rowFrom, int rowTo, double[] out, int outLd) {
    SCATTER.incrementAndGet();
    CpuBackend.INSTANCE.scatterColumns(v, off, ld, count, local, bucket, coef, rowFrom, rowTo, out, outLd);
  }
}
