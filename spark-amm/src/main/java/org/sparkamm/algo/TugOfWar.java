package org.sparkamm.algo;

import java.util.Arrays;
import java.util.Set;
import org.sparkamm.config.AmmConfig;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.random.DenseColumns;
import org.sparkamm.sketch.DenseSketch;
import org.sparkamm.sketch.InnerMasses;
import org.sparkamm.sketch.InnerSketch;

/**
 * {@code tugOfWar}: LibAMM's repeated tug-of-war (AMS) sign sketch. With delta = {@value #DELTA_KEY}
 * (default 0.02, valid in (0, 1/e)), I = floor(-ln delta) independent Rademacher sketches of l rows
 * (entries +-1/sqrt(l)) are built side by side in the same pass over the data (one dense tile of
 * I l rows), J = floor(2 (-ln delta + ln(-ln delta))) tests of {@value SignProbes#PER_TEST} sign
 * probes each score every repeat against the exact probes {@code A (B Q^T)} (see
 * {@link SignProbes}), and the repeat with the smallest median residual is returned. For
 * delta = 0.02: I = 3, J = 10. Each repeat is unbiased with the Rademacher error
 * {@code (||A||^2 ||B||^2 + ||AB||^2 - 2 sum_i ||a_i||^2 ||b_i||^2) / l}; choosing the minimum makes
 * the result biased but, with probability at least 1 - delta (AMS), within a constant of the best
 * repeat; reported expectation: the single repeat's (an upper bound in practice, checked in tests).
 * delta &ge; 1/e would mean no repeat at all (LibAMM breaks); it is refused. Cost: I times a
 * Rademacher sketch, plus O(16 J (np + mn)) for the exact probes, computed where the data lies
 * (LibAMM recomputes A(BQ^T) for every test).
 */
public final class TugOfWar extends AmmAlgorithm {
  public static final String DELTA_KEY = "algoDelta";
  public static final double DEFAULT_DELTA = 0.02;
  private double delta = DEFAULT_DELTA;

  @Override
  public String tag() {
    return "tugOfWar";
  }

  @Override
  public String description() {
    return "best of floor(-ln algoDelta) Rademacher sketches by median-of-probes tests (default algoDelta 0.02)";
  }

  @Override
  public Set<String> configKeys() {
    return Set.of(DELTA_KEY);
  }

  @Override
  public void configure(AmmConfig cfg) {
    double d = cfg.getDouble(DELTA_KEY, DEFAULT_DELTA);
    AmmArgumentException.require(d > 0 && d < Math.exp(-1),
        "config key '%s' must be in (0, 1/e) = (0, 0.3679), got %s (delta >= 1/e leaves no repeat)", DELTA_KEY, d);
    delta = d;
  }

  /** I = floor(-ln delta). */
  public int repeats() {
    return (int) Math.floor(-Math.log(delta));
  }

  /** J = floor(2 (-ln delta + ln(-ln delta))), at least 1. */
  public int tests() {
    double x = -Math.log(delta);
    return Math.max(1, (int) Math.floor(2 * (x + Math.log(x))));
  }

  @Override
  public int sketchWidth(int l) {
    return Math.multiplyExact(repeats(), l);
  }

  @Override
  public InnerSketch sketch(long n, int l, long seed, InnerMasses masses) {
    return new DenseSketch(DenseColumns.Entries.RADEMACHER, seed, sketchWidth(l), false, l);
  }

  @Override
  public SignProbes probes(long p, int l, long seed) {
    return repeats() > 1 ? new SignProbes(seed, tests(), repeats(), l) : null;
  }

  /** argmin over repeats of the (lower) median over tests; the first on ties. */
  @Override
  public int choose(double[][] residuals) {
    int best = 0;
    double bestScore = Double.POSITIVE_INFINITY;
    for (int r = 0; r < residuals[0].length; r++) {
      double[] y = new double[residuals.length];
      for (int j = 0; j < y.length; j++) {
        y[j] = residuals[j][r];
      }
      Arrays.sort(y);
      double median = y[(y.length - 1) / 2];
      if (median < bestScore) {
        bestScore = median;
        best = r;
      }
    }
    return best;
  }

  @Override
  public ReducedProduct reducedProduct(int l, int chosenRepeat) {
    return ReducedProduct.columns(chosenRepeat * l, (chosenRepeat + 1) * l);
  }

  @Override
  public double expectedSquaredError(InnerNorms norms, double productNorm2, int l, long seed) {
    return SignSketchError.of(norms.stats(), productNorm2, 1.0 / l);
  }
}
