package org.sparkamm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkamm.error.AmmArgumentException;

/** The local engine: exactness where theory says so, layouts, determinism, bad inputs. */
class LocalEngineTest {
  private final DenseMatrix a = TestMatrices.gaussian(9, 40, 3);
  private final DenseMatrix b = TestMatrices.gaussian(40, 7, 4);

  @Test
  void mmIsExactAgainstTheTripleLoop() {
    double[] c = Amm.create("mm").multiply(a, b, 1).toArray();
    double[] ref = TestMatrices.naiveProduct(a, b);
    assertTrue(TestMatrices.maxAbsDiff(c, ref) <= 1e-12 * TestMatrices.maxAbs(ref) * 40);
  }

  @Test
  void mmHandlesEveryLayout() {
    double[] ref = TestMatrices.naiveProduct(a, b);
    Matrix[] as = {a, TestMatrices.rowMajor(a)};
    Matrix[] bs = {b, TestMatrices.rowMajor(b)};
    for (Matrix x : as) {
      for (Matrix y : bs) {
        assertTrue(TestMatrices.maxAbsDiff(Amm.create("mm").multiply(x, y, 1).toArray(), ref) < 1e-10);
      }
    }
  }

  /**
   * No sketch here is exact at k = n: sampling with replacement repeats and misses indices, and
   * CountSketch's buckets collide at random even when k &ge; n. So each has a positive error there.
   * (Scalar quantization is no sketch and reads no sketch size: QuantizationTest covers it.)
   */
  static java.util.stream.Stream<String> sketchTags() {
    return Amm.tags().stream().filter(t -> !t.equals("mm") && !Amm.create(t).algorithm().quantizesEntries()
        && !Amm.create(t).algorithm().needsTraining());
  }

  /** The randomized methods: another seed gives another result (blockLRA reads no seed). */
  static java.util.stream.Stream<String> randomizedTags() {
    return sketchTags().filter(t -> !Amm.create(t).algorithm().mergesSketches()
        && !Amm.create(t).algorithm().factorsBlocks());
  }

  /**
   * bcrs and ews keep every pair (entry) with probability 1 once l reaches n, and co-occurring
   * directions never shrink once l reaches min(m, p): exact.
   */
  static java.util.stream.Stream<String> inexactAtFullSize() {
    return sketchTags().filter(t -> !java.util.List.of("bcrs", "ews", "cooFD", "bcooFD").contains(t));
  }

