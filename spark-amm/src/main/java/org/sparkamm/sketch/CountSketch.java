package org.sparkamm.sketch;

import org.sparkamm.random.CounterRng;
import org.sparkamm.random.Streams;

/**
 * CountSketch of the inner dimension (Charikar, Chen, Farach-Colton 2002; for matrix products
 * Pagh 2013, Clarkson and Woodruff 2013).
 *
 * <p>Each inner index i gets a bucket h(i), uniform on [0, k), and a sign s(i) = +-1, both pure
 * functions of (seed, i). S has S[h(i), i] = s(i), so {@code A S^T} adds s(i) a_i into column h(i)
 * and {@code S B} adds s(i) b_i into row h(i); the estimate is unbiased, {@code E[C] = AB}, with
 *
 * <pre>E||AB - C||_F^2 = (||A||_F^2 ||B||_F^2 + ||AB||_F^2 - 2 sum_i ||a_i||^2 ||b_i||^2) / k.</pre>
 *
 * (Pairs i != j collide with probability 1/k; the cross terms of (i, j) and (j, i) give the
 * ||AB||^2 term.) It is never exact for k &lt; n and, because buckets collide at random, not even
 * for k &ge; n. Cost: O(n(m + p)) additions to sketch, O(mkp) for the reduced product.
 */
public final class CountSketch implements InnerSketch {
  private static final long serialVersionUID = 1L;
  private final long key;
  private final int buckets;

  public CountSketch(long seed, int buckets) {
    this.key = CounterRng.streamKey(seed, Streams.COUNT_SKETCH);
    this.buckets = buckets;
  }

  @Override
  public boolean perIndex() {
    return true;
  }

  @Override
  public int width() {
    return buckets;
  }

  /** The bucket of inner index i. */
  public int bucket(long i) {
    return (int) (((CounterRng.bits(key, i) >>> 32) * buckets) >>> 32);
  }

  /** The sign of inner index i. */
  public double sign(long i) {
    return (CounterRng.bits(key, i) & 1L) == 0 ? -1.0 : 1.0;
  }

  @Override
  public Hits slice(long start, int len, Side side) {
    int[] local = new int[len];
    int[] bucket = new int[len];
    double[] coef = new double[len];
    for (int j = 0; j < len; j++) {
      long bits = CounterRng.bits(key, start + j);
      local[j] = j;
      bucket[j] = (int) (((bits >>> 32) * buckets) >>> 32);
      coef[j] = (bits & 1L) == 0 ? -1.0 : 1.0;
    }
    return new Hits(len, local, bucket, coef);
  }
}
