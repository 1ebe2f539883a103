package org.sparkamm.algo;

import org.sparkamm.sketch.CountSketch;
import org.sparkamm.sketch.InnerMasses;
import org.sparkamm.sketch.InnerSketch;

/**
 * {@code countSketch}: C = (A S^T)(S B) with S a CountSketch of k buckets (see {@link CountSketch}).
 * Unbiased, with the error of {@link SignSketchError} for kappa = 1/k.
 * Not exact for any k: collisions are random even when k &ge; n. Cost: one pass of O(n(m + p))
 * additions, then O(mkp). On Spark each block adds into an (m_I x k) or (p_J x k) partial sketch,
 * combined map-side; the shuffle moves only partial sketches, (partitions holding row block I) x
 * m_I x k x 8 bytes per row block of A, likewise for B.
 */
public final class CountSketchProduct extends AmmAlgorithm {
  @Override
  public String tag() {
    return "countSketch";
  }

  @Override
  public String description() {
    return "CountSketch of the inner dimension, k buckets with random signs";
  }

  @Override
  public boolean sketchAddsEveryValue() {
    return true;
  }

  @Override
  public InnerSketch sketch(long n, int k, long seed, InnerMasses masses) {
    return new CountSketch(seed, k);
  }

  @Override
  public double expectedSquaredError(InnerNorms norms, double productNorm2, int k, long seed) {
    return SignSketchError.of(norms.stats(), productNorm2, 1.0 / k);
  }
}
