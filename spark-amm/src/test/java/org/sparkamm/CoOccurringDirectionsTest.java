package org.sparkamm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkamm.algo.AmmAlgorithm;
import org.sparkamm.algo.InnerNorms;
import org.sparkamm.algo.LocalEngine;
import org.sparkamm.config.AmmConfig;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.local.Lapack;
import org.sparkamm.random.CounterRng;
import org.sparkamm.spark.SparkMatrices;

/**
 * Co-occurring directions' deterministic guarantee, ||AB - C||_2 &le; (sum_i ||a_i|| ||b_i||)/l
 * &le; ||A||_F ||B||_F / l for cooFD (so within the paper's 2 ||A||_F ||B||_F / l), and the
 * beta-shrink's (sum_i ||a_i|| ||b_i||)/sum_{j&lt;l} F_j, on adversarial inputs, locally and merged
 * over 1/3/8 partitions; spectral norms by LAPACK. No statistics: every check is exact up to rounding.
 */
class CoOccurringDirectionsTest {
  private static final int M = 40;
  private static final int N = 600;
  private static final int P = 30;

  /** The input families: low rank plus noise, a heavy-tailed spectrum, and energy that arrives last. */
  static DenseMatrix[] inputs(String family) {
    long key = CounterRng.streamKey(31, 5);
    double[] a = new double[M * N];
    double[] b = new double[N * P];
    for (int i = 0; i < N; i++) {
      double scale = family.equals("late") ? (i >= N - 20 ? 50.0 : 0.1)
          : family.equals("heavy") ? Math.pow(i + 1, -1.0) * 20 : 1.0;
      for (int r = 0; r < M; r++) {
        double lowRank = family.equals("lowrank") ? 3 * CounterRng.gaussian(key, 7_000_000L + r) * CounterRng.gaussian(key, 8_000_000L + i) : 0;
        a[r + i * M] = scale * (lowRank + CounterRng.gaussian(key, (long) r * N + i));
      }
      for (int c = 0; c < P; c++) {
        double lowRank = family.equals("lowrank") ? 3 * CounterRng.gaussian(key, 9_000_000L + c) * CounterRng.gaussian(key, 8_000_000L + i) : 0;
        b[i + c * N] = scale * (lowRank + CounterRng.gaussian(key, 5_000_000L + (long) i * P + c));
      }
    }
    return new DenseMatrix[] {new DenseMatrix(M, N, a), new DenseMatrix(N, P, b)};
  }

  static double spectralError(Matrix a, Matrix b, double[] c) {
    double[] exact = TestMatrices.naiveProduct(a, b);
    double[] d = new double[exact.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = exact[i] - c[i];
    }
    return Lapack.spectralNorm(d, a.numRows(), b.numCols());
  }