  @ParameterizedTest
  @ValueSource(strings = {"bcrs", "ews", "cooFD", "bcooFD"})
  void methodsThatKeepEverythingAtFullSizeAreExact(String tag) {
    double[] ref = TestMatrices.naiveProduct(a, b);
    double[] c = Amm.create(tag).multiply(a, b, 40).toArray();
    assertTrue(TestMatrices.maxAbsDiff(c, ref) <= 1e-10 * TestMatrices.maxAbs(ref), tag);
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.MethodSource("inexactAtFullSize")
  void sketchesAreNotExactEvenWhenSketchSizeReachesInnerDimension(String tag) {
    double err = Amm.relativeFrobeniusError(Amm.create("mm").multiply(a, b, 1), Amm.create(tag).multiply(a, b, 40));
    assertTrue(err > 1e-3, tag + " at k = n: error " + err);
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.MethodSource("randomizedTags")
  void sameSeedSameResultOtherSeedOtherResult(String tag) {
    double[] c1 = Amm.create(tag).setSeed(5).multiply(a, b, 10).toArray();
    double[] c2 = Amm.create(tag).setSeed(5).multiply(a, b, 10).toArray();
    double[] c3 = Amm.create(tag).setSeed(6).multiply(a, b, 10).toArray();
    assertArrayEquals(c1, c2);
    assertFalse(java.util.Arrays.equals(c1, c3));
  }

  /**
   * Large dense blocks are sketched in bands of rows on several threads; every band's sums must land in
   * the one shared buffer, whatever layout the slice writes (a race once lost bands of row-major
   * blocks under Hadamard sketches). Repeated runs give the same bits.
   */
  @ParameterizedTest
  @ValueSource(strings = {"srht", "fastjlt", "countSketch", "gaussian"})
  void threadedSketchingOfLargeBlocksIsDeterministic(String tag) {
    DenseMatrix big = TestMatrices.rowMajor(TestMatrices.gaussian(1000, 1500, 3));
    DenseMatrix bb = TestMatrices.gaussian(1500, 40, 4);
    double[] first = Amm.create(tag).setSeed(2).multiply(big, bb, 64).toArray();
    for (int r = 0; r < 12; r++) {
      assertArrayEquals(first, Amm.create(tag).setSeed(2).multiply(big, bb, 64).toArray(), tag + " run " + r);
    }
  }

  /** Dense column-major, dense row-major and sparse inputs go through different kernels; same result. */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.MethodSource("org.sparkamm.ConformanceTest#tags")
  void everyStorageLayoutGivesTheSameProduct(String tag) {
    Matrix sa = TestMatrices.sparsified(a);
    Matrix sb = TestMatrices.sparsified(b);
    DenseMatrix da = new DenseMatrix(9, 40, sa.toArray());
    DenseMatrix db = new DenseMatrix(40, 7, sb.toArray());
    double[] ref = TestMatrices.amm(tag, 11, 40).multiply(da, db, 12).toArray();
    Matrix[] as = {da, TestMatrices.rowMajor(da), sa, sa.transpose().transpose(), ((org.apache.spark.mllib.linalg.SparseMatrix) sa).toDense()};
    Matrix[] bs = {db, TestMatrices.rowMajor(db), sb, TestMatrices.sparsified(TestMatrices.rowMajor(db))};
    for (Matrix x : as) {
      for (Matrix y : bs) {
        double[] c = TestMatrices.amm(tag, 11, 40).multiply(x, y, 12).toArray();
        assertTrue(TestMatrices.maxAbsDiff(c, ref) <= 1e-10 * Math.max(1, TestMatrices.maxAbs(ref)),
            tag + " differs for " + x.getClass().getSimpleName() + " x " + y.getClass().getSimpleName());
      }
    }
  }

  /** CSR blocks: a transposed CSC matrix is read as CSR by the A-side kernel. */
  @Test
  void csrInputMatchesDense() {
    Matrix sat = TestMatrices.sparsified(TestMatrices.gaussian(40, 9, 3)); // 40 x 9 CSC
    Matrix csr = sat.transpose(); // 9 x 40, stored CSR
    DenseMatrix dense = new DenseMatrix(9, 40, csr.toArray());
    for (String tag : Amm.tags()) {
      double[] x = TestMatrices.amm(tag, 1, 40).multiply(csr, b, 8).toArray();
      double[] y = TestMatrices.amm(tag, 1, 40).multiply(dense, b, 8).toArray();
      assertTrue(TestMatrices.maxAbsDiff(x, y) < 1e-10, tag);
    }
  }

  /**
   * Large dense blocks are split into row bands or inner ranges chosen by shape, not by thread count:
   * one thread and four give the same bits.
   */
  @Test
  void threadsGiveBitwiseTheSameSketch() {
    DenseMatrix big = TestMatrices.gaussian(300, 4000, 5);
    org.sparkamm.sketch.CountSketch cs = new org.sparkamm.sketch.CountSketch(3, 64);
    for (DenseMatrix m : new DenseMatrix[] {big, TestMatrices.rowMajor(big)}) {
      org.sparkamm.sketch.SketchAccumulator one = new org.sparkamm.sketch.SketchAccumulator(300, 64, org.sparkamm.local.BackendChoice.CPU);
      org.sparkamm.sketch.SketchAccumulator four = new org.sparkamm.sketch.SketchAccumulator(300, 64, org.sparkamm.local.BackendChoice.CPU);
      org.sparkamm.sketch.BlockSketching.accumulate(one, m, 0, cs, org.sparkamm.sketch.Side.A, 1);
      org.sparkamm.sketch.BlockSketching.accumulate(four, m, 0, cs, org.sparkamm.sketch.Side.A, 4);
      assertArrayEquals(one.result(), four.result());
    }
  }

  /**
   * BlockSketching's claim for every sketch form (hits with one and several per index and with skips,
   * dense tiles, Hadamard chunks) and every storage: the thread count changes no bit of the sketch
   * or of the outer norms. 203 rows (not a multiple of 8) x 5200 inner indices is above the size at
   * which a block is split: row-major and Hadamard blocks into bands of rows, column-major blocks
   * under a per-index sketch into inner ranges. Sparse blocks are never split: a small one will do.
   */
  @ParameterizedTest
  @ValueSource(strings = {"countSketch", "sjlt", "crs", "srht", "fastjlt", "gaussian"})
  void everySketchFormAndLayoutGivesTheSameBitsOnAnyNumberOfThreads(String tag) {
    org.sparkamm.sketch.InnerSketch sk = org.sparkamm.algo.AlgorithmRegistry.create(tag).sketch(5200, 23, 9,
        new org.sparkamm.sketch.ArrayMasses(java.util.stream.DoubleStream.generate(() -> 1.0).limit(5200).toArray()));
    for (Matrix m : SplitBlocks.LAYOUTS) {
      assertSameBitsOnAnyThreads(m, sk, tag + " " + m.getClass().getSimpleName() + (m.isTransposed() ? " (row-major)" : ""));
    }
  }

  /** The blocks of the test above, made once: column-major, row-major, CSC, CSR. */
  private static final class SplitBlocks {
    static final Matrix[] LAYOUTS;

    static {
      DenseMatrix cols = TestMatrices.gaussian(203, 5200, 21);
      DenseMatrix small = TestMatrices.gaussian(37, 5200, 22);
      LAYOUTS = new Matrix[] {cols, TestMatrices.rowMajor(cols), TestMatrices.sparsified(small),
          TestMatrices.sparsified(small.transpose()).transpose()};
    }
  }

  /**
   * A column-major block under a per-index sketch too wide for inner ranges (1003 x 2100 sketch
   * values, above 2^21) is split into bands of rows instead: still the same bits on any number of threads.
   */
  @Test
  void columnMajorBlocksInBandsOfRowsGiveTheSameBitsOnAnyNumberOfThreads() {
    DenseMatrix tall = TestMatrices.gaussian(1003, 1050, 23);
    for (org.sparkamm.sketch.InnerSketch sk : new org.sparkamm.sketch.InnerSketch[] {
        new org.sparkamm.sketch.CountSketch(3, 2100), new org.sparkamm.sketch.SparseSignSketch(4, 2100, 3)}) {
      assertSameBitsOnAnyThreads(tall, sk, sk.getClass().getSimpleName() + " column-major in bands of rows");
    }
  }

  private static void assertSameBitsOnAnyThreads(Matrix m, org.sparkamm.sketch.InnerSketch sk, String what) {
    org.sparkamm.sketch.SketchAccumulator one = new org.sparkamm.sketch.SketchAccumulator(m.numRows(), sk.width(),
        org.sparkamm.local.BackendChoice.CPU).trackOuterNorms();
    org.sparkamm.sketch.BlockSketching.accumulate(one, m, 0, sk, org.sparkamm.sketch.Side.A, 1);
    org.sparkamm.sketch.SketchedBlock expected = one.finish();
    assertTrue(TestMatrices.maxAbs(expected.values) > 0.1, what + ": a sketch that is not zero");
    for (int threads : new int[] {3, 8}) {
      org.sparkamm.sketch.SketchAccumulator many = new org.sparkamm.sketch.SketchAccumulator(m.numRows(), sk.width(),
          org.sparkamm.local.BackendChoice.CPU).trackOuterNorms();
      org.sparkamm.sketch.BlockSketching.accumulate(many, m, 0, sk, org.sparkamm.sketch.Side.A, threads);
      org.sparkamm.sketch.SketchedBlock got = many.finish();
      assertArrayEquals(expected.values, got.values, what + ", " + threads + " threads");
      assertArrayEquals(expected.outerNorms2, got.outerNorms2, what + ", " + threads + " threads");
    }
  }

  /**
   * A column-major input cut into inner ranges sums the same terms as one pass over a Spark block,
   * in another order: equal up to rounding (each entry sums ~60 terms of size ~1, so |error| is
   * far below 1e-12), and different from a wrongly cut range (missing or doubled columns differ by O(1)).
   */
  @Test
  void innerRangesSumWhatOnePassSums() {
    DenseMatrix big = TestMatrices.gaussian(300, 4000, 6);
    for (org.sparkamm.sketch.InnerSketch sk : new org.sparkamm.sketch.InnerSketch[] {
        new org.sparkamm.sketch.CountSketch(3, 64), org.sparkamm.algo.AlgorithmRegistry.create("sjlt").sketch(4000, 64, 3, null)}) {
      org.sparkamm.sketch.SketchAccumulator ranges = new org.sparkamm.sketch.SketchAccumulator(300, 64, org.sparkamm.local.BackendChoice.CPU);
      org.sparkamm.sketch.SketchAccumulator onePass = new org.sparkamm.sketch.SketchAccumulator(300, 64, org.sparkamm.local.BackendChoice.CPU);
      org.sparkamm.sketch.BlockSketching.accumulate(ranges, big, 0, sk, org.sparkamm.sketch.Side.A, 2);
      org.sparkamm.sketch.BlockSketching.accumulate(onePass, big, 0, sk, org.sparkamm.sketch.Side.A);
      double[] x = ranges.result();
      double[] y = onePass.result();
      assertTrue(TestMatrices.maxAbsDiff(x, y) < 1e-12, sk.getClass().getSimpleName() + ": " + TestMatrices.maxAbsDiff(x, y));
      assertTrue(TestMatrices.maxAbsDiff(y, new double[y.length]) > 1, "a sketch that is not zero");
    }
  }

  /**
   * A task's blocks of one block row sketched together (row group by row group across row-major
   * blocks) give the bits of one block at a time, whatever the layouts mixed in, for rows that do
   * not fill the last group of 8, with outer norms, and for a sample that skips blocks.
   */
  @Test
  void blocksSketchedTogetherGiveTheBitsOfOneAtATime() {
    int rows = 21;
    java.util.List<Matrix> blocks = new java.util.ArrayList<>();
    long[] starts = new long[5];
    for (int k = 0; k < 5; k++) {
      DenseMatrix g = TestMatrices.gaussian(rows, 30, 40 + k);
      blocks.add(k == 2 ? g : k == 3 ? TestMatrices.sparsified(g) : TestMatrices.rowMajor(g));
      starts[k] = 30L * k;
    }
    for (String tag : new String[] {"countSketch", "sjlt", "crs"}) {
      org.sparkamm.sketch.InnerSketch sk = org.sparkamm.algo.AlgorithmRegistry.create(tag).sketch(150, 7, 9,
          new org.sparkamm.sketch.ArrayMasses(java.util.stream.DoubleStream.generate(() -> 1.0).limit(150).toArray()));
      org.sparkamm.sketch.SketchAccumulator together =
          new org.sparkamm.sketch.SketchAccumulator(rows, 7, org.sparkamm.local.BackendChoice.CPU).trackOuterNorms();
      org.sparkamm.sketch.SketchAccumulator oneByOne =
          new org.sparkamm.sketch.SketchAccumulator(rows, 7, org.sparkamm.local.BackendChoice.CPU).trackOuterNorms();
      org.sparkamm.sketch.BlockSketching.accumulateBlocks(together, blocks, starts, sk, org.sparkamm.sketch.Side.A);
      for (int k = 0; k < 5; k++) {
        org.sparkamm.sketch.BlockSketching.accumulate(oneByOne, blocks.get(k), starts[k], sk, org.sparkamm.sketch.Side.A);
      }
      org.sparkamm.sketch.SketchedBlock x = together.finish();
      org.sparkamm.sketch.SketchedBlock y = oneByOne.finish();
      assertArrayEquals(y.values, x.values, tag);
      assertArrayEquals(y.outerNorms2, x.outerNorms2, tag);
      assertTrue(TestMatrices.maxAbsDiff(y.values, new double[y.values.length]) > 0.1, tag + ": a sketch that is not zero");
    }
  }

  /**
   * A copy holds the same sums, bit for bit, in every buffer (column-major hits, row groups, the
   * transposed buffer of dense tiles) and the outer norms, and is apart from the original: adding
   * to the original afterwards changes nothing in the copy.
   */
  @Test
  void aCopyHoldsTheSameBits() {
    DenseMatrix g = TestMatrices.gaussian(21, 30, 50);
    org.sparkamm.sketch.InnerSketch cs = new org.sparkamm.sketch.CountSketch(3, 7);
    org.sparkamm.sketch.InnerSketch gauss = org.sparkamm.algo.AlgorithmRegistry.create("gaussian").sketch(90, 7, 3, null);
    org.sparkamm.sketch.SketchAccumulator[] accs = new org.sparkamm.sketch.SketchAccumulator[2];
    for (int k = 0; k < 2; k++) {
      accs[k] = new org.sparkamm.sketch.SketchAccumulator(21, 7, org.sparkamm.local.BackendChoice.CPU).trackOuterNorms();
      org.sparkamm.sketch.BlockSketching.accumulate(accs[k], g, 0, cs, org.sparkamm.sketch.Side.A);
      org.sparkamm.sketch.BlockSketching.accumulate(accs[k], TestMatrices.rowMajor(g), 30, cs, org.sparkamm.sketch.Side.A);
      org.sparkamm.sketch.BlockSketching.accumulate(accs[k], TestMatrices.rowMajor(g), 60, gauss, org.sparkamm.sketch.Side.A);
    }
    org.sparkamm.sketch.SketchAccumulator copy = accs[0].copy();
    org.sparkamm.sketch.BlockSketching.accumulate(accs[0], TestMatrices.rowMajor(g), 30, gauss, org.sparkamm.sketch.Side.A);
    org.sparkamm.sketch.SketchedBlock expected = accs[1].finish();
    org.sparkamm.sketch.SketchedBlock got = copy.finish();
    assertArrayEquals(expected.values, got.values);
    assertArrayEquals(expected.outerNorms2, got.outerNorms2);
    assertFalse(java.util.Arrays.equals(expected.values, accs[0].finish().values), "the original moved on");
  }

  @Test
  void inputsAreNotModified() {
    double[] a0 = a.values().clone();
    double[] b0 = b.values().clone();
    for (String tag : Amm.tags()) {
      TestMatrices.amm(tag, 1, 40).multiply(a, b, 10);
    }
    assertArrayEquals(a0, a.values());
    assertArrayEquals(b0, b.values());
  }

  @Test
  void badInputsGetOneLineMessages() {
    AmmArgumentException e = assertThrows(AmmArgumentException.class,
        () -> Amm.create("crs").multiply(a, TestMatrices.gaussian(39, 7, 1), 5));
    assertEquals("inner dimensions differ: A is 9x40, B is 39x7", e.getMessage());
    e = assertThrows(AmmArgumentException.class, () -> Amm.create("crs").multiply(a, b, 0));
    assertEquals("sketch size must be at least 1, got 0", e.getMessage());
    e = assertThrows(AmmArgumentException.class, () -> Amm.create("countSketch").multiply(a, b, Integer.MAX_VALUE));
    assertEquals("sketch size 2147483647 is too large: a 9 x 2147483647 sketch does not fit in one array", e.getMessage());
    assertEquals(9, Amm.create("mm").multiply(a, b, Integer.MAX_VALUE).numRows()); // mm ignores the sketch size
    double[] v = a.values().clone();
    v[17] = Double.NaN;
    e = assertThrows(AmmArgumentException.class, () -> Amm.create("countSketch").multiply(new DenseMatrix(9, 40, v), b, 5));
    assertEquals("A (9x40) contains NaN or infinite values", e.getMessage());
    v[17] = Double.POSITIVE_INFINITY;
    assertThrows(AmmArgumentException.class, () -> Amm.create("mm").multiply(b.transpose(), new DenseMatrix(9, 40, v).transpose(), 1));
  }

  @Test
  void emptyInnerDimensionGivesZeros() {
    DenseMatrix a0 = new DenseMatrix(3, 0, new double[0]);
    DenseMatrix b0 = new DenseMatrix(0, 4, new double[0]);
    for (String tag : Amm.tags()) {
      if (!Amm.create(tag).algorithm().needsTraining()) { // a codebook fits one inner dimension, and none fits 0
        assertArrayEquals(new double[12], Amm.create(tag).multiply(a0, b0, 3).toArray(), tag);
      }
    }
  }

  @Test
  void breakdownIsReported() {
    Amm amm = Amm.create("countSketch");
    amm.multiply(TestMatrices.gaussian(200, 3000, 1), TestMatrices.gaussian(3000, 200, 2), 100);
    assertTrue(amm.getBreakDown().buildATime > 0 && amm.getBreakDown().buildBTime > 0
        && amm.getBreakDown().fABTime >= 0, amm.getBreakDown().toString());
    assertEquals(java.util.List.of("buildATime", "buildBTime", "fABTime", "postProcessTime", "shuffleBytes"),
        new java.util.ArrayList<>(amm.getBreakDown().toMap().keySet()));
  }
}
