package org.sparkamm.algo;

import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.sparkamm.error.AmmArgumentException;

/**
 * Chooses the sketch size for a target relative error: the smallest l with
 * {@code E||AB - C_l||_F^2 <= eps^2 ||AB||_F^2}, from the algorithm's closed form
 * ({@link AmmAlgorithm#expectedSquaredError}, which reads the inner norms of the one-pass norm
 * computation) and an estimate of ||AB||_F^2 from a pilot of sign probes.
 *
 * <p><b>The pilot.</b> T = {@value #PILOT_PROBES} Rademacher probes r_t in {+-1}^p (a pure function of
 * (seed, t, column), see {@link SignProbes#pilot}) give {@code z_t = ||A (B r_t)||^2}, with
 * {@code E z_t = ||AB||_F^2} and {@code Var z_t = 2 (||M^T M||_F^2 - sum_j (M^T M)_jj^2) <= 2 ||M||_F^4}
 * for M = AB; their mean P has relative standard deviation at most {@code sqrt(2 / T)} = 0.25 (and
 * about {@code sqrt(2 / (T r))} when AB has r comparable singular values). Cost: {@code O(T (np + mn))}
 * flops, one pass over each operand. To keep the target when P overestimates ||AB||_F^2, l is chosen
 * against the lower estimate {@code P- = max(P - 2 s / sqrt(T), P / (1 + 2 sqrt(2 / T)))}, s the
 * probes' sample standard deviation (the second term is the worst case allowed by the variance bound).
 *
 * <p><b>The search.</b> The closed forms decrease in l (each is a sum of terms in 1/l, or in the
 * probabilities that grow with l); the smallest l in [1, n] meeting {@code eps^2 P-} is found by
 * bisection. Algorithms without a closed form (NaN) cannot be sized this way, nor can a target that
 * even l = n misses (then {@code mm} is the answer); both are one-line errors.
 */
public final class SketchSizing {
  /** Pilot probes: two tests of {@value SignProbes#PER_TEST}. */
  public static final int PILOT_PROBES = 2 * SignProbes.PER_TEST;

  private SketchSizing() {}

  /** The chosen sketch size and what it predicts. */
  public static final class Choice {
    public final int sketchSize;
    /** The expected relative error sqrt(E||AB - C||^2 / P) at that size, against the pilot's estimate P. */
    public final double predictedError;
    /** The pilot's estimate P of ||AB||_F^2 and its estimated relative standard deviation. */
    public final double productNorm2;
    public final double pilotRelativeSd;
    /** The lower estimate P- the size was chosen against: E||AB - C||^2 &lt;= eps^2 P-. */
    public final double productNorm2Lower;

    Choice(int sketchSize, double predictedError, double productNorm2, double pilotRelativeSd, double lower) {
      this.sketchSize = sketchSize;
      this.predictedError = predictedError;
      this.productNorm2 = productNorm2;
      this.pilotRelativeSd = pilotRelativeSd;
      this.productNorm2Lower = lower;
    }

    @Override
    public String toString() {
      return "sketch " + sketchSize + ", predicted relative error " + predictedError;
    }
  }

  /** The pilot's probes for this seed. */
  public static SignProbes probes(long seed) {
    return SignProbes.pilot(seed, PILOT_PROBES / SignProbes.PER_TEST);
  }

  /** z_t = 16 ||E[:, t]||^2 for the exact probes E = A (B Q^T) (m x T, column-major; Q's entries are +-1/4). */
  public static double[] probeValues(double[] e, int m) {
    double[] z = new double[PILOT_PROBES];
    for (int t = 0; t < z.length; t++) {
      double s = 0;
      for (int i = 0; i < m; i++) {
        double x = e[i + t * m];
        s += x * x;
      }
      z[t] = 16 * s;
    }
    return z;
  }

  /** The pilot's values z_t for local A and B. */
  public static double[] localProbeValues(Matrix a, Matrix b, long seed) {
    SignProbes q = probes(seed);
    int p = b.numCols();
    DenseMatrix qt = new DenseMatrix(p, q.count(), q.slice(0, p), true); // Q^T, p x T
    DenseMatrix e = a.multiply(b.multiply(qt));
    return probeValues(e.values(), a.numRows());
  }

  /**
   * The smallest sketch size in [1, n] meeting the target relative error {@code eps}, given the
   * inner norms (n = their length) and the pilot's values.
   */
  public static Choice choose(AmmAlgorithm algo, InnerNorms norms, long n, double[] pilot, double eps, long seed) {
    AmmArgumentException.require(eps > 0 && eps < 1 && Double.isFinite(eps),
        "target error must be in (0, 1), got %s", eps);
    AmmArgumentException.require(!algo.isExact(), "%s is exact: it has no sketch size to choose", algo.tag());
    double mean = 0;
    for (double z : pilot) {
      mean += z;
    }
    mean /= pilot.length;
    double var = 0;
    for (double z : pilot) {
      var += (z - mean) * (z - mean);
    }
    double sd = Math.sqrt(var / Math.max(1, pilot.length - 1));
    double t = pilot.length;
    double low = Math.max(mean - 2 * sd / Math.sqrt(t), mean / (1 + 2 * Math.sqrt(2 / t)));
    double relSd = mean > 0 ? sd / Math.sqrt(t) / mean : 0;
    if (mean == 0) {
      return new Choice(1, 0.0, 0.0, 0.0, 0.0); // AB = 0 (up to the probes): any sketch is as good
    }
    long hi = Math.max(1, Math.min(n, Integer.MAX_VALUE - 8));
    double target = eps * eps * low;
    double atHi = algo.expectedSquaredError(norms, mean, (int) hi, seed);
    AmmArgumentException.require(!Double.isNaN(atHi),
        "%s has no closed-form error to choose a sketch size from; give --sketch", algo.tag());
    AmmArgumentException.require(atHi <= target,
        "%s cannot reach relative error %s with a sketch of at most n = %d (it predicts %.3g there): use mm",
        algo.tag(), eps, hi, Math.sqrt(atHi / mean));
    long lo = 1;
    while (lo < hi) {
      long mid = (lo + hi) >>> 1;
      if (algo.expectedSquaredError(norms, mean, (int) mid, seed) <= target) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    double predicted = Math.sqrt(Math.max(0, algo.expectedSquaredError(norms, mean, (int) lo, seed)) / mean);
    return new Choice((int) lo, predicted, mean, relSd, low);
  }
}
