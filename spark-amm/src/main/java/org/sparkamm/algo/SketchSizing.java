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
 * The closed form is evaluated at P- too, so l is the smallest with {@code E(P-) <= eps^2 P-}: the
 * closed forms' E(P)/P does not increase with P (for the sketches (K + P - 2 sum_i ||a_i||^2 ||b_i||^2) / (l P),
 * K = ||A||^2 ||B||^2 at least twice the sum beyond a handful of inner indices; for crs
 * ((n / l) sum_i ||a_i||^2 ||b_i||^2 - P / l) / P), so that condition implies the target whenever
 * P- &lt;= ||AB||_F^2. Evaluating at P instead let crs, whose closed form subtracts the estimate, miss
 * the target by 20% or more when the pilot overestimated (the scan's predicted-against-achieved table
 * showed it: a pilot 1.5x high on the random loader's nearly rank-one product).
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
   * The pilot's estimate of ||AB||_F^2 from its values z_t: the mean P, the standard error
   * {@code s / sqrt(T)} (s the sample standard deviation), the lower estimate
   * {@code P- = max(P - 2 s / sqrt(T), P / (1 + 2 sqrt(2 / T)))} the size is chosen against, and the
   * upper estimate {@code P+ = P + 2 s / sqrt(T)}: [P-, P+] is the pilot's two-standard-error interval.
   */
  public static final class Pilot {
    public final double mean;
    public final double lower;
    public final double upper;
    /** The estimated relative standard deviation of the mean, s / (sqrt(T) P); 0 when P = 0. */
    public final double relativeSd;

    private Pilot(double[] z) {
      double m = 0;
      for (double v : z) {
        m += v;
      }
      m /= z.length;
      double var = 0;
      for (double v : z) {
        var += (v - m) * (v - m);
      }
      double t = z.length;
      double se = Math.sqrt(var / Math.max(1, z.length - 1)) / Math.sqrt(t);
      this.mean = m;
      this.lower = Math.max(m - 2 * se, m / (1 + 2 * Math.sqrt(2 / t)));
      this.upper = m + 2 * se;
      this.relativeSd = m > 0 ? se / m : 0;
    }

    /** The estimate from the pilot's values (at least one). */
    public static Pilot of(double[] z) {
      AmmArgumentException.require(z.length >= 1, "the pilot needs at least one probe value");
      return new Pilot(z);
    }
  }

  /**
   * What {@code --sketch auto} predicts at one sketch size: the relative error
   * {@code sqrt(E||AB - C_l||_F^2 / P)} against the pilot's mean P, and the same against the ends of
   * the pilot's interval [P-, P+] (the prediction's own uncertainty, which comes from the pilot alone:
   * the closed form is exact given ||AB||_F). NaN where the algorithm has no closed form.
   */
  public static final class Prediction {
    public final double error;
    public final double low;
    public final double high;

    Prediction(double error, double low, double high) {
      this.error = error;
      this.low = low;
      this.high = high;
    }
  }

  /** The prediction at sketch size {@code l} from the inner norms and the pilot (see {@link Prediction}). */
  public static Prediction predict(AmmAlgorithm algo, InnerNorms norms, Pilot pilot, int l, long seed) {
    if (pilot.mean == 0) { // AB = 0 (up to the probes): any sketch is exact, where a closed form says so
      double none = Double.isNaN(algo.expectedSquaredError(norms, 0.0, l, seed)) ? Double.NaN : 0.0;
      return new Prediction(none, none, none);
    }
    double at = relative(algo, norms, pilot.mean, l, seed);
    double atLower = relative(algo, norms, pilot.lower, l, seed);
    double atUpper = relative(algo, norms, pilot.upper, l, seed);
    return new Prediction(at, Math.min(atLower, atUpper), Math.max(atLower, atUpper));
  }

  private static double relative(AmmAlgorithm algo, InnerNorms norms, double productNorm2, int l, long seed) {
    return Math.sqrt(Math.max(0, algo.expectedSquaredError(norms, productNorm2, l, seed)) / productNorm2);
  }

  /**
   * The smallest sketch size in [1, n] meeting the target relative error {@code eps}, given the
   * inner norms (n = their length) and the pilot's values.
   */
  public static Choice choose(AmmAlgorithm algo, InnerNorms norms, long n, double[] pilot, double eps, long seed) {
    AmmArgumentException.require(eps > 0 && eps < 1 && Double.isFinite(eps),
        "target error must be in (0, 1), got %s", eps);
    AmmArgumentException.require(!algo.isExact(), "%s is exact: it has no sketch size to choose", algo.tag());
    Pilot est = Pilot.of(pilot);
    double mean = est.mean;
    double low = est.lower;
    if (mean == 0) {
      return new Choice(1, 0.0, 0.0, 0.0, 0.0); // AB = 0 (up to the probes): any sketch is as good
    }
    long hi = Math.max(1, Math.min(n, Integer.MAX_VALUE - 8));
    double target = eps * eps * low;
    double atHi = algo.expectedSquaredError(norms, low, (int) hi, seed);
    AmmArgumentException.require(!Double.isNaN(atHi),
        "%s has no closed-form error to choose a sketch size from; give --sketch", algo.tag());
    AmmArgumentException.require(atHi <= target,
        "%s cannot reach relative error %s with a sketch of at most n = %d (it predicts %.3g there): use mm",
        algo.tag(), eps, hi, Math.sqrt(atHi / low));
    long lo = 1;
    while (lo < hi) {
      long mid = (lo + hi) >>> 1;
      if (algo.expectedSquaredError(norms, low, (int) mid, seed) <= target) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return new Choice((int) lo, relative(algo, norms, mean, (int) lo, seed), mean, est.relativeSd, low);
  }
}
