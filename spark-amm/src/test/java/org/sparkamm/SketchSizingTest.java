package org.sparkamm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.junit.jupiter.api.Test;
import org.sparkamm.algo.InnerNorms;
import org.sparkamm.algo.LocalEngine;
import org.sparkamm.algo.SketchSizing;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.spark.SparkMatrices;

/** Choosing the sketch size for a target relative error: the pilot, the search, the engines, the errors. */
class SketchSizingTest {
  private static final DenseMatrix A = TestMatrices.gaussian(30, 600, 1);
  /** B = A^T G + noise: AB = A A^T G is large against ||A|| ||B||, where approximation pays. */
  private static final DenseMatrix B = correlated();

  private static DenseMatrix correlated() {
    DenseMatrix g = TestMatrices.gaussian(30, 20, 2);
    DenseMatrix noise = TestMatrices.gaussian(600, 20, 3);
    double[] v = A.transpose().multiply(g).toArray();
    for (int i = 0; i < v.length; i++) {
      v[i] += 0.5 * noise.values()[i];
    }
    return new DenseMatrix(600, 20, v);
  }

  private static double norm2(double[] x) {
    double s = 0;
    for (double v : x) {
      s += v * v;
    }
    return s;
  }

  /**
   * The pilot is unbiased: over S seeds its mean estimates ||AB||_F^2 with relative standard deviation
   * at most sqrt(2 / (32 S)); checked at 4 of those.
   */
  @Test
  void pilotEstimatesTheProductNorm() {
    double exact = norm2(TestMatrices.naiveProduct(A, B));
    int seeds = 200;
    double mean = 0;
    for (int s = 0; s < seeds; s++) {
      double[] z = SketchSizing.localProbeValues(A, B, s);
      assertEquals(SketchSizing.PILOT_PROBES, z.length);
      double m = 0;
      for (double v : z) {
        m += v / z.length;
      }
      mean += m / seeds;
    }
    double sd = Math.sqrt(2.0 / (SketchSizing.PILOT_PROBES * seeds));
    assertEquals(1.0, mean / exact, 4 * sd, "pilot mean / ||AB||^2");
  }

  /**
   * The chosen l is the smallest whose closed form meets the target against the pilot's lower estimate,
   * and the error achieved on average over many seeds meets the target: mean of ||AB - C||^2 over T
   * seeds at most eps^2 ||AB||^2 plus 4 standard errors.
   */
  @Test
  void chosenSizeIsMinimalAndMeetsTheTarget() {
    double eps = 0.5;
    for (String tag : new String[] {"countSketch", "crs", "gaussian"}) {
      Amm amm = Amm.create(tag).setSeed(9);
      SketchSizing.Choice c = amm.sketchSizeFor(A, B, eps);
      InnerNorms norms = LocalEngine.norms(A, B);
      double p = c.productNorm2;
      double atL = amm.algorithm().expectedSquaredError(norms, p, c.sketchSize, 9);
      assertEquals(Math.sqrt(atL / p), c.predictedError, 1e-12, tag);
      assertTrue(c.predictedError <= eps, tag + " predicts " + c.predictedError);
      // Minimal against the lower estimate P-, at which the closed form is evaluated too.
      double lower = c.productNorm2Lower;
      assertTrue(amm.algorithm().expectedSquaredError(norms, lower, c.sketchSize, 9) <= eps * eps * lower, tag);
      if (c.sketchSize > 1) {
        double below = amm.algorithm().expectedSquaredError(norms, lower, c.sketchSize - 1, 9);
        assertTrue(below > eps * eps * lower, tag + ": l - 1 would do");
      }
      double[] exact = TestMatrices.naiveProduct(A, B);
      double exactNorm2 = norm2(exact);
      int trials = 300;
      double sum = 0;
      double sumSq = 0;
      for (int s = 0; s < trials; s++) {
        double[] approx = Amm.create(tag).setSeed(1000 + s).multiply(A, B, c.sketchSize).toArray();
        double e = 0;
        for (int i = 0; i < exact.length; i++) {
          e += (approx[i] - exact[i]) * (approx[i] - exact[i]);
        }
        sum += e;
        sumSq += e * e;
      }
      double mean = sum / trials;
      double se = Math.sqrt(Math.max(0, sumSq / trials - mean * mean) / trials);
      assertTrue(mean <= eps * eps * exactNorm2 + 4 * se,
          tag + " at l = " + c.sketchSize + ": achieved " + Math.sqrt(mean / exactNorm2) + " > target " + eps);
    }
  }

  @Test
  void everyEngineChoosesTheSameSize() {
    Amm amm = Amm.create("weighted-cr").setSeed(4);
    SketchSizing.Choice local = amm.sketchSizeFor(A, B, 0.4);
    BlockMatrix ad = SparkMatrices.fromLocal(SharedSpark.jsc(), A, 7, 64, 3);
    BlockMatrix bd = SparkMatrices.fromLocal(SharedSpark.jsc(), B, 64, 6, 2);
    SketchSizing.Choice blocks = amm.sketchSizeFor(ad, bd, 0.4);
    SketchSizing.Choice rows = amm.sketchSizeFor(TestMatrices.indexedRows(A.transpose(), 3),
        TestMatrices.indexedRows(B, 2), 0.4);
    for (SketchSizing.Choice c : new SketchSizing.Choice[] {blocks, rows}) {
      assertEquals(local.sketchSize, c.sketchSize);
      assertEquals(local.predictedError, c.predictedError, 1e-9 * local.predictedError);
      assertEquals(local.productNorm2, c.productNorm2, 1e-9 * local.productNorm2);
    }
  }

  @Test
  void impossibleRequestsGetOneLine() {
    String[][] cases = {{"mm", "0.1", "is exact"}, {"cooFD", "0.1", "no closed-form error"},
        {"crs", "1e-6", "cannot reach relative error"}, {"crs", "0", "target error must be in (0, 1)"},
        {"crs", "1.5", "target error must be in (0, 1)"}};
    for (String[] c : cases) {
      AmmArgumentException e = assertThrows(AmmArgumentException.class,
          () -> Amm.create(c[0]).sketchSizeFor(A, B, Double.parseDouble(c[1])), c[0]);
      assertTrue(e.getMessage().contains(c[2]), e.getMessage());
    }
  }
}
