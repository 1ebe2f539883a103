package org.sparkamm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.SparseMatrix;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkamm.algo.ElementWiseSampling;
import org.sparkamm.algo.LocalEngine;
import org.sparkamm.local.FrobeniusError;
import org.sparkamm.random.CounterRng;
import org.sparkamm.sketch.EntrySampler;
import org.sparkamm.spark.SparkMatrices;
import scala.Tuple2;

/**
 * {@code ews} (element-wise sampling): the closed-form expected squared error and unbiasedness over
 * T independent seeds, the water-filling budget, exactness when l covers every non-zero, one result
 * across the local, BlockMatrix and row-aligned engines, and sparse inputs equal to dense ones.
 *
 * <p>Tolerances of the statistical test, as in {@link StatisticalGuaranteeTest}: the T = 400 errors
 * e_t = ||C_t - AB||_F^2 are i.i.d. with mean E (the formula); their mean lies within z s / sqrt(T)
 * of E with z = 4 (two-sided failure probability 6e-5, s the sample standard deviation; the e_t are
 * bounded, since a kept entry is either the entry itself or sign(v)/tau, so the central limit
 * theorem applies). Unbiasedness: ||mean_t C_t - AB||^2 has expectation E/T if and only if E[C] = AB
 * and is asymptotically at most E/T times a chi-square(1), whose 99.7% quantile is 8.8: bound 9 E/T.
 * Equalities across engines and storages differ only in the rounding of sums (of a row's |values|
 * for the taus, of outer products for C): 1e-9 relative to the largest entry.
 */
class EwsTest {
  private static final int TRIALS = 400;
  private static final double Z = 4.0;

  /** rows x cols, entries uniform on [0, 1): non-negative, so no cancellation in AB. */
  static DenseMatrix uniform(int rows, int cols, long seed) {
    long key = CounterRng.streamKey(seed, 1998);
    double[] v = new double[rows * cols];
    for (int i = 0; i < v.length; i++) {
      v[i] = CounterRng.uniform(key, i);
    }
    return new DenseMatrix(rows, cols, v);
  }

  /**
   * Coherent and heavy-tailed: Gaussian entries times 1/sqrt(u) (u uniform, a Pareto(2) tail), the
   * inner index i (a column when {@code innerIsColumn}, else a row) scaled by 30 for i &lt; 3 and by
   * (i + 1)^-0.75 beyond: three inner indices hold most of the mass, and water-filling caps entries.
   */
  static DenseMatrix coherent(int rows, int cols, long seed, boolean innerIsColumn) {
    long key = CounterRng.streamKey(seed, 1997);
    double[] v = new double[rows * cols];
    for (int j = 0; j < cols; j++) {
      for (int i = 0; i < rows; i++) {
        int inner = innerIsColumn ? j : i;
        long index = (long) i * cols + j;
        double scale = inner < 3 ? 30.0 : Math.pow(inner + 1, -0.75);
        double tail = 1 / Math.sqrt(1 - CounterRng.uniform(CounterRng.mix64(key), index));
        v[i + j * rows] = scale * tail * CounterRng.gaussian(key, index);
      }
    }
    return new DenseMatrix(rows, cols, v);
  }

  private static DenseMatrix[] family(String name, int m, int n, int p) {
    switch (name) {
      case "gaussian":
        return new DenseMatrix[] {TestMatrices.gaussian(m, n, 1), TestMatrices.gaussian(n, p, 2)};
      case "uniform":
        return new DenseMatrix[] {uniform(m, n, 3), uniform(n, p, 4)};
      default:
        return new DenseMatrix[] {coherent(m, n, 5, true), coherent(n, p, 6, false)};
    }
  }

  private static void assertRelClose(double[] expected, double[] actual, double rel, String what) {
    double tol = rel * Math.max(1e-300, TestMatrices.maxAbs(expected));
    double diff = TestMatrices.maxAbsDiff(expected, actual);
    assertTrue(diff <= tol, what + ": max difference " + diff + " > " + tol);
  }