  static double frobenius(Matrix x) {
    return Math.sqrt(org.sparkamm.local.FrobeniusError.squaredNorm(x.toArray()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"lowrank", "heavy", "late"})
  void cooFdMeetsItsBoundLocallyAndMerged(String family) {
    DenseMatrix[] in = inputs(family);
    DenseMatrix a = in[0];
    DenseMatrix b = in[1];
    InnerNorms norms = LocalEngine.norms(a, b);
    for (int l : new int[] {4, 10, 20}) {
      Amm amm = Amm.create("cooFD");
      double bound = amm.algorithm().spectralErrorBound(norms, M, P, l);
      assertEquals(norms.stats().sumProduct / l, bound, 1e-12 * bound);
      double paper = 2 * frobenius(a) * frobenius(b) / l;
      assertTrue(bound <= paper / 2 * (1 + 1e-12), "sum ||a_i|| ||b_i|| <= ||A|| ||B||");
      double local = spectralError(a, b, amm.multiply(a, b, l).toArray());
      assertTrue(local <= bound, family + " l=" + l + ": local error " + local + " > bound " + bound);
      assertTrue(local > 0, "the sketch is not exact below rank");
      for (int parts : new int[] {1, 3, 8}) {
        Matrix rows = amm.multiplyRowAligned(TestMatrices.indexedRows(a.transpose(), parts),
            TestMatrices.indexedRows(b, parts), l);
        double merged = spectralError(a, b, rows.toArray());
        assertTrue(merged <= bound, family + " l=" + l + " " + parts + " partitions: " + merged + " > " + bound);
      }
      BlockMatrix ad = SparkMatrices.fromLocal(SharedSpark.jsc(), a, 16, 64, 8);
      BlockMatrix bd = SparkMatrices.fromLocal(SharedSpark.jsc(), b, 100, 16, 3);
      BlockMatrix cd = amm.multiply(ad, bd, l);
      double blocks = spectralError(a, b, cd.toLocalMatrix().toArray());
      assertTrue(blocks <= bound, family + " l=" + l + " BlockMatrix: " + blocks + " > " + bound);
      cd.blocks().unpersist(false);
    }
  }

  /** bcooFD: its own bound, with the constant sum_{j<l} F_j measured against the plain l. */
  @ParameterizedTest
  @ValueSource(doubles = {0.5, 1.0, 4.0})
  void bcooFdMeetsItsBound(double beta) {
    DenseMatrix[] in = inputs("lowrank");
    InnerNorms norms = LocalEngine.norms(in[0], in[1]);
    Amm amm = Amm.create("bcooFD").setConfig(new AmmConfig().edit("algoBeta", beta));
    int l = 10;
    double bound = amm.algorithm().spectralErrorBound(norms, M, P, l);
    double cooBound = norms.stats().sumProduct / l;
    assertTrue(bound > cooBound, "the beta shrink's guarantee is weaker: " + bound + " vs " + cooBound);
    double error = spectralError(in[0], in[1], amm.multiply(in[0], in[1], l).toArray());
    assertTrue(error <= bound, "beta " + beta + ": " + error + " > " + bound);
    Matrix merged = amm.multiplyRowAligned(TestMatrices.indexedRows(in[0].transpose(), 8),
        TestMatrices.indexedRows(in[1], 8), l);
    assertTrue(spectralError(in[0], in[1], merged.toArray()) <= bound, "beta " + beta + " merged");
  }

  /**
   * LibAMM drops the pair that triggers a shrink. Here only the last pair of a rank-one product is
   * non-zero, and it arrives when the buffer is full: LibAMM's sketch (its l slots hold the l zero
   * columns, the shrink of a zero matrix frees them, and the pair is dropped) returns 0, an error of
   * ||a|| ||b||, above the bound ||a|| ||b|| / l. This implementation inserts it after the shrink.
   */
  @Test
  void thePairThatTriggersAShrinkIsKept() {
    int l = 5;
    int n = 2 * l + 1;
    double[] a = new double[M * n];
    double[] b = new double[n * P];
    for (int r = 0; r < M; r++) {
      a[r + (n - 1) * M] = 1 + r;
    }
    for (int c = 0; c < P; c++) {
      b[(n - 1) + c * n] = 2 - c;
    }
    DenseMatrix am = new DenseMatrix(M, n, a);
    DenseMatrix bm = new DenseMatrix(n, P, b);
    double bound = Amm.create("cooFD").algorithm().spectralErrorBound(LocalEngine.norms(am, bm), M, P, l);
    double dropped = spectralError(am, bm, new double[M * P]);
    assertTrue(dropped > bound, "LibAMM's dropped pair would break the bound: " + dropped + " vs " + bound);
    double kept = spectralError(am, bm, Amm.create("cooFD").multiply(am, bm, l).toArray());
    assertTrue(kept <= 1e-9 * dropped, "the pair must be kept: error " + kept);
  }

  @Test
  void sameInputsSamePartitioningSameResultAndExactAtFullRank() {
    DenseMatrix[] in = inputs("heavy");
    Amm amm = Amm.create("cooFD");
    double[] one = amm.multiplyRowAligned(TestMatrices.indexedRows(in[0].transpose(), 3),
        TestMatrices.indexedRows(in[1], 3), 8).toArray();
    double[] two = amm.multiplyRowAligned(TestMatrices.indexedRows(in[0].transpose(), 3),
        TestMatrices.indexedRows(in[1], 3), 8).toArray();
    assertArrayEquals(one, two);
    // l >= min(m, p): nothing is subtracted, the product is exact up to rounding.
    double[] c = amm.multiply(in[0], in[1], P).toArray();
    double[] exact = TestMatrices.naiveProduct(in[0], in[1]);
    assertTrue(TestMatrices.maxAbsDiff(c, exact) <= 1e-9 * TestMatrices.maxAbs(exact));
  }

  @Test
  void badBetaIsRefusedWithItsRange() {
    AmmArgumentException e = assertThrows(AmmArgumentException.class,
        () -> Amm.create("bcooFD").setConfig(new AmmConfig().edit("algoBeta", 0.0)));
    assertEquals("config key 'algoBeta' must be positive, got 0.0", e.getMessage());
    AmmAlgorithm coo = Amm.create("cooFD").algorithm();
    assertTrue(coo.mergesSketches());
    assertTrue(coo.configKeys().isEmpty());
  }
}
