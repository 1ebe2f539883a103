package org.sparkamm.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.SparseMatrix;
import org.junit.jupiter.api.Test;
import org.sparkamm.local.ComputeBackend;
import org.sparkamm.local.CpuBackend;
import org.sparkamm.local.GemmTerm;
import scala.Tuple2;

/**
 * One output block of the exact product from its row of A's blocks and column of B's: dense,
 * row-major and sparse blocks mixed, a missing pair skipped, against the plain triple loop (bound
 * 2 (k + 2) u sum |a||b| per entry); and the sum flushed whenever sparse blocks made dense exceed the
 * cap gives the same bits as one sum (the CPU's dgemmSum is a dgemm per term in order either way),
 * with the backend asked for more than one sum.
 */
class ExactBlockProductTest {
  @Test
  void anOutputBlockIsTheSumOfItsPairsWithOrWithoutFlushes() {
    SplittableRandom random = new SplittableRandom(3);
    int rows = 7;
    int cols = 5;
    int[] inner = {4, 6, 3, 5};
    List<Tuple2<Tuple2<Object, Object>, Matrix>> as = new ArrayList<>();
    List<Tuple2<Tuple2<Object, Object>, Matrix>> bs = new ArrayList<>();
    double[][] aDense = new double[inner.length][];
    double[][] bDense = new double[inner.length][];
    for (int k = inner.length - 1; k >= 0; k--) { // out of order: the product sorts by K
      aDense[k] = random.doubles((long) rows * inner[k], -1, 1).toArray();
      bDense[k] = random.doubles((long) inner[k] * cols, -1, 1).toArray();
      DenseMatrix a = new DenseMatrix(rows, inner[k], aDense[k]);
      DenseMatrix b = new DenseMatrix(inner[k], cols, bDense[k]);
      Matrix am = k % 2 == 0 ? a.toSparse() : new DenseMatrix(inner[k], rows, a.transpose().toArray()).transpose();
      Matrix bm = k == 1 ? b.toSparse() : b;
      as.add(new Tuple2<>(new Tuple2<>(0, k), am));
      if (k != 3) { // block (3, 0) of B is absent: its pair does not meet
        bs.add(new Tuple2<>(new Tuple2<>(k, 0), bm));
      }
    }
    double[] once = ExactBlockProduct.block(new ArrayList<>(as), bs, rows, cols, CpuBackend.INSTANCE);
    AtomicInteger sums = new AtomicInteger();
    ComputeBackend counting = new ComputeBackend() {
      @Override
      public String name() {
        return "counting sums";
      }

      @Override
      public String unavailableReason() {
        return null;
      }

      @Override
      public void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a, int offA, int lda,
          double[] b, int offB, int ldb, double beta, double[] c, int offC, int ldc) {
        CpuBackend.INSTANCE.dgemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
      }

      @Override
      public void dgemmSum(int m, int n, List<GemmTerm> terms, double[] c, int offC, int ldc) {
        sums.incrementAndGet();
        ComputeBackend.super.dgemmSum(m, n, terms, c, offC, ldc);
      }

      @Override
      public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int offA, int lda,
          float[] b, int offB, int ldb, float beta, float[] c, int offC, int ldc) {
        CpuBackend.INSTANCE.sgemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
      }

      @Override
      public void scatterColumns(double[] v, int off, int ld, int count, int[] local, int[] bucket, double[] coef,
          int rowFrom, int rowTo, double[] out, int outLd) {
        CpuBackend.INSTANCE.scatterColumns(v, off, ld, count, local, bucket, coef, rowFrom, rowTo, out, outLd);
      }
    };
    double[] flushed = ExactBlockProduct.block(new ArrayList<>(as), bs, rows, cols, counting, 1);
    assertArrayEquals(once, flushed);
    assertTrue(sums.get() > 1, "the sum was never flushed: " + sums.get());

    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        double exact = 0;
        double magnitude = 0;
        for (int k = 0; k < 3; k++) {
          for (int p = 0; p < inner[k]; p++) {
            double product = aDense[k][i + p * rows] * bDense[k][p + j * inner[k]];
            exact += product;
            magnitude += Math.abs(product);
          }
        }
        assertEquals(exact, once[i + j * rows], 2 * (13 + 2) * 0x1p-53 * magnitude, "C(" + i + "," + j + ")");
      }
    }
  }
}