  /** Smallest and largest p over the non-zeros of a view, and how many are capped at 1. */
  private static double[] probabilityRange(Matrix view, int l) {
    double[] tau = EntrySampler.taus(view, l);
    double lo = 1;
    double hi = 0;
    int capped = 0;
    for (int r = 0; r < view.numRows(); r++) {
      for (int i = 0; i < view.numCols(); i++) {
        double v = view.apply(r, i);
        if (v != 0) {
          double p = EntrySampler.probability(tau[r], Math.abs(v));
          lo = Math.min(lo, p);
          hi = Math.max(hi, p);
          capped += p == 1 ? 1 : 0;
        }
      }
    }
    return new double[] {lo, hi, capped};
  }

  @ParameterizedTest
  @ValueSource(strings = {"gaussian", "uniform", "coherent"})
  void meanSquaredErrorMatchesTheClosedFormAndEstimateIsUnbiased(String name) {
    DenseMatrix[] ab = family(name, 12, 60, 10);
    DenseMatrix a = ab[0];
    DenseMatrix b = ab[1];
    int l = 6;
    // Many entries sampled, not kept exactly (and, for the coherent family, some capped at 1).
    double[] rangeA = probabilityRange(a, l);
    assertTrue(rangeA[0] < 0.2, name + ": smallest p " + rangeA[0]);
    if (name.equals("coherent")) {
      assertTrue(rangeA[2] > 0 && probabilityRange(b.transpose(), l)[2] > 0, "coherent: water-filling caps entries");
    }
    double[] exact = TestMatrices.naiveProduct(a, b);
    double expected = ElementWiseSampling.expectedSquaredError(a, b, l);
    assertTrue(expected > 0);

    Amm amm = Amm.create("ews");
    double[] mean = new double[exact.length];
    double sum = 0;
    double sumSq = 0;
    for (int t = 0; t < TRIALS; t++) {
      double[] c = amm.setSeed(t).multiply(a, b, l).toArray();
      double e = FrobeniusError.squaredDifference(exact, c);
      sum += e;
      sumSq += e * e;
      for (int i = 0; i < mean.length; i++) {
        mean[i] += c[i] / TRIALS;
      }
    }
    double mse = sum / TRIALS;
    double sd = Math.sqrt((sumSq - TRIALS * mse * mse) / (TRIALS - 1));
    double tol = Z * sd / Math.sqrt(TRIALS);
    assertTrue(Math.abs(mse - expected) <= tol,
        name + ": mean squared error " + mse + " vs theory " + expected + " (tolerance " + tol + ")");
    double biasSq = FrobeniusError.squaredDifference(exact, mean);
    assertTrue(biasSq <= 9 * expected / TRIALS,
        name + ": ||mean - AB||^2 = " + biasSq + " exceeds 9 E/T = " + 9 * expected / TRIALS);
  }

  /** The closed form on an example small enough to enumerate: one inner index, two entries each side. */
  @Test
  void closedFormEqualsExhaustiveEnumeration() {
    DenseMatrix a = new DenseMatrix(2, 2, new double[] {1, -2, 3, 0.5}); // rows (1, 3), (-2, 0.5)
    DenseMatrix b = new DenseMatrix(2, 2, new double[] {2, 1, -1, 4}); // columns (2, 1), (-1, 4)
    int l = 1;
    double[] ta = EntrySampler.taus(a, l);
    double[] tb = EntrySampler.taus(b.transpose(), l);
    double[] pa = new double[4];
    double[] pb = new double[4];
    for (int e = 0; e < 4; e++) {
      pa[e] = EntrySampler.probability(ta[e % 2], Math.abs(a.values()[e]));
      pb[e] = EntrySampler.probability(tb[e / 2], Math.abs(b.values()[e]));
    }
    double[] exact = TestMatrices.naiveProduct(a, b);
    double expectation = 0;
    for (int maskA = 0; maskA < 16; maskA++) {
      for (int maskB = 0; maskB < 16; maskB++) {
        double prob = 1;
        double[] av = new double[4];
        double[] bv = new double[4];
        for (int e = 0; e < 4; e++) {
          boolean ka = (maskA >> e & 1) == 1;
          boolean kb = (maskB >> e & 1) == 1;
          prob *= (ka ? pa[e] : 1 - pa[e]) * (kb ? pb[e] : 1 - pb[e]);
          av[e] = ka ? a.values()[e] / pa[e] : 0;
          bv[e] = kb ? b.values()[e] / pb[e] : 0;
        }
        double[] c = TestMatrices.naiveProduct(new DenseMatrix(2, 2, av), new DenseMatrix(2, 2, bv));
        expectation += prob * FrobeniusError.squaredDifference(exact, c);
      }
    }
    assertEquals(expectation, ElementWiseSampling.expectedSquaredError(a, b, l), 1e-12 * expectation);
  }

