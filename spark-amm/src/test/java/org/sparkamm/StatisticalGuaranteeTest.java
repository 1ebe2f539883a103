package org.sparkamm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkamm.algo.InnerNorms;
import org.sparkamm.algo.LocalEngine;
import org.sparkamm.local.FrobeniusError;

/**
 * The unbiased estimators against their closed-form expected squared error, over T independent
 * seeds (0 .. T-1). Every tolerance below follows from T and a stated failure probability; the
 * formulas are in each algorithm's Javadoc.
 *
 * <p>Mean squared error: e_t = ||C_t - AB||_F^2 are i.i.d. with mean E (the formula); by the central
 * limit theorem the sample mean lies within z s / sqrt(T) of E, s the sample standard deviation.
 * z = 4 gives a two-sided failure probability of 6e-5.
 *
 * <p>Unbiasedness: the average Cbar of T estimates has E||Cbar - AB||^2 = E/T if and only if
 * E[C] = AB; a bias b adds ||b||^2, which does not shrink with T. Asymptotically Cbar - AB is
 * Gaussian, so ||Cbar - AB||^2 (E/T)^-1 is a weighted sum of chi-square(1) variables with weights
 * summing to 1, at worst a single chi-square(1), whose 99.7% quantile is 8.8. Hence the bound 9 E/T.
 */
class StatisticalGuaranteeTest {
  private static final int TRIALS = 400;
  private static final double Z = 4.0;

  @ParameterizedTest
  @ValueSource(strings = {"crs", "weighted-cr", "countSketch"})
  void meanSquaredErrorMatchesTheoryAndEstimateIsUnbiased(String tag) {
    DenseMatrix a = TestMatrices.gaussian(12, 60, 1);
    DenseMatrix b = TestMatrices.gaussian(60, 10, 2);
    int k = 15;
    double[] exact = TestMatrices.naiveProduct(a, b);
    double productNorm2 = FrobeniusError.squaredNorm(exact);
    InnerNorms norms = LocalEngine.norms(a, b);
    Amm amm = Amm.create(tag);
    double expected = amm.algorithm().expectedSquaredError(norms, productNorm2, k, 0);

    double[] mean = new double[exact.length];
    double sum = 0;
    double sumSq = 0;
    for (int t = 0; t < TRIALS; t++) {
      Matrix c = amm.setSeed(t).multiply(a, b, k);
      double[] cv = c.toArray();
      double e = FrobeniusError.squaredDifference(exact, cv);
      sum += e;
      sumSq += e * e;
      for (int i = 0; i < mean.length; i++) {
        mean[i] += cv[i] / TRIALS;
      }
    }
    double mse = sum / TRIALS;
    double sd = Math.sqrt((sumSq - TRIALS * mse * mse) / (TRIALS - 1));
    assertTrue(Math.abs(mse - expected) <= Z * sd / Math.sqrt(TRIALS),
        tag + ": mean squared error " + mse + " vs theory " + expected + " (tolerance " + Z * sd / Math.sqrt(TRIALS) + ")");

    double biasSq = FrobeniusError.squaredDifference(exact, mean);
    assertTrue(biasSq <= 9 * expected / TRIALS,
        tag + ": ||mean - AB||^2 = " + biasSq + " exceeds 9 E/T = " + 9 * expected / TRIALS);
  }

  /**
   * The test above can fail: LibAMM's C++ weighted-cr scales norm-weighted draws by n/c as if they
   * were uniform, which is biased. The same bound rejects that estimator on the same data.
   */
  @org.junit.jupiter.api.Test
  void unbiasednessBoundRejectsLibAmmsBiasedWeightedScaling() {
    DenseMatrix a = TestMatrices.gaussian(12, 60, 1);
    DenseMatrix b = TestMatrices.gaussian(60, 10, 2);
    int k = 15;
    double[] exact = TestMatrices.naiveProduct(a, b);
    Amm weighted = Amm.create("weighted-cr");
    double expected = weighted.algorithm().expectedSquaredError(LocalEngine.norms(a, b),
        FrobeniusError.squaredNorm(exact), k, 0);
    double[] mean = new double[exact.length];
    for (int t = 0; t < TRIALS; t++) {
      org.sparkamm.sketch.SampledSketch s = (org.sparkamm.sketch.SampledSketch) weighted.algorithm()
          .sketch(60, k, t, LocalEngine.masses(a, b));
      long[] idx = s.indices();
      double[] w = s.weights();
      // Rebuild o_i from w_i = o_i / (c p_i), then apply LibAMM's o_i n / c instead.
      double[] q = new double[60];
      double qSum = 0;
      for (int i = 0; i < 60; i++) {
        double na = 0;
        double nb = 0;
        for (int r = 0; r < 12; r++) {
          na += a.apply(r, i) * a.apply(r, i);
        }
        for (int c = 0; c < 10; c++) {
          nb += b.apply(i, c) * b.apply(i, c);
        }
        q[i] = Math.sqrt(na * nb);
        qSum += q[i];
      }
      for (int u = 0; u < idx.length; u++) {
        int i = (int) idx[u];
        double occurrences = w[u] * k * q[i] / qSum;
        double libammWeight = occurrences * 60 / k;
        for (int r = 0; r < 12; r++) {
          for (int c = 0; c < 10; c++) {
            mean[r + c * 12] += libammWeight * a.apply(r, i) * b.apply(i, c) / TRIALS;
          }
        }
      }
    }
    double biasSq = FrobeniusError.squaredDifference(exact, mean);
    assertTrue(biasSq > 9 * expected / TRIALS, "LibAMM's scaling should be detected as biased: " + biasSq);
  }
}
