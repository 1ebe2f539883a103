package org.sparkamm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.SparseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkamm.algo.AmmAlgorithm;
import org.sparkamm.config.AmmConfig;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.random.ElementStream;
import org.sparkamm.random.Ziggurat;
import org.sparkamm.sketch.ArrayMasses;
import org.sparkamm.sketch.BlockSketching;
import org.sparkamm.sketch.FastHadamard;
import org.sparkamm.sketch.InnerSketch;
import org.sparkamm.sketch.Side;
import org.sparkamm.sketch.SketchAccumulator;
import org.sparkamm.sketch.SrhtSketch;

/**
 * A slice of a sketch generated for one block equals the same slice of the whole operator bit for
 * bit, for every sketch form (hits, dense tiles, Hadamard chunks split across blocks) and every block
 * layout: S's columns are recovered by sketching identity blocks, {@code I S^T = S^T}, whose entries are
 * S's own (with exact zeros), so a pure function of (seed, global index) gives the same bits.
 */
class SketchSliceTest {
  private static final int N = 300;

  static Stream<String> sketchTags() {
    return Amm.tags().stream().filter(t -> Amm.create(t).algorithm().sketchesInnerDimension());
  }

  /** S^T restricted to inner indices [start, start + len), recovered from an identity block in the given layout. */
  private static double[] columnsOfS(InnerSketch s, long start, int len, int layout) {
    DenseMatrix eye = DenseMatrix.eye(len);
    Matrix block = layout == 0 ? eye : layout == 1 ? TestMatrices.rowMajor(eye)
        : layout == 2 ? SparseMatrix.speye(len) : SparseMatrix.speye(len).transpose();
    SketchAccumulator acc = new SketchAccumulator(len, s.width(), org.sparkamm.local.BackendChoice.CPU);
    BlockSketching.accumulate(acc, block, start, s, Side.A, layout == 0 ? 3 : 1);
    return acc.result(); // len x l, column-major: row j = column start + j of S
  }

  @ParameterizedTest
  @MethodSource("sketchTags")
  void blockSliceEqualsSliceOfTheWholeOperator(String tag) {
    AmmAlgorithm algo = Amm.create(tag).setConfig(new AmmConfig().edit("hadamardChunk", 64L)
        .edit("sjltNonzeros", 3L)).algorithm();
    double[] q = new double[N];
    java.util.Arrays.fill(q, 1.0);
    InnerSketch s = algo.sketch(N, 20, 9, new ArrayMasses(q));
    int l = s.width();
    double[] whole = columnsOfS(s, 0, N, 0);
    // Ranges inside one chunk, across chunk boundaries (chunks of 64), the ragged end.
    long[][] ranges = {{0, N}, {37, 101}, {64, 64}, {250, 50}, {299, 1}, {5, 7}};
    for (long[] r : ranges) {
      for (int layout = 0; layout < 4; layout++) {
        double[] part = columnsOfS(s, r[0], (int) r[1], layout);
        for (int j = 0; j < r[1]; j++) {
          for (int t = 0; t < l; t++) {
            double expected = whole[(int) r[0] + j + t * N];
            double actual = part[j + t * (int) r[1]];
            assertEquals(expected, actual, // bit for bit: a pure function of (seed, global index)
                tag + ": S[" + t + ", " + (r[0] + j) + "] from block " + java.util.Arrays.toString(r) + " layout " + layout);
          }
        }
      }
    }
  }

  /** SRHT's S entries in closed form: S[t, i] = sign(i) H[r_{c,t}, i mod D] / sqrt(l). */
  @Test
  void srhtIsSignsHadamardAndSampledRows() {
    SrhtSketch s = new SrhtSketch(4, 8, 16);
    double[] st = columnsOfS(s, 0, 40, 0);
    for (int i = 0; i < 40; i++) {
      int c = i / 16;
      org.sparkamm.sketch.Hits rows = s.projection(c);
      for (int u = 0; u < rows.count; u++) {
        double expected = s.sign(i) * FastHadamard.entry(rows.local[u], i % 16) / Math.sqrt(8);
        assertEquals(expected, st[i + rows.bucket[u] * 40], 1e-15);
      }
    }
  }