  @Test
  void expectedKeptCountPerRowIsTheBudget() {
    List<Matrix> views = new ArrayList<>();
    for (String name : new String[] {"gaussian", "uniform", "coherent"}) {
      DenseMatrix[] ab = family(name, 12, 60, 10);
      views.add(ab[0]);
      views.add(ab[1].transpose()); // B's columns
    }
    views.add(TestMatrices.sparsified(TestMatrices.gaussian(9, 40, 3))); // zeros: never kept
    // Geometric rows need one water-filling step per capped entry; equal rows need none.
    double[] geometric = new double[2 * 12];
    for (int i = 0; i < 12; i++) {
      geometric[2 * i] = Math.pow(10, 3 - i);
      geometric[2 * i + 1] = 1.0;
    }
    views.add(new DenseMatrix(2, 12, geometric));
    for (Matrix view : views) {
      for (int l : new int[] {1, 2, 3, 5, 17, 39, 60, 100}) {
        double[] tau = EntrySampler.taus(view, l);
        for (int r = 0; r < view.numRows(); r++) {
          double expectedCount = 0;
          int nnz = 0;
          for (int i = 0; i < view.numCols(); i++) {
            double v = view.apply(r, i);
            double p = EntrySampler.probability(tau[r], Math.abs(v));
            assertTrue(p >= 0 && p <= 1, "p = " + p);
            assertTrue(v != 0 || p == 0, "a zero entry has p = 0");
            expectedCount += p;
            nnz += v != 0 ? 1 : 0;
          }
          assertEquals(Math.min(l, nnz), expectedCount, 1e-9, "row " + r + ", l = " + l);
        }
      }
    }
    // The empirical count over many seeds agrees: every entry is a Bernoulli(p) trial.
    DenseMatrix a = TestMatrices.gaussian(12, 60, 1);
    double kept = 0;
    for (int t = 0; t < 200; t++) {
      double[] tau = EntrySampler.taus(a, 6);
      kept += EntrySampler.sample(a, 0, 0, 60, 1, tau, 0, EntrySampler.coinKey(t, org.sparkamm.sketch.Side.A))
          .values().length;
    }
    double mean = kept / 200 / 12; // per row; sd of the mean per row < sqrt(6 / (200 * 12))
    assertEquals(6.0, mean, 4 * Math.sqrt(6.0 / 2400), "kept per row");
  }

  @Test
  void budgetCoveringEveryNonZeroGivesTheExactProduct() {
    DenseMatrix a = TestMatrices.gaussian(13, 29, 21);
    DenseMatrix b = TestMatrices.gaussian(29, 11, 22);
    double[] exact = TestMatrices.naiveProduct(a, b);
    assertRelClose(exact, Amm.create("ews").setSeed(3).multiply(a, b, 29).toArray(), 1e-12, "l = n");
    assertEquals(0.0, ElementWiseSampling.expectedSquaredError(a, b, 29));
    BlockMatrix cd = Amm.create("ews").setSeed(3).multiply(SparkMatrices.fromLocal(SharedSpark.jsc(), a, 5, 7, 3),
        SparkMatrices.fromLocal(SharedSpark.jsc(), b, 7, 4, 2), 29);
    assertRelClose(exact, cd.toLocalMatrix().toArray(), 1e-12, "l = n on Spark");
    cd.blocks().unpersist(false);
    // l < n, but no row of A and no column of B has more than l non-zeros.
    double[] av = new double[13 * 29];
    double[] bv = new double[29 * 11];
    for (int r = 0; r < 13; r++) {
      for (int t = 0; t < 4; t++) {
        av[r + ((r * 7 + t * 5) % 29) * 13] = a.apply(r, t);
      }
    }
    for (int c = 0; c < 11; c++) {
      for (int t = 0; t < 4; t++) {
        bv[(c * 3 + t * 7) % 29 + c * 29] = b.apply(t, c);
      }
    }
    DenseMatrix as = new DenseMatrix(13, 29, av);
    DenseMatrix bs = new DenseMatrix(29, 11, bv);
    assertRelClose(TestMatrices.naiveProduct(as, bs), Amm.create("ews").multiply(as.toSparse(), bs, 4).toArray(),
        1e-12, "nnz per row <= l");
  }

