package org.sparkamm.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparkamm.TestMatrices;

/**
 * The power-iteration estimate of ||X||_2 against matrices whose singular values are known by
 * construction: X = U diag(s) V^T with U, V orthonormal columns (Q factors of Gaussian matrices).
 */
class SpectralNormTest {
  /** An m x p matrix with singular values s (column-major), from seeded Gaussian bases. */
  private static double[] withSingularValues(int m, int p, double[] s, long seed) {
    double[] u = orthonormal(m, s.length, seed);
    double[] v = orthonormal(p, s.length, seed + 1);
    double[] us = u.clone();
    for (int j = 0; j < s.length; j++) {
      for (int i = 0; i < m; i++) {
        us[i + j * m] *= s[j];
      }
    }
    return Blas.multiplyTransposeB(us, m, s.length, v, p);
  }

  /** Gram-Schmidt (twice, for orthogonality to rounding) on the columns of a Gaussian matrix. */
  private static double[] orthonormal(int rows, int cols, long seed) {
    double[] q = TestMatrices.gaussian(rows, cols, seed).toArray();
    for (int j = 0; j < cols; j++) {
      for (int pass = 0; pass < 2; pass++) {
        for (int k = 0; k < j; k++) {
          double dot = 0;
          for (int i = 0; i < rows; i++) {
            dot += q[i + k * rows] * q[i + j * rows];
          }
          for (int i = 0; i < rows; i++) {
            q[i + j * rows] -= dot * q[i + k * rows];
          }
        }
      }
      double norm = 0;
      for (int i = 0; i < rows; i++) {
        norm += q[i + j * rows] * q[i + j * rows];
      }
      for (int i = 0; i < rows; i++) {
        q[i + j * rows] /= Math.sqrt(norm);
      }
    }
    return q;
  }

  @Test
  void aGapConvergesToTheLargestSingularValue() {
    // s_2 / s_1 = 0.5: the estimate's error falls as 0.5^(4t), below the 1e-6 stopping tolerance at once.
    double[] x = withSingularValues(60, 40, new double[] {3.0, 1.5, 1.0, 0.2}, 1);
    assertEquals(3.0, SpectralNorm.of(x, 60, 40), 3.0 * 1e-5);
  }

  @Test
  void clusteredTopValuesStillGiveANearlyExactValueAndNeverMore() {
    // s_i = 1 - 0.002 i: the vector barely converges, the value does. After t iterations the weights of
    // s_i^2 are (s_i / s_1)^(4t) c_i^2, so mass left on values below 0.98 is at most 0.98^(4 * 100) ~ 3e-4
    // relative to the top's (times the start's c_i^2 ratios): the estimate is at least 0.98 s_1. Power
    // iteration never overshoots: ||X v|| <= s_1 for a unit v.
    double[] s = new double[30];
    for (int i = 0; i < s.length; i++) {
      s[i] = 1 - 0.002 * i;
    }
    double[] x = withSingularValues(80, 50, s, 3);
    double estimate = SpectralNorm.of(x, 80, 50);
    assertTrue(estimate >= 0.98 && estimate <= 1 + 1e-12, "estimate " + estimate);
  }

  @Test
  void rankOneZeroAndDifference() {
    double[] x = withSingularValues(30, 20, new double[] {7.0}, 5);
    assertEquals(7.0, SpectralNorm.of(x, 30, 20), 7e-12);
    assertEquals(0.0, SpectralNorm.of(new double[30 * 20], 30, 20));
    assertEquals(0.0, SpectralNorm.of(new double[0], 0, 5));
    double[] y = x.clone();
    for (int i = 0; i < y.length; i++) {
      y[i] *= 3;
    }
    assertEquals(14.0, SpectralNorm.ofDifference(y, x, 30, 20), 14e-12, "||3X - X|| = 2 ||X||");
    assertEquals(21.0, SpectralNorm.of(y, 30, 20), 21e-12, "the inputs are not changed");
  }
}
