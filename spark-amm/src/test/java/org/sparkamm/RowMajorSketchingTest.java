package org.sparkamm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.mllib.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.local.BackendChoice;
import org.sparkamm.sketch.BlockSketching;
import org.sparkamm.sketch.ColumnRowSampler;
import org.sparkamm.sketch.CountSketch;
import org.sparkamm.sketch.Hits;
import org.sparkamm.sketch.InnerSketch;
import org.sparkamm.sketch.Side;
import org.sparkamm.sketch.SketchAccumulator;
import org.sparkamm.sketch.SparseSignSketch;

/**
 * Row-major sketching in groups of rows against the obviously-correct loop (one row at a time, hits
 * in order): bit for bit, for any row range and group remainder, on a buffer that already holds
 * sums, and for any thread count; and the local engine's finiteness check where countSketch and
 * sjlt check their sketches instead of their inputs.
 */
class RowMajorSketchingTest {
  private static final int ROWS = 37;
  private static final int INNER = 300;
  private static final int WIDTH = 23;

  /** The reference: sketch entry (r, b) at r * WIDTH + b, hits added in order, one row at a time. */
  private static void reference(double[] dst, double[] v, Hits h, int rowFrom, int rowTo) {
    for (int r = rowFrom; r < rowTo; r++) {
      for (int t = 0; t < h.count; t++) {
        dst[r * WIDTH + h.bucket[t]] += h.coef[t] * v[r * INNER + h.local[t]];
      }
    }
  }

  private static InnerSketch[] sketches() {
    return new InnerSketch[] {new CountSketch(5, WIDTH), new SparseSignSketch(6, WIDTH, 3),
        ColumnRowSampler.uniform(INNER, WIDTH, 7)};
  }

  @Test
  void groupsOfRowsGiveTheSameBitsAsOneRowAtATime() {
    double[] v = TestMatrices.rowMajor(TestMatrices.gaussian(ROWS, INNER, 3)).values();
    for (InnerSketch sketch : sketches()) {
      Hits h = (Hits) sketch.slice(0, INNER, Side.A);
      Hits h2 = (Hits) sketch.slice(INNER, INNER, Side.A); // a second block on top of the first one's sums
      for (int[] range : new int[][] {{0, ROWS}, {3, ROWS}, {5, 13}, {0, 7}, {8, 16}, {36, 37}}) {
        double[] expected = new double[ROWS * WIDTH];
        reference(expected, v, h, range[0], range[1]);
        reference(expected, v, h2, range[0], range[1]);
        SketchAccumulator acc = new SketchAccumulator(ROWS, WIDTH, BackendChoice.CPU);
        acc.addRowMajor(v, INNER, h, range[0], range[1]);
        acc.addRowMajor(v, INNER, h2, range[0], range[1]);
        double[] got = acc.result(); // column-major: entry (r, b) at r + b * ROWS
        for (int r = 0; r < ROWS; r++) {
          for (int b = 0; b < WIDTH; b++) {
            assertEquals(Double.doubleToLongBits(expected[r * WIDTH + b]), Double.doubleToLongBits(got[r + b * ROWS]),
                sketch.getClass().getSimpleName() + " rows " + range[0] + ".." + range[1] + " entry " + r + "," + b);
          }
        }
      }
    }
  }

  @Test
  void theThreadCountDoesNotChangeABit() {
    int rows = 203;
    int inner = 6000; // rows x inner above the threshold at which a block is split into bands
    DenseMatrix m = TestMatrices.rowMajor(TestMatrices.gaussian(rows, inner, 9));
    for (InnerSketch sketch : new InnerSketch[] {new CountSketch(5, WIDTH), new SparseSignSketch(6, WIDTH, 4)}) {
      SketchAccumulator one = new SketchAccumulator(rows, WIDTH, BackendChoice.CPU);
      BlockSketching.accumulate(one, m, 0, sketch, Side.A, 1);
      double[] expected = one.result();
      for (int threads : new int[] {2, 3, 8}) {
        SketchAccumulator many = new SketchAccumulator(rows, WIDTH, BackendChoice.CPU);
        BlockSketching.accumulate(many, m, 0, sketch, Side.A, threads);
        assertArrayEquals(expected, many.result(), threads + " threads");
      }
    }
  }

  @Test
  void sketchesThatAddEveryValueStillRejectNonFiniteInputs() {
    DenseMatrix a = TestMatrices.gaussian(9, 40, 1);
    DenseMatrix b = TestMatrices.gaussian(40, 7, 2);
    for (String tag : new String[] {"countSketch", "sjlt", "crs", "mm"}) {
      for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
        double[] va = a.values().clone();
        va[17] = bad;
        AmmArgumentException e = assertThrows(AmmArgumentException.class,
            () -> Amm.create(tag).multiply(new DenseMatrix(9, 40, va), b, 5), tag + " " + bad + " in A");
        assertEquals("A (9x40) contains NaN or infinite values", e.getMessage());
        double[] vb = b.values().clone();
        vb[279] = bad;
        e = assertThrows(AmmArgumentException.class,
            () -> Amm.create(tag).multiply(a.transpose().transpose(), new DenseMatrix(40, 7, vb).transpose().transpose(), 5),
            tag + " " + bad + " in B");
        assertEquals("B (40x7) contains NaN or infinite values", e.getMessage());
      }
    }
  }

  @Test
  void finiteInputsWhoseSumsOverflowAreAccepted() {
    // 1e308 everywhere: every sketch entry and every plain sum overflows, yet every value is finite.
    double[] huge = new double[9 * 40];
    java.util.Arrays.fill(huge, 1e308);
    DenseMatrix a = new DenseMatrix(9, 40, huge);
    DenseMatrix b = TestMatrices.gaussian(40, 7, 2);
    for (String tag : new String[] {"countSketch", "sjlt", "crs", "mm"}) {
      double[] c = Amm.create(tag).multiply(a, b, 5).toArray();
      assertEquals(63, c.length, tag);
      // the sketch overflowed (so the inputs were scanned and found finite): the product is not finite
      assertTrue(java.util.Arrays.stream(c).anyMatch(x -> !Double.isFinite(x)), tag + ": no overflow to test");
    }
    assertTrue(!Double.isFinite(org.sparkamm.local.ReadFloor.sum(huge)), "the plain sum overflows");
  }
}
