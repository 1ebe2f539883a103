package org.sparkamm.algo;

import java.util.Set;
import org.sparkamm.config.AmmConfig;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.sketch.InnerMasses;
import org.sparkamm.sketch.InnerSketch;
import org.sparkamm.sketch.SparseSignSketch;

/**
 * {@code sjlt}: a sparse sign sketch with s non-zeros +-1/sqrt(s) per inner index (config key
 * {@value #NONZEROS_KEY}, default {@value #DEFAULT_NONZEROS}, valid in [1, l]; s = 1 is a
 * CountSketch), block construction (see {@link SparseSignSketch}). Unbiased, with
 * {@code E||AB - C||_F^2 = kappa (||A||_F^2 ||B||_F^2 + ||AB||_F^2 - 2 sum_i ||a_i||^2 ||b_i||^2)},
 * {@code kappa = (1/s^2) sum_u 1/l_u} (1/l when s divides l): the CountSketch mean squared error
 * with lighter tails. Cost: s scatter additions per entry of the data, O(mlp) for the product; on
 * Spark the shuffle is CountSketch's.
 */
public final class SjltProduct extends AmmAlgorithm {
  public static final String NONZEROS_KEY = "sjltNonzeros";
  public static final int DEFAULT_NONZEROS = 4;
  private int nonzeros = DEFAULT_NONZEROS;

  @Override
  public String tag() {
    return "sjlt";
  }

  @Override
  public String description() {
    return "sparse sign sketch (SJLT), " + NONZEROS_KEY + " non-zeros per inner index (default 4)";
  }

  @Override
  public Set<String> configKeys() {
    return Set.of(NONZEROS_KEY);
  }

  @Override
  public void configure(AmmConfig cfg) {
    nonzeros = (int) cfg.getLong(NONZEROS_KEY, DEFAULT_NONZEROS, 1, Integer.MAX_VALUE);
  }

  private int nonzeros(int l) {
    AmmArgumentException.require(nonzeros <= l,
        "config key '%s' must be in [1, %d] (at most the sketch size), got %d", NONZEROS_KEY, l, nonzeros);
    return nonzeros;
  }

  @Override
  public boolean sketchAddsEveryValue() {
    return true;
  }

  @Override
  public InnerSketch sketch(long n, int l, long seed, InnerMasses masses) {
    return new SparseSignSketch(seed, l, nonzeros(l));
  }

  @Override
  public double expectedSquaredError(InnerNorms norms, double productNorm2, int l, long seed) {
    return SignSketchError.of(norms.stats(), productNorm2, SparseSignSketch.kappa(l, nonzeros(l)));
  }
}