  @ParameterizedTest
  @ValueSource(strings = {"gaussian", "coherent"})
  void localBlockMatrixAndRowAlignedAgree(String name) {
    DenseMatrix[] ab = family(name, 23, 37, 19);
    DenseMatrix a = ab[0];
    DenseMatrix b = ab[1];
    int l = 5;
    double[] local = Amm.create("ews").setSeed(11).multiply(a, b, l).toArray();
    assertFalse(java.util.Arrays.equals(local, Amm.create("ews").setSeed(12).multiply(a, b, l).toArray()),
        "the seed matters");
    // {rows, cols per block of A, rows, cols per block of B, partitions}; the last two have
    // different inner blockings for A and B. The coherent family (2 to 4 water-filling passes) runs
    // them all, the Gaussian one (1 or 2 passes) a ragged, a whole-matrix and a mismatched one.
    int[][] layouts = {{4, 6, 6, 4, 1}, {5, 7, 7, 3, 3}, {7, 5, 5, 6, 8}, {23, 37, 37, 19, 3}, {5, 6, 4, 7, 3},
        {3, 10, 7, 5, 8}};
    for (int[] g : layouts) {
      if (name.equals("gaussian") && g[0] != 5 && g[0] != 23) {
        continue;
      }
      BlockMatrix ad = SparkMatrices.fromLocal(SharedSpark.jsc(), a, g[0], g[1], g[4]);
      BlockMatrix bd = SparkMatrices.fromLocal(SharedSpark.jsc(), b, g[2], g[3], g[4]);
      Amm amm = Amm.create("ews").setSeed(11);
      BlockMatrix c = amm.multiply(ad, bd, l);
      assertEquals(g[0], c.rowsPerBlock());
      assertEquals(g[3], c.colsPerBlock());
      assertRelClose(local, c.toLocalMatrix().toArray(), 1e-9, name + " blocks " + java.util.Arrays.toString(g));
      assertTrue(amm.getBreakDown().shuffleBytes > 0 || g[4] == 1, amm.getBreakDown().toString());
      c.blocks().unpersist(false);
    }
    // Row-major dense blocks (A's blocks as transposed views) and sparse blocks (CSC and CSR).
    BlockMatrix at = SparkMatrices.fromLocal(SharedSpark.jsc(), a.transpose(), 6, 5, 3).transpose();
    BlockMatrix bSparse = sparseBlocks(SparkMatrices.fromLocal(SharedSpark.jsc(), b, 5, 4, 3));
    assertRelClose(local, Amm.create("ews").setSeed(11).multiply(at, bSparse, l).toLocalMatrix().toArray(), 1e-9,
        name + " row-major and CSC blocks");
    BlockMatrix aCsr = sparseBlocks(SparkMatrices.fromLocal(SharedSpark.jsc(), a.transpose(), 6, 5, 2))
        .transpose();
    assertRelClose(local, Amm.create("ews").setSeed(11).multiply(aCsr, bSparse, l).toLocalMatrix().toArray(), 1e-9,
        name + " CSR blocks");
    for (int parts : new int[] {1, 3, 8}) {
      Matrix rows = Amm.create("ews").setSeed(11).multiplyRowAligned(
          TestMatrices.indexedRows(a.transpose(), parts), TestMatrices.indexedRows(b, parts), l);
      assertRelClose(local, rows.toArray(), 1e-9, name + " row-aligned, " + parts + " partitions");
    }
  }

  private static BlockMatrix sparseBlocks(BlockMatrix x) {
    JavaPairRDD<Tuple2<Object, Object>, Matrix> blocks = JavaPairRDD.fromJavaRDD(x.blocks().toJavaRDD())
        .mapValues(m -> (Matrix) ((DenseMatrix) m).toSparse());
    return new BlockMatrix(blocks.rdd(), x.rowsPerBlock(), x.colsPerBlock(), x.numRows(), x.numCols());
  }

