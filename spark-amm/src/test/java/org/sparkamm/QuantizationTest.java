package org.sparkamm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparkamm.config.AmmConfig;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.local.IntGemm;
import org.sparkamm.quant.FpMode;
import org.sparkamm.quant.QuantizedTile;
import org.sparkamm.spark.ShuffleMeter;
import org.sparkamm.spark.SparkMatrices;

/** Scalar quantization ({@code int8}, {@code int8_fp32}, {@code int8_fp64}): exactness, bounds, engines, bytes. */
class QuantizationTest {

  /** The integer kernel equals a brute-force long product, at the extremes of each mode's range. */
  @ParameterizedTest
  @CsvSource({"7, 1, 1, 1", "7, 37, 1029, 531", "127, 64, 700, 513", "127, 3, 5, 2", "32767, 29, 517, 1030",
      "32767, 1, 2, 3"})
  void integerKernelIsExact(int q, int m, int n, int p) {
    Random r = new Random(q + m + n + p);
    int[] a = new int[m * n];
    int[] b = new int[n * p];
    for (int t = 0; t < a.length; t++) {
      a[t] = t % 7 == 0 ? q : t % 11 == 0 ? -q : r.nextInt(2 * q + 1) - q;
    }
    for (int t = 0; t < b.length; t++) {
      b[t] = t % 5 == 0 ? -q : t % 13 == 0 ? q : r.nextInt(2 * q + 1) - q;
    }
    long[] c = new long[m * p];
    c[0] = 42; // accumulates into C
    IntGemm.multiplyAdd(m, n, p, a, n, b, p, c, p, q, q);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < p; j++) {
        long s = i == 0 && j == 0 ? 42 : 0;
        for (int k = 0; k < n; k++) {
          s += (long) a[i * n + k] * b[k * p + j];
        }
        assertEquals(s, c[i * p + j], "C[" + i + "," + j + "]");
      }
    }
    // all-extreme operands: the largest sums the accumulators must hold
    java.util.Arrays.fill(a, q);
    java.util.Arrays.fill(b, q);
    java.util.Arrays.fill(c, 0);
    IntGemm.multiplyAdd(m, n, p, a, n, b, p, c, p, q, q);
    assertEquals((long) n * q * q, c[c.length - 1]);
  }

  @Test
  void integerKernelRefusesProductsThatOverflow() {
    assertThrows(IllegalArgumentException.class,
        () -> IntGemm.multiplyAdd(1, 1, 1, new int[1], 1, new int[1], 1, new long[1], 1, 65536, 65536));
  }

  @ParameterizedTest
  @CsvSource({"INT8", "INT16", "INT4", "FP32"})
  void tilesRoundTripEveryStoredValue(FpMode mode) {
    int rows = 3;
    int cols = 7; // odd count: INT4's last byte is half used
    double[] v = new double[rows * cols];
    int q = Math.max(1, mode.levels);
    for (int t = 0; t < v.length; t++) {
      v[t] = (t % (2 * q + 1)) - q; // every level of [-Q, Q] (INT4), integers with scale 1
    }
    double[] scales = {1, 1, 1};
    QuantizedTile tile = QuantizedTile.of(0, 0, new DenseMatrix(rows, cols, v), mode, scales, true);
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        double got = mode == FpMode.FP32 ? tile.floats()[i * cols + j] : tile.ints()[i * cols + j];
        assertEquals(v[i + j * rows], got, mode + " (" + i + "," + j + ")");
      }
    }
    assertEquals(mode == FpMode.INT4 ? 11 : (long) rows * cols * mode.bits / 8, tile.payloadBytes());
  }

  /** Rows and columns of very different ranges, where per-vector scales matter. */
  private static DenseMatrix ranged(int rows, int cols, long seed, boolean byRow) {
    DenseMatrix g = TestMatrices.gaussian(rows, cols, seed);
    double[] v = g.values().clone();
    for (int j = 0; j < cols; j++) {
      for (int i = 0; i < rows; i++) {
        v[i + j * rows] *= Math.pow(10, ((byRow ? i : j) % 5) - 2);
      }
    }
    return new DenseMatrix(rows, cols, v);
  }

  /**
   * Every entry within the deterministic bound (t_j/2)||a^_i||_1 + (s_i/2)||b^_j||_1 + n s_i t_j/4
   * (ScalarQuantization's Javadoc), where a^ and b^ are the quantized values the test recomputes with
   * round-to-nearest.
   */
  @ParameterizedTest
  @CsvSource({"INT8, vector", "INT8, tensor", "INT16, vector", "INT16, tensor", "INT4, vector", "INT4, tensor"})
  void everyEntryWithinTheDeterministicBound(String mode, String scale) {
    int m = 23;
    int n = 301;
    int p = 17;
    DenseMatrix a = ranged(m, n, 1, true);
    DenseMatrix b = ranged(n, p, 2, false);
    Amm amm = Amm.create("int8").setConfig(new AmmConfig().edit("fpMode", mode).edit("quantScale", scale));
    double[] c = amm.multiply(a, b, 1).toArray();
    double[] exact = TestMatrices.naiveProduct(a, b);
    int q = FpMode.valueOf(mode).levels;
    double[] s = new double[m];
    double[] t = new double[p];
    double maxA = 0;
    double maxB = 0;
    for (int i = 0; i < m; i++) {
      for (int k = 0; k < n; k++) {
        s[i] = Math.max(s[i], Math.abs(a.apply(i, k)));
      }
      maxA = Math.max(maxA, s[i]);
    }
    for (int j = 0; j < p; j++) {
      for (int k = 0; k < n; k++) {
        t[j] = Math.max(t[j], Math.abs(b.apply(k, j)));
      }
      maxB = Math.max(maxB, t[j]);
    }
    for (int i = 0; i < m; i++) {
      double si = (scale.equals("tensor") ? maxA : s[i]) / q;
      for (int j = 0; j < p; j++) {
        double tj = (scale.equals("tensor") ? maxB : t[j]) / q;
        double l1a = 0;
        double l1b = 0;
        double abs = 0;
        for (int k = 0; k < n; k++) {
          l1a += Math.abs(si * Math.rint(a.apply(i, k) / si));
          l1b += Math.abs(tj * Math.rint(b.apply(k, j) / tj));
          abs += Math.abs(a.apply(i, k) * b.apply(k, j));
        }
        double bound = tj / 2 * l1a + si / 2 * l1b + n * si * tj / 4;
        double err = Math.abs(c[i + j * m] - exact[i + j * m]);
        assertTrue(err <= bound + 1e-12 * abs, mode + "/" + scale + " C[" + i + "," + j + "] error " + err
            + " > bound " + bound);
        assertTrue(bound <= n * si * tj * (q + 0.25) * (1 + 1e-12), "the bound's worst case");
      }
    }
  }

  /**
   * Where every entry but the largest lies just above half a level, rounding (not truncation, as in
   * LibAMM) makes each term's error 1 - (1/2 + d)^2, which is 3/5 of the bound's 5/4 per term: the bound
   * is tight to a small factor, and the error is exactly what round-to-nearest predicts.
   */
  @Test
  void roundsToNearestAndTheBoundIsNearlyTight() {
    int n = 100;
    double d = 1.0 / 64;
    double[] a = new double[n];
    java.util.Arrays.fill(a, 0.5 + d);
    a[0] = 127; // scale 1
    double[] c = Amm.create("int8").multiply(new DenseMatrix(1, n, a), new DenseMatrix(n, 1, a.clone()), 1).toArray();
    double exact = 127.0 * 127 + (n - 1) * (0.5 + d) * (0.5 + d);
    double expected = (n - 1) * (1 - (0.5 + d) * (0.5 + d));
    assertEquals(expected, c[0] - exact, 1e-9);
    double bound = (n - 1) * 1.25; // term 0 is exact
    assertTrue(c[0] - exact > 0.5 * bound);
  }

  /**
   * Per-vector scales are never worse overall, and on rows of A 100x smaller than others they keep the
   * small rows' products accurate, where one tensor scale rounds most of those rows to zero.
   */
  @Test
  void vectorScalesBeatTensorScalesOnRangedData() {
    DenseMatrix a = ranged(40, 200, 3, true);
    DenseMatrix b = ranged(200, 30, 4, false);
    double[] exact = TestMatrices.naiveProduct(a, b);
    double[] vector = Amm.create("int8").setConfig(new AmmConfig().edit("quantScale", "vector")).multiply(a, b, 1)
        .toArray();
    double[] tensor = Amm.create("int8").setConfig(new AmmConfig().edit("quantScale", "tensor")).multiply(a, b, 1)
        .toArray();
    assertTrue(relError(exact, vector) <= relError(exact, tensor), "overall");
    double worstVector = 0;
    double worstTensor = 0;
    for (int i = 0; i < 40; i++) {
      double[] e = new double[30];
      double[] v = new double[30];
      double[] t = new double[30];
      for (int j = 0; j < 30; j++) {
        e[j] = exact[i + j * 40];
        v[j] = vector[i + j * 40];
        t[j] = tensor[i + j * 40];
      }
      worstVector = Math.max(worstVector, relError(e, v));
      worstTensor = Math.max(worstTensor, relError(e, t));
    }
    assertTrue(worstVector * 10 < worstTensor, "worst row: vector " + worstVector + ", tensor " + worstTensor);
  }

  private static double relError(double[] exact, double[] approx) {
    double num = 0;
    double den = 0;
    for (int i = 0; i < exact.length; i++) {
      num += (exact[i] - approx[i]) * (exact[i] - approx[i]);
      den += exact[i] * exact[i];
    }
    return Math.sqrt(num / den);
  }

  /** FP32 is the product of the float32-rounded inputs in float32: within (n + 2) u |A||B|, u = 2^-24. */
  @Test
  void fp32IsTheFloatProductAndFp64IsExact() {
    DenseMatrix a = TestMatrices.gaussian(31, 513, 5);
    DenseMatrix b = TestMatrices.gaussian(513, 19, 6);
    double[] exact = TestMatrices.naiveProduct(a, b);
    double[] c32 = Amm.create("int8_fp32").multiply(a, b, 1).toArray();
    double[] c64 = Amm.create("int8_fp64").multiply(a, b, 1).toArray();
    double[] viaMode = Amm.create("int8").setConfig(new AmmConfig().edit("fpMode", "fp32")).multiply(a, b, 1).toArray();
    assertArrayEquals(c32, viaMode, "fpMode wins over the tag, any letter case");
    boolean differs = false;
    for (int i = 0; i < 31; i++) {
      for (int j = 0; j < 19; j++) {
        double abs = 0;
        for (int k = 0; k < 513; k++) {
          abs += Math.abs(a.apply(i, k) * b.apply(k, j));
        }
        double e = exact[i + j * 31];
        assertTrue(Math.abs(c32[i + j * 31] - e) <= 515 * 0x1p-24 * abs, "fp32 C[" + i + "," + j + "]");
        assertTrue(Math.abs(c64[i + j * 31] - e) <= 1e-13 * abs, "fp64 C[" + i + "," + j + "]");
        differs |= Math.abs(c32[i + j * 31] - e) > 1e-9 * abs;
      }
    }
    assertTrue(differs, "fp32 must actually round to float32");
  }

  /**
   * Integer modes are exact integer sums with the same scales on every engine: Spark's BlockMatrix
   * product (ragged blocks, inner splits) and the row-aligned X^T Y equal the local result to the bit.
   */
  @ParameterizedTest
  @CsvSource({"INT8, vector, 0", "INT16, vector, 3", "INT4, tensor, 0", "INT8, tensor, 2"})
  void sparkEnginesEqualTheLocalOneExactly(String mode, String scale, int splits) {
    DenseMatrix a = ranged(37, 90, 7, true);
    DenseMatrix b = ranged(90, 29, 8, false);
    AmmConfig cfg = new AmmConfig().edit("fpMode", mode).edit("quantScale", scale);
    if (splits > 0) {
      cfg.edit("numMidDimSplits", splits);
    }
    double[] local = Amm.create("int8").setConfig(cfg).multiply(a, b, 1).toArray();
    BlockMatrix ad = SparkMatrices.fromLocal(SharedSpark.jsc(), a, 10, 16, 3);
    BlockMatrix bd = SparkMatrices.fromLocal(SharedSpark.jsc(), b, 16, 7, 2);
    BlockMatrix cd = Amm.create("int8").setConfig(cfg).multiply(ad, bd, 1);
    assertArrayEquals(local, cd.toLocalMatrix().toArray(), "BlockMatrix");
    cd.blocks().unpersist(false);
    Matrix rows = Amm.create("int8").setConfig(cfg).multiplyRowAligned(
        TestMatrices.indexedRows(a.transpose(), 3), TestMatrices.indexedRows(b, 2), 1);
    assertArrayEquals(local, rows.toArray(), "row-aligned");
  }

  /** int8 ships one byte per entry where BlockMatrix.multiply ships eight: at most 1/6 of its shuffle. */
  @Test
  void int8ShufflesAtMostASixthOfExact() {
    DenseMatrix a = TestMatrices.gaussian(512, 1024, 9);
    DenseMatrix b = TestMatrices.gaussian(1024, 512, 10);
    BlockMatrix ad = SparkMatrices.fromLocal(SharedSpark.jsc(), a, 256, 256, 4);
    BlockMatrix bd = SparkMatrices.fromLocal(SharedSpark.jsc(), b, 256, 256, 4);
    ad.blocks().cache().count();
    bd.blocks().cache().count();
    ShuffleMeter meter = ShuffleMeter.of(SharedSpark.jsc().sc());
    long[] bytes = new long[2];
    String[] tags = {"mm", "int8"};
    for (int t = 0; t < 2; t++) {
      long before = meter.bytesWritten();
      BlockMatrix c = Amm.create(tags[t]).setConfig(new AmmConfig().edit("numMidDimSplits", 1)).multiply(ad, bd, 1);
      bytes[t] = meter.bytesWritten() - before;
      c.blocks().unpersist(false);
    }
    ad.blocks().unpersist(false);
    bd.blocks().unpersist(false);
    assertTrue(bytes[1] * 6 <= bytes[0], "int8 shuffled " + bytes[1] + " bytes, mm " + bytes[0]);
  }

  @Test
  void badSettingsGetOneLine() {
    AmmArgumentException e = assertThrows(AmmArgumentException.class,
        () -> Amm.create("int8").setConfig(new AmmConfig().edit("fpMode", "INT3")));
    assertTrue(e.getMessage().contains("fpMode") && e.getMessage().contains("INT8"), e.getMessage());
    e = assertThrows(AmmArgumentException.class,
        () -> Amm.create("int8").setConfig(new AmmConfig().edit("quantScale", "row")));
    assertTrue(e.getMessage().contains("quantScale"), e.getMessage());
    DenseMatrix a = TestMatrices.gaussian(8, 9, 1);
    DenseMatrix b = TestMatrices.gaussian(9, 4, 2);
    e = assertThrows(AmmArgumentException.class, () -> Amm.create("int8").multiply(
        SparkMatrices.fromLocal(SharedSpark.jsc(), a, 4, 5, 1), SparkMatrices.fromLocal(SharedSpark.jsc(), b, 3, 4, 1), 1));
    assertTrue(e.getMessage().contains("columns per block"), e.getMessage());
  }

  @Test
  void zeroRowsAndColumnsQuantizeToZero() {
    double[] v = new double[4 * 3];
    v[1] = 2.5; // only row 1 of A is non-zero
    DenseMatrix a = new DenseMatrix(4, 3, v);
    DenseMatrix b = TestMatrices.gaussian(3, 2, 3);
    double[] c = Amm.create("int8").multiply(a, b, 1).toArray();
    for (int j = 0; j < 2; j++) {
      assertEquals(0.0, c[j * 4], "row 0");
      assertTrue(Double.isFinite(c[1 + j * 4]), "row 1");
    }
  }
}
