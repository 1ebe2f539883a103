package org.sparkamm.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparkamm.TestMatrices;

/**
 * The BLAS and LAPACK calls on the shapes that each supported Spark's netlib checks differently:
 * dgemm on sub-matrix views whose last column ends at the end of the array (netlib 3.0.3, Spark
 * 4.0, rejects them unless copied), and thin SVDs of tall matrices (netlib 3.2.0, Spark 4.2, wants
 * an m x m U unless the transpose is factored). Bounds: dgemm's forward error per entry is at most
 * gamma_k (|A| |B|)_ij with gamma_k = k u / (1 - k u), u = 2^-53; an SVD passes LAPACK's own test
 * ratios, ||A - U S V^T||_F / (max(m, n) ||A||_F eps) and ||U^T U - I||_F / (m eps), below 30.
 */
class DenseKernelsTest {
  private static final double EPS = Math.ulp(1.0);

  /** A rows x cols view at offset off with leading dimension ld whose last column ends exactly at the array's end. */
  private static double[] tightView(double[] values, int rows, int cols, int off, int ld) {
    double[] x = new double[off + (cols - 1) * ld + rows];
    java.util.Arrays.fill(x, Double.NaN); // anything read outside the view poisons the product
    for (int j = 0; j < cols; j++) {
      System.arraycopy(values, j * rows, x, off + j * ld, rows);
    }
    return x;
  }

  @ParameterizedTest
  @CsvSource({"false,false", "false,true", "true,false", "true,true"})
  void gemmReadsTightSubMatrixViews(boolean transA, boolean transB) {
    int m = 7;
    int n = 5;
    int k = 9;
    int rowsA = transA ? k : m;
    int colsA = transA ? m : k;
    int rowsB = transB ? n : k;
    int colsB = transB ? k : n;
    double[] av = TestMatrices.gaussian(rowsA, colsA, 1).values();
    double[] bv = TestMatrices.gaussian(rowsB, colsB, 2).values();
    double[] a = tightView(av, rowsA, colsA, 3, rowsA + 4);
    double[] b = tightView(bv, rowsB, colsB, 2, rowsB + 3);
    int ldc = m + 2;
    double[] c = new double[5 + (n - 1) * ldc + m];
    java.util.Arrays.fill(c, 1.0);
    Blas.gemm(transA, transB, m, n, k, 2.0, a, 3, rowsA + 4, b, 2, rowsB + 3, 0.5, c, 5, ldc);
    double gamma = k * EPS / 2 / (1 - k * EPS / 2);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double exact = 0.5;
        double abs = 0.5;
        for (int l = 0; l < k; l++) {
          double x = transA ? av[l + i * rowsA] : av[i + l * rowsA];
          double y = transB ? bv[j + l * rowsB] : bv[l + j * rowsB];
          exact += 2 * x * y;
          abs += 2 * Math.abs(x * y);
        }
        assertEquals(exact, c[5 + i + j * ldc], 2 * gamma * abs, "C(" + i + ", " + j + ")");
      }
    }
    for (int j = 0; j < n; j++) { // entries between C's columns are not written
      for (int i = m; i < ldc && 5 + i + j * ldc < c.length; i++) {
        assertEquals(1.0, c[5 + i + j * ldc], "padding after column " + j);
      }
    }
  }

  @ParameterizedTest
  @CsvSource({"30,22", "22,30", "17,17", "40,1", "1,40"})
  void thinSvdOfTallWideAndSquareMatrices(int m, int n) {
    double[] a = TestMatrices.gaussian(m, n, 3).values();
    double[] copy = a.clone();
    Lapack.Svd svd = Lapack.svd(a, m, n);
    int k = Math.min(m, n);
    assertEquals(k, svd.k);
    assertTrue(java.util.Arrays.equals(copy, a), "input not overwritten");
    double[] us = new double[m * k];
    for (int q = 0; q < k; q++) {
      assertTrue(q == 0 || svd.s[q] <= svd.s[q - 1], "singular values descend");
      for (int i = 0; i < m; i++) {
        us[i + q * m] = svd.u[i + q * m] * svd.s[q];
      }
    }
    double[] rebuilt = Blas.multiply(us, m, k, svd.vt, n);
    assertTrue(residual(a, rebuilt) / (Math.max(m, n) * norm(a) * EPS) < 30, "A = U S V^T");
    assertTrue(orthonormality(svd.u, m, k, false) / (m * EPS) < 30, "U^T U = I");
    assertTrue(orthonormality(svd.vt, k, n, true) / (n * EPS) < 30, "V^T V = I");
  }

  @ParameterizedTest
  @CsvSource({"30,22", "22,30", "40,3", "3,40"})
  void truncatedSvdOfTallAndWideTilesIsTheBestRankR(int rows, int cols) {
    double[] a = TestMatrices.gaussian(rows, cols, 4).values();
    double[] s = Lapack.svd(a, rows, cols).s;
    TruncatedSvd svd = new TruncatedSvd();
    for (int r : new int[] {1, 2, Math.min(rows, cols)}) {
      LowRankTile tile = svd.factor(0, 0, a.clone(), rows, cols, r);
      assertEquals(r, tile.rank);
      double tail = 0;
      for (int t = r; t < s.length; t++) {
        tail += s[t] * s[t];
      }
      double err = residual(a, tile.toDense());
      // Eckart-Young: ||A - A_r||_F^2 = sum_{t > r} s_t^2, up to the SVD's backward error.
      assertEquals(Math.sqrt(tail), err, 30 * Math.max(rows, cols) * EPS * norm(a), "rank " + r);
    }
  }

  private static double norm(double[] x) {
    double s = 0;
    for (double v : x) {
      s += v * v;
    }
    return Math.sqrt(s);
  }

  private static double residual(double[] x, double[] y) {
    double s = 0;
    for (int i = 0; i < x.length; i++) {
      s += (x[i] - y[i]) * (x[i] - y[i]);
    }
    return Math.sqrt(s);
  }

  /** ||Q^T Q - I||_F for the columns of a rows x cols matrix q, or for its rows when {@code ofRows}. */
  private static double orthonormality(double[] q, int rows, int cols, boolean ofRows) {
    int count = ofRows ? rows : cols;
    double s = 0;
    for (int p = 0; p < count; p++) {
      for (int t = 0; t < count; t++) {
        double dot = 0;
        for (int l = 0; l < (ofRows ? cols : rows); l++) {
          dot += ofRows ? q[p + l * rows] * q[t + l * rows] : q[l + p * rows] * q[l + t * rows];
        }
        s += (dot - (p == t ? 1 : 0)) * (dot - (p == t ? 1 : 0));
      }
    }
    return Math.sqrt(s);
  }
}