  /** Ziggurat normals: mean 0, variance 1, fourth moment 3, and the CDF at a few points, within 5 sigma. */
  @Test
  void zigguratDrawsStandardNormals() {
    int count = 2_000_000;
    ElementStream s = new ElementStream().reset(7, 0);
    double m1 = 0;
    double m2 = 0;
    double m4 = 0;
    double[] cuts = {-3, -1.5, -0.5, 0, 0.7, 2, 3.7};
    double[] cdf = {0.0013498980316301, 0.0668072012688581, 0.3085375387259869, 0.5, 0.7580363477769270,
        0.9772498680518208, 0.9998921591043} ;
    long[] below = new long[cuts.length];
    for (int i = 0; i < count; i++) {
      double x = Ziggurat.next(s);
      m1 += x;
      m2 += x * x;
      m4 += x * x * x * x;
      for (int c = 0; c < cuts.length; c++) {
        if (x < cuts[c]) {
          below[c]++;
        }
      }
    }
    // Standard errors: sd(x) = 1, sd(x^2) = sqrt(2), sd(x^4) = sqrt(105 - 9) = 9.8, binomial for the CDF.
    double root = Math.sqrt(count);
    assertEquals(0, m1 / count, 5 / root);
    assertEquals(1, m2 / count, 5 * Math.sqrt(2) / root);
    assertEquals(3, m4 / count, 5 * Math.sqrt(96) / root);
    for (int c = 0; c < cuts.length; c++) {
      assertEquals(cdf[c], below[c] / (double) count, 5 * Math.sqrt(cdf[c] * (1 - cdf[c]) / count), "P(X < " + cuts[c] + ")");
    }
  }

  @Test
  void configKeysAreValidatedWithTheirRange() {
    AmmArgumentException e = assertThrows(AmmArgumentException.class,
        () -> Amm.create("tugOfWar").setConfig(new AmmConfig().edit("algoDelta", 0.5)));
    assertTrue(e.getMessage().contains("'algoDelta' must be in (0, 1/e)"), e.getMessage());
    assertThrows(AmmArgumentException.class, () -> Amm.create("tugOfWar").setConfig(new AmmConfig().edit("algoDelta", 0.0)));
    Amm sjlt = Amm.create("sjlt").setConfig(new AmmConfig().edit("sjltNonzeros", 9L));
    e = assertThrows(AmmArgumentException.class,
        () -> sjlt.multiply(TestMatrices.gaussian(3, 20, 1), TestMatrices.gaussian(20, 2, 2), 8));
    assertEquals("config key 'sjltNonzeros' must be in [1, 8] (at most the sketch size), got 9", e.getMessage());
    assertThrows(AmmArgumentException.class, () -> Amm.create("sjlt").setConfig(new AmmConfig().edit("sjltNonzeros", 0L)));
    e = assertThrows(AmmArgumentException.class,
        () -> Amm.create("srht").setConfig(new AmmConfig().edit("hadamardChunk", 1000L)));
    assertEquals("config key 'hadamardChunk' must be a power of two in [1, 65536], got 1000", e.getMessage());
    // Sketch sizes beyond n are allowed: every method here is defined there (co-occurring
    // directions beyond min(m, p) is exact).
    for (String tag : Amm.tags()) {
      Amm amm = TestMatrices.amm(tag, Amm.DEFAULT_SEED, 5);
      Matrix c = amm.multiply(TestMatrices.gaussian(3, 5, 1), TestMatrices.gaussian(5, 2, 2), 50);
      assertEquals(3, c.numRows(), tag);
    }
  }
}
