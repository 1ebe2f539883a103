package org.sparkamm.local;

/**
 * A provider whose class fails to initialize, as a GPU module does when its native library is
 * missing (registered in the test resources' service file): discovery must turn this into an
 * "unavailable" reason, once, and never let it reach a product.
 */
public final class BrokenBackend implements ComputeBackend {
  static final String MESSAGE = "libfakecuda.so.1: cannot open shared object file (test)";
  private static final Object DEVICE = load();

  private static Object load() {
    throw new UnsatisfiedLinkError(MESSAGE);
  }

  @Override
  public String name() {
    return "broken " + DEVICE;
  }

  @Override
  public String unavailableReason() {
    return null;
  }

  @Override
  public void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
      double[] a, int offA, int lda, double[] b, int offB, int ldb, double beta, double[] c, int offC, int ldc) {
    throw new AssertionError("a broken provider must never compute");
  }

  @Override
  public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int offA, int lda, float[] b, int offB, int ldb, float beta, float[] c, int offC, int ldc) {
    throw new AssertionError("a broken provider must never compute");
  }

  @Override
  public void scatterColumns(double[] v, int off, int ld, int count, int[] local, int[] bucket, double[] coef,
      int rowFrom, int rowTo, double[] out, int outLd) {
    throw new AssertionError("a broken provider must never compute");
  }
}