  /**
   * Every local storage gives the same bits: row statistics add a row's entries in column order and
   * the sparse product adds in inner index order (SparseOuterProducts), whatever the storage.
   */
  @Test
  void sparseInputsEqualTheirDenseCounterparts() {
    DenseMatrix a = new DenseMatrix(17, 31, TestMatrices.sparsified(coherent(17, 31, 7, true)).toArray());
    DenseMatrix b = new DenseMatrix(31, 9, TestMatrices.sparsified(TestMatrices.gaussian(31, 9, 8)).toArray());
    int l = 4;
    double[] dense = Amm.create("ews").setSeed(5).multiply(a, b, l).toArray();
    SparseMatrix aCsc = a.toSparse();
    Matrix aCsr = new DenseMatrix(31, 17, a.transpose().toArray()).toSparse().transpose();
    SparseMatrix bCsc = b.toSparse();
    Matrix bCsr = new DenseMatrix(9, 31, b.transpose().toArray()).toSparse().transpose();
    assertTrue(((SparseMatrix) aCsr).isTransposed() && ((SparseMatrix) bCsr).isTransposed());
    Matrix[] as = {a, TestMatrices.rowMajor(a), aCsc, aCsr};
    Matrix[] bs = {b, TestMatrices.rowMajor(b), bCsc, bCsr};
    for (Matrix x : as) {
      for (Matrix y : bs) {
        assertArrayEquals(dense, Amm.create("ews").setSeed(5).multiply(x, y, l).toArray(),
            x.getClass().getSimpleName() + (x.isTransposed() ? " (row-major)" : "") + " x "
                + y.getClass().getSimpleName() + (y.isTransposed() ? " (row-major)" : ""));
      }
    }
    double e = ElementWiseSampling.expectedSquaredError(a, b, l);
    assertEquals(e, ElementWiseSampling.expectedSquaredError(aCsr, bCsc, l), 1e-12 * e);
  }

  /**
   * The shuffle carries kept entries, not the inputs: far less than MLlib's exact product, which
   * ships every block of A and B to each output block that needs it.
   */
  @Test
  void shuffleCarriesOnlyKeptEntriesAndPhasesAreReported() {
    DenseMatrix a = TestMatrices.gaussian(120, 400, 31);
    DenseMatrix b = TestMatrices.gaussian(400, 90, 32);
    BlockMatrix ad = SparkMatrices.fromLocal(SharedSpark.jsc(), a, 40, 50, 4);
    BlockMatrix bd = SparkMatrices.fromLocal(SharedSpark.jsc(), b, 50, 30, 4);
    Amm mm = Amm.create("mm");
    mm.multiply(ad, bd, 1).blocks().unpersist(false);
    Amm ews = Amm.create("ews");
    BlockMatrix c = ews.multiply(ad, bd, 8);
    long exactBytes = mm.getBreakDown().shuffleBytes;
    long ewsBytes = ews.getBreakDown().shuffleBytes;
    assertTrue(ewsBytes > 0 && 4 * ewsBytes < exactBytes, "ews shuffled " + ewsBytes + " bytes, mm " + exactBytes);
    assertTrue(ews.getBreakDown().buildATime > 0 && ews.getBreakDown().buildBTime > 0
        && ews.getBreakDown().fABTime > 0, ews.getBreakDown().toString());
    // The result's lineage still reads the final taus: losing the cache recomputes the same blocks.
    double[] first = c.toLocalMatrix().toArray();
    c.blocks().unpersist(true);
    assertArrayEquals(first, c.toLocalMatrix().toArray());
  }

  @Test
  void algorithmContract() {
    ElementWiseSampling ews = new ElementWiseSampling();
    assertEquals("ews", ews.tag());
    assertTrue(ews.samplesEntries());
    assertFalse(ews.isExact());
    assertThrows(IllegalStateException.class, () -> ews.sketch(10, 3, 1, null));
    DenseMatrix a = TestMatrices.gaussian(5, 8, 1);
    DenseMatrix b = TestMatrices.gaussian(8, 4, 2);
    assertTrue(Double.isNaN(ews.expectedSquaredError(LocalEngine.norms(a, b), 1.0, 3, 0)));
    assertThrows(org.sparkamm.error.AmmArgumentException.class,
        () -> ElementWiseSampling.expectedSquaredError(a, a, 3));
    assertEquals(5, Amm.create("EWS").multiply(a, b, Integer.MAX_VALUE).numRows()); // any l fits
  }
}
